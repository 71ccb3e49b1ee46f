"""Hostile HTTP over a real socket: oversized chunked bodies, lying lengths, half-sent bodies.

The ASGI app runs under uvicorn on loopback; each case must get a 4xx JSON answer (or a closed connection
for a half-sent body) and leave the server answering the next request normally.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx
import pytest
from _fault_sweeps import BOUND, open_store
from _reliability_kit import check_complete_stream, echo_server, message, read_stream, req, serving

from chatkit_agents.asgi import create_app

LIMIT = 100_000


@asynccontextmanager
async def served(tmp_path: Path) -> AsyncIterator[str]:
    """The echo server on SQLite, under uvicorn on a loopback port (entered inside each test's task)."""
    async with open_store("sqlite", tmp_path) as store:
        app = create_app(echo_server(store), max_body_bytes=LIMIT, close_store_on_shutdown=False)
        async with serving(app) as url:
            yield url


def raw_exchange(url: str, head: bytes, body_parts: list[bytes], *, finish: bool = True) -> bytes:
    """Send a hand-written HTTP/1.1 request and return the raw answer ("" if the server hung up)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=BOUND) as sock:
        sock.sendall(head)
        for part in body_parts:
            try:
                sock.sendall(part)
            except OSError:  # the server answered early and closed: fine
                break
        if not finish:
            return b""
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def status_and_json(answer: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        size, _, rest = body.partition(b"\r\n")
        body = rest[: int(size, 16)]
    return status, json.loads(body)


async def still_serving(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=BOUND) as client:
        report = await read_stream(client, req("threads.create", input=message("still there")))
    check_complete_stream(report)
    assert report.events[-1]["item"]["content"][0]["text"] == "Echo: still there"


def post_head(extra: str) -> bytes:
    return f"POST /chatkit HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{extra}\r\n".encode()


async def test_an_oversized_chunked_body_without_length_is_refused_with_413(tmp_path: Path) -> None:
    async with served(tmp_path) as base:
        chunk = b"x" * 10_000
        parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(30)] + [b"0\r\n\r\n"]
        answer = await anyio.to_thread.run_sync(
            lambda: raw_exchange(base, post_head("Transfer-Encoding: chunked\r\n"), parts)
        )
        status, payload = status_and_json(answer)
        assert status == 413
        assert payload["error"]["code"] == "request_too_large"  # type: ignore[index]
        await still_serving(base)


async def test_a_huge_declared_length_is_refused_before_reading(tmp_path: Path) -> None:
    async with served(tmp_path) as base:
        answer = await anyio.to_thread.run_sync(
            lambda: raw_exchange(base, post_head(f"Content-Length: {10**12}\r\n"), [b"{}"])
        )
        status, payload = status_and_json(answer)
        assert status == 413
        assert payload["error"]["code"] == "request_too_large"  # type: ignore[index]
        await still_serving(base)


async def test_a_body_cut_off_halfway_leaves_the_server_healthy(tmp_path: Path) -> None:
    async with served(tmp_path) as base:
        body = req("threads.create", input=message("never finished"))
        head = post_head(f"Content-Length: {len(body)}\r\n")
        await anyio.to_thread.run_sync(
            lambda: raw_exchange(base, head, [body[: len(body) // 2]], finish=False)
        )
        await still_serving(base)


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{", b'{"type": "threads.create", "params": {"input": ' + b"[" * 5000 + b"]" * 5000 + b"}}"],
)
async def test_garbage_over_a_real_socket_is_a_4xx(tmp_path: Path, body: bytes) -> None:
    async with served(tmp_path) as base:
        head = post_head(f"Content-Length: {len(body)}\r\n")
        answer = await anyio.to_thread.run_sync(lambda: raw_exchange(base, head, [body]))
        status, payload = status_and_json(answer)
        assert 400 <= status < 500
        assert payload["error"]["code"]  # type: ignore[index]
        await still_serving(base)
