"""JSON round-tripping of threads, items and attachments, shared by every bundled store.

Stores keep each object's JSON from its own pydantic serializer (what ``model_dump_json()`` gives, without
``exclude_none``: a stored object must load back equal); the serializer writes bytes directly, several
times faster than dumping to Python and encoding with `json`. Timestamps are stored and come back
timezone-aware; a naive one is taken as UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone

from pydantic import TypeAdapter

from chatkit_agents.types import Attachment, Thread, ThreadItem, ThreadMetadata

_ITEM: TypeAdapter[ThreadItem] = TypeAdapter(ThreadItem)
_ATTACHMENT: TypeAdapter[Attachment] = TypeAdapter(Attachment)


def aware(moment: datetime) -> datetime:
    """Return ``moment`` with a timezone, reading a naive datetime as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def dump_thread(thread: ThreadMetadata) -> str:
    """The thread's metadata as JSON (a `Thread`'s ``items`` are never stored)."""
    if thread.created_at.tzinfo is None:
        thread = thread.model_copy(update={"created_at": aware(thread.created_at)})
    if isinstance(thread, Thread):
        return thread.__pydantic_serializer__.to_json(thread, exclude={"items"}).decode()
    return thread.__pydantic_serializer__.to_json(thread).decode()


def load_thread(data: str) -> ThreadMetadata:
    """Parse metadata written by `dump_thread`."""
    thread = ThreadMetadata.model_validate_json(data)
    if thread.created_at.tzinfo is None:
        thread = thread.model_copy(update={"created_at": aware(thread.created_at)})
    return thread


def dump_item(item: ThreadItem) -> str:
    """The item as JSON, ``type`` discriminator included."""
    if item.created_at.tzinfo is None:
        item = item.model_copy(update={"created_at": aware(item.created_at)})
    return item.__pydantic_serializer__.to_json(item).decode()


def load_item(data: str) -> ThreadItem:
    """Parse an item written by `dump_item` into the right `ThreadItem` class."""
    item = _ITEM.validate_json(data)
    if item.created_at.tzinfo is None:
        item = item.model_copy(update={"created_at": aware(item.created_at)})
    return item


def dump_attachment(attachment: Attachment) -> str:
    """The attachment as JSON, ``type`` discriminator included."""
    return attachment.__pydantic_serializer__.to_json(attachment).decode()


def load_attachment(data: str) -> Attachment:
    """Parse an attachment written by `dump_attachment`."""
    return _ATTACHMENT.validate_json(data)


def check_item_thread(thread_id: str, item: ThreadItem) -> None:
    """Refuse to store an item under a thread other than the one it names."""
    if item.thread_id != thread_id:
        raise ValueError(
            f"item {item.id!r} says it belongs to thread {item.thread_id!r} but is being saved into "
            f"thread {thread_id!r}; set item.thread_id to the thread you save it into"
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch: an exact, sortable form of a timestamp."""
    delta = aware(moment) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
