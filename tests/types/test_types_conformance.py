"""Every wire model agrees with openai-chatkit 1.6.5 on the JSON it reads and writes."""

from __future__ import annotations

from typing import Any

import pytest
from _wire_samples import EVENTS, ITEMS, OTHERS, REQUESTS, UPDATES, oracle, wire
from pydantic import BaseModel, TypeAdapter

from chatkit_agents import types as t

OURS_ITEM: TypeAdapter[Any] = TypeAdapter(t.ThreadItem)
OURS_UPDATE: TypeAdapter[Any] = TypeAdapter(t.ThreadItemUpdate)
ORACLE_EVENT: TypeAdapter[Any] = TypeAdapter(oracle.ThreadStreamEvent)
ORACLE_ITEM: TypeAdapter[Any] = TypeAdapter(oracle.ThreadItem)
ORACLE_UPDATE: TypeAdapter[Any] = TypeAdapter(oracle.ThreadItemUpdate)
ORACLE_REQ: TypeAdapter[Any] = TypeAdapter(oracle.ChatKitReq)

pytestmark = pytest.mark.filterwarnings("ignore:Direct usage of named widget classes:DeprecationWarning")

ORACLE_OTHERS: dict[str, TypeAdapter[Any]] = {
    "thread_metadata": TypeAdapter(oracle.ThreadMetadata),
    "thread": TypeAdapter(oracle.Thread),
    "page_of_threads": TypeAdapter(oracle.Page[oracle.ThreadMetadata]),
    "page_of_items": TypeAdapter(oracle.Page[oracle.ThreadItem]),
    "sync_custom_action_response": TypeAdapter(oracle.SyncCustomActionResponse),
    "sync_custom_action_response_empty": TypeAdapter(oracle.SyncCustomActionResponse),
    "file_attachment": TypeAdapter(oracle.FileAttachment),
    "image_attachment": TypeAdapter(oracle.ImageAttachment),
    "transcription_result": TypeAdapter(oracle.TranscriptionResult),
    "stream_options": TypeAdapter(oracle.StreamOptions),
}


def oracle_wire(value: Any) -> Any:
    """The JSON openai-chatkit writes for one of its models."""
    return value.model_dump(mode="json", exclude_none=True)


def assert_agrees(ours: BaseModel, oracle_adapter: TypeAdapter[Any], ours_adapter: TypeAdapter[Any]) -> None:
    """Our JSON is read by the oracle into the class of the same name and written back unchanged,
    and the oracle's JSON is read by us into the same class and written back unchanged."""
    ours_json = wire(ours)
    theirs = oracle_adapter.validate_python(ours_json)
    assert type(theirs).__name__ == type(ours).__name__
    assert oracle_wire(theirs) == ours_json

    theirs_json = oracle_wire(theirs)
    back = ours_adapter.validate_python(theirs_json)
    assert type(back) is type(ours)
    assert wire(back) == theirs_json
    assert back == ours


@pytest.mark.parametrize("name", list(EVENTS))
def test_every_stream_event_matches_the_oracle(name: str) -> None:
    assert_agrees(EVENTS[name], ORACLE_EVENT, t.THREAD_STREAM_EVENT_ADAPTER)


@pytest.mark.parametrize("name", list(ITEMS))
def test_every_thread_item_matches_the_oracle(name: str) -> None:
    assert_agrees(ITEMS[name], ORACLE_ITEM, OURS_ITEM)


@pytest.mark.parametrize("name", list(UPDATES))
def test_every_item_update_matches_the_oracle(name: str) -> None:
    assert_agrees(UPDATES[name], ORACLE_UPDATE, OURS_UPDATE)


@pytest.mark.parametrize("name", list(REQUESTS))
def test_every_request_matches_the_oracle(name: str) -> None:
    assert_agrees(REQUESTS[name], ORACLE_REQ, t.CHATKIT_REQ_ADAPTER)


@pytest.mark.parametrize("name", list(OTHERS))
def test_threads_pages_attachments_and_responses_match_the_oracle(name: str) -> None:
    ours = OTHERS[name]
    assert_agrees(ours, ORACLE_OTHERS[name], TypeAdapter(type(ours)))


def test_the_samples_cover_every_event_item_update_and_request_type() -> None:
    def tags(union: Any) -> set[str]:
        return set(TypeAdapter(union).json_schema()["discriminator"]["mapping"])

    assert {wire(e)["type"] for e in EVENTS.values()} == tags(t.ThreadStreamEvent)
    assert {wire(i)["type"] for i in ITEMS.values()} == tags(t.ThreadItem)
    assert {wire(u)["type"] for u in UPDATES.values()} == tags(t.ThreadItemUpdate)
    assert {wire(r)["type"] for r in REQUESTS.values()} == tags(t.ChatKitReq)
    assert len(tags(t.ChatKitReq)) == 16


@pytest.mark.parametrize("name", list(REQUESTS))
def test_requests_are_streaming_exactly_when_the_oracle_says_so(name: str) -> None:
    ours = REQUESTS[name]
    theirs = ORACLE_REQ.validate_python(wire(ours))
    assert t.is_streaming_req(ours) == oracle.is_streaming_req(theirs)


@pytest.mark.parametrize("name", list(REQUESTS))
def test_parse_request_reads_the_json_body_a_client_posts(name: str) -> None:
    ours = REQUESTS[name]
    body = ours.model_dump_json(exclude_none=True)
    assert t.parse_request(body) == ours
    assert t.parse_request(body.encode()) == ours


@pytest.mark.parametrize("name", list(EVENTS))
def test_parse_event_reads_what_the_server_streams(name: str) -> None:
    event = EVENTS[name]
    assert t.parse_event(t.to_client_json(event)) == event
    assert t.parse_event(wire(event)) == event
