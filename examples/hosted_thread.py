"""Continue a conversation that started on hosted ChatKit (an Agent Builder workflow) on your own agent.

The hosted thread's items are read with the ``openai`` client (``client.beta.chatkit.threads``), mapped
onto our thread items with `hosted_item_to_thread_item`, and copied into our store as a new thread (new
ids, same content). From then on it is an ordinary thread: the chat page shows its history, and the
agent gets all of it as input on the next message.

Offline (and whenever ``HOSTED_THREAD_ID`` is not set) the hosted API is a fake served by
``httpx.MockTransport`` from the fixture items below; with ``OPENAI_API_KEY`` and ``HOSTED_THREAD_ID``
the real thread is read.

    python examples/hosted_thread.py            # import the thread, print it, continue it
    python examples/hosted_thread.py --serve    # the imported thread is in the chat page's sidebar
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any

import httpx
from _shared import ChatClient, OfflineModel, as_dict, input_items, run_example, text_of, user_message
from agents.testing import ModelCall
from openai import AsyncOpenAI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from agents import Agent, AgentHooks
from chatkit_agents import AgentServer, MemoryStore, Store, create_app
from chatkit_agents.agents import hosted_item_to_thread_item
from chatkit_agents.testing import ResponseStream, render_thread
from chatkit_agents.types import ThreadMetadata

# --- the hosted side ------------------------------------------------------------------------------

FIXTURE_THREAD_ID = "cthr_fixture"
HOSTED_ITEMS: list[dict[str, Any]] = [
    {
        "type": "chatkit.user_message",
        "content": [{"type": "input_text", "text": "My order 1042 has not arrived. Where is it?"}],
        "attachments": [],
        "inference_options": None,
    },
    {
        "type": "chatkit.task_group",
        "tasks": [
            {"type": "thought", "heading": "Looking up the order", "summary": "The user asks about 1042."},
            {"type": "custom", "heading": "lookup_order", "summary": "order 1042: shipped, arrives Friday"},
        ],
    },
    {
        "type": "chatkit.assistant_message",
        "content": [
            {
                "type": "output_text",
                "text": "Order 1042 shipped on Monday and arrives on Friday.",
                "annotations": [
                    {"type": "url", "source": {"type": "url", "url": "https://carrier.example/track/1042"}}
                ],
            }
        ],
    },
]


def fake_hosted_api(request: httpx.Request) -> httpx.Response:
    """``GET /v1/chatkit/threads/{id}/items`` as the API answers it, two items per page."""
    match = re.fullmatch(r"/v1/chatkit/threads/([^/]+)/items", request.url.path)
    if request.method != "GET" or match is None:
        return httpx.Response(404, json={"error": {"message": "not part of this fake"}})
    items = [
        {
            "id": f"cthi_{n}",
            "object": "chatkit.thread_item",
            "created_at": 1763900000 + n,
            "thread_id": match[1],
            **item,
        }
        for n, item in enumerate(HOSTED_ITEMS, start=1)
    ]
    after = request.url.params.get("after")
    start = next((n + 1 for n, item in enumerate(items) if item["id"] == after), 0)
    page = items[start : start + int(request.url.params.get("limit", "2"))]
    return httpx.Response(
        200,
        json={
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": start + len(page) < len(items),
        },
    )


# --8<-- [start:client]
def hosted_client(offline: bool) -> tuple[AsyncOpenAI, str]:
    """The client reading hosted threads, and the thread to continue."""
    thread_id = os.environ.get("HOSTED_THREAD_ID")
    if not offline and thread_id:
        return AsyncOpenAI(), thread_id
    transport = httpx.MockTransport(fake_hosted_api)
    client = AsyncOpenAI(
        api_key="not-needed-offline",
        base_url="https://api.openai.test/v1",
        http_client=httpx.AsyncClient(transport=transport),
    )
    return client, FIXTURE_THREAD_ID


# --8<-- [end:client]


# --- importing ------------------------------------------------------------------------------------

# --8<-- [start:import]
ID_KINDS = {"user_message": "message", "assistant_message": "message", "client_tool_call": "tool_call"}


async def import_hosted_thread(
    client: AsyncOpenAI, hosted_thread_id: str, store: Store[Any], context: Any
) -> str:
    """Copy a hosted thread into ``store`` as a new thread (items keep their order and content); its id."""
    thread = ThreadMetadata(
        id=store.generate_thread_id(context),
        created_at=datetime.now(timezone.utc),
        title="Continued from hosted ChatKit",
        metadata={"hosted_thread_id": hosted_thread_id},
    )
    await store.save_thread(thread, context)
    async for hosted in client.beta.chatkit.threads.list_items(hosted_thread_id, order="asc", limit=2):
        item = hosted_item_to_thread_item(hosted)
        if item is None:  # a kind we do not know: skipped (and logged)
            continue
        new_id = store.generate_item_id(ID_KINDS.get(item.type, item.type), thread, context)
        await store.add_thread_item(
            thread.id, item.model_copy(update={"id": new_id, "thread_id": thread.id}), context
        )
    return thread.id


# --8<-- [end:import]


# --- our agent and app ----------------------------------------------------------------------------


class ShowModelInput(AgentHooks[Any]):
    """Prints what the model receives: the imported history, then the new message."""

    async def on_llm_start(
        self, context: Any, agent: Agent[Any], system_prompt: str | None, input_items: list[Any]
    ) -> None:
        print("model input:")
        for item in input_items:
            text = text_of(as_dict(item)).replace("\n", " ")
            print(f"  {as_dict(item).get('role')}: {text[:90]}")


agent = Agent(
    name="Support",
    instructions="You help customers with their orders; use the whole conversation.",
    hooks=ShowModelInput(),
)


# --8<-- [start:app]
def build_app(offline: bool) -> Starlette:
    """The ChatKit app and ``POST /import/{hosted_thread_id}``; the default thread is imported at startup."""
    store = MemoryStore[Any]()
    server = AgentServer(agent.clone(model=OfflineModel(script)) if offline else agent, store)
    client, default_thread = hosted_client(offline)

    async def import_route(request: Request) -> JSONResponse:
        thread_id = await import_hosted_thread(client, request.path_params["hosted_thread_id"], store, None)
        return JSONResponse({"thread_id": thread_id})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncGenerator[None, None]:
        thread_id = await import_hosted_thread(client, default_thread, store, None)
        print(f"imported {default_thread} as {thread_id}", flush=True)
        yield
        await client.close()
        await store.close()

    return Starlette(
        routes=[
            Route("/import/{hosted_thread_id}", import_route, methods=["POST"]),
            Mount("/", app=create_app(server, ui=True)),
        ],
        lifespan=lifespan,
    )


# --8<-- [end:app]


def script(call: ModelCall) -> Any:
    """Answer using what the hosted conversation said."""
    history = "\n".join(text_of(item) for item in input_items(call))
    order = re.search(r"order (\d+)", history)
    arrival = "on Friday" if "arrives on Friday" in history else "soon"
    return (
        ResponseStream("resp_1")
        .message(
            f"Order {order[1] if order else '?'} is already on its way and arrives {arrival}; ",
            "I asked the carrier to hold it.",
        )
        .step()
    )


async def conversation(client: ChatClient) -> None:
    """Import the hosted thread, show it, and send the next message on our own agent."""
    response = await client.http.post(f"/import/{FIXTURE_THREAD_ID}")
    thread_id = response.json()["thread_id"]
    thread = await client.send({"type": "threads.get_by_id", "params": {"thread_id": thread_id}})
    print("imported thread:")
    print(render_thread(thread["items"]["data"], width=100))
    await client.send(
        {
            "type": "threads.add_user_message",
            "params": {
                "thread_id": thread_id,
                "input": user_message("Can you hold it at the depot instead?"),
            },
        }
    )


if __name__ == "__main__":
    run_example(build_app, conversation, description=__doc__)
