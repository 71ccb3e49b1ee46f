# ruff: noqa: E501 (event snapshots are long lines)
"""Snapshot-test an agent: script the model, run the real agent and its tools, compare the ChatKit events.

The ``run_chatkit`` fixture comes with chatkit-agents (a pytest plugin): it runs the agent with the
model answering from the scripted steps, converts the run to ChatKit events with sequential ids and a
frozen clock, and renders them as compact text. ``snapshot()`` (inline-snapshot) holds the expected text
right here in the test; ``pytest --inline-snapshot=create`` fills in a new one, ``--inline-snapshot=fix``
updates it after an intended change (read it before you commit it).

    python -m pytest examples/test_agent_snapshot.py     # or: python examples/test_agent_snapshot.py
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from inline_snapshot import snapshot

from agents import Agent, function_tool
from chatkit_agents import client_tool
from chatkit_agents.testing import ResponseStream, ScriptedRunner


@function_tool
def get_weather(city: str) -> str:
    """The current weather in ``city``."""
    return f"Sunny, 21 °C in {city}"


@client_tool
def get_location() -> None:
    """The user's city, asked from the browser."""


agent = Agent(name="Weather", instructions="Answer weather questions.", tools=[get_weather, get_location])


async def test_weather_question_shows_the_tool_call_then_the_answer(run_chatkit: ScriptedRunner) -> None:
    run = await run_chatkit(
        agent,
        "Weather in Paris?",
        [
            ResponseStream("resp_1")
            .reasoning("**Checking** I should look the weather up.")
            .function_call("get_weather", {"city": "Paris"}),
            ResponseStream("resp_2").message("It is sunny ", "in Paris (21 °C)."),
        ],
    )
    assert run.rendered == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="**Checking** I should look the weather up."
  task.updated          wf_1 [0] thought complete content="**Checking** I should look the weather up."
  task.added            wf_1 [1] custom loading "Calling get_weather" icon=bolt
  task.updated          wf_1 [1] custom loading "Calling get_weather" icon=bolt content='Arguments: {"city": "Paris"}'
  task.updated          wf_1 [1] custom complete "Called get_weather" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny, 21 °C in Paris'
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="**Checking** I should look the weather up."
    [1] custom complete "Called get_weather" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny, 21 °C in Paris'
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "It is sunny in Paris (21 °C)." (2 deltas)
  content_part.done     msg_2 [0] "It is sunny in Paris (21 °C)."
thread.item.done        msg_2 assistant_message "It is sunny in Paris (21 °C)."\
""")
    assert run.result.final_output == "It is sunny in Paris (21 °C)."
    second_call_input: list[Any] = run.model_calls[1].input
    assert second_call_input[-1]["output"] == "Sunny, 21 °C in Paris"  # the real tool ran


async def test_asking_for_the_location_ends_the_turn_with_a_client_tool_call(
    run_chatkit: ScriptedRunner,
) -> None:
    run = await run_chatkit(
        agent, "Weather here?", [ResponseStream("resp_1").function_call("get_location", {})]
    )
    assert run.rendered == snapshot(
        "thread.item.done        tc_1 client_tool_call get_location pending call_1_0 args={}"
    )
    assert [call.name for call in run.context.client_tool_calls.values()] == ["get_location"]


if __name__ == "__main__":  # run through pytest in a fresh interpreter, so pytest can rewrite asserts
    raise SystemExit(
        subprocess.call([sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider"])
    )
