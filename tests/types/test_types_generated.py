"""Generated instances of every wire type read and write the same JSON as openai-chatkit, both ways."""

from __future__ import annotations

from typing import Any

import pytest
from _wire_samples import oracle, wire
from _wire_strategies import for_model, for_type
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

from chatkit_agents import types as t

pytestmark = pytest.mark.filterwarnings("ignore:Direct usage of named widget classes:DeprecationWarning")

GENERATED = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# (our union or model, the oracle's) for everything a server sends or receives.
PAIRS: dict[str, tuple[Any, Any]] = {
    "stream event": (t.ThreadStreamEvent, oracle.ThreadStreamEvent),
    "thread item": (t.ThreadItem, oracle.ThreadItem),
    "item update": (t.ThreadItemUpdate, oracle.ThreadItemUpdate),
    "request": (t.ChatKitReq, oracle.ChatKitReq),
    "thread": (t.Thread, oracle.Thread),
    "thread metadata page": (t.Page[t.ThreadMetadata], oracle.Page[oracle.ThreadMetadata]),
    "attachment": (t.Attachment, oracle.Attachment),
    "sync custom action response": (t.SyncCustomActionResponse, oracle.SyncCustomActionResponse),
}
ADAPTERS = {name: (TypeAdapter(ours), TypeAdapter(theirs)) for name, (ours, theirs) in PAIRS.items()}


def strategy_for(ours: Any) -> st.SearchStrategy[Any]:
    if isinstance(ours, type) and issubclass(ours, BaseModel):
        return for_model(ours)
    return for_type(ours)


# Built once: hypothesis re-validates a strategy object the first time it is drawn from.
STRATEGIES = {name: strategy_for(ours) for name, (ours, _) in PAIRS.items()}
ORACLE_STRATEGIES = {name: strategy_for(theirs) for name, (_, theirs) in PAIRS.items()}


@pytest.mark.parametrize("name", list(PAIRS))
@GENERATED
@given(data=st.data())
def test_generated_instances_round_trip_through_the_oracle(name: str, data: st.DataObject) -> None:
    ours_adapter, oracle_adapter = ADAPTERS[name]
    ours = data.draw(STRATEGIES[name], label=name)
    ours_json = wire(ours)

    theirs = oracle_adapter.validate_json(ours.model_dump_json(exclude_none=True))
    assert type(theirs).__name__ == type(ours).__name__
    theirs_json = theirs.model_dump(mode="json", exclude_none=True)
    assert theirs_json == ours_json

    back = ours_adapter.validate_json(theirs.model_dump_json(exclude_none=True))
    assert type(back) is type(ours)
    assert wire(back) == theirs_json
    assert back == ours


@pytest.mark.parametrize("name", list(PAIRS))
@GENERATED
@given(data=st.data())
def test_everything_the_oracle_can_write_is_read_by_us_and_written_back_unchanged(
    name: str, data: st.DataObject
) -> None:
    ours_adapter, oracle_adapter = ADAPTERS[name]
    theirs = data.draw(ORACLE_STRATEGIES[name], label=name)
    theirs_json = theirs.model_dump(mode="json", exclude_none=True)

    ours = ours_adapter.validate_json(theirs.model_dump_json(exclude_none=True))
    assert type(ours).__name__ == type(theirs).__name__
    assert wire(ours) == theirs_json
    assert oracle_adapter.validate_python(wire(ours)) == theirs


@GENERATED
@given(request=STRATEGIES["request"])
def test_generated_requests_parse_from_their_body_and_stream_like_the_oracle(request: Any) -> None:
    body = request.model_dump_json(exclude_none=True)
    assert t.parse_request(body) == request
    theirs = ADAPTERS["request"][1].validate_json(body)
    assert t.is_streaming_req(request) == oracle.is_streaming_req(theirs)
