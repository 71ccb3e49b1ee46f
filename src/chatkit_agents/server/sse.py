"""Server-sent-events framing of ChatKit stream events: one ``data: <json>`` line and a blank line each."""

from __future__ import annotations

from pydantic import BaseModel

from chatkit_agents.types import CLIENT_SERIALIZATION_CONTEXT

__all__ = ["SSE_HEADERS", "dump_json", "encode_event"]

SSE_HEADERS: dict[str, str] = {
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
}
"""Headers that keep proxies from buffering or caching a ChatKit stream."""


def dump_json(model: BaseModel) -> bytes:
    """Serialise a wire model as ChatKit expects: no ``None`` fields, integration-only metadata left out."""
    # the serializer's own bytes: the same JSON as ``model_dump_json()``, without a decode and re-encode
    return model.__pydantic_serializer__.to_json(
        model, exclude_none=True, context=CLIENT_SERIALIZATION_CONTEXT
    )


def encode_event(event: BaseModel) -> bytes:
    """Frame one stream event as an SSE message (``data: <json>\\n\\n``); JSON never contains raw newlines."""
    return b"data: %b\n\n" % dump_json(event)
