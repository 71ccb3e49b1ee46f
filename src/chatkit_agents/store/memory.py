"""`MemoryStore`: keeps everything in process memory; for tests, demos and single-process prototypes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatkit_agents._ids import IdFactory, random_id
from chatkit_agents.store import _serialization as ser
from chatkit_agents.store.base import (
    Order,
    Scope,
    Store,
    TContext,
    default_scope,
    make_page,
    not_found,
    validate_page_request,
)
from chatkit_agents.types import Attachment, Page, ThreadItem, ThreadMetadata

__all__ = ["MemoryStore"]


@dataclass
class _ThreadRecord:
    seq: int
    created_at: int
    data: str
    items: dict[str, str] = field(default_factory=dict[str, str])
    """Item id -> JSON, in insertion order (re-assigning a key keeps its position)."""


@dataclass
class _ScopeData:
    threads: dict[str, _ThreadRecord] = field(default_factory=dict[str, _ThreadRecord])
    attachments: dict[str, str] = field(default_factory=dict[str, str])


class MemoryStore(Store[TContext]):
    """Everything lives in dictionaries of this instance and is lost when the process exits.

    Objects are stored as JSON, so later changes to a saved object never leak into the store.
    """

    def __init__(self, *, id_factory: IdFactory = random_id, scope: Scope = default_scope) -> None:
        super().__init__(id_factory=id_factory, scope=scope)
        self._scopes: dict[str, _ScopeData] = {}
        self._seq = 0

    def _data(self, context: Any) -> _ScopeData:
        key = self.scope(context)
        data = self._scopes.get(key)
        if data is None:
            data = self._scopes[key] = _ScopeData()
        return data

    def _thread(self, thread_id: str, context: Any) -> _ThreadRecord:
        record = self._data(context).threads.get(thread_id)
        if record is None:
            raise not_found("thread", thread_id)
        return record

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    async def load_thread(self, thread_id: str, context: TContext) -> ThreadMetadata:
        """Return the thread's metadata; `NotFoundError` if missing in this scope."""
        return ser.load_thread(self._thread(thread_id, context).data)

    async def save_thread(self, thread: ThreadMetadata, context: TContext) -> None:
        """Create or update the thread's metadata."""
        threads = self._data(context).threads
        record = threads.get(thread.id)
        if record is None:
            threads[thread.id] = _ThreadRecord(
                seq=self._next_seq(), created_at=ser.micros(thread.created_at), data=ser.dump_thread(thread)
            )
        else:
            record.data = ser.dump_thread(thread)
            record.created_at = ser.micros(thread.created_at)

    async def load_threads(
        self, limit: int, after: str | None, order: Order, context: TContext
    ) -> Page[ThreadMetadata]:
        """A page of this scope's threads by ``created_at``, ties in creation order."""
        validate_page_request(limit, order)
        threads = self._data(context).threads
        ordered = sorted(threads.items(), key=lambda kv: (kv[1].created_at, kv[1].seq))
        if order == "desc":
            ordered.reverse()
        ids = [thread_id for thread_id, _ in ordered]
        start = 0
        if after is not None:
            if after not in threads:
                raise not_found("thread", after)
            start = ids.index(after) + 1
        rows = [ser.load_thread(record.data) for _, record in ordered[start : start + limit + 1]]
        return make_page(rows, limit, lambda thread: thread.id)

    async def delete_thread(self, thread_id: str, context: TContext) -> None:
        """Delete the thread and its items; a no-op when it does not exist."""
        self._data(context).threads.pop(thread_id, None)

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: Order, context: TContext
    ) -> Page[ThreadItem]:
        """A page of the thread's items in insertion order."""
        validate_page_request(limit, order)
        items = self._thread(thread_id, context).items
        ids = list(items)
        if order == "desc":
            ids.reverse()
        start = 0
        if after is not None:
            if after not in items:
                raise not_found("item", after)
            start = ids.index(after) + 1
        rows = [ser.load_item(items[item_id]) for item_id in ids[start : start + limit + 1]]
        return make_page(rows, limit, lambda item: item.id)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: TContext) -> None:
        """Append the item, or replace it in place when its id is already in the thread."""
        await self.save_item(thread_id, item, context)

    async def save_item(self, thread_id: str, item: ThreadItem, context: TContext) -> None:
        """Replace the item in place, or append it if it is new."""
        ser.check_item_thread(thread_id, item)
        self._thread(thread_id, context).items[item.id] = ser.dump_item(item)

    async def load_item(self, thread_id: str, item_id: str, context: TContext) -> ThreadItem:
        """Return one item; `NotFoundError` if the thread or item is missing."""
        data = self._thread(thread_id, context).items.get(item_id)
        if data is None:
            raise not_found("item", item_id)
        return ser.load_item(data)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: TContext) -> None:
        """Delete one item; a no-op when it does not exist."""
        record = self._data(context).threads.get(thread_id)
        if record is not None:
            record.items.pop(item_id, None)

    async def delete_thread_items_after(self, thread_id: str, item_id: str, context: TContext) -> None:
        """Delete every item inserted after ``item_id`` at once; `NotFoundError` if it is missing."""
        items = self._thread(thread_id, context).items
        if item_id not in items:
            raise not_found("item", item_id)
        ids = list(items)
        for doomed in ids[ids.index(item_id) + 1 :]:
            del items[doomed]

    async def save_attachment(self, attachment: Attachment, context: TContext) -> None:
        """Create or replace the attachment's metadata."""
        self._data(context).attachments[attachment.id] = ser.dump_attachment(attachment)

    async def load_attachment(self, attachment_id: str, context: TContext) -> Attachment:
        """Return the attachment; `NotFoundError` if missing in this scope."""
        data = self._data(context).attachments.get(attachment_id)
        if data is None:
            raise not_found("attachment", attachment_id)
        return ser.load_attachment(data)

    async def delete_attachment(self, attachment_id: str, context: TContext) -> None:
        """Delete the attachment's metadata; a no-op when it does not exist."""
        self._data(context).attachments.pop(attachment_id, None)
