"""Wrap an existing Agents SDK agent as a ChatKit backend inside a FastAPI application.

The agent below knows nothing about ChatKit. `AgentServer` turns it into a ChatKit server, `create_app`
into an ASGI app mounted next to the application's own routes, and a ``context_factory`` tells the store
who the user is, so every user only ever sees their own threads.

    python examples/fastapi_app.py            # one conversation in-process, printed as ChatKit events
    python examples/fastapi_app.py --serve    # http://127.0.0.1:8000/ (chat page), /chatkit, /api/orders
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from _shared import ChatClient, OfflineModel, run_example, thread_id, tool_output, user_message
from agents.testing import ModelCall
from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException

from agents import Agent, function_tool
from chatkit_agents import AgentServer, MemoryStore, create_app
from chatkit_agents.testing import ResponseStream

# --- the existing agent: plain Agents SDK code ----------------------------------------------------

# --8<-- [start:agent]
ORDERS = {"1042": "shipped on Monday, arriving Friday", "1043": "being packed"}


@function_tool
def order_status(order_id: str) -> str:
    """Look up the delivery status of an order by its number."""
    return ORDERS.get(order_id, "unknown order")


support_agent = Agent(
    name="Support",
    instructions="You help customers with their orders. Look orders up before answering.",
    tools=[order_status],
)
# --8<-- [end:agent]


# --- the ChatKit backend --------------------------------------------------------------------------


# --8<-- [start:user]
def user_from_request(request: Request) -> dict[str, Any]:
    """The request context every store call gets: here the user named by a header (use your real auth)."""
    user = request.headers.get("x-user-id")
    if not user:
        raise HTTPException(401, "Send an X-User-Id header.")
    return {"user_id": user}


# --8<-- [end:user]


# --8<-- [start:backend]
def build_app(offline: bool) -> FastAPI:
    """The FastAPI application: its own API under /api, ChatKit at /chatkit and the chat page at /."""
    agent = support_agent.clone(model=OfflineModel(script)) if offline else support_agent
    store = MemoryStore[dict[str, Any]]()  # SQLiteStore("chat.db") keeps threads across restarts
    server = AgentServer(agent, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[None, None]:
        yield
        await store.close()  # mounted sub-apps get no lifespan events, so close the store here

    api = FastAPI(title="Shop", lifespan=lifespan)

    @api.get("/api/orders/{order_id}")
    async def get_order(order_id: str) -> dict[str, str]:
        return {"order_id": order_id, "status": ORDERS.get(order_id, "unknown order")}

    api.mount("/", create_app(server, context_factory=user_from_request, ui=True))
    return api


# --8<-- [end:backend]


# --- offline: what the scripted model answers -----------------------------------------------------


def script(call: ModelCall) -> Any:
    """Look the order up first, then answer with the tool's result."""
    result = tool_output(call)
    if result is None:
        return ResponseStream("resp_1").function_call("order_status", {"order_id": "1042"}).step()
    return ResponseStream("resp_2").message("Your order 1042 was ", f"{result[1]}.").step()


# --- one conversation -----------------------------------------------------------------------------


async def conversation(client: ChatClient) -> None:
    """Ada asks about her order; then each user lists their own threads."""
    ada = {"x-user-id": "ada"}
    events = await client.send(
        {"type": "threads.create", "params": {"input": user_message("Where is order 1042?")}}, headers=ada
    )
    threads = await client.send({"type": "threads.list", "params": {}}, headers=ada)
    print(
        f"ada sees {len(threads['data'])} thread(s), "
        f"the new one first: {threads['data'][0]['id'] == thread_id(events)}"
    )
    others = await client.send({"type": "threads.list", "params": {}}, headers={"x-user-id": "grace"})
    print(f"grace sees {len(others['data'])} thread(s)")
    order = await client.http.get("/api/orders/1043")
    print(f"GET /api/orders/1043 -> {order.json()}")


if __name__ == "__main__":
    run_example(build_app, conversation, description=__doc__)
