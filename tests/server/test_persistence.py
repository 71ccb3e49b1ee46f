"""Persistence while streaming: durable before announced, per-thread queueing, cancellation keeps partials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
from _server_helpers import ScriptedServer, decode_sse, message, req, stored, stream
from inline_snapshot import snapshot

from chatkit_agents.server._locks import ThreadLocks
from chatkit_agents.server._pending import PendingItems
from chatkit_agents.store import MemoryStore
from chatkit_agents.testing import render_item
from chatkit_agents.types import (
    CustomTask,
    ThreadItemAddedEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    UserMessageItem,
    WidgetComponentUpdated,
    WidgetItem,
    WidgetRootUpdated,
    WidgetStreamingTextValueDelta,
    Workflow,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)
from chatkit_agents.widgets import Card, Text

NOW = ThreadMetadata(id="x", created_at="2026-01-01T00:00:00Z").created_at


async def test_every_announced_item_and_thread_is_already_stored(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    result = await server.process(req("threads.create", input=message("hi")), None)
    checked: list[str] = []
    async for chunk in result:
        (event,) = decode_sse(chunk)
        if event["type"] == "thread.created":
            await store.load_thread(event["thread"]["id"], None)
            checked.append("thread")
        elif event["type"] == "thread.item.done":
            saved = await store.load_item("thr_1", event["item"]["id"], None)
            assert saved.model_dump(mode="json", exclude_none=True) == event["item"]
            checked.append(event["item"]["type"])

    assert checked == ["thread", "user_message", "assistant_message"]


class Gate:
    """Lets a test hold a scripted reply until it says go, without sleeping."""

    def __init__(self) -> None:
        self.started = anyio.Event()
        self.go = anyio.Event()


def gated_script(server: ScriptedServer, gates: list[Gate]) -> Any:
    async def script(
        thread: ThreadMetadata, item: UserMessageItem | None, context: Any
    ) -> AsyncIterator[Any]:
        gate = gates.pop(0)
        gate.started.set()
        await gate.go.wait()
        text = "".join(part.text for part in item.content if part.type == "input_text") if item else ""
        async for event in server.reply(thread, f"reply to {text}", context):
            yield event

    return script


async def test_two_requests_on_one_thread_are_queued_not_interleaved(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    await stream(await server.process(req("threads.create", input=message("start")), None))
    first, second = Gate(), Gate()
    server.script = gated_script(server, [first, second])
    results: dict[str, list[dict[str, Any]]] = {}

    async def send(name: str) -> None:
        body = req("threads.add_user_message", thread_id="thr_1", input=message(name))
        results[name] = await stream(await server.process(body, None))

    async with anyio.create_task_group() as group:
        group.start_soon(send, "one")
        await first.started.wait()
        group.start_soon(send, "two")
        await anyio.wait_all_tasks_blocked()
        assert "two" not in await stored(store)  # queued: its message is not even saved yet
        first.go.set()
        await second.started.wait()
        second.go.set()

    assert await stored(store) == snapshot("""\
msg_2 user_message "start"
msg_3 assistant_message "You said: start"
msg_4 user_message "one"
msg_5 assistant_message "reply to one"
msg_6 user_message "two"
msg_7 assistant_message "reply to two"\
""")
    assert [e["type"] for e in results["two"]][-1] == "thread.item.done"


async def test_requests_on_different_threads_do_not_wait_for_each_other(server: ScriptedServer) -> None:
    for text in ("a", "b"):
        await stream(await server.process(req("threads.create", input=message(text)), None))
    first, second = Gate(), Gate()
    server.script = gated_script(server, [first, second])

    async def send(thread_id: str) -> None:
        body = req("threads.add_user_message", thread_id=thread_id, input=message("x"))
        await stream(await server.process(body, None))

    async with anyio.create_task_group() as group:
        group.start_soon(send, "thr_1")
        await first.started.wait()
        group.start_soon(send, "thr_4")
        await second.started.wait()  # runs while the first thread's reply is still held
        first.go.set()
        second.go.set()


async def test_cancelling_a_stream_saves_the_partial_reply_and_frees_the_thread_for_the_next_request(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    await stream(await server.process(req("threads.create", input=message("start")), None))
    delta_seen = anyio.Event()

    async def stuck(thread: ThreadMetadata, item: UserMessageItem | None, context: Any) -> AsyncIterator[Any]:
        replies = server.reply(thread, "Half of it", context)
        for _ in range(3):  # added, part added, first delta
            yield await anext(replies)
        workflow = WorkflowItem(
            id="wf_x", thread_id=thread.id, created_at=NOW, workflow=Workflow(type="custom", tasks=[])
        )
        yield ThreadItemAddedEvent(item=workflow)
        yield ThreadItemUpdatedEvent(
            item_id="wf_x", update=WorkflowTaskAdded(task_index=0, task=CustomTask(title="Searching"))
        )
        delta_seen.set()
        await anyio.Event().wait()  # a model that never answers
        yield await anext(replies)

    server.script = stuck
    waiting: list[dict[str, Any]] = []

    async def queued() -> None:
        body = req("threads.add_user_message", thread_id="thr_1", input=message("next"))
        waiting.extend(await stream(await server.process(body, None)))

    first_scope = anyio.CancelScope()

    async def first() -> None:
        with first_scope:
            body = req("threads.add_user_message", thread_id="thr_1", input=message("stop me"))
            async for _ in await server.process(body, None):
                pass

    async with anyio.create_task_group() as group:
        group.start_soon(first)
        await delta_seen.wait()
        server.script = None
        group.start_soon(queued)
        await anyio.wait_all_tasks_blocked()
        assert waiting == []  # queued behind the stuck reply
        first_scope.cancel()  # the first client goes away; the queued request then runs to the end

    assert waiting[-1]["type"] == "thread.item.done"
    assert await stored(store) == snapshot("""\
msg_2 user_message "start"
msg_3 assistant_message "You said: start"
msg_4 user_message "stop me"
msg_5 assistant_message "Half "
wf_x workflow custom
    [0] custom none "Searching"
shcx_6 sdk_hidden_context "The user stopped the previous response before it finished. D"...(+18)
msg_7 user_message "next"
msg_8 assistant_message "You said: next"\
""")
    assert len(server._locks) == 0


# -- pending copies -----------------------------------------------------------------------------------


def test_workflow_updates_respect_task_index() -> None:
    pending = PendingItems()
    pending.add(
        WorkflowItem(id="wf", thread_id="t", created_at=NOW, workflow=Workflow(type="custom", tasks=[]))
    )

    pending.apply("wf", WorkflowTaskAdded(task_index=0, task=CustomTask(title="b")))
    pending.apply("wf", WorkflowTaskAdded(task_index=0, task=CustomTask(title="a")))
    pending.apply("wf", WorkflowTaskAdded(task_index=2, task=CustomTask(title="c")))
    pending.apply(
        "wf", WorkflowTaskUpdated(task_index=1, task=CustomTask(title="B", status_indicator="complete"))
    )

    assert render_item(pending.items()[0]) == snapshot("""\
wf workflow custom
    [0] custom none "a"
    [1] custom complete "B"
    [2] custom none "c"\
""")


def test_widget_updates_reach_the_pending_copy() -> None:
    pending = PendingItems()
    widget = Card(children=[Text(id="body", value="Hel"), Text(id="foot", value="old")])
    pending.add(WidgetItem(id="w", thread_id="t", created_at=NOW, widget=widget))

    pending.apply("w", WidgetStreamingTextValueDelta(component_id="body", delta="lo", done=True))
    pending.apply("w", WidgetComponentUpdated(component_id="foot", component=Text(id="foot", value="new")))

    item = pending.items()[0]
    assert isinstance(item, WidgetItem)
    assert item.widget.model_dump(mode="json", exclude_none=True) == snapshot(
        {
            "type": "Card",
            "children": [
                {"type": "Text", "id": "body", "value": "Hello"},
                {"type": "Text", "id": "foot", "value": "new"},
            ],
        }
    )
    pending.apply("w", WidgetRootUpdated(widget=Card(children=[])))
    assert isinstance(pending.items()[0], WidgetItem)
    assert widget.children[0].value == "Hel"  # type: ignore[union-attr]  # the streamed object is untouched


# -- locks --------------------------------------------------------------------------------------------


async def test_thread_locks_are_fifo_and_survive_cancelled_waiters() -> None:
    locks = ThreadLocks()
    order: list[str] = []
    release = anyio.Event()

    async def holder() -> None:
        async with locks.hold("t"):
            order.append("holder")
            await release.wait()

    async def waiter(name: str) -> None:
        async with locks.hold("t"):
            order.append(name)

    async with anyio.create_task_group() as group:
        group.start_soon(holder)
        await anyio.wait_all_tasks_blocked()
        with anyio.CancelScope() as doomed:
            doomed.cancel()
            await waiter("cancelled")
        group.start_soon(waiter, "w1")
        await anyio.wait_all_tasks_blocked()
        group.start_soon(waiter, "w2")
        await anyio.wait_all_tasks_blocked()
        release.set()

    assert order == ["holder", "w1", "w2"]
    assert len(locks) == 0


async def test_a_lock_released_from_another_task_still_frees_the_thread() -> None:
    locks = ThreadLocks()
    held = locks.hold("t")
    await held.__aenter__()

    async def release() -> None:
        await held.__aexit__(None, None, None)

    async with anyio.create_task_group() as group:
        group.start_soon(release)
    async with locks.hold("t"):
        pass
    assert len(locks) == 0


async def test_tens_of_concurrent_agent_streams_all_complete() -> None:
    from agents import RunConfig
    from chatkit_agents.demo import demo_agent
    from chatkit_agents.server.agent_server import AgentServer

    server = AgentServer(demo_agent(offline=True), run_config=RunConfig(tracing_disabled=True))
    replies: list[str] = []

    async def chat(n: int) -> None:
        events = await stream(
            await server.process(req("threads.create", input=message(f"message {n}")), None)
        )
        replies.append(events[-1]["item"]["content"][0]["text"])

    async with anyio.create_task_group() as group:
        for n in range(30):
            group.start_soon(chat, n)

    assert len(replies) == 30
    assert all(reply.startswith("You wrote 2 words") for reply in replies)
