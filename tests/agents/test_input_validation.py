"""`assert_valid_input`: the check every reverse-conversion test runs on its output.

Responses input TypedDicts declare some lists as ``Iterable``, which pydantic validates lazily; the
helper walks the validated value so that a bad nested part (e.g. a wrong content type) still fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pytest
from agents.items import TResponseInputItem
from pydantic import TypeAdapter, ValidationError

_INPUT_ITEM: TypeAdapter[Any] = TypeAdapter(TResponseInputItem)


def _drain(value: Any) -> None:
    """Consume every lazily validated iterable inside ``value`` so their items get validated too."""
    if isinstance(value, str | bytes):
        return
    if isinstance(value, Mapping):
        for nested in value.values():
            _drain(nested)
    elif isinstance(value, Iterable | Iterator):
        for nested in value:
            _drain(nested)


def assert_valid_input(items: list[Any]) -> list[Any]:
    """Assert ``items`` is a list of valid Responses input items that serialise to JSON; return it."""
    assert isinstance(items, list)
    for item in items:
        _drain(_INPUT_ITEM.validate_python(item))
        json.dumps(item)
    return items


def test_valid_messages_calls_and_outputs_pass() -> None:
    assert_valid_input(
        [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
            {"type": "message", "role": "assistant", "content": "hello"},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "ok"},
        ]
    )


def test_an_assistant_output_text_part_without_an_id_is_rejected() -> None:
    with pytest.raises(ValidationError):
        assert_valid_input(
            [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "x"}]}]
        )


def test_a_bad_part_inside_a_lazily_validated_list_is_rejected() -> None:
    bad_annotation = {"type": "url_citation", "url": "https://x.test"}  # no title / indexes
    item = {
        "type": "message",
        "id": "msg_1",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "x", "annotations": [bad_annotation]}],
    }
    with pytest.raises(ValidationError):
        assert_valid_input([item])


def test_an_unknown_item_shape_is_rejected() -> None:
    with pytest.raises(ValidationError):
        assert_valid_input([{"kind": "note", "text": "x"}])
