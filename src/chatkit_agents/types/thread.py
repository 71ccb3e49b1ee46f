"""Threads: their metadata, lifecycle status, and the thread with a first page of items."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from chatkit_agents.types.base import ChatKitModel, Page, UtcDatetime
from chatkit_agents.types.items import ThreadItem

__all__ = ["ActiveStatus", "ClosedStatus", "LockedStatus", "Thread", "ThreadMetadata", "ThreadStatus"]


class ActiveStatus(ChatKitModel):
    """The thread accepts new messages."""

    type: Literal["active"] = "active"


class LockedStatus(ChatKitModel):
    """The composer is disabled for now (e.g. waiting for approval); ``reason`` is shown to the user."""

    type: Literal["locked"] = "locked"
    reason: str | None = None


class ClosedStatus(ChatKitModel):
    """The thread is finished and read-only; ``reason`` is shown to the user."""

    type: Literal["closed"] = "closed"
    reason: str | None = None


ThreadStatus = Annotated[ActiveStatus | LockedStatus | ClosedStatus, Field(discriminator="type")]
"""Lifecycle status of a thread, told apart by ``type``."""


class ThreadMetadata(ChatKitModel):
    """A thread without its items: what thread lists and stores pass around.

    ``metadata`` holds integration data: stores keep it, the server never sends it to the client;
    ``allowed_image_domains`` limits where markdown images in this thread may load from.
    """

    id: str
    title: str | None = None
    created_at: UtcDatetime
    status: ThreadStatus = Field(default_factory=ActiveStatus)
    allowed_image_domains: list[str] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class Thread(ThreadMetadata):
    """A thread with a page of its items, as returned by ``threads.get_by_id`` and ``thread.created``."""

    items: Page[ThreadItem] = Field(default_factory=Page[ThreadItem])
