"""What `ChatKitServer.process` returns, and the JSON error answer for a refused request."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from chatkit_agents.errors import NotFoundError, RequestError

__all__ = ["ErrorResult", "NonStreamingResult", "StreamingResult", "error_result"]


class StreamingResult:
    """An SSE byte stream for a streaming request; iterate it once, and close it if you stop early.

    Closing (or cancelling the task that iterates it) stops the response, cancels the agent run and keeps
    the partial reply, exactly like a client disconnect.
    """

    media_type = "text/event-stream"

    def __init__(self, stream: AsyncGenerator[bytes, None]) -> None:
        self._stream = stream

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream

    async def aclose(self) -> None:
        """Stop the stream early; safe to call after it finished."""
        await self._stream.aclose()


@dataclass(frozen=True)
class NonStreamingResult:
    """A complete JSON answer (``json`` is the UTF-8 body) for a non-streaming request."""

    json: bytes
    media_type = "application/json"


@dataclass(frozen=True)
class ErrorResult:
    """A JSON error answer: the HTTP status and ``{"error": {"code", "message", "details"?}}``."""

    status_code: int
    json: bytes


def error_result(exc: BaseException) -> ErrorResult | None:
    """The HTTP answer for an error `process` raised before streaming, or ``None`` if it is a server bug."""
    if isinstance(exc, RequestError):
        return _error(exc.status_code, exc.code, exc.message, exc.details)
    if isinstance(exc, NotFoundError):
        return _error(404, "not_found", str(exc), None)
    return None


def _error(status: int, code: str, message: str, details: object) -> ErrorResult:
    body: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return ErrorResult(status, json.dumps({"error": body}, default=str).encode())
