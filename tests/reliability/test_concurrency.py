"""Concurrency: many streams at once, and many requests on one thread, lose and interleave nothing.

Requests on one thread are queued in arrival order, so the stored thread must read user message, its own
reply, next user message, its own reply, ...; each client must see only its own turn; clients that go
away midway must not block the others.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _fault_sweeps import BOUND, new_thread, open_store, turn
from _reliability_kit import (
    StreamReport,
    all_items,
    check_complete_stream,
    check_done_items_stored,
    check_store_consistent,
    drain,
    echo_server,
    message,
    read_stream,
    req,
    serving,
    wait_for_file,
)
from anyio import wait_all_tasks_blocked

from chatkit_agents.asgi import create_app
from chatkit_agents.server import AgentServer
from chatkit_agents.types import AssistantMessageItem, ThreadItem, ThreadItemDoneEvent, UserMessageItem

KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_of(request: pytest.FixtureRequest, kind: str) -> tuple[str, str] | None:
    if kind != "postgres":
        return None
    return request.getfixturevalue("postgres_dsn"), request.getfixturevalue("postgres_schema")


def text_of(item: ThreadItem) -> str:
    if isinstance(item, UserMessageItem):
        return "".join(getattr(part, "text", "") for part in item.content)
    if isinstance(item, AssistantMessageItem):
        return "".join(part.text for part in item.content)
    return ""


def expected_reply(sent: str) -> str:
    return f"Tool said: {sent.upper()}" if sent.startswith("tool:") else f"Echo: {sent}"


def check_turns_not_interleaved(items: list[ThreadItem]) -> list[str]:
    """Every reply follows its own user message; returns the user texts in stored order."""
    texts: list[str] = []
    current: str | None = None
    for item in items:
        if isinstance(item, UserMessageItem):
            current = text_of(item)
            texts.append(current)
        elif isinstance(item, AssistantMessageItem):
            assert current is not None
            assert text_of(item) == expected_reply(current), [text_of(i) for i in items]
    return texts


@pytest.mark.parametrize("kind", KINDS)
async def test_many_concurrent_streams_on_different_threads_all_complete(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        server = echo_server(store)
        reports: dict[int, StreamReport] = {}

        async def client(n: int) -> None:
            result = await server.process(req("threads.create", input=message(f"client {n} says hi")), None)
            reports[n] = await drain(result)

        with anyio.fail_after(BOUND * 3):
            async with anyio.create_task_group() as group:
                for n in range(30):
                    group.start_soon(client, n)

        contents = await check_store_consistent(store, None)
        assert len(contents) == 30
        for n, report in reports.items():
            check_complete_stream(report)
            assert "error" not in report.types
            thread_id = report.thread_id
            assert thread_id is not None
            check_done_items_stored(report, contents[thread_id])
            assert check_turns_not_interleaved(contents[thread_id]) == [f"client {n} says hi"]


@pytest.mark.parametrize("kind", KINDS)
async def test_concurrent_messages_on_one_thread_are_queued_and_each_client_sees_only_its_turn(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        server = echo_server(store)
        thread_id = await new_thread(server, "start")
        reports: dict[int, StreamReport] = {}

        async def client(n: int) -> None:
            text = f"tool:shout {n}" if n % 3 == 0 else f"message {n}"
            reports[n] = await turn(server, thread_id, text)

        with anyio.fail_after(BOUND * 3):
            async with anyio.create_task_group() as group:
                for n in range(15):
                    group.start_soon(client, n)

        items = await all_items(store, thread_id, None)
        texts = check_turns_not_interleaved(items)
        sent = {n: f"tool:shout {n}" if n % 3 == 0 else f"message {n}" for n in range(15)}
        assert sorted(texts[1:]) == sorted(sent.values())
        for n, report in reports.items():
            check_complete_stream(report)
            assert "error" not in report.types
            check_done_items_stored(report, items)
            users = [item for item in report.done_items.values() if item["type"] == "user_message"]
            assert len(users) == 1  # only its own turn
            assert "".join(part["text"] for part in users[0]["content"]) == sent[n]
            replies = [item for item in report.done_items.values() if item["type"] == "assistant_message"]
            assert [reply["content"][0]["text"] for reply in replies] == [expected_reply(sent[n])]
        await check_store_consistent(store, None)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_clients_leaving_midway_never_block_the_queue_or_break_the_thread(
    tmp_path: Path, kind: str
) -> None:
    chooser = random.Random(8)
    async with open_store(kind, tmp_path) as store:
        server = echo_server(store)
        thread_id = await new_thread(server, "start")
        stops = [chooser.choice([None, 1, 2, 3, 5, 8]) for _ in range(20)]
        reports: dict[int, StreamReport] = {}

        async def client(n: int) -> None:
            reports[n] = await turn(server, thread_id, f"message {n}", stop_after=stops[n])

        with anyio.fail_after(BOUND * 3):
            async with anyio.create_task_group() as group:
                for n in range(20):
                    group.start_soon(client, n)

        items = await all_items(store, thread_id, None)
        for n, report in reports.items():
            check_done_items_stored(report, items)
            if stops[n] is None:
                check_complete_stream(report)
        # stopped turns keep at most a partial reply, and every full reply still follows its own message
        users = [item for item in items if isinstance(item, UserMessageItem)]
        assert len(users) == 21
        current = ""
        for item in items:
            if isinstance(item, UserMessageItem):
                current = text_of(item)
            elif isinstance(item, AssistantMessageItem):
                assert f"Echo: {current}".startswith(text_of(item))
        await check_store_consistent(store, None)
        final = await turn(server, thread_id, "last one")
        check_complete_stream(final)
        assert final.events[-1]["item"]["content"][0]["text"] == "Echo: last one"


# -- over real HTTP -------------------------------------------------------------------------------------


async def test_over_http_concurrent_clients_on_shared_and_separate_threads(tmp_path: Path) -> None:
    async with open_store("sqlite", tmp_path) as store:
        server = echo_server(store)
        shared = await new_thread(server, "shared start")
        app = create_app(server, close_store_on_shutdown=False)
        reports: list[StreamReport] = []
        limits = httpx.Limits(max_connections=100)

        async with (
            serving(app) as base,
            httpx.AsyncClient(base_url=base, limits=limits, timeout=BOUND) as client,
        ):

            async def on_shared(n: int) -> None:
                stop = 4 if n % 4 == 0 else None  # some hang up mid-stream
                body = req("threads.add_user_message", thread_id=shared, input=message(f"shared {n}"))
                report = await read_stream(client, body, stop)
                if stop is None:
                    reports.append(report)

            async def on_own(n: int) -> None:
                reports.append(await read_stream(client, req("threads.create", input=message(f"own {n}"))))

            with anyio.fail_after(BOUND * 3):
                async with anyio.create_task_group() as group:
                    for n in range(12):
                        group.start_soon(on_shared, n)
                        group.start_soon(on_own, n)
            with anyio.fail_after(BOUND):  # the thread is free again: one more full turn over HTTP
                last = await read_stream(
                    client, req("threads.add_user_message", thread_id=shared, input=message("after"))
                )

        contents = await check_store_consistent(store, None)
        for report in [*reports, last]:
            check_complete_stream(report)
            assert "error" not in report.types
            thread_id = report.thread_id or shared
            check_done_items_stored(report, contents[thread_id])
        assert len(contents) == 13
        assert last.events[-1]["item"]["content"][0]["text"] == "Echo: after"
        users = [text_of(item) for item in contents[shared] if isinstance(item, UserMessageItem)]
        assert sorted(users) == sorted(["shared start", "after", *(f"shared {n}" for n in range(12))])


# -- queue edge cases -----------------------------------------------------------------------------------


async def test_requests_abandoned_while_queued_leave_no_trace_and_do_not_block(tmp_path: Path) -> None:
    signals = tmp_path / "signals"
    signals.mkdir()
    async with open_store("memory", tmp_path) as store:  # no I/O: waiters go straight to the queue
        server = echo_server(store, signals)
        thread_id = await new_thread(server, "start")
        held: list[StreamReport] = []

        async def holder() -> None:
            held.append(await turn(server, thread_id, "hold on pause:5"))

        async def waiter(n: int, scope: anyio.CancelScope) -> None:
            with scope:
                await turn(server, thread_id, f"abandoned {n}")

        with anyio.fail_after(BOUND):
            async with anyio.create_task_group() as group:
                group.start_soon(holder)
                assert await wait_for_file(signals / "paused")  # the holder owns the thread now
                scopes = [anyio.CancelScope() for _ in range(5)]
                for n, scope in enumerate(scopes):
                    group.start_soon(waiter, n, scope)
                await wait_all_tasks_blocked()  # every waiter is queued behind the holder
                for scope in scopes:
                    scope.cancel()  # the clients give up while queued
                (signals / "go").write_text("")
            after = await turn(server, thread_id, "after")

        check_complete_stream(held[0])
        check_complete_stream(after)
        texts = [text_of(item) for item in await all_items(store, thread_id, None)]
        assert not [text for text in texts if text.startswith("abandoned")]
        assert texts[-3:] == ["after", "", "Echo: after"]


async def test_deleting_a_thread_while_it_streams_ends_the_stream_cleanly(tmp_path: Path) -> None:
    signals = tmp_path / "signals"
    signals.mkdir()
    async with open_store("sqlite", tmp_path) as store:
        server = echo_server(store, signals)
        thread_id = await new_thread(server, "start")
        held: list[StreamReport] = []

        async def holder() -> None:
            held.append(await turn(server, thread_id, "hold on pause:12"))

        with anyio.fail_after(BOUND):
            async with anyio.create_task_group() as group:
                group.start_soon(holder)
                assert await wait_for_file(signals / "paused")
                deleted = await server.process(req("threads.delete", thread_id=thread_id), None)
                assert json.loads(getattr(deleted, "json", b"null")) == {}
                (signals / "go").write_text("")

        check_complete_stream(held[0])
        assert held[0].types[-1] == "error"
        assert await check_store_consistent(store, None) == {}
        gone = await store.load_threads(10, None, "asc", None)
        assert gone.data == []


class CountingServer(AgentServer[Any]):
    """Counts turns in the thread metadata: a responder that changes the thread while it streams."""

    async def respond(self, thread: Any, input_user_message: Any, context: Any) -> AsyncIterator[Any]:
        async for event in super().respond(thread, input_user_message, context):
            yield event
        thread.metadata["turns"] = int(thread.metadata.get("turns", 0)) + 1  # like a paused run's state


async def test_a_rename_during_a_turn_that_changes_the_thread_is_kept(tmp_path: Path) -> None:
    signals = tmp_path / "signals"
    signals.mkdir()
    async with open_store("memory", tmp_path) as store:
        base = echo_server(store, signals)
        server = CountingServer(base.agent, store, run_config=base.run_config)
        thread_id = await new_thread(server, "start")

        async def holder() -> None:
            await turn(server, thread_id, "hold on pause:12")

        with anyio.fail_after(BOUND):
            async with anyio.create_task_group() as group:
                group.start_soon(holder)
                assert await wait_for_file(signals / "paused")
                await server.process(req("threads.update", thread_id=thread_id, title="Renamed"), None)
                (signals / "go").write_text("")

        thread = await store.load_thread(thread_id, None)
        assert thread.metadata["turns"] == 2
        assert thread.title == "Renamed"


class TitlingServer(AgentServer[Any]):
    """Names the thread after each finished item, just before announcing it."""

    async def respond(self, thread: Any, input_user_message: Any, context: Any) -> AsyncIterator[Any]:
        async for event in super().respond(thread, input_user_message, context):
            if isinstance(event, ThreadItemDoneEvent):
                thread.title = f"{event.item.type} done"
            yield event


async def test_a_thread_deleted_during_a_turn_that_changes_it_stays_deleted(tmp_path: Path) -> None:
    signals = tmp_path / "signals"
    signals.mkdir()
    async with open_store("memory", tmp_path) as store:
        base = echo_server(store, signals)
        server = TitlingServer(base.agent, store, run_config=base.run_config)
        thread_id = await new_thread(server, "start")
        held: list[StreamReport] = []

        async def holder() -> None:
            held.append(await turn(server, thread_id, "hold on pause:12"))

        with anyio.fail_after(BOUND):
            async with anyio.create_task_group() as group:
                group.start_soon(holder)
                assert await wait_for_file(signals / "paused")
                await server.process(req("threads.delete", thread_id=thread_id), None)
                (signals / "go").write_text("")

        check_complete_stream(held[0])
        assert await check_store_consistent(store, None) == {}
