"""Reasoning summaries: a reasoning workflow of thought tasks, coalesced updates, closed with a duration."""

# ruff: noqa: E501 (event snapshots are long lines)

from __future__ import annotations

from typing import Any

from inline_snapshot import snapshot

from agents import Agent
from chatkit_agents.agents import StreamConverter
from chatkit_agents.testing import render_events
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.types import ThreadItemUpdatedEvent, WorkflowTaskUpdated


def chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


async def test_every_summary_part_streams_as_its_own_thought_and_the_message_closes_the_workflow(
    check_settled: Any, run_agent: Any, make_context: Any
) -> None:
    first = "Checking the forecast for Paris before answering."
    second = "The user wants a short answer."
    steps = [ResponseStream("resp_1").reasoning(chunks(first, 5), chunks(second, 5)).message("Sunny.")]
    converter = StreamConverter(thought_min_update_chars=12, thought_update_growth=0.5)
    events, _, _ = await run_agent(
        Agent(name="A"), "Weather?", steps, converter=converter, context=make_context(clock_step=1.0)
    )
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="Check"
  task.updated          wf_1 [0] thought loading content="Checking the forecas"
  task.updated          wf_1 [0] thought loading content="Checking the forecast for Paris bef"
  task.updated          wf_1 [0] thought complete content="Checking the forecast for Paris before answering."
  task.added            wf_1 [1] thought loading content="The u"
  task.updated          wf_1 [1] thought loading content="The user wants a sho"
  task.updated          wf_1 [1] thought complete content="The user wants a short answer."
thread.item.done        wf_1 workflow reasoning summary=1s
    [0] thought complete content="Checking the forecast for Paris before answering."
    [1] thought complete content="The user wants a short answer."
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Sunny."
  content_part.done     msg_2 [0] "Sunny."
thread.item.done        msg_2 assistant_message "Sunny."\
""")


async def test_thought_updates_are_coalesced_so_bytes_stay_linear(run_agent: Any) -> None:
    text = "word " * 400
    steps = [ResponseStream("resp_1").reasoning(chunks(text, 3)).message("Ok.")]
    events, _, _ = await run_agent(Agent(name="A"), "Hi", steps)
    updates = [
        e.update
        for e in events
        if isinstance(e, ThreadItemUpdatedEvent) and isinstance(e.update, WorkflowTaskUpdated)
    ]
    sent = sum(len(u.task.model_dump_json()) for u in updates)
    assert len(updates) < 20  # 667 deltas, a handful of updates
    assert sent < 8 * len(text)
    assert updates[-1].task.status_indicator == "complete"
    assert getattr(updates[-1].task, "content", None) == text


async def test_raw_reasoning_text_is_shown_only_when_asked(run_agent: Any) -> None:
    steps = [ResponseStream("resp_1").reasoning(content=["private chain of thought"]).message("Ok.")]
    hidden, _, _ = await run_agent(Agent(name="A"), "Hi", steps)
    shown, _, _ = await run_agent(
        Agent(name="A"),
        "Hi",
        [ResponseStream("resp_1").reasoning(content=["private chain of thought"]).message("Ok.")],
        converter=StreamConverter(show_raw_reasoning=True),
    )
    assert "chain of thought" not in render_events(hidden)
    assert render_events(shown) == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="private chain of thought"
  task.updated          wf_1 [0] thought complete content="private chain of thought"
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="private chain of thought"
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Ok."
  content_part.done     msg_2 [0] "Ok."
thread.item.done        msg_2 assistant_message "Ok."\
""")


async def test_reasoning_then_tool_then_reasoning_share_one_workflow(
    check_settled: Any, run_agent: Any
) -> None:
    from agents import function_tool

    @function_tool
    def lookup(city: str) -> str:
        """Look up the weather."""
        return f"Sunny in {city}"

    steps = [
        ResponseStream("resp_1").reasoning("I need the weather.").function_call("lookup", {"city": "Paris"}),
        ResponseStream("resp_2").reasoning("Now I can answer.").message("Sunny in Paris."),
    ]
    events, _, _ = await run_agent(Agent(name="A", tools=[lookup]), "Weather?", steps)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="I need the weather."
  task.updated          wf_1 [0] thought complete content="I need the weather."
  task.added            wf_1 [1] custom loading "Calling lookup" icon=bolt
  task.updated          wf_1 [1] custom loading "Calling lookup" icon=bolt content='Arguments: {"city": "Paris"}'
  task.updated          wf_1 [1] custom complete "Called lookup" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny in Paris'
  task.added            wf_1 [2] thought loading content="Now I can answer."
  task.updated          wf_1 [2] thought complete content="Now I can answer."
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="I need the weather."
    [1] custom complete "Called lookup" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny in Paris'
    [2] thought complete content="Now I can answer."
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Sunny in Paris."
  content_part.done     msg_2 [0] "Sunny in Paris."
thread.item.done        msg_2 assistant_message "Sunny in Paris."\
""")
