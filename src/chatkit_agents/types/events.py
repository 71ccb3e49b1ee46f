"""Events a ChatKit server streams to the client (one JSON object per SSE ``data:`` line)."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import Field, TypeAdapter

from chatkit_agents.types.base import ChatKitModel
from chatkit_agents.types.icons import IconName
from chatkit_agents.types.items import ThreadItem
from chatkit_agents.types.thread import Thread
from chatkit_agents.types.updates import ThreadItemUpdate

__all__ = [
    "THREAD_STREAM_EVENT_ADAPTER",
    "ClientEffectEvent",
    "ErrorCode",
    "ErrorEvent",
    "NoticeEvent",
    "ProgressUpdateEvent",
    "StreamOptions",
    "StreamOptionsEvent",
    "ThreadCreatedEvent",
    "ThreadItemAddedEvent",
    "ThreadItemDoneEvent",
    "ThreadItemRemovedEvent",
    "ThreadItemReplacedEvent",
    "ThreadItemUpdated",
    "ThreadItemUpdatedEvent",
    "ThreadStreamEvent",
    "ThreadUpdatedEvent",
    "parse_event",
]

ErrorCode = Literal["stream.error"]
"""Error codes the client turns into its own localised message (``custom`` errors carry a message)."""


class ThreadCreatedEvent(ChatKitModel):
    """A new thread was created (always the first event of ``threads.create``)."""

    type: Literal["thread.created"] = "thread.created"
    thread: Thread


class ThreadUpdatedEvent(ChatKitModel):
    """The thread's title, status or metadata changed."""

    type: Literal["thread.updated"] = "thread.updated"
    thread: Thread


class ThreadItemAddedEvent(ChatKitModel):
    """An item appears in the thread; it may still stream updates until `ThreadItemDoneEvent`."""

    type: Literal["thread.item.added"] = "thread.item.added"
    item: ThreadItem


class ThreadItemUpdatedEvent(ChatKitModel):
    """An incremental change to the streaming item ``item_id``."""

    type: Literal["thread.item.updated"] = "thread.item.updated"
    item_id: str
    update: ThreadItemUpdate


ThreadItemUpdated = ThreadItemUpdatedEvent
"""Older name of `ThreadItemUpdatedEvent`, kept for code written against it."""


class ThreadItemDoneEvent(ChatKitModel):
    """The item is complete and saved; ``item`` is its final form."""

    type: Literal["thread.item.done"] = "thread.item.done"
    item: ThreadItem


class ThreadItemRemovedEvent(ChatKitModel):
    """The item ``item_id`` is removed from the thread (e.g. a guardrail tripped)."""

    type: Literal["thread.item.removed"] = "thread.item.removed"
    item_id: str


class ThreadItemReplacedEvent(ChatKitModel):
    """An existing item (same id) is replaced by ``item``."""

    type: Literal["thread.item.replaced"] = "thread.item.replaced"
    item: ThreadItem


class StreamOptions(ChatKitModel):
    """Settings of the running stream."""

    allow_cancel: bool
    """Whether the client shows a stop button for this response."""


class StreamOptionsEvent(ChatKitModel):
    """Tells the client the options of this stream (sent at its start)."""

    type: Literal["stream_options"] = "stream_options"
    stream_options: StreamOptions


class ProgressUpdateEvent(ChatKitModel):
    """A transient status line ("Searching...") shown until the next item arrives."""

    type: Literal["progress_update"] = "progress_update"
    icon: IconName | None = None
    text: str


class ClientEffectEvent(ChatKitModel):
    """Asks the page to run its ``onEffect`` handler ``name`` with ``data``; nothing is stored."""

    type: Literal["client_effect"] = "client_effect"
    name: str
    data: dict[str, Any] = Field(default_factory=dict)


class ErrorEvent(ChatKitModel):
    """The response failed. ``custom`` errors show ``message``; known codes show the client's own text."""

    type: Literal["error"] = "error"
    code: ErrorCode | Literal["custom"] = "custom"
    message: str | None = None
    allow_retry: bool = False


class NoticeEvent(ChatKitModel):
    """A banner for the user; ``message`` may contain markdown links."""

    type: Literal["notice"] = "notice"
    level: Literal["info", "warning", "danger"]
    message: str
    title: str | None = None


ThreadStreamEvent = Annotated[
    ThreadCreatedEvent
    | ThreadUpdatedEvent
    | ThreadItemDoneEvent
    | ThreadItemAddedEvent
    | ThreadItemUpdatedEvent
    | ThreadItemRemovedEvent
    | ThreadItemReplacedEvent
    | StreamOptionsEvent
    | ProgressUpdateEvent
    | ClientEffectEvent
    | ErrorEvent
    | NoticeEvent,
    Field(discriminator="type"),
]
"""Any stream event, told apart by ``type``."""

THREAD_STREAM_EVENT_ADAPTER: Final[TypeAdapter[ThreadStreamEvent]] = TypeAdapter(ThreadStreamEvent)
"""Shared adapter for `ThreadStreamEvent` (build once: adapters are costly to create)."""


def parse_event(data: bytes | str | dict[str, Any]) -> ThreadStreamEvent:
    """Parse one stream event from JSON text or a decoded dict; raises ``pydantic.ValidationError``."""
    if isinstance(data, dict):
        return THREAD_STREAM_EVENT_ADAPTER.validate_python(data)
    return THREAD_STREAM_EVENT_ADAPTER.validate_json(data)
