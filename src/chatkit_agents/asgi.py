"""`create_app`: a Starlette app that serves a `ChatKitServer` over HTTP (needs the ``server`` extra).

``POST <path>`` takes a ChatKit request and answers JSON or an SSE stream; ``GET /healthz`` answers
``{"status": "ok"}``. Mount it inside FastAPI with ``fastapi_app.mount("/", create_app(server))``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from chatkit_agents.errors import RequestTooLargeError
from chatkit_agents.server.memory import ModelMemory
from chatkit_agents.server.results import ErrorResult, NonStreamingResult, StreamingResult, error_result
from chatkit_agents.server.server import ChatKitServer
from chatkit_agents.server.sse import SSE_HEADERS

__all__ = ["DEFAULT_MAX_BODY_BYTES", "ContextFactory", "create_app"]

logger = logging.getLogger("chatkit_agents.asgi")

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""Largest request body accepted by default (16 MiB: room for dictated audio, far below memory limits)."""

ContextFactory = Callable[[Request], Any]
"""Builds the per-request context from the HTTP request (may be async); it decides who the user is."""


def create_app(
    server: ChatKitServer[Any],
    *,
    path: str = "/chatkit",
    cors_origins: Sequence[str] | None = None,
    context_factory: ContextFactory | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    close_store_on_shutdown: bool = True,
    ui: bool = False,
) -> Starlette:
    """A Starlette app with the ChatKit endpoint at ``path``, ``/healthz`` and optional CORS.

    ``context_factory(request)`` returns the context handed to the server and the store, e.g.
    ``{"user_id": verified_user(request)}``; the store isolates data per ``user_id``. It may raise
    ``starlette.exceptions.HTTPException(401)`` to refuse a request. Without it every request shares one
    anonymous context (``None``): fine for a single-user app, wrong for anything multi-user.
    ``ui=True`` also serves the bundled offline chat page at ``/`` (see `chatkit_agents.ui`).
    """

    async def chatkit_endpoint(request: Request) -> Response:
        try:
            body = await _read_body(request, max_body_bytes)
        except RequestTooLargeError as exc:
            return _json_error(error_result(exc))
        except ClientDisconnect:
            return Response(status_code=400)
        context = await _build_context(context_factory, request)
        try:
            result = await server.process(body, context)
        except Exception as exc:
            answer = error_result(exc)
            if answer is None:
                logger.exception("unexpected error while handling a ChatKit request")
                return JSONResponse(
                    {"error": {"code": "internal_error", "message": "Internal server error."}},
                    status_code=500,
                )
            return _json_error(answer)
        if isinstance(result, NonStreamingResult):
            return Response(result.json, media_type=result.media_type)
        return _EventStreamResponse(result)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse(
            {"error": {"code": "http_error", "message": exc.detail}},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            if close_store_on_shutdown:
                memory = getattr(server, "memory", None)
                if isinstance(memory, ModelMemory):
                    await memory.aclose()  # e.g. the PostgreSQL pool of session memory
                await server.store.close()

    middleware: list[Middleware] = []
    if cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
            )
        )
    routes: list[BaseRoute] = [
        Route(path, chatkit_endpoint, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if ui:
        from chatkit_agents.ui import ui_routes

        routes.extend(ui_routes(path.lstrip("/")))  # relative: keeps working when mounted under a prefix
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> RequestTooLargeError:
    return RequestTooLargeError(
        f"The request body is larger than {limit} bytes; raise max_body_bytes in create_app() if needed."
    )


async def _build_context(factory: ContextFactory | None, request: Request) -> Any:
    if factory is None:
        return None
    context = factory(request)
    if inspect.isawaitable(context):
        context = await context
    return context


def _json_error(answer: ErrorResult | None) -> Response:
    assert answer is not None
    return Response(answer.json, status_code=answer.status_code, media_type="application/json")


class _EventStreamResponse(StreamingResponse):
    """Streams SSE and watches for the client going away, so a disconnect stops the run at once."""

    def __init__(self, result: StreamingResult) -> None:
        super().__init__(result, status_code=200, headers=SSE_HEADERS, media_type=result.media_type)
        self._result = result

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._stream, send, group.cancel_scope)
                await _wait_for_disconnect(receive)
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await self._result.aclose()  # only matters if the stream task never started

    async def _stream(self, send: Send, scope: anyio.CancelScope) -> None:
        try:
            async for chunk in self._result:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client went away mid-write: closing below keeps the partial reply
        finally:
            # Close in this task: the stream may hold task groups and cancel scopes entered here.
            with anyio.CancelScope(shield=True):
                await self._result.aclose()
            scope.cancel()


async def _wait_for_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
