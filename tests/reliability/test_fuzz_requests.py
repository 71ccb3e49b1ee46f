"""Fuzzing: generated and mutated bodies never cause a 5xx, a hang, a cut-off stream or a broken store.

Bodies start from a valid request of every type that names real ids of a seeded thread (so mutations reach
deep code paths), then get structural mutations (values replaced, keys dropped or added, the request type
swapped) and byte mutations (truncation, inserted bytes, flipped bytes). Each answer must be a 4xx JSON
error, a JSON answer or a complete stream; afterwards the store must still be consistent and the seeded
thread must still answer a message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _fault_sweeps import BOUND, check_next_message_works
from _fuzz_kit import answer_of, check_answer, encode, mutated_bytes, mutated_request
from _reliability_kit import (
    StreamReport,
    check_complete_stream,
    check_store_consistent,
    decode_sse,
    message,
)
from _seeded import CHAT, REQUEST_TYPES, TEMPLATES, fuzz_server, seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatkit_agents._ids import SequentialIds
from chatkit_agents.asgi import create_app
from chatkit_agents.store import MemoryStore, SQLiteStore, Store

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@FUZZ
@given(body=st.one_of(mutated_request().map(encode), mutated_bytes(), st.binary(max_size=64)))
async def test_mutated_bodies_get_a_clear_answer_and_leave_the_store_consistent(body: bytes) -> None:
    store = MemoryStore[Any](id_factory=SequentialIds())
    await seed(store)
    server = fuzz_server(store)

    status, payload = await answer_of(server, body)

    check_answer(status, payload)
    await check_store_consistent(store, None)


@settings(max_examples=30, deadline=None, database=None)
@given(body=mutated_request().map(encode))
async def test_after_any_request_the_seeded_thread_still_answers(body: bytes) -> None:
    store = MemoryStore[Any](id_factory=SequentialIds())
    await seed(store)
    server = fuzz_server(store)

    check_answer(*await answer_of(server, body))
    if body.find(b'"threads.delete"') == -1 or CHAT.encode() not in body:
        await check_next_message_works(server, CHAT)


# -- over HTTP ------------------------------------------------------------------------------------------


def http_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fuzz")


async def post(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    with anyio.fail_after(BOUND):
        return await client.post("/chatkit", content=body, headers=headers or {})


def check_http(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.headers["content-type"].startswith("text/event-stream"):
        check_complete_stream(StreamReport(decode_sse(response.content)))
    elif response.status_code >= 400:
        assert response.headers["content-type"] == "application/json"
        assert response.json()["error"]["code"]
    else:
        json.loads(response.content)


HTTP_STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=HTTP_STORES)
async def http_store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    kind: str = request.param
    if kind == "sqlite":
        store: Store[Any] = SQLiteStore(tmp_path / "fuzz.db", id_factory=SequentialIds())
    else:
        from chatkit_agents.store.postgres import PostgresStore

        store = PostgresStore(
            request.getfixturevalue("postgres_dsn"),
            schema=request.getfixturevalue("postgres_schema"),
            id_factory=SequentialIds(),
        )
    await seed(store)
    try:
        yield store
    finally:
        await store.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(body=st.one_of(mutated_request().map(encode), mutated_bytes()))
async def test_over_http_no_body_is_a_server_error_on_persistent_stores(
    http_store: Store[Any], body: bytes
) -> None:
    app = create_app(fuzz_server(http_store), max_body_bytes=64_000, close_store_on_shutdown=False)
    async with http_client(app) as client:
        check_http(await post(client, body))
    await check_store_consistent(http_store, None)


BAD_BODIES: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "invalid utf-8": lambda: b'{"type": "threads.list", "params": {"after": "\xff"}}',
    "not json": lambda: b"{type: threads.list}",
    "json array": lambda: b"[]",
    "unknown type": lambda: b'{"type": "threads.burn", "params": {}}',
    "deep nesting": lambda: b'{"type": "threads.list", "params": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "huge string": lambda: json.dumps({"type": "threads.list", "params": {"after": "x" * 200_000}}).encode(),
    "nul in ids": lambda: json.dumps(
        {"type": "threads.get_by_id", "params": {"thread_id": "a\x00b"}}
    ).encode(),
    "nul in cursor": lambda: json.dumps({"type": "threads.list", "params": {"after": "\x00"}}).encode(),
    "nul in item id": lambda: json.dumps(
        {"type": "items.feedback", "params": {"thread_id": CHAT, "item_ids": ["\x00"], "kind": "positive"}}
    ).encode(),
    "nul in attachment id": lambda: json.dumps(
        {"type": "threads.create", "params": {"input": message("x", attachments=["\x00"])}}
    ).encode(),
    "float limit": lambda: json.dumps(
        {"type": "items.list", "params": {"thread_id": CHAT, "limit": 1.5}}
    ).encode(),
    "huge numbers": lambda: b'{"type": "threads.list", "params": {"limit": 1' + b"0" * 5000 + b"}}",
}


async def test_a_huge_page_size_is_capped_not_refused(http_store: Store[Any]) -> None:
    app = create_app(fuzz_server(http_store), close_store_on_shutdown=False)
    async with http_client(app) as client:
        response = await post(
            client, json.dumps({"type": "threads.list", "params": {"limit": 10**30}}).encode()
        )
    assert response.status_code == 200
    assert len(response.json()["data"]) == 3


@pytest.mark.parametrize("name", list(BAD_BODIES))
async def test_hostile_bodies_get_a_4xx_json_error_on_every_store(http_store: Store[Any], name: str) -> None:
    app = create_app(fuzz_server(http_store), max_body_bytes=1_000_000, close_store_on_shutdown=False)
    async with http_client(app) as client:
        response = await post(client, BAD_BODIES[name]())
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
        assert response.json()["error"]["code"]
    await check_store_consistent(http_store, None)


def test_strategies_reach_every_request_type() -> None:
    """The templates are valid requests (so unmutated examples reach the handlers, not the parser)."""
    from chatkit_agents.server._parse import parse_request

    assert sorted(parse_request(encode(template)).type for template in TEMPLATES) == sorted(REQUEST_TYPES)
    assert len(set(REQUEST_TYPES)) == 16
