"""Client tools: tools that run in the browser, next to ordinary tools that run on the server.

`client_tool` declares a tool the ChatKit client executes. When the model calls it, the turn ends with a
pending ``client_tool_call`` item; the client runs the tool and sends ``threads.add_client_tool_output``,
and the run continues with the result as the tool's output. The bundled chat page answers
``get_browser_info`` by itself, so ``--serve`` works end to end in a browser.

    python examples/client_tools.py            # both requests in-process, printed as ChatKit events
    python examples/client_tools.py --serve    # http://127.0.0.1:8000/
"""

from __future__ import annotations

from typing import Any

from _shared import ChatClient, OfflineModel, done_items, run_example, thread_id, tool_output, user_message
from agents.testing import ModelCall
from starlette.applications import Starlette

from agents import Agent, function_tool
from chatkit_agents import AgentServer, client_tool, create_app
from chatkit_agents.testing import ResponseStream


# --8<-- [start:tools]
@client_tool
def get_browser_info() -> None:
    """The user's language, time zone, local time and window size, read from their browser."""


@function_tool
def events_tonight(time_zone: str) -> str:
    """Concerts and talks happening tonight near the user, by time zone."""
    listings = {"Europe/Paris": "Jazz at Le Duc des Lombards, 21:00; a talk on Ada Lovelace, 19:30"}
    return listings.get(time_zone, "a stand-up night at the town hall, 20:00")


agent = Agent(
    name="Evening planner",
    instructions=(
        "Plan the user's evening. Call get_browser_info to learn their time zone and local time, then "
        "events_tonight with that time zone."
    ),
    tools=[get_browser_info, events_tonight],
)
# --8<-- [end:tools]


def build_app(offline: bool) -> Starlette:
    """The ChatKit app; threads live in memory."""
    return create_app(AgentServer(agent.clone(model=OfflineModel(script)) if offline else agent), ui=True)


# --8<-- [start:script]
def script(call: ModelCall) -> Any:
    """Ask the browser first, then look up events in its time zone, then answer."""
    result = tool_output(call)
    if result is None:
        return ResponseStream("resp_1").function_call("get_browser_info", {}).step()
    name, output = result
    if name == "get_browser_info":
        zone = output.get("time_zone", "UTC") if isinstance(output, dict) else "UTC"
        return ResponseStream("resp_2").function_call("events_tonight", {"time_zone": zone}).step()
    return ResponseStream("resp_3").message("Tonight you could go to: ", f"{output}.").step()


# --8<-- [end:script]


# --8<-- [start:conversation]
async def conversation(client: ChatClient) -> None:
    """Ask for a plan, answer the client tool call like the browser would, and get the plan."""
    events = await client.send(
        {"type": "threads.create", "params": {"input": user_message("What can I do tonight?")}}
    )
    [call] = done_items(events, "client_tool_call")
    print(f"the client runs {call['name']} (call {call['call_id']}, status {call['status']})")
    browser = {"language": "fr-FR", "time_zone": "Europe/Paris", "local_time": "Mon Nov 23 2026 18:05"}
    await client.send(
        {
            "type": "threads.add_client_tool_output",
            "params": {"thread_id": thread_id(events), "result": browser},
        }
    )
    thread = await client.send({"type": "threads.get_by_id", "params": {"thread_id": thread_id(events)}})
    stored = [item for item in thread["items"]["data"] if item["type"] == "client_tool_call"]
    print(f"stored client tool call: status {stored[0]['status']}, output {stored[0]['output']}")


# --8<-- [end:conversation]


if __name__ == "__main__":
    run_example(build_app, conversation, description=__doc__)
