"""Cancellation: a cancelled or closed consumer cancels the run and leaves no task; a quiet cancel settles."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

import anyio
import pytest
from agents.testing import ModelCall, ModelStep, ScriptedModel
from inline_snapshot import snapshot
from openai.types.responses import ResponseStreamEvent

from agents import Agent, RunConfig, RunContextWrapper, Runner, function_tool
from chatkit_agents.agents import AgentContext, stream_agent_response
from chatkit_agents.testing import render_events
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.types import ProgressUpdateEvent, ThreadItemUpdatedEvent, ThreadStreamEvent

pytestmark = pytest.mark.usefixtures("event_source_kind")


def other_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]


class BlockingTool:
    """A tool that reports progress, then waits forever; records whether it was cancelled."""

    def __init__(self) -> None:
        self.cancelled = False
        self.finished = False

    def tool(self) -> Any:
        @function_tool
        async def slow_search(ctx: RunContextWrapper[AgentContext[Any]], q: str) -> str:
            """Search slowly."""
            try:
                await ctx.context.progress("Searching…")
                await anyio.Event().wait()
            except BaseException:
                self.cancelled = True
                raise
            self.finished = True
            return "never"

        return slow_search


def start(agent: Agent[Any], steps: list[Any], context: AgentContext[Any]) -> Any:
    model = ScriptedModel(steps)
    config = RunConfig(model=model, tracing_disabled=True)
    return Runner.run_streamed(agent, "Hi", context=context, run_config=config)


async def test_cancelling_the_consumer_cancels_the_run_and_its_tools(make_context: Any) -> None:
    blocking = BlockingTool()
    context = make_context()
    agent = Agent(name="A", tools=[blocking.tool()])
    result = start(agent, [ResponseStream("resp_1").function_call("slow_search", {"q": "x"}).step()], context)
    seen: list[ThreadStreamEvent] = []
    with anyio.CancelScope() as scope:
        async for event in stream_agent_response(context, result):
            seen.append(event)
            if isinstance(event, ProgressUpdateEvent):
                scope.cancel()
    assert scope.cancelled_caught
    assert blocking.cancelled
    assert not blocking.finished
    assert result.run_loop_task is not None
    assert result.run_loop_task.done()
    assert other_tasks() == []
    assert not context.is_streaming


async def test_closing_the_stream_early_cancels_the_run(make_context: Any) -> None:
    blocking = BlockingTool()
    context = make_context()
    agent = Agent(name="A", tools=[blocking.tool()])
    result = start(agent, [ResponseStream("resp_1").function_call("slow_search", {"q": "x"}).step()], context)
    async with aclosing(stream_agent_response(context, result)) as stream:
        async for event in stream:
            if isinstance(event, ProgressUpdateEvent):
                break
    assert blocking.cancelled
    assert result.run_loop_task is not None
    assert result.run_loop_task.done()
    assert other_tasks() == []


async def test_a_quiet_cancel_of_the_run_keeps_the_partial_message_and_settles_items(
    make_context: Any, check_settled: Any
) -> None:
    partial = ResponseStream("resp_1").reasoning("Plan.").message("Once upon", " a time").unfinished()[:-3]

    async def model_stream(call: ModelCall) -> AsyncIterator[ResponseStreamEvent]:
        for event in partial:
            yield event
        await anyio.Event().wait()

    context = make_context()
    result = start(Agent(name="A"), [ModelStep.stream(model_stream)], context)
    events: list[ThreadStreamEvent] = []
    async for event in stream_agent_response(context, result):
        events.append(event)
        update = event.update if isinstance(event, ThreadItemUpdatedEvent) else None
        if update is not None and "a time" in getattr(update, "delta", ""):
            result.cancel()
    check_settled(events)
    assert context.error is None
    assert other_tasks() == []
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="Plan."
  task.updated          wf_1 [0] thought complete content="Plan."
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Plan."
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Once upon a time" (2 deltas)
thread.item.done        msg_2 assistant_message "Once upon a time"\
""")
