"""Isolation: one user can never reach another user's threads, items or attachments, and uploads are limited.

Alice owns the seeded world; Bob, over HTTP with a header-based ``context_factory``, tries every request type
on her ids, guesses ids, pages with her cursors and points his own requests at her items. Each attempt must
answer 404 exactly like a missing id, and Alice's data must be byte-for-byte unchanged afterwards.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _fault_sweeps import BOUND
from _reliability_kit import MemoryAttachments, all_items, all_threads, decode_sse, message, req
from _seeded import (
    ATTACHMENT,
    CHAT,
    KNOWN_IDS,
    QUESTIONS,
    REPLY,
    TEMPLATES,
    USER_MSG,
    WIDGET,
    fuzz_server,
    seed,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.exceptions import HTTPException
from starlette.requests import Request

from chatkit_agents._ids import SequentialIds
from chatkit_agents.asgi import create_app
from chatkit_agents.server.attachments import AttachmentStore
from chatkit_agents.store import MemoryStore, SQLiteStore, Store

ALICE, BOB = {"user_id": "alice"}, {"user_id": "bob"}


async def user_from_header(request: Request) -> dict[str, str]:
    user = request.headers.get("x-user")
    if not user:
        raise HTTPException(401, "Sign in first.")
    return {"user_id": user}


KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=KINDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store[Any]]:
    kind: str = request.param
    if kind == "memory":
        result: Store[Any] = MemoryStore(id_factory=SequentialIds())
    elif kind == "sqlite":
        result = SQLiteStore(tmp_path / "isolation.db", id_factory=SequentialIds())
    else:
        from chatkit_agents.store.postgres import PostgresStore

        result = PostgresStore(
            request.getfixturevalue("postgres_dsn"),
            schema=request.getfixturevalue("postgres_schema"),
            id_factory=SequentialIds(),
        )
    await seed(result, ALICE)
    try:
        yield result
    finally:
        await result.close()


@pytest.fixture
async def client(store: Store[Any]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(fuzz_server(store), context_factory=user_from_header, close_store_on_shutdown=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://iso", timeout=BOUND) as http:
        yield http


async def as_user(client: httpx.AsyncClient, user: str, body: bytes) -> httpx.Response:
    with anyio.fail_after(BOUND):
        return await client.post("/chatkit", content=body, headers={"x-user": user})


async def snapshot_of(store: Store[Any], context: Any) -> str:
    """Everything a user owns, serialised: threads, their items, and the seeded attachment."""
    data: dict[str, Any] = {}
    for thread in await all_threads(store, context):
        items = await all_items(store, thread.id, context)
        data[thread.id] = [thread.model_dump(mode="json"), [item.model_dump(mode="json") for item in items]]
    data["attachment"] = (await store.load_attachment(ATTACHMENT, context)).model_dump(mode="json")
    return json.dumps(data, sort_keys=True)


ID_TEMPLATES = [
    template for template in TEMPLATES if template["type"] not in ("threads.list", "attachments.create")
]


@pytest.mark.parametrize("template", ID_TEMPLATES, ids=[template["type"] for template in ID_TEMPLATES])
async def test_every_request_on_another_users_ids_answers_404_and_changes_nothing(
    store: Store[Any], client: httpx.AsyncClient, template: dict[str, Any]
) -> None:
    before = await snapshot_of(store, ALICE)
    response = await as_user(client, "bob", json.dumps(template).encode())

    if template["type"] == "input.transcribe":  # names no id: Bob may dictate
        assert response.status_code == 200
    else:
        assert response.status_code == 404, (response.status_code, response.text)
        assert response.json()["error"]["code"] == "not_found"
    assert await snapshot_of(store, ALICE) == before
    # and Alice herself is allowed to do it (the 404 is about ownership, not a broken request)
    own = await as_user(client, "alice", json.dumps(template).encode())
    assert own.status_code == 200, (template["type"], own.text)


async def test_listing_and_paging_show_only_the_callers_data(
    store: Store[Any], client: httpx.AsyncClient
) -> None:
    bob_thread = decode_sse(
        (await as_user(client, "bob", req("threads.create", input=message("mine")))).content
    )
    bob_id = bob_thread[0]["thread"]["id"]

    listed = (await as_user(client, "bob", req("threads.list", limit=100))).json()
    assert [thread["id"] for thread in listed["data"]] == [bob_id]
    alice_listed = (await as_user(client, "alice", req("threads.list", limit=100))).json()
    assert bob_id not in [thread["id"] for thread in alice_listed["data"]]

    # Alice's ids as cursors, or as targets inside Bob's own thread, are unknown to Bob
    attempts = [
        req("threads.list", after=CHAT),
        req("items.list", thread_id=bob_id, after=REPLY),
        req("items.feedback", thread_id=bob_id, item_ids=[REPLY], kind="negative"),
        req("threads.retry_after_item", thread_id=bob_id, item_id=USER_MSG),
        req(
            "threads.custom_action",
            thread_id=bob_id,
            item_id=WIDGET,
            action={"type": "chatkit_agents.approval"},
        ),
        req("threads.sync_custom_action", thread_id=bob_id, item_id=WIDGET, action={"type": "copy"}),
        req("threads.add_structured_input", thread_id=bob_id, item_id=QUESTIONS, input={"status": "skipped"}),
        req("threads.add_user_message", thread_id=bob_id, input=message("steal", attachments=[ATTACHMENT])),
        req("threads.create", input=message("steal", attachments=[ATTACHMENT])),
    ]
    before = await snapshot_of(store, ALICE)
    for body in attempts:
        response = await as_user(client, "bob", body)
        assert response.status_code == 404, (body, response.status_code, response.text)
    assert await snapshot_of(store, ALICE) == before
    bob_items = await all_items(store, bob_id, BOB)
    assert [item.type for item in bob_items] == ["user_message", "workflow", "assistant_message"]


async def test_requests_without_a_user_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/chatkit", content=req("threads.get_by_id", thread_id=CHAT))
    assert response.status_code == 401
    assert "alice" not in response.text


guesses = st.one_of(
    st.sampled_from(KNOWN_IDS).flatmap(
        lambda known: st.sampled_from(
            [
                known.upper(),
                known + " ",
                " " + known,
                known[:-1],
                known + "%",
                known[:-1] + "_",
                f"{known}'--",
            ]
        )
    ),
    st.sampled_from(["%", "_", "*", "thr_%", "' OR '1'='1", "1; DROP TABLE chatkit_items", ".*", "\\"]),
    st.text(min_size=1, max_size=16).filter(lambda text: "\x00" not in text),
)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    guess=guesses,
    kind=st.sampled_from(["threads.get_by_id", "items.list", "items.feedback", "attachments.delete"]),
)
async def test_guessed_ids_find_nothing(
    store: Store[Any], client: httpx.AsyncClient, guess: str, kind: str
) -> None:
    params: dict[str, Any] = {
        "threads.get_by_id": {"thread_id": guess},
        "items.list": {"thread_id": guess},
        "items.feedback": {"thread_id": CHAT, "item_ids": [guess], "kind": "positive"},
        "attachments.delete": {"attachment_id": guess},
    }[kind]
    for user in ("bob", "alice"):  # a near miss is a miss, even for the owner
        response = await as_user(client, user, req(kind, **params))
        assert response.status_code == 404, (user, guess, response.status_code, response.text)


# -- attachment uploads are limited ---------------------------------------------------------------------


@pytest.fixture
async def uploads(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, MemoryAttachments]]:
    store = MemoryStore[Any](id_factory=SequentialIds())
    attachments = MemoryAttachments(store)
    server = fuzz_server(store)
    server.attachment_store = attachments
    app = create_app(server, context_factory=user_from_header)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://iso", timeout=BOUND) as http:
        yield http, attachments


def create(name: str, size: int, mime_type: str) -> bytes:
    return req("attachments.create", name=name, size=size, mime_type=mime_type)


async def test_a_normal_upload_is_accepted(uploads: tuple[httpx.AsyncClient, MemoryAttachments]) -> None:
    client, attachments = uploads
    response = await as_user(client, "bob", create("photo.png", 200_000, "image/png"))
    assert response.status_code == 200
    assert response.json()["mime_type"] == "image/png"
    assert len(attachments.files) == 1


async def test_an_oversized_upload_is_refused_with_413(
    uploads: tuple[httpx.AsyncClient, MemoryAttachments],
) -> None:
    client, attachments = uploads
    limit = AttachmentStore.max_size
    response = await as_user(client, "bob", create("huge.pdf", limit + 1, "application/pdf"))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "attachment_too_large"
    assert str(limit) in response.json()["error"]["message"]
    assert attachments.files == {}
    assert (await as_user(client, "bob", create("ok.pdf", limit, "application/pdf"))).status_code == 200


@pytest.mark.parametrize(
    "mime_type", ["text/html", "image/svg+xml", "application/x-msdownload", "", "nonsense"]
)
async def test_a_disallowed_type_is_refused_with_415(
    uploads: tuple[httpx.AsyncClient, MemoryAttachments], mime_type: str
) -> None:
    client, attachments = uploads
    response = await as_user(client, "bob", create("file", 10, mime_type))
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_attachment_type"
    assert attachments.files == {}


async def test_a_negative_size_is_refused(uploads: tuple[httpx.AsyncClient, MemoryAttachments]) -> None:
    client, attachments = uploads
    response = await as_user(client, "bob", create("a.png", -1, "image/png"))
    assert response.status_code == 422
    assert attachments.files == {}


async def test_limits_are_configurable_per_attachment_store(
    uploads: tuple[httpx.AsyncClient, MemoryAttachments],
) -> None:
    client, attachments = uploads
    attachments.max_size = 1000
    attachments.allowed_mime_types = ("text/csv",)
    assert (await as_user(client, "bob", create("a.csv", 1000, "text/csv; charset=utf-8"))).status_code == 200
    assert (await as_user(client, "bob", create("a.csv", 1001, "text/csv"))).status_code == 413
    assert (await as_user(client, "bob", create("a.png", 10, "image/png"))).status_code == 415


# -- amplification ---------------------------------------------------------------------------------------


async def test_repeating_an_id_does_not_multiply_the_work_or_the_stored_data(store: Store[Any]) -> None:
    """A 16 MiB body could repeat one valid id a million times: each is checked and stored once."""
    seen: list[list[str]] = []
    server = fuzz_server(store)

    async def record(thread_id: str, item_ids: list[str], feedback: Any, context: Any) -> None:
        seen.append(item_ids)

    server.add_feedback = record  # type: ignore[method-assign]
    app = create_app(server, context_factory=user_from_header, close_store_on_shutdown=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://iso", timeout=BOUND) as client:
        body = req("items.feedback", thread_id=CHAT, item_ids=[REPLY] * 5000, kind="positive")
        assert (await as_user(client, "alice", body)).status_code == 200
        created = await as_user(
            client, "alice", req("threads.create", input=message("x", attachments=[ATTACHMENT] * 50))
        )
    assert seen == [[REPLY]]
    user_message = decode_sse(created.content)[1]["item"]
    assert [attachment["id"] for attachment in user_message["attachments"]] == [ATTACHMENT]
