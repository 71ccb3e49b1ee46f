"""Bad wire input is rejected with a pydantic ValidationError that names the problem."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import pytest
from _wire_samples import ATTACH_IMAGE, EVENTS, T0, USER_MESSAGE, wire
from pydantic import BaseModel, TypeAdapter, ValidationError

from chatkit_agents import types as t

ITEM: TypeAdapter[Any] = TypeAdapter(t.ThreadItem)


def errors_of(call: Any) -> list[Any]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.errors()


def test_an_unknown_request_type_names_the_type_and_the_expected_tags() -> None:
    [error] = errors_of(lambda: t.parse_request('{"type": "threads.explode", "params": {}}'))
    assert error["type"] == "union_tag_invalid"
    assert "threads.explode" in error["msg"]
    assert "'threads.create'" in error["msg"]


def test_a_request_without_a_type_is_rejected() -> None:
    [error] = errors_of(lambda: t.parse_request('{"params": {"thread_id": "thr_1"}}'))
    assert error["type"] == "union_tag_not_found"
    assert "type" in error["msg"]


def test_a_missing_request_field_is_reported_with_its_path() -> None:
    [error] = errors_of(lambda: t.parse_request('{"type": "threads.get_by_id", "params": {}}'))
    assert error["type"] == "missing"
    assert error["loc"] == ("threads.get_by_id", "params", "thread_id")


def test_a_wrongly_typed_request_field_is_reported_with_its_path() -> None:
    body = {"type": "items.feedback", "params": {"thread_id": "thr_1", "item_ids": "msg_1", "kind": "meh"}}
    errors = errors_of(lambda: t.parse_request(json.dumps(body)))
    assert {(e["loc"][-1], e["type"]) for e in errors} == {
        ("item_ids", "list_type"),
        ("kind", "literal_error"),
    }


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"null", b'"threads.list"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_rejected(body: bytes) -> None:
    with pytest.raises(ValidationError):
        t.parse_request(body)


def test_an_unknown_event_type_is_rejected() -> None:
    [error] = errors_of(lambda: t.parse_event('{"type": "thread.item.exploded", "item_id": "x"}'))
    assert error["type"] == "union_tag_invalid"
    assert "thread.item.exploded" in error["msg"]


def test_an_unknown_item_update_type_is_rejected_with_its_path() -> None:
    event = {"type": "thread.item.updated", "item_id": "m", "update": {"type": "nope"}}
    [error] = errors_of(lambda: t.parse_event(event))
    assert error["type"] == "union_tag_invalid"
    assert error["loc"] == ("thread.item.updated", "update")


def test_an_unknown_item_type_and_a_missing_item_field_are_rejected() -> None:
    [unknown] = errors_of(lambda: ITEM.validate_python({"type": "poll", "id": "x", "thread_id": "t"}))
    assert unknown["type"] == "union_tag_invalid"
    missing = errors_of(
        lambda: ITEM.validate_python({"type": "assistant_message", "id": "x", "thread_id": "t"})
    )
    assert {e["loc"][-1] for e in missing} == {"created_at", "content"}


def test_an_error_event_with_an_unknown_code_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"stream\.error"):
        t.parse_event({"type": "error", "code": "rate_limited"})


def test_icons_must_be_builtin_or_vendor_or_lucide_names() -> None:
    assert t.ProgressUpdateEvent(text="x", icon="vendor:acme").icon == "vendor:acme"
    assert t.ProgressUpdateEvent(text="x", icon="lucide:zap").icon == "lucide:zap"
    with pytest.raises(ValidationError):
        t.ProgressUpdateEvent.model_validate({"text": "x", "icon": "rocket"})


def test_attachment_urls_must_be_absolute_urls() -> None:
    with pytest.raises(ValidationError, match="not a valid URL"):
        t.ImageAttachment(id="a", name="n", mime_type="image/png", preview_url="not a url")
    assert ATTACH_IMAGE.preview_url == "https://cdn.example.com/cat.png"


def test_untagged_workflow_summaries_are_told_apart_by_their_fields() -> None:
    workflow = t.Workflow.model_validate({"type": "custom", "tasks": [], "summary": {"duration": 3}})
    assert workflow.summary == t.DurationSummary(duration=3)
    workflow = t.Workflow.model_validate({"type": "custom", "tasks": [], "summary": {"title": "Done"}})
    assert workflow.summary == t.CustomSummary(title="Done")
    [error] = errors_of(lambda: t.Workflow.model_validate({"type": "custom", "tasks": [], "summary": {}}))
    assert error["loc"] == ("summary", "custom", "title")


def test_unknown_fields_from_a_newer_client_are_ignored() -> None:
    req = t.parse_request('{"type": "threads.delete", "params": {"thread_id": "t", "hard": true}, "x": 1}')
    assert req == t.ThreadsDeleteReq(params=t.ThreadDeleteParams(thread_id="t"))


# --- timestamps ----------------------------------------------------------------------------------------


def test_a_naive_timestamp_from_the_wire_is_read_as_utc() -> None:
    data = wire(USER_MESSAGE) | {"created_at": "2026-01-01T12:00:00"}
    item = ITEM.validate_python(data)
    assert item.created_at == T0
    assert item.created_at.tzinfo is not None
    assert wire(item)["created_at"] == "2026-01-01T12:00:00Z"


def test_a_naive_datetime_given_in_python_is_also_taken_as_utc() -> None:
    meta = t.ThreadMetadata(id="thr", created_at=datetime(2026, 1, 1, 12, 0))
    assert meta.created_at == T0
    assert meta.created_at.utcoffset() == timedelta(0)


def test_an_aware_timestamp_keeps_its_offset_and_round_trips_exactly() -> None:
    data = wire(USER_MESSAGE) | {"created_at": "2026-01-01T14:00:00.123456+02:00"}
    item = ITEM.validate_python(data)
    assert item.created_at.utcoffset() == timedelta(hours=2)
    assert item.created_at == datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)
    assert wire(item) == data


def test_a_timestamp_that_is_not_a_date_is_rejected() -> None:
    [error] = errors_of(lambda: t.ThreadMetadata.model_validate({"id": "t", "created_at": "yesterday"}))
    assert error["loc"] == ("created_at",)


# --- metadata, serialisation helpers, actions ----------------------------------------------------------


def test_attachment_metadata_is_stored_but_never_sent_to_the_client() -> None:
    attachment = ATTACH_IMAGE.model_copy(update={"metadata": {"s3_key": "private/cat.png"}})
    assert wire(attachment)["metadata"] == {"s3_key": "private/cat.png"}
    assert "metadata" not in t.to_client_dict(attachment)
    assert "metadata" not in json.loads(t.to_client_json(attachment))
    plain = attachment.model_dump(mode="json", context=t.CLIENT_SERIALIZATION_CONTEXT)
    assert "metadata" not in plain

    message = USER_MESSAGE.model_copy(update={"attachments": [attachment]})
    event = t.ThreadItemDoneEvent(item=message)
    sent = json.loads(t.to_client_json(event))
    assert json.loads(t.to_client_json_bytes(event)) == sent
    assert all("metadata" not in a for a in sent["item"]["attachments"])
    assert t.parse_event(t.to_client_json(event)) != event  # the metadata stays on the server


def test_client_json_leaves_out_none_fields() -> None:
    assert t.to_client_dict(EVENTS["error_custom"]) == {
        "type": "error",
        "code": "custom",
        "message": "Quota exceeded",
        "allow_retry": False,
    }


def test_a_typed_action_builds_the_widget_action_config() -> None:
    class Item(BaseModel):
        sku: str

    config = t.Action[Literal["cart.add"], Item].create(Item(sku="A1"), handler="client")
    assert config == t.ActionConfig(type="cart.add", payload={"sku": "A1"}, handler="client")


def test_an_untyped_action_cannot_build_a_config() -> None:
    with pytest.raises(TypeError, match="string literal"):
        t.Action.create({"x": 1})


def test_a_typed_action_validates_its_payload() -> None:
    class Item(BaseModel):
        sku: str

    action = t.Action[Literal["cart.add"], Item].model_validate({"type": "cart.add", "payload": {"sku": "B"}})
    assert action.payload == Item(sku="B")
    with pytest.raises(ValidationError):
        t.Action[Literal["cart.add"], Item].model_validate({"type": "cart.remove", "payload": {"sku": "B"}})


def test_audio_input_exposes_the_media_type_without_parameters() -> None:
    audio = t.AudioInput(data=b"\x00", mime_type="audio/webm;codecs=opus")
    assert audio.media_type == "audio/webm"
