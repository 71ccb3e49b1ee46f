"""`create_app`: HTTP status codes and JSON errors for bad input, context factories, CORS and health."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from _server_helpers import MinimalServer, ScriptedServer, check_oracle, decode_sse, message, req
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inline_snapshot import snapshot
from starlette.exceptions import HTTPException
from starlette.requests import Request

from chatkit_agents.asgi import create_app
from chatkit_agents.store import MemoryStore


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
def app(server: ScriptedServer) -> Any:
    return create_app(server, max_body_bytes=10_000)


async def post(app: Any, body: bytes, **kwargs: Any) -> httpx.Response:
    async with client_for(app) as client:
        return await client.post("/chatkit", content=body, **kwargs)


async def test_a_streaming_request_answers_server_sent_events(app: Any) -> None:
    response = await post(app, req("threads.create", input=message("hi")))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert "content-length" not in response.headers
    events = decode_sse(response.content)
    check_oracle(events)
    assert [e["type"] for e in events][-1] == "thread.item.done"


async def test_a_non_streaming_request_answers_json(app: Any) -> None:
    response = await post(app, req("threads.list"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"data": [], "has_more": False}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"", 400, "invalid_json"),
        (b"{not json", 400, "invalid_json"),
        (b'{"type": "threads.list", "params": {}}\xff', 400, "invalid_encoding"),
        (b"\xc3\x28", 400, "invalid_encoding"),
        (b"[1, 2]", 400, "not_an_object"),
        (b'"threads.list"', 400, "not_an_object"),
        (b'{"params": {}}', 400, "missing_request_type"),
        (b'{"type": "threads.explode", "params": {}}', 400, "unknown_request_type"),
        (b'{"type": 7}', 400, "unknown_request_type"),
        (b'{"type": "threads.list", "params": {"limit": "many"}}', 422, "validation_error"),
        (b'{"type": "threads.create", "params": {}}', 422, "validation_error"),
        (b'{"type": "threads.list", "params": {"limit": 0}}', 422, "validation_error"),
        (
            b'{"type": "threads.list", "metadata": ' + b"[" * 300 + b"]" * 300 + b"}",
            400,
            "too_deeply_nested",
        ),
        (b'{"type": "threads.get_by_id", "params": {"thread_id": "thr_nope"}}', 404, "not_found"),
        (req("threads.add_user_message", thread_id="thr_nope", input=message("x")), 404, "not_found"),
        (req("threads.add_client_tool_output", thread_id="thr_nope", result=None), 404, "not_found"),
    ],
)
async def test_bad_input_gets_a_4xx_json_error(app: Any, body: bytes, status: int, code: str) -> None:
    response = await post(app, body)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]


async def test_validation_errors_say_where_the_problem_is(app: Any) -> None:
    response = await post(app, b'{"type": "threads.list", "params": {"limit": "many", "order": "sideways"}}')
    error = response.json()["error"]
    assert error["message"].startswith("Invalid threads.list request: params.limit: Input should be a valid")
    assert error["details"] == snapshot(
        [
            {
                "loc": ["params", "limit"],
                "type": "int_parsing",
                "msg": "Input should be a valid integer, unable to parse string as an integer",
            },
            {"loc": ["params", "order"], "type": "literal_error", "msg": "Input should be 'asc' or 'desc'"},
        ]
    )


async def test_oversized_bodies_are_refused_with_413(app: Any) -> None:
    big = req("threads.create", input=message("x" * 20_000))
    assert (await post(app, big)).status_code == 413

    async def chunks() -> Any:  # no content-length: counted while reading
        for _ in range(30):
            yield b" " * 1000

    async with client_for(app) as client:
        response = await client.post("/chatkit", content=chunks())
    assert response.status_code == 413
    assert "max_body_bytes" in response.json()["error"]["message"]


async def test_unconfigured_features_name_what_to_configure() -> None:
    app = create_app(MinimalServer(MemoryStore()))
    response = await post(app, req("attachments.create", name="a", size=1, mime_type="text/plain"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "feature_not_configured"
    assert "pass attachment_store=" in error["message"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=20,
        ).map(lambda value: json.dumps(value).encode()),
        st.sampled_from(["threads.create", "threads.list", "items.list", "threads.add_user_message"]).flatmap(
            lambda kind: st.dictionaries(
                st.sampled_from(["thread_id", "input", "limit", "after", "order", "item_id"]),
                st.none() | st.integers() | st.text(max_size=5) | st.lists(st.integers(), max_size=2),
                max_size=4,
            ).map(lambda params: json.dumps({"type": kind, "params": params}).encode())
        ),
    )
)
async def test_no_body_ever_causes_a_server_error(app: Any, body: bytes) -> None:
    response = await post(app, body)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.json()["error"]["code"]


async def test_context_factory_scopes_data_per_user(server: ScriptedServer) -> None:
    async def user_from_header(request: Request) -> dict[str, str]:
        user = request.headers.get("x-user")
        if not user:
            raise HTTPException(401, "Sign in first.")
        return {"user_id": user}

    app = create_app(server, context_factory=user_from_header)
    body = req("threads.create", input=message("secret"))
    assert (await post(app, body, headers={"x-user": "alice"})).status_code == 200

    anonymous = await post(app, req("threads.list"))
    assert (anonymous.status_code, anonymous.json()) == snapshot(
        (401, {"error": {"code": "http_error", "message": "Sign in first."}})
    )
    other = await post(app, req("threads.get_by_id", thread_id="thr_1"), headers={"x-user": "bob"})
    assert other.status_code == 404
    own = await post(app, req("threads.get_by_id", thread_id="thr_1"), headers={"x-user": "alice"})
    assert own.status_code == 200


async def test_health_check_and_method_guard(app: Any) -> None:
    async with client_for(app) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/chatkit")).status_code == 405


async def test_cors_is_off_by_default_and_configurable(server: ScriptedServer) -> None:
    preflight = {"origin": "https://app.example", "access-control-request-method": "POST"}
    async with client_for(create_app(server)) as client:
        assert (
            "access-control-allow-origin" not in (await client.options("/chatkit", headers=preflight)).headers
        )
    async with client_for(create_app(server, cors_origins=["https://app.example"])) as client:
        response = await client.options("/chatkit", headers=preflight)
    assert response.headers["access-control-allow-origin"] == "https://app.example"


async def test_the_app_mounts_under_another_prefix(server: ScriptedServer) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    outer = Starlette(routes=[Mount("/api", app=create_app(server))])
    async with client_for(outer) as client:
        response = await client.post("/api/chatkit", content=req("threads.list"))
    assert response.status_code == 200


async def test_a_broken_store_is_a_500_json_error_without_details() -> None:
    class BrokenStore(MemoryStore[Any]):
        async def load_threads(self, limit: int, after: str | None, order: Any, context: Any) -> Any:
            raise RuntimeError("database password is hunter2")

    response = await post(create_app(MinimalServer(BrokenStore())), req("threads.list"))

    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error", "message": "Internal server error."}}
