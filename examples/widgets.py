"""Widgets: a static card, a widget that streams while a tool works, and a button handled on the server.

Tools show widgets through the run context (``ctx.context`` is the `AgentContext`):
``stream_widget(card)`` adds one finished widget; ``stream_widget(async_iterator)`` streams successive
states of one widget, sent as the smallest updates (text deltas for a growing ``Markdown`` with an
``id``). The forecast card's *Refresh* button sends a ``forecast.refresh`` action, which `WeatherServer`
answers by replacing the card in place.

    python examples/widgets.py            # the conversation and the button press, printed as events
    python examples/widgets.py --serve    # http://127.0.0.1:8000/
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from _shared import ChatClient, OfflineModel, done_items, run_example, thread_id, tool_output, user_message
from agents.testing import ModelCall
from starlette.applications import Starlette

from agents import Agent, RunContextWrapper, function_tool
from chatkit_agents import AgentContext, AgentServer, create_app
from chatkit_agents.testing import ResponseStream
from chatkit_agents.types import (
    Action,
    ThreadItemReplacedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    WidgetItem,
)
from chatkit_agents.widgets import ActionConfig, Badge, Button, Caption, Card, Markdown, Row, Text, Title

FORECASTS = {"Paris": ("Light rain", 14), "Lisbon": ("Sunny", 22)}


# --8<-- [start:card]
def forecast_card(city: str, *, refreshed: bool = False) -> Card:
    """A card showing the forecast for ``city``, with a Refresh button."""
    sky, degrees = FORECASTS.get(city, ("Cloudy", 12))
    return Card(
        children=[
            Title(value=f"Weather in {city}", size="sm"),
            Row(children=[Text(value=f"{degrees} °C"), Badge(label=sky, color="info")], gap=2),
            Caption(value="Refreshed just now" if refreshed else "Forecast for today"),
            Button(
                label="Refresh",
                style="secondary",
                on_click_action=ActionConfig(type="forecast.refresh", payload={"city": city}),
            ),
        ]
    )


# --8<-- [end:card]


# --8<-- [start:static]
@function_tool
async def show_forecast(ctx: RunContextWrapper[AgentContext], city: str) -> str:
    """Show today's forecast for ``city`` to the user as a card."""
    sky, degrees = FORECASTS.get(city, ("Cloudy", 12))
    await ctx.context.stream_widget(forecast_card(city), copy_text=f"{city}: {sky}, {degrees} °C")
    return f"Shown the forecast card: {sky}, {degrees} °C."


# --8<-- [end:static]


# --8<-- [start:streamed]
@function_tool
async def packing_list(ctx: RunContextWrapper[AgentContext], city: str) -> str:
    """Write a packing list for a day in ``city``, streamed into a card as it is written."""
    lines = ["- umbrella", "- light jacket", "- comfortable shoes"]

    async def states() -> AsyncIterator[Card]:
        text = ""
        for line in lines:
            text += line + "\n"
            yield Card(
                children=[
                    Title(value=f"Packing for {city}", size="sm"),
                    Markdown(id="list", value=text, streaming=True),
                ]
            )
        yield Card(
            children=[
                Title(value=f"Packing for {city}", size="sm"),
                Markdown(id="list", value=text, streaming=False),
                Badge(label="Ready", color="success"),
            ]
        )

    await ctx.context.stream_widget(states())
    return "Shown the packing list: " + ", ".join(line[2:] for line in lines)


# --8<-- [end:streamed]


agent = Agent(
    name="Weather",
    instructions="Show the forecast with show_forecast, then a packing list with packing_list, then sum up.",
    tools=[show_forecast, packing_list],
)


# --8<-- [start:action]
class WeatherServer(AgentServer):
    """An `AgentServer` that also handles the forecast card's Refresh button."""

    async def action(
        self, thread: ThreadMetadata, action: Action, sender: WidgetItem | None, context: Any
    ) -> AsyncIterator[ThreadStreamEvent]:
        if action.type == "forecast.refresh" and sender is not None:
            city = str((action.payload or {}).get("city", ""))
            updated = sender.model_copy(update={"widget": forecast_card(city, refreshed=True)})
            yield ThreadItemReplacedEvent(item=updated)  # saved, then sent: the card changes in place
            return
        async for event in super().action(thread, action, sender, context):  # approvals
            yield event


# --8<-- [end:action]


def build_app(offline: bool) -> Starlette:
    """The ChatKit app with the chat page."""
    return create_app(WeatherServer(agent.clone(model=OfflineModel(script)) if offline else agent), ui=True)


def script(call: ModelCall) -> Any:
    """Forecast card, then packing list, then a short answer."""
    result = tool_output(call)
    if result is None:
        return ResponseStream("resp_1").function_call("show_forecast", {"city": "Paris"}).step()
    if result[0] == "show_forecast":
        return ResponseStream("resp_2").function_call("packing_list", {"city": "Paris"}).step()
    return ResponseStream("resp_3").message("Rain is likely in Paris: ", "pack an umbrella.").step()


async def conversation(client: ChatClient) -> None:
    """Ask for the weather, then press the forecast card's Refresh button."""
    events = await client.send(
        {"type": "threads.create", "params": {"input": user_message("Weather in Paris tomorrow?")}}
    )
    card = next(
        item
        for item in done_items(events, "widget")
        if item["widget"]["children"][0]["value"].startswith("Weather")
    )
    button = card["widget"]["children"][-1]
    print(f"pressing {button['label']!r}: {button['onClickAction']}")
    await client.send(
        {
            "type": "threads.custom_action",
            "params": {
                "thread_id": thread_id(events),
                "item_id": card["id"],
                "action": button["onClickAction"],
            },
        }
    )


if __name__ == "__main__":
    run_example(build_app, conversation, description=__doc__)
