"""SSE framing: the text templates (deltas, part added/done) give exactly the serializer's bytes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatkit_agents.server.sse import dump_json, encode_event
from chatkit_agents.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    ThreadItemUpdatedEvent,
    WorkflowTaskUpdated,
)

# every code point a Python str can hold except lone surrogates (which JSON cannot carry)
_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)


def _serialized(event: ThreadItemUpdatedEvent) -> bytes:
    """The frame the serializer alone writes for ``event``."""
    return b"data: " + dump_json(event) + b"\n\n"


def _delta_event(item_id: str, index: int, delta: str) -> ThreadItemUpdatedEvent:
    update = AssistantMessageContentPartTextDelta(content_index=index, delta=delta)
    return ThreadItemUpdatedEvent(item_id=item_id, update=update)


@given(item_id=_TEXT, index=st.integers(min_value=-(2**70), max_value=2**70), delta=_TEXT)
def test_text_delta_frame_matches_the_serializer_byte_for_byte(item_id: str, index: int, delta: str) -> None:
    event = _delta_event(item_id, index, delta)
    assert encode_event(event) == _serialized(event)


@pytest.mark.parametrize(
    "delta",
    ['quote " backslash \\ slash /', "\x00\x01\x1f\x7f", "line\nbreak\r\ttab\b\f", "\u2028\u2029", "é😀中"],
)
def test_text_delta_frame_is_one_sse_message_of_valid_json(delta: str) -> None:
    frame = encode_event(_delta_event("msg_1", 0, delta))
    assert frame.startswith(b"data: ")
    assert frame.endswith(b"\n\n")
    assert frame.count(b"\n") == 2
    assert json.loads(frame[6:]) == {
        "type": "thread.item.updated",
        "item_id": "msg_1",
        "update": {"type": "assistant_message.content_part.text_delta", "content_index": 0, "delta": delta},
    }


def test_text_delta_with_a_lone_surrogate_is_left_to_the_serializer() -> None:
    event = _delta_event("msg_1", 0, "bad \ud800 text")
    with pytest.raises(Exception) as raised:
        dump_json(event)
    with pytest.raises(type(raised.value)):
        encode_event(event)


def test_text_delta_with_a_non_string_field_set_after_validation_uses_the_serializer() -> None:
    event = _delta_event("msg_1", 0, "hi")
    event.update.content_index = True  # type: ignore[assignment]  # no validation on assignment
    assert encode_event(event) == _serialized(event)


def test_other_updates_are_framed_by_the_serializer() -> None:
    event = ThreadItemUpdatedEvent.model_validate(
        {
            "item_id": "wf_1",
            "update": {
                "type": "workflow.task.updated",
                "task_index": 0,
                "task": {"type": "custom", "title": "x", "status_indicator": "none"},
            },
        }
    )
    assert isinstance(event.update, WorkflowTaskUpdated)
    assert encode_event(event) == _serialized(event)


_CITED_PART = {
    "type": "output_text",
    "text": "see [1]",
    "annotations": [
        {"type": "annotation", "source": {"type": "url", "title": "x", "url": "https://a.example"}}
    ],
}


def _part_event(kind: str, item_id: str, index: int, text: str) -> ThreadItemUpdatedEvent:
    content = AssistantMessageContent(text=text)
    update = (
        AssistantMessageContentPartAdded(content_index=index, content=content)
        if kind == "added"
        else AssistantMessageContentPartDone(content_index=index, content=content)
    )
    return ThreadItemUpdatedEvent(item_id=item_id, update=update)


@given(
    kind=st.sampled_from(["added", "done"]),
    item_id=_TEXT,
    index=st.integers(min_value=-(2**70), max_value=2**70),
    text=_TEXT,
)
def test_text_part_frames_match_the_serializer_byte_for_byte(
    kind: str, item_id: str, index: int, text: str
) -> None:
    event = _part_event(kind, item_id, index, text)
    assert encode_event(event) == _serialized(event)


def test_text_part_with_citations_is_framed_by_the_serializer() -> None:
    event = ThreadItemUpdatedEvent.model_validate(
        {
            "item_id": "msg_1",
            "update": {
                "type": "assistant_message.content_part.done",
                "content_index": 0,
                "content": _CITED_PART,
            },
        }
    )
    frame = encode_event(event)
    assert frame == _serialized(event)
    assert b'"annotations":[{' in frame


def test_text_part_with_a_lone_surrogate_is_left_to_the_serializer() -> None:
    event = _part_event("done", "msg_1", 0, "bad \ud800 text")
    with pytest.raises(Exception) as raised:
        dump_json(event)
    with pytest.raises(type(raised.value)):
        encode_event(event)
