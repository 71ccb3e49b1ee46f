from __future__ import annotations

from typing import Any

import pytest
from agents.testing import ModelStep, UnconsumedModelSteps, assistant_message
from inline_snapshot import snapshot

from agents import Agent, ModelBehaviorError, function_tool, handoff
from chatkit_agents._ids import FixedClock, SequentialIds
from chatkit_agents.agents.context import AgentContext
from chatkit_agents.testing import ResponseStream, ScriptedRunner, fixed_thread, run_scripted, url_citation
from chatkit_agents.types import AssistantMessageItem, ThreadItemDoneEvent


@function_tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"Sunny in {city}"


def _weather_steps() -> list[ResponseStream]:
    return [
        ResponseStream("resp_1")
        .reasoning(["Let me ", "check."])
        .function_call("get_weather", {"city": "Paris"}),
        ResponseStream("resp_2").message(
            "Sunny ", "in Paris.", annotations=[url_citation("https://meteo.example", "Meteo", end_index=5)]
        ),
    ]


async def test_a_scripted_run_collects_the_chatkit_events_with_deterministic_ids() -> None:
    agent = Agent(name="weather", tools=[get_weather])
    run = await run_scripted(agent, "Weather in Paris?", _weather_steps())
    assert run.rendered == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="Let me "
  task.updated          wf_1 [0] thought complete content="Let me check."
  task.added            wf_1 [1] custom loading "Calling get_weather" icon=bolt
  task.updated          wf_1 [1] custom loading "Calling get_weather" icon=bolt content='Arguments: {"city": "Paris"}'
  task.updated          wf_1 [1] custom complete "Called get_weather" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny in Paris'
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Let me check."
    [1] custom complete "Called get_weather" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny in Paris'
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Sunny in Paris." (2 deltas)
  annotation_added      msg_2 [0] #0 url:https://meteo.example@5
  content_part.done     msg_2 [0] "Sunny in Paris." [1 annotation: url:https://meteo.example@5]
thread.item.done        msg_2 assistant_message "Sunny in Paris." [1 annotation: url:https://meteo.example@5]\
""")  # noqa: E501
    assert run.error is None
    assert run.result.final_output == "Sunny in Paris."
    assert [call.input[-1]["type"] for call in run.model_calls[1:]] == ["function_call_output"]
    assert run.model_calls[0].input == [{"content": "Weather in Paris?", "role": "user"}]
    done = [e.item for e in run.events if isinstance(e, ThreadItemDoneEvent)]
    assert [item.created_at for item in done] == [FixedClock()()] * len(done)


async def test_a_failed_response_becomes_error_events_and_the_exception_is_kept() -> None:
    steps = [ResponseStream("resp_1").message("par", "tial").failed("upstream broke")]
    run = await run_scripted(Agent(name="a"), "hi", steps)
    assert run.rendered == snapshot("""\
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "partial" (2 deltas)
  content_part.done     msg_1 [0] "partial"
thread.item.done        msg_1 assistant_message "partial"
error                   custom allow_retry=true "The model returned an unexpected response. Please try again."\
""")  # noqa: E501
    assert isinstance(run.error, ModelBehaviorError)


async def test_unused_steps_fail_the_run_unless_allowed() -> None:
    steps = [ResponseStream("resp_1").message("Hi"), ResponseStream("resp_2").message("never asked for")]
    with pytest.raises(UnconsumedModelSteps):
        await run_scripted(Agent(name="a"), "hi", steps)
    run = await run_scripted(Agent(name="a"), "hi", steps, require_all_steps=False)
    assert run.model.remaining_steps == 1


async def test_plain_model_steps_and_output_item_lists_are_accepted() -> None:
    steps: list[Any] = [
        ModelStep(output=[assistant_message("From a step.")]),
    ]
    run = await run_scripted(Agent(name="a"), "hi", steps)
    assert run.rendered.splitlines()[-1] == snapshot(
        'thread.item.done        msg_1 assistant_message "From a step."'
    )
    run = await run_scripted(Agent(name="a"), "hi", [[assistant_message("From a list.")]])
    assert run.result.final_output == "From a list."


async def test_the_scripted_model_answers_for_handoff_targets_too() -> None:
    specialist = Agent(name="specialist", handoff_description="Knows the weather.")
    triage = Agent(name="triage", handoffs=[handoff(specialist)])
    steps = [
        ResponseStream("resp_1").function_call("transfer_to_specialist", {}),
        ResponseStream("resp_2").message("Specialist here."),
    ]
    run = await run_scripted(triage, "hi", steps)
    assert run.result.last_agent is specialist
    assert run.result.final_output == "Specialist here."
    assert len(run.model_calls) == 2


async def test_a_given_context_is_used_as_is() -> None:
    context = AgentContext(fixed_thread(thread_id="thr_custom"), id_factory=lambda kind: f"custom_{kind}")
    run = await run_scripted(Agent(name="a"), "hi", [ResponseStream().message("Hi")], context=context)
    assert run.context is context
    done = run.events[-1]
    assert isinstance(done, ThreadItemDoneEvent)
    assert isinstance(done.item, AssistantMessageItem)
    assert (done.item.id, done.item.thread_id) == ("custom_message", "thr_custom")


async def test_a_scripted_runner_keeps_counting_ids_across_runs_of_one_test() -> None:
    clock = FixedClock()
    runner = ScriptedRunner(fixed_thread(clock), SequentialIds(), clock)
    first = await runner(Agent(name="a"), "hi", [ResponseStream("resp_1").message("One")])
    second = await runner(Agent(name="a"), "again", [ResponseStream("resp_2").message("Two")])
    assert first.rendered.splitlines()[0] == "thread.item.added       msg_1 assistant_message"
    assert second.rendered.splitlines()[0] == "thread.item.added       msg_2 assistant_message"
    assert second.context.thread is first.context.thread
