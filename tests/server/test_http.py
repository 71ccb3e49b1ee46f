"""End to end over real HTTP: uvicorn on 127.0.0.1 in this event loop, httpx as the client."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import uvicorn
from _server_helpers import ScriptedServer, check_oracle, message, req
from agents.testing import ModelStep, ScriptedModel, assistant_message
from inline_snapshot import snapshot

from agents import Agent, RunConfig
from chatkit_agents._ids import FixedClock, SequentialIds
from chatkit_agents.asgi import create_app
from chatkit_agents.server._locks import ThreadLocks
from chatkit_agents.server.agent_server import AgentServer
from chatkit_agents.store import MemoryStore, SQLiteStore
from chatkit_agents.testing import render_events, render_thread
from chatkit_agents.types import ThreadMetadata, UserMessageItem


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve ``app`` on a free port; the socket is bound before uvicorn starts, so no waiting is needed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve, [sock])
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
    sock.close()


async def post_stream(client: httpx.AsyncClient, url: str, body: bytes) -> list[dict[str, Any]]:
    """POST and read the SSE answer frame by frame, validating each event against the oracle."""
    events: list[dict[str, Any]] = []
    async with client.stream("POST", url, content=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line:
                assert line.startswith("data: ")
                event = json.loads(line[len("data: ") :])
                check_oracle([event])
                events.append(event)
    return events


def scripted_agent(*replies: str) -> Agent[Any]:
    model = ScriptedModel([ModelStep(output=[assistant_message(text)]) for text in replies])
    return Agent(name="Assistant", instructions="Be brief.", model=model)


async def test_threads_survive_a_restart_with_the_same_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "chat.sqlite3"
    quiet = RunConfig(tracing_disabled=True)

    server = AgentServer(
        scripted_agent("Hello! How can I help?"),
        SQLiteStore(database, id_factory=SequentialIds()),
        run_config=quiet,
        clock=FixedClock(),
    )
    async with serving(create_app(server)) as base, httpx.AsyncClient(base_url=base) as client:
        events = await post_stream(client, "/chatkit", req("threads.create", input=message("Hi there")))
        thread_id = events[0]["thread"]["id"]
        listed = (
            await client.post("/chatkit", content=req("items.list", thread_id=thread_id, order="asc"))
        ).json()
        assert (await client.get("/healthz")).json() == {"status": "ok"}

    assert render_events(events) == snapshot("""\
thread.created          thr_1 active
thread.item.done        msg_2 user_message "Hi there"
stream_options          allow_cancel=true
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Hello! How can I help?"
  content_part.done     msg_3 [0] "Hello! How can I help?"
thread.item.done        msg_3 assistant_message "Hello! How can I help?"\
""")
    assert render_thread(listed["data"]) == snapshot("""\
msg_2 user_message "Hi there"
msg_3 assistant_message "Hello! How can I help?"\
""")

    restarted = AgentServer(scripted_agent("Still here."), SQLiteStore(database), run_config=quiet)
    async with serving(create_app(restarted)) as base, httpx.AsyncClient(base_url=base) as client:
        thread = (await client.post("/chatkit", content=req("threads.get_by_id", thread_id=thread_id))).json()
        more = await post_stream(
            client, "/chatkit", req("threads.add_user_message", thread_id=thread_id, input=message("Again"))
        )
        threads = (await client.post("/chatkit", content=req("threads.list"))).json()

    assert render_thread(thread["items"]["data"]) == render_thread(listed["data"])
    assert more[-1]["item"]["content"][0]["text"] == "Still here."
    assert [t["id"] for t in threads["data"]] == [thread_id]


async def test_a_client_disconnect_cancels_the_reply_keeps_the_partial_and_frees_the_thread() -> None:
    store = MemoryStore[Any](id_factory=SequentialIds())
    server = ScriptedServer(store)
    cancelled = anyio.Event()

    async def slow(thread: ThreadMetadata, item: UserMessageItem | None, context: Any) -> AsyncIterator[Any]:
        replies = server.reply(thread, "Partial answer", context)
        try:
            for _ in range(3):  # added, part added, first delta
                yield await anext(replies)
            await anyio.Event().wait()  # the model stalls
        finally:
            cancelled.set()

    server.script = slow
    async with serving(create_app(server)) as base, httpx.AsyncClient(base_url=base) as client:
        async with client.stream(
            "POST", "/chatkit", content=req("threads.create", input=message("hi"))
        ) as response:
            async for line in response.aiter_lines():
                if "text_delta" in line:
                    break  # leaving the block closes the connection mid-stream
        with anyio.fail_after(10):
            await cancelled.wait()

        server.script = None
        with anyio.fail_after(10):  # the thread is free at once: this must not wait for anything
            after = await post_stream(
                client,
                "/chatkit",
                req("threads.add_user_message", thread_id="thr_1", input=message("still there?")),
            )

    page = await store.load_thread_items("thr_1", None, 100, "asc", None)
    assert render_thread(page.data) == snapshot("""\
msg_2 user_message "hi"
msg_3 assistant_message "Partial"
shcx_4 sdk_hidden_context "The user stopped the previous response before it finished. D"...(+18)
msg_5 user_message "still there?"
msg_6 assistant_message "You said: still there?"\
""")
    assert after[-1]["type"] == "thread.item.done"


class WatchedLocks(ThreadLocks):
    """Thread locks that signal when a second request queues on a thread."""

    def __init__(self) -> None:
        super().__init__()
        self.queued = anyio.Event()

    def _enter(self, thread_id: str) -> Any:
        entry = super()._enter(thread_id)
        if entry.users >= 2:
            self.queued.set()
        return entry


async def test_concurrent_posts_on_one_thread_are_stored_in_order() -> None:
    store = MemoryStore[Any](id_factory=SequentialIds())
    server = ScriptedServer(store)
    server._locks = locks = WatchedLocks()
    first_started, release = anyio.Event(), anyio.Event()

    async def held_once(
        thread: ThreadMetadata, item: UserMessageItem | None, context: Any
    ) -> AsyncIterator[Any]:
        text = item.content[0].text if item and item.content[0].type == "input_text" else ""
        if text == "one":
            first_started.set()
            await release.wait()
        async for event in server.reply(thread, f"reply to {text}", context):
            yield event

    async with serving(create_app(server)) as base, httpx.AsyncClient(base_url=base) as client:
        await post_stream(client, "/chatkit", req("threads.create", input=message("start")))
        server.script = held_once
        results: dict[str, list[dict[str, Any]]] = {}

        async def send(text: str) -> None:
            body = req("threads.add_user_message", thread_id="thr_1", input=message(text))
            results[text] = await post_stream(client, "/chatkit", body)

        async with anyio.create_task_group() as group:
            group.start_soon(send, "one")
            await first_started.wait()
            group.start_soon(send, "two")
            with anyio.fail_after(10):
                await locks.queued.wait()  # "two" reached the server and waits behind "one"
            release.set()

    page = await store.load_thread_items("thr_1", None, 100, "asc", None)
    assert render_thread(page.data) == snapshot("""\
msg_2 user_message "start"
msg_3 assistant_message "You said: start"
msg_4 user_message "one"
msg_5 assistant_message "reply to one"
msg_6 user_message "two"
msg_7 assistant_message "reply to two"\
""")
    assert all(events[-1]["type"] == "thread.item.done" for events in results.values())


async def test_a_disconnect_over_http_cancels_the_agent_run() -> None:
    started, stopped = anyio.Event(), anyio.Event()

    async def stalled(call: Any) -> AsyncIterator[Any]:
        started.set()
        try:
            await anyio.Event().wait()  # the model never answers
        finally:
            stopped.set()
        yield  # pragma: no cover

    store = MemoryStore[Any](id_factory=SequentialIds())
    agent = Agent(
        name="Slow",
        model=ScriptedModel([ModelStep.stream(stalled), ModelStep(output=[assistant_message("Hi!")])]),
    )
    server = AgentServer(agent, store, run_config=RunConfig(tracing_disabled=True))
    async with serving(create_app(server)) as base, httpx.AsyncClient(base_url=base) as client:
        async with client.stream(
            "POST", "/chatkit", content=req("threads.create", input=message("hi"))
        ) as response:
            async for line in response.aiter_lines():
                if "stream_options" in line:
                    with anyio.fail_after(10):
                        await started.wait()  # the model call is running
                    break  # now the client goes away
        with anyio.fail_after(10):
            await stopped.wait()
            after = await post_stream(
                client,
                "/chatkit",
                req("threads.add_user_message", thread_id="thr_1", input=message("hello?")),
            )

    assert after[-1]["item"]["content"][0]["text"] == "Hi!"
    page = await store.load_thread_items("thr_1", None, 100, "asc", None)
    assert [item.type for item in page.data] == [
        "user_message",
        "sdk_hidden_context",
        "user_message",
        "assistant_message",
    ]
