"""Server-sent-events framing of ChatKit stream events: one ``data: <json>`` line and a blank line each."""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import cast

from pydantic import BaseModel

from chatkit_agents.types import (
    CLIENT_SERIALIZATION_CONTEXT,
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    ThreadItemUpdatedEvent,
)

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


_TEXT_DELTA_FRAME = (
    b'data: {"type":"thread.item.updated","item_id":%b,'
    b'"update":{"type":"assistant_message.content_part.text_delta","content_index":%d,"delta":%b}}\n\n'
)
_PART_FRAME = (
    b'data: {"type":"thread.item.updated","item_id":%b,"update":{"type":"%b","content_index":%d,'
    b'"content":%b}}\n\n'
)


def _type_tag(model: type[BaseModel]) -> bytes:
    """The ``type`` a wire model always carries, as it appears in JSON."""
    return str(model.model_fields["type"].default).encode()


_PART_UPDATES: dict[type[BaseModel], bytes] = {
    kind: _type_tag(kind) for kind in (AssistantMessageContentPartAdded, AssistantMessageContentPartDone)
}
_TEXT_PART = b'{"type":"output_text","text":%b,"annotations":[]}'


def _json_string(value: str) -> bytes:
    """``value`` as a JSON string as the serializer writes it (UnicodeEncodeError on a lone surrogate)."""
    return encode_basestring(value).encode()


def _text_part(content: object) -> bytes | None:
    """A text part without citations as JSON, or None when the serializer must write it."""
    if type(content) is not AssistantMessageContent:
        return None
    if (
        content.type != "output_text"
        or type(content.text) is not str
        or type(content.annotations) is not list
        or content.annotations
    ):
        return None
    return _TEXT_PART % _json_string(content.text)


def _update_frame(item_id: object, update: BaseModel) -> bytes | None:
    """The SSE frame of a text update from a template, or None when the serializer must write it."""
    kind = type(update)
    if type(item_id) is not str:
        return None
    if kind is AssistantMessageContentPartTextDelta:
        delta = cast(AssistantMessageContentPartTextDelta, update)
        if type(delta.content_index) is not int or type(delta.delta) is not str:
            return None
        return _TEXT_DELTA_FRAME % (_json_string(item_id), delta.content_index, _json_string(delta.delta))
    name = _PART_UPDATES.get(kind)
    if name is None:
        return None
    part = cast(AssistantMessageContentPartAdded | AssistantMessageContentPartDone, update)
    content = _text_part(part.content)
    if type(part.content_index) is not int or content is None:
        return None
    return _PART_FRAME % (_json_string(item_id), name, part.content_index, content)


def encode_event(event: BaseModel) -> bytes:
    """Frame one stream event as an SSE message (``data: <json>\\n\\n``); JSON never contains raw newlines.

    Text deltas and text parts added or done are framed from fixed templates: the same bytes as the
    serializer's (``tests/server/test_sse.py`` checks this for arbitrary text) at about two thirds of its
    instructions. Whole items are left to the serializer: checking every field of a message in Python
    costs more than serialising it.
    """
    if type(event) is ThreadItemUpdatedEvent:
        try:
            frame = _update_frame(event.item_id, event.update)
        except UnicodeEncodeError:  # a lone surrogate: let the serializer report it
            frame = None
        if frame is not None:
            return frame
    return b"data: %b\n\n" % dump_json(event)
