"""Guardrails, turn limits, model and API errors: items retracted or finished, then a notice or error."""

# ruff: noqa: E501 (event snapshots are long lines)

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import openai
import pytest
from agents.testing import ModelCall, ModelStep
from inline_snapshot import snapshot
from openai.types.responses import ResponseStreamEvent

from agents import (
    Agent,
    GuardrailFunctionOutput,
    ToolGuardrailFunctionOutput,
    function_tool,
    input_guardrail,
    output_guardrail,
    tool_input_guardrail,
)
from chatkit_agents.agents import StreamConverter
from chatkit_agents.errors import CustomStreamError
from chatkit_agents.testing import render_events
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.types import ThreadItemAddedEvent, ThreadItemRemovedEvent

pytestmark = pytest.mark.usefixtures("event_source_kind")


@function_tool
def lookup(q: str) -> str:
    """Look something up."""
    return "found"


def paced_then_raise(events: list[ResponseStreamEvent], error: BaseException) -> Any:
    """Yield ``events`` one network read at a time, then fail like a dropped connection."""

    async def factory(call: ModelCall) -> AsyncIterator[ResponseStreamEvent]:
        for event in events:
            yield event
            await asyncio.sleep(0)
        raise error

    return factory


def connection_error() -> openai.APIConnectionError:
    return openai.APIConnectionError(
        message="Connection reset", request=httpx.Request("POST", "https://api.openai.com/v1/responses")
    )


async def test_parallel_input_guardrail_removes_the_partial_reply_and_shows_a_notice(
    check_settled: Any, run_agent: Any
) -> None:
    text_started = anyio.Event()
    tripped = anyio.Event()

    @input_guardrail
    async def off_topic(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        await text_started.wait()
        tripped.set()
        return GuardrailFunctionOutput(output_info={"reason": "off-topic"}, tripwire_triggered=True)

    full = ResponseStream("resp_1").reasoning("Thinking.").message("Sure, ", "here", " it is.").completed()

    async def model_stream(call: ModelCall) -> AsyncIterator[ResponseStreamEvent]:
        for index, event in enumerate(full):
            if index == 12:  # inside the message text
                text_started.set()
                await tripped.wait()
            yield event
            await asyncio.sleep(0)  # pace like a network stream so the tripwire is noticed mid-text

    agent = Agent(name="A", input_guardrails=[off_topic])
    events, context, _ = await run_agent(agent, "Hi", [ModelStep.stream(model_stream)])
    check_settled(events)
    assert type(context.error).__name__ == "InputGuardrailTripwireTriggered"
    added = [e.item.id for e in events if isinstance(e, ThreadItemAddedEvent)]
    removed = [e.item_id for e in events if isinstance(e, ThreadItemRemovedEvent)]
    assert added == ["wf_1", "msg_2"]
    assert removed == added
    assert render_events(events[-3:]) == snapshot("""\
thread.item.removed     wf_1
thread.item.removed     msg_2
notice                  danger "This message can't be answered: it was stopped by a safety c"...(+5)\
""")


async def test_blocking_input_guardrail_shows_only_a_notice(run_agent: Any) -> None:
    @input_guardrail(run_in_parallel=False)
    async def pii(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=True)

    events, _, _ = await run_agent(Agent(name="A", input_guardrails=[pii]), "Hi", [])
    assert render_events(events) == snapshot(
        'notice                  danger "This message can\'t be answered: it was stopped by a safety c"...(+5)'
    )


async def test_output_guardrail_retracts_the_finished_reply(check_settled: Any, run_agent: Any) -> None:
    @output_guardrail
    async def leak(ctx: Any, agent: Any, output: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=True)

    steps = [ResponseStream("resp_1").reasoning("Hm.").message("The secret is 42.")]
    events, _, _ = await run_agent(Agent(name="A", output_guardrails=[leak]), "Hi", steps)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="Hm."
  task.updated          wf_1 [0] thought complete content="Hm."
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Hm."
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "The secret is 42."
  content_part.done     msg_2 [0] "The secret is 42."
thread.item.done        msg_2 assistant_message "The secret is 42."
thread.item.removed     wf_1
thread.item.removed     msg_2
notice                  danger "The reply was withheld by a safety check."\
""")


async def test_tool_guardrail_tripwire_retracts_the_turn(check_settled: Any, run_agent: Any) -> None:
    @tool_input_guardrail
    def deny(data: Any) -> ToolGuardrailFunctionOutput:
        return ToolGuardrailFunctionOutput.raise_exception(output_info={"why": "dangerous"})

    @function_tool(tool_input_guardrails=[deny])
    def delete_all() -> str:
        """Delete everything."""
        return "deleted"

    steps = [ResponseStream("resp_1").message("Deleting now.").function_call("delete_all", {})]
    events, _, _ = await run_agent(Agent(name="A", tools=[delete_all]), "Hi", steps)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "Deleting now."
  content_part.done     msg_1 [0] "Deleting now."
thread.item.done        msg_1 assistant_message "Deleting now."
thread.item.added       wf_2 workflow custom
    [0] custom loading "Calling delete_all" icon=bolt
thread.item.removed     msg_1
thread.item.removed     wf_2
notice                  danger "A tool call was blocked by a safety check, so the reply was "...(+8)\
""")


async def test_max_turns_keeps_the_work_and_ends_with_a_final_error(
    check_settled: Any, run_agent: Any
) -> None:
    steps = [ResponseStream("resp_1").reasoning("Looking.").function_call("lookup", {"q": "a"})]
    events, context, _ = await run_agent(Agent(name="A", tools=[lookup]), "Hi", steps, max_turns=1)
    check_settled(events)
    assert type(context.error).__name__ == "MaxTurnsExceeded"
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="Looking."
  task.updated          wf_1 [0] thought complete content="Looking."
  task.added            wf_1 [1] custom loading "Calling lookup" icon=bolt
  task.updated          wf_1 [1] custom loading "Calling lookup" icon=bolt content='Arguments: {"q": "a"}'
  task.updated          wf_1 [1] custom complete "Called lookup" icon=bolt content='Arguments: {"q": "a"}\\n\\nResult: found'
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Looking."
    [1] custom complete "Called lookup" icon=bolt content='Arguments: {"q": "a"}\\n\\nResult: found'
error                   custom allow_retry=false "The assistant stopped because it reached its step limit for "...(+10)\
""")


async def test_failed_response_mid_text_removes_the_message_and_allows_retry(
    check_settled: Any, run_agent: Any
) -> None:
    events_ = ResponseStream("resp_1").message("Half an ans", "wer").unfinished()[:-3]
    failing = ResponseStream("resp_1")
    for event in events_[2:]:
        failing.event(event)
    steps = [ModelStep.stream(failing.failed("The model crashed."))]
    events, context, _ = await run_agent(Agent(name="A"), "Hi", steps)
    check_settled(events)
    assert type(context.error).__name__ == "ModelBehaviorError"
    assert render_events(events) == snapshot("""\
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "Half an answer" (2 deltas)
thread.item.removed     msg_1
error                   custom allow_retry=true "The model returned an unexpected response. Please try again."\
""")


async def test_partial_message_can_be_kept_on_error(check_settled: Any, run_agent: Any) -> None:
    partial = ResponseStream("resp_1").message("Half an ans", "wer").unfinished()[:-3]
    steps = [ModelStep.stream(paced_then_raise(partial, connection_error()))]
    converter = StreamConverter(keep_partial_message_on_error=True)
    events, _, _ = await run_agent(Agent(name="A"), "Hi", steps, converter=converter)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "Half an answer" (2 deltas)
thread.item.done        msg_1 assistant_message "Half an answer"
error                   stream.error allow_retry=true\
""")


async def test_api_error_mid_stream_removes_open_items_and_closes_the_workflow(
    check_settled: Any, run_agent: Any
) -> None:
    partial = (
        ResponseStream("resp_1")
        .reasoning("Plan.")
        .function_call("lookup", {"q": "x"})
        .message("Par")
        .unfinished()
    )[:-3]
    steps = [ModelStep.stream(paced_then_raise(partial, connection_error()))]
    events, context, _ = await run_agent(Agent(name="A", tools=[lookup]), "Hi", steps)
    check_settled(events)
    assert isinstance(context.error, openai.APIConnectionError)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="Plan."
  task.updated          wf_1 [0] thought complete content="Plan."
  task.added            wf_1 [1] custom loading "Calling lookup" icon=bolt
  task.updated          wf_1 [1] custom loading "Calling lookup" icon=bolt content='Arguments: {"q": "x"}'
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Plan."
    [1] custom loading "Calling lookup" icon=bolt content='Arguments: {"q": "x"}'
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Par"
thread.item.removed     msg_2
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Plan."
    [1] custom none "Calling lookup" icon=bolt content='Arguments: {"q": "x"}'
error                   stream.error allow_retry=true\
""")


async def test_unknown_tool_is_a_model_error(check_settled: Any, run_agent: Any) -> None:
    steps = [ResponseStream("resp_1").function_call("nope", {})]
    events, _, _ = await run_agent(Agent(name="A"), "Hi", steps)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Calling nope" icon=bolt
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom none "Calling nope" icon=bolt
error                   custom allow_retry=true "The model returned an unexpected response. Please try again."\
""")


async def test_custom_stream_error_message_reaches_the_user(run_agent: Any) -> None:
    steps = [ModelStep.raise_error(CustomStreamError("Our model is down, try later.", allow_retry=False))]
    events, _, _ = await run_agent(Agent(name="A"), "Hi", steps)
    assert render_events(events) == snapshot(
        'error                   custom allow_retry=false "Our model is down, try later."'
    )
