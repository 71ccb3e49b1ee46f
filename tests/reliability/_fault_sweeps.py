"""Fault sweeps shared by the fast reliability tests and the long stress runs.

Each sweep walks one fault through every position of a turn and checks after each one that the client saw
a complete stream (every announced item closed, an ``error`` event last if it failed), that every item
announced done is stored exactly once, that the store holds nothing the client was not told about, and
that the thread takes the next message at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from _reliability_kit import (
    FlakyStore,
    StreamReport,
    all_items,
    check_complete_stream,
    check_done_items_stored,
    check_store_consistent,
    drain,
    echo_server,
    event_count,
    message,
    req,
)

from chatkit_agents._ids import SequentialIds
from chatkit_agents.server import CANCELLED_NOTE, error_result
from chatkit_agents.store import MemoryStore, SQLiteStore, Store
from chatkit_agents.types import (
    AssistantMessageItem,
    SDKHiddenContextItem,
    ThreadItem,
    WorkflowItem,
)

BOUND = 20
"""Seconds: a single request that takes longer than this has hung (a bound, never a synchronisation)."""


@asynccontextmanager
async def open_store(
    kind: str, tmp_path: Path, postgres: tuple[str, str] | None = None
) -> AsyncIterator[Store[Any]]:
    """A fresh store of ``kind`` (memory, sqlite, postgres) with sequential ids, closed afterwards."""
    if kind == "memory":
        store: Store[Any] = MemoryStore(id_factory=SequentialIds())
    elif kind == "sqlite":
        store = SQLiteStore(tmp_path / f"{kind}.db", id_factory=SequentialIds())
    else:
        from chatkit_agents.store.postgres import PostgresStore

        assert postgres is not None
        dsn, schema = postgres
        store = PostgresStore(dsn, schema=schema, id_factory=SequentialIds())
    try:
        yield store
    finally:
        await store.close()


def client_text(report: StreamReport, item_id: str) -> str:
    """The text of an assistant message as the client rendered it from the events it received."""
    parts: list[str] = []
    for event in report.events:
        if event["type"] == "thread.item.added" and event["item"]["id"] == item_id:
            parts = [part.get("text", "") for part in event["item"].get("content", [])]
        if event["type"] != "thread.item.updated" or event["item_id"] != item_id:
            continue
        update = event["update"]
        index = update.get("content_index", 0)
        while len(parts) <= index:
            parts.append("")
        if update["type"] in ("assistant_message.content_part.added", "assistant_message.content_part.done"):
            parts[index] = update["content"]["text"]
        elif update["type"] == "assistant_message.content_part.text_delta":
            parts[index] += update["delta"]
    return "".join(parts)


def turn_items(stored: list[ThreadItem], before: list[ThreadItem]) -> list[ThreadItem]:
    """The items a turn added: everything stored that was not there before it."""
    known = {item.id for item in before}
    return [item for item in stored if item.id not in known]


def visible(items: list[ThreadItem]) -> list[ThreadItem]:
    """Items the client is shown (hidden context left out)."""
    return [item for item in items if item.type not in ("hidden_context_item", "sdk_hidden_context")]


async def new_thread(server: Any, text: str = "first", context: Any = None) -> str:
    """Create a thread with one complete turn; return its id."""
    report = await drain(await server.process(req("threads.create", input=message(text)), context))
    check_complete_stream(report)
    assert report.thread_id is not None
    return report.thread_id


async def turn(server: Any, thread_id: str, text: str, *, stop_after: int | None = None) -> StreamReport:
    """One ``threads.add_user_message`` turn, read fully or closed after ``stop_after`` frames."""
    with anyio.fail_after(BOUND):
        result = await server.process(
            req("threads.add_user_message", thread_id=thread_id, input=message(text)), None
        )
        return await drain(result, stop_after=stop_after)


async def check_next_message_works(server: Any, thread_id: str) -> None:
    """The thread is free and usable: a plain message is answered completely, right away."""
    report = await turn(server, thread_id, "are you still there")
    check_complete_stream(report)
    assert report.types[-1] == "thread.item.done", report.types
    assert report.events[-1]["item"]["content"][0]["text"] == "Echo: are you still there"


async def sweep_model_errors(store: Store[Any], text: str) -> int:
    """The model fails before each of its stream events in turn; returns how many points were tried."""
    server = echo_server(store)
    thread_id = await new_thread(server)
    points = event_count(text)
    for point in range(points):
        before = await all_items(store, thread_id, None)
        report = await turn(server, thread_id, f"{text} fail:{point}")

        check_complete_stream(report)
        assert report.types[-1] == "error", (point, report.types)
        stored = await all_items(store, thread_id, None)
        check_done_items_stored(report, stored)
        added = visible(turn_items(stored, before))
        assert [item.id for item in added] == list(report.done_items), point
    await check_store_consistent(store, None)
    await check_next_message_works(server, thread_id)
    return points


async def sweep_disconnects(store: Store[Any], text: str) -> int:
    """The client goes away after each frame of a turn in turn; returns how many points were tried."""
    server = echo_server(store)
    thread_id = await new_thread(server)
    full = await turn(server, thread_id, text)
    for stop_after in range(1, len(full.events)):
        before = await all_items(store, thread_id, None)
        report = await turn(server, thread_id, text, stop_after=stop_after)
        assert len(report.events) == stop_after

        stored = await all_items(store, thread_id, None)
        check_done_items_stored(report, stored)
        added = turn_items(stored, before)
        assert added[0].type == "user_message"
        if report.types[-1] != "stream_options" and "stream_options" in report.types:
            # the reply had started: a hidden note tells the model it was stopped
            assert isinstance(added[-1], SDKHiddenContextItem), [item.type for item in added]
            assert added[-1].content == CANCELLED_NOTE
        else:  # gone before the responder ran: only the user message is kept
            assert [item.type for item in added] == ["user_message"]
        for item in visible(added):
            if item.id in report.done_items:
                continue
            # unfinished when the client left: kept as the client last rendered it, if it showed anything
            if isinstance(item, WorkflowItem):
                assert item.workflow.tasks
                continue
            assert isinstance(item, AssistantMessageItem), item.type
            assert "".join(part.text for part in item.content) == client_text(report, item.id)
            assert client_text(report, item.id).strip()
        await check_next_message_works(server, thread_id)
    await check_store_consistent(store, None)
    return len(full.events) - 1


async def writes_of_a_full_turn(text: str) -> int:
    """How many store writes one ``threads.create`` turn makes when nothing fails."""
    flaky = FlakyStore(MemoryStore(id_factory=SequentialIds()))
    server = echo_server(flaky)
    check_complete_stream(await drain(await server.process(req("threads.create", input=message(text)), None)))
    return flaky.writes


async def create_on(flaky: FlakyStore, text: str) -> StreamReport | None:
    """Run ``threads.create`` on the flaky store; ``None`` if it was refused (4xx) before streaming."""
    server = echo_server(flaky)
    with anyio.fail_after(BOUND):
        try:
            result = await server.process(req("threads.create", input=message(text)), None)
        except Exception as error:
            if error_result(error) is None:
                raise AssertionError(f"a store failure became a server error: {error!r}") from error
            return None
        return await drain(result)


async def sweep_store_failures(text: str, *, after_commit: bool = False, stay_down: bool = False) -> int:
    """The n-th store write of a turn fails, for every n; returns how many points were tried."""
    total = await writes_of_a_full_turn(text)
    for point in range(1, total + 1):
        inner = MemoryStore[Any](id_factory=SequentialIds())
        flaky = FlakyStore(inner, fail_on=point, fail_after_commit=after_commit, stay_down=stay_down)
        report = await create_on(flaky, text)
        assert flaky.failed, point
        flaky.heal()

        assert report is not None
        check_complete_stream(report)
        assert report.types[-1] == "error", (point, flaky.failed, report.types)
        contents = await check_store_consistent(inner, None)
        if report.thread_id is None:
            if not after_commit:
                assert contents == {}  # the thread was never announced, and it was never saved
            continue
        stored = contents[report.thread_id]
        check_done_items_stored(report, stored)
        if not after_commit:  # nothing the client was not told about (a lost ack may leave an extra item)
            assert [item.id for item in visible(stored)] == list(report.done_items), point
        await check_next_message_works(echo_server(flaky), report.thread_id)
    return total
