"""Round trip: the items the forward converter streams, stored and converted back, are what the model
receives on the next turn (text, reasoning, function tools, a client tool call and a widget)."""

from __future__ import annotations

from typing import Any

from inline_snapshot import snapshot
from test_input_validation import assert_valid_input

from agents import Agent, RunContextWrapper, function_tool
from chatkit_agents._ids import FixedClock, SequentialIds
from chatkit_agents.agents import AgentContext, client_tool, to_agent_input
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.testing.scripted import ScriptedRun, ScriptedRunner, fixed_thread
from chatkit_agents.types import (
    ClientToolCallItem,
    ThreadItem,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    UserMessageItem,
    UserMessageTextContent,
)
from chatkit_agents.widgets import Card, Text, Title


@client_tool
def get_location() -> None:
    """Ask the browser where the user is."""


@function_tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny in {city}, 21°C"


@function_tool
async def show_weather(ctx: RunContextWrapper[AgentContext[Any]], city: str) -> str:
    """Show a weather card."""
    await ctx.context.stream_widget(Card(children=[Title(value=city), Text(value="Sunny, 21°C")]))
    return "shown"


AGENT = Agent(name="Weather", tools=[get_location, get_weather, show_weather])


class Thread:
    """The items a server would persist: each item as of its ``thread.item.done``, in done order."""

    def __init__(self) -> None:
        self.items: dict[str, ThreadItem] = {}
        self.clock = FixedClock()
        self.runner = ScriptedRunner(fixed_thread(self.clock), SequentialIds(), self.clock)

    def add_user_message(self, item_id: str, text: str) -> None:
        self.items[item_id] = UserMessageItem(
            id=item_id,
            thread_id="thr_1",
            created_at=self.clock(),
            content=[UserMessageTextContent(text=text)],
        )

    def persist(self, run: ScriptedRun) -> None:
        for event in run.events:
            if isinstance(event, ThreadItemDoneEvent):
                self.items[event.item.id] = event.item
            elif isinstance(event, ThreadItemRemovedEvent):
                self.items.pop(event.item_id, None)

    async def turn(self, steps: list[ResponseStream]) -> ScriptedRun:
        """Convert the stored thread back to input, run the agent on it and store what it streamed."""
        model_input = assert_valid_input(await to_agent_input(list(self.items.values())))
        run = await self.runner(AGENT, model_input, steps)
        self.persist(run)
        return run


async def test_a_streamed_thread_converts_back_into_the_next_turns_model_input() -> None:
    thread = Thread()

    # Turn 1: the model reasons, then asks the client for the location; the turn ends there.
    thread.add_user_message("msg_u1", "What's the weather where I am?")
    await thread.turn(
        [
            ResponseStream("resp_1")
            .reasoning("I need the user's location first.")
            .function_call("get_location", {}, call_id="call_loc")
        ]
    )
    # The client runs the tool and sends its output back (what add_client_tool_output stores).
    (pending,) = [i for i in thread.items.values() if isinstance(i, ClientToolCallItem)]
    thread.items[pending.id] = pending.model_copy(update={"status": "completed", "output": {"city": "Paris"}})

    # Turn 2 (no new user message): a server tool, a widget tool, then the answer.
    turn_2 = await thread.turn(
        [
            ResponseStream("resp_2")
            .function_call("get_weather", {"city": "Paris"}, call_id="call_w")
            .function_call("show_weather", {"city": "Paris"}, call_id="call_s"),
            ResponseStream("resp_3").message("It is sunny in Paris, 21°C."),
        ]
    )
    assert turn_2.model_calls[0].input == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": "What's the weather where I am?",
            },
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<reasoning>
- I need the user's location first.
</reasoning>\
""",
                    }
                ],
            },
            {"type": "function_call", "call_id": "call_loc", "name": "get_location", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_loc", "output": '{"city": "Paris"}'},
        ]
    )

    # Turn 3: a follow-up question; the model sees the whole conversation rebuilt from the stored items.
    thread.add_user_message("msg_u2", "Thanks! And tomorrow?")
    turn_3 = await thread.turn([ResponseStream("resp_4").message("Rain is expected tomorrow.")])
    assert [item.type for item in thread.items.values()] == snapshot(
        [
            "user_message",
            "workflow",
            "client_tool_call",
            "workflow",
            "widget",
            "assistant_message",
            "user_message",
            "assistant_message",
        ]
    )
    assert turn_3.model_calls[0].input == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": "What's the weather where I am?",
            },
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<reasoning>
- I need the user's location first.
</reasoning>\
""",
                    }
                ],
            },
            {"type": "function_call", "call_id": "call_loc", "name": "get_location", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_loc", "output": '{"city": "Paris"}'},
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<workflow>
- Called get_weather
  Arguments: {"city": "Paris"}
  Result: Sunny in Paris, 21°C
- Called show_weather
  Arguments: {"city": "Paris"}
  Result: shown
</workflow>\
""",
                    }
                ],
            },
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<widget>
Paris
Sunny, 21°C
</widget>\
""",
                    }
                ],
            },
            {"type": "message", "role": "assistant", "content": "It is sunny in Paris, 21°C."},
            {
                "type": "message",
                "role": "user",
                "content": "Thanks! And tomorrow?",
            },
        ]
    )
