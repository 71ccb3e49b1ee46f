"""Long HTTP and concurrency runs: hang-ups after every frame, hundreds of streams, more fuzzing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _fault_sweeps import BOUND, new_thread, open_store, turn
from _fuzz_kit import answer_of, check_answer, encode, mutated_bytes, mutated_request
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
)
from _seeded import fuzz_server, seed
from _sequences import ChatSessions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatkit_agents._ids import SequentialIds
from chatkit_agents.asgi import create_app
from chatkit_agents.store import MemoryStore

pytestmark = pytest.mark.stress

KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_of(request: pytest.FixtureRequest, kind: str) -> tuple[str, str] | None:
    if kind != "postgres":
        return None
    return request.getfixturevalue("postgres_dsn"), request.getfixturevalue("postgres_schema")


@pytest.mark.parametrize("text", ["plain words here", "tool:shout loud"])
@pytest.mark.parametrize("kind", KINDS)
async def test_hanging_up_after_every_frame_over_http(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str, text: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        server = echo_server(store)
        thread_id = await new_thread(server)
        frames = len((await turn(server, thread_id, text)).events)
        app = create_app(server, close_store_on_shutdown=False)
        async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=BOUND) as client:
            for stop_after in range(1, frames):
                body = req("threads.add_user_message", thread_id=thread_id, input=message(text))
                with anyio.fail_after(BOUND):
                    report = await read_stream(client, body, stop_after)
                    # the next request queues behind the cancelled one and must complete
                    follow = await read_stream(
                        client, req("threads.add_user_message", thread_id=thread_id, input=message("next"))
                    )
                check_complete_stream(follow)
                assert follow.events[-1]["item"]["content"][0]["text"] == "Echo: next"
                stored = await all_items(store, thread_id, None)
                check_done_items_stored(report, stored)
                check_done_items_stored(follow, stored)
        await check_store_consistent(store, None)


@pytest.mark.parametrize("kind", ["memory", *KINDS])
async def test_hundreds_of_concurrent_streams(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        server = echo_server(store)
        reports: list[StreamReport] = []

        async def client(n: int) -> None:
            result = await server.process(req("threads.create", input=message(f"hello {n}")), None)
            reports.append(await drain(result))

        with anyio.fail_after(BOUND * 15):
            async with anyio.create_task_group() as group:
                for n in range(300):
                    group.start_soon(client, n)
        contents = await check_store_consistent(store, None)
        assert len(contents) == 300
        for report in reports:
            check_complete_stream(report)
            assert "error" not in report.types
            assert report.thread_id is not None
            check_done_items_stored(report, contents[report.thread_id])


@pytest.mark.parametrize("kind", ["memory", *KINDS])
async def test_fifty_concurrent_messages_on_one_thread(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        server = echo_server(store)
        thread_id = await new_thread(server, "start")

        async def client(n: int) -> None:
            report = await turn(server, thread_id, f"message {n}")
            check_complete_stream(report)
            assert report.events[-1]["item"]["content"][0]["text"] == f"Echo: message {n}"

        with anyio.fail_after(BOUND * 15):
            async with anyio.create_task_group() as group:
                for n in range(50):
                    group.start_soon(client, n)
        items = await all_items(store, thread_id, None)
        assert [item.type for item in items] == ["user_message", "workflow", "assistant_message"] * 51
        for user, reply in zip(items[0::3], items[2::3], strict=True):
            user_text = "".join(getattr(part, "text", "") for part in getattr(user, "content", []))
            reply_text = "".join(getattr(part, "text", "") for part in getattr(reply, "content", []))
            assert reply_text == f"Echo: {user_text}"


@settings(
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.one_of(mutated_request().map(encode), mutated_bytes(), st.binary(max_size=256)))
async def test_long_fuzz_of_process(body: bytes) -> None:
    store = MemoryStore[Any](id_factory=SequentialIds())
    await seed(store)
    server = fuzz_server(store)
    check_answer(*await answer_of(server, body))
    await check_store_consistent(store, None)


class LongSessions(ChatSessions):
    """Hundreds of longer random request sequences."""


LongSessions.TestCase.settings = settings(
    max_examples=400,
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_long_random_request_sequences = pytest.mark.stress(LongSessions.TestCase)
