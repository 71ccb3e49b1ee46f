"""Human approval of a tool: the run pauses before a sensitive call until the user approves or rejects it.

A tool declared with ``needs_approval=True`` pauses the run when the model calls it. The turn ends with
an approval card (Approve / Reject buttons) and the paused run is kept server-side in the thread's
metadata. A button press sends a ``chatkit_agents.approval`` action; `AgentServer` applies the decision,
replaces the card by its outcome, and resumes the run: the tool runs (or gets a rejection as its output)
and the model answers.

    python examples/approvals.py            # ask, approve, and see the refund happen
    python examples/approvals.py --reject   # ... or reject it
    python examples/approvals.py --serve    # http://127.0.0.1:8000/
"""

from __future__ import annotations

from typing import Any

from _shared import ChatClient, OfflineModel, done_items, run_example, thread_id, tool_output, user_message
from agents.testing import ModelCall
from starlette.applications import Starlette

from agents import Agent, function_tool
from chatkit_agents import AgentServer, create_app
from chatkit_agents.agents.input import widget_tree_text
from chatkit_agents.testing import ResponseStream

REFUNDS: list[tuple[str, float]] = []


# --8<-- [start:tools]
@function_tool(needs_approval=True)
def refund_order(order_id: str, amount: float) -> str:
    """Refund ``amount`` euros on an order (needs the user's approval)."""
    REFUNDS.append((order_id, amount))
    return f"Refunded €{amount:.2f} on order {order_id}."


@function_tool
def order_total(order_id: str) -> float:
    """The amount paid for an order, in euros."""
    return 42.5


agent = Agent(
    name="Refunds",
    instructions="Refund orders on request: look up the total with order_total, then call refund_order.",
    tools=[order_total, refund_order],
)
# --8<-- [end:tools]


def build_app(offline: bool) -> Starlette:
    """The ChatKit app with the chat page."""
    return create_app(AgentServer(agent.clone(model=OfflineModel(script)) if offline else agent), ui=True)


def script(call: ModelCall) -> Any:
    """Look up the total, ask to refund it; then report what happened."""
    result = tool_output(call)
    if result is None:
        return ResponseStream("resp_1").function_call("order_total", {"order_id": "1042"}).step()
    name, output = result
    if name == "order_total":
        return (
            ResponseStream("resp_2")
            .function_call("refund_order", {"order_id": "1042", "amount": output})
            .step()
        )
    if str(output).startswith("Refunded"):
        return ResponseStream("resp_3").message(f"Done: {output}").step()
    return ResponseStream("resp_3").message("Understood, I did not refund the order.").step()


# --8<-- [start:conversation]
async def conversation(client: ChatClient) -> None:
    """Ask for a refund, then press Approve (or Reject with ``--reject``) on the approval card."""
    events = await client.send(
        {"type": "threads.create", "params": {"input": user_message("Please refund order 1042.")}}
    )
    [card] = done_items(events, "widget")
    print("approval card: " + " | ".join(widget_tree_text(card["widget"]).splitlines()))
    choice = "Reject" if client.options.reject else "Approve"
    button = next(c for c in card["widget"]["children"][-1]["children"] if c["label"] == choice)
    action = button["onClickAction"]
    print(f"pressing {choice}: {action}")
    events = await client.send(
        {
            "type": "threads.custom_action",
            "params": {"thread_id": thread_id(events), "item_id": card["id"], "action": action},
        }
    )
    [decided] = [e["item"] for e in events if e["type"] == "thread.item.replaced"]
    print("the card became: " + " | ".join(widget_tree_text(decided["widget"]).splitlines()))
    print(f"refunds made: {REFUNDS}")


# --8<-- [end:conversation]


if __name__ == "__main__":
    run_example(build_app, conversation, description=__doc__, flags={"--reject": "press Reject instead"})
