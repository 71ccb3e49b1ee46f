"""The two event sources behind `stream_agent_response`: order, leftovers, and the end of the run."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from agents.testing import ScriptedModel

from agents import Agent, RawResponsesStreamEvent, RunConfig, Runner, RunResultStreaming
from chatkit_agents.agents.context import PendingRequest, SendEvent
from chatkit_agents.agents.run_events import (
    EventSource,
    PumpSource,
    QueueSource,
    event_source,
    run_event_queue,
)
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.types import NoticeEvent


def _run(*deltas: str) -> RunResultStreaming:
    model = ScriptedModel([ResponseStream().message(*deltas).step()])
    config = RunConfig(tracing_disabled=True, model=model)
    return Runner.run_streamed(Agent(name="a"), "hi", run_config=config)


def _source(
    kind: type[QueueSource] | type[PumpSource], result: RunResultStreaming
) -> QueueSource | PumpSource:
    if kind is PumpSource:
        return PumpSource(result)
    queue = run_event_queue(result)
    assert queue is not None
    return QueueSource(result, queue)


def _request(text: str) -> PendingRequest:
    return PendingRequest(SendEvent(NoticeEvent(level="info", message=text)))


async def _drain(next_message: Any) -> list[Any]:
    messages: list[Any] = []
    while True:
        try:
            messages.append(await next_message())
        except StopAsyncIteration:
            return messages


async def test_agents_sdk_runs_use_their_own_event_queue() -> None:
    result = _run("a")
    assert run_event_queue(result) is not None
    source = event_source(result)
    assert isinstance(source, QueueSource)
    await source.stop()
    assert result.is_complete


def test_run_objects_without_an_event_queue_get_the_pump() -> None:
    class Bare:
        pass

    assert run_event_queue(Bare()) is None
    assert isinstance(event_source(Bare()), PumpSource)  # type: ignore[arg-type]


@pytest.mark.parametrize("source_class", [QueueSource, PumpSource])
async def test_a_request_sent_before_reading_comes_first_and_run_events_follow_in_order(
    source_class: type[EventSource],
) -> None:
    result = _run("one ", "two")
    source = (
        QueueSource(result, run_event_queue(result)) if source_class is QueueSource else PumpSource(result)
    )  # type: ignore[arg-type]
    sender = source.sender()
    early = _request("early")
    sender.send_nowait(early)
    messages = await _drain(source.start())
    assert messages[0] is early
    deltas = [
        m.data.delta
        for m in messages
        if isinstance(m, RawResponsesStreamEvent) and m.data.type == "response.output_text.delta"
    ]
    assert deltas == ["one ", "two"]
    early.done.set()
    assert source.leftovers() == []
    await source.stop()


@pytest.mark.parametrize("source_class", [QueueSource, PumpSource])
async def test_a_request_sent_after_the_run_ended_comes_back_as_a_leftover(
    source_class: type[EventSource],
) -> None:
    result = _run("x")
    source = (
        QueueSource(result, run_event_queue(result)) if source_class is QueueSource else PumpSource(result)
    )  # type: ignore[arg-type]
    sender = source.sender()
    await _drain(source.start())
    late = _request("late")
    sender.send_nowait(late)
    assert source.leftovers() == [late]
    assert source.leftovers() == []  # handed out once
    await source.stop()


async def test_closed_sender_refuses_requests() -> None:
    result = _run("x")
    source = event_source(result)
    sender = source.sender()
    sender.close()
    with pytest.raises(anyio.ClosedResourceError):
        sender.send_nowait(_request("nope"))
    await source.stop()
    assert result.is_complete


async def test_stopping_before_the_run_ends_cancels_it_and_waits_for_its_task() -> None:
    result = _run(*["word "] * 50)
    source = event_source(result)
    next_message = source.start()
    await next_message()
    await source.stop()
    assert result.is_complete
    assert result.run_loop_task is None or result.run_loop_task.done()
