"""The `Store` interface every persistence backend implements, plus the semantics they all share.

Rules every store follows (and the shared test suite checks):

* Everything is owned by a *scope* (the user, by default ``context.user_id``); another scope's thread,
  item or attachment behaves exactly like a missing one (`NotFoundError` on load, untouched on delete).
* Items are ordered by insertion sequence (the order their first write committed), never by
  ``created_at``. Writing an item id that already exists in the thread replaces it in place.
* Pages are cursor-based: ``after`` is the id of the last item (or thread) the caller has seen.
* Deletes are idempotent: deleting something that is already gone (or was never visible) is a no-op.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, Literal, cast

from typing_extensions import Self, TypeVar

from chatkit_agents._ids import IdFactory, random_id
from chatkit_agents.errors import NotFoundError
from chatkit_agents.types import Attachment, Page, ThreadItem, ThreadMetadata

__all__ = [
    "Order",
    "Scope",
    "Store",
    "TContext",
    "default_scope",
    "make_page",
    "not_found",
    "validate_page_request",
]

TContext = TypeVar("TContext", default=Any)
T = TypeVar("T")

Order = Literal["asc", "desc"]
"""Page direction: ``"asc"`` oldest first, ``"desc"`` newest first."""

Scope = Callable[[Any], str]
"""Maps a request context to the name of the user (or tenant) that owns the data."""


def default_scope(context: Any) -> str:
    """Return ``context.user_id`` or ``context["user_id"]`` as a string, or ``""`` when there is none."""
    if type(context) is dict:
        user_id: Any = cast(dict[str, Any], context).get("user_id")
    else:
        user_id = getattr(context, "user_id", None)
        if user_id is None and isinstance(context, Mapping):
            user_id = context.get("user_id")  # pyright: ignore[reportUnknownMemberType]
    if type(user_id) is str:
        return user_id
    return "" if user_id is None else str(user_id)


def validate_page_request(limit: int, order: str) -> None:
    """Reject a page size below 1 or an order other than ``asc``/``desc`` with a `ValueError`."""
    if isinstance(limit, bool) or not isinstance(limit, int):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValueError(f"limit must be an integer >= 1, got {limit!r}")
    if limit <= 0:
        raise ValueError(f"limit must be >= 1, got {limit}; ask for at least one item per page")
    if order not in ("asc", "desc"):
        raise ValueError(f"order must be 'asc' or 'desc', got {order!r}")


def make_page(rows: Sequence[T], limit: int, id_of: Callable[[T], str]) -> Page[T]:
    """Build a page from up to ``limit + 1`` fetched rows: the extra row only signals ``has_more``."""
    data = list(rows[:limit])
    # Page(...), not Page[T](...): parametrising with a TypeVar at run time builds a new pydantic model class
    # on most calls (about 3 ms each), and validates exactly the same way
    return Page(data=data, has_more=len(rows) > limit, after=id_of(data[-1]) if data else None)


class Store(ABC, Generic[TContext]):
    """Persists threads, their items and attachments, isolated per scope (user).

    Subclasses implement the abstract methods; ids, scopes and paging checks are shared here.
    """

    def __init__(self, *, id_factory: IdFactory = random_id, scope: Scope = default_scope) -> None:
        self._id_factory = id_factory
        self._scope_fn = scope

    # -- ids and scope -------------------------------------------------------------------------------

    def scope(self, context: TContext) -> str:
        """The owner of everything this context reads or writes."""
        return self._scope_fn(context)

    def generate_thread_id(self, context: TContext) -> str:
        """A new collision-safe thread id (``thr_...``)."""
        return self._id_factory("thread")

    def generate_item_id(self, item_type: str, thread: ThreadMetadata, context: TContext) -> str:
        """A new collision-safe id for an item of ``item_type`` (``message``, ``workflow``, ...)."""
        return self._id_factory(item_type)

    def generate_attachment_id(self, mime_type: str, context: TContext) -> str:
        """A new collision-safe attachment id (``atc_...``)."""
        return self._id_factory("attachment")

    # -- threads -------------------------------------------------------------------------------------

    @abstractmethod
    async def load_thread(self, thread_id: str, context: TContext) -> ThreadMetadata:
        """Return the thread's metadata; `NotFoundError` if missing or owned by another scope."""

    @abstractmethod
    async def save_thread(self, thread: ThreadMetadata, context: TContext) -> None:
        """Create or update the thread (only its metadata; a `Thread`'s ``items`` are ignored)."""

    @abstractmethod
    async def load_threads(
        self, limit: int, after: str | None, order: Order, context: TContext
    ) -> Page[ThreadMetadata]:
        """A page of this scope's threads ordered by ``created_at`` (ties by creation order).

        ``after`` is a thread id from a previous page; an unknown one raises `NotFoundError`.
        """

    @abstractmethod
    async def delete_thread(self, thread_id: str, context: TContext) -> None:
        """Delete the thread and all its items; a no-op when it does not exist in this scope."""

    # -- items ---------------------------------------------------------------------------------------

    @abstractmethod
    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: Order, context: TContext
    ) -> Page[ThreadItem]:
        """A page of the thread's items in insertion order (``desc``: newest first).

        `NotFoundError` if the thread is missing or ``after`` is not an item of this thread.
        """

    @abstractmethod
    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: TContext) -> None:
        """Append the item; if its id is already in the thread, replace it in place (idempotent retry).

        `NotFoundError` if the thread does not exist in this scope.
        """

    @abstractmethod
    async def save_item(self, thread_id: str, item: ThreadItem, context: TContext) -> None:
        """Replace the item in place, or append it if it is new; `NotFoundError` if the thread is missing."""

    @abstractmethod
    async def load_item(self, thread_id: str, item_id: str, context: TContext) -> ThreadItem:
        """Return one item; `NotFoundError` if the thread or the item is missing."""

    @abstractmethod
    async def delete_thread_item(self, thread_id: str, item_id: str, context: TContext) -> None:
        """Delete one item; a no-op when it does not exist."""

    async def delete_thread_items_after(self, thread_id: str, item_id: str, context: TContext) -> None:
        """Delete every item inserted after ``item_id`` (which stays); `NotFoundError` if it is missing.

        This default walks the items page by page; the bundled stores do it in one transaction.
        """
        await self.load_item(thread_id, item_id, context)
        doomed: list[str] = []
        after: str | None = item_id
        while True:
            page = await self.load_thread_items(thread_id, after, 100, "asc", context)
            doomed.extend(item.id for item in page.data)
            if not page.has_more:
                break
            after = page.after
        for doomed_id in doomed:
            await self.delete_thread_item(thread_id, doomed_id, context)

    # -- attachments ---------------------------------------------------------------------------------

    @abstractmethod
    async def save_attachment(self, attachment: Attachment, context: TContext) -> None:
        """Create or replace the attachment's metadata in this scope."""

    @abstractmethod
    async def load_attachment(self, attachment_id: str, context: TContext) -> Attachment:
        """Return the attachment; `NotFoundError` if missing or owned by another scope."""

    @abstractmethod
    async def delete_attachment(self, attachment_id: str, context: TContext) -> None:
        """Delete the attachment's metadata; a no-op when it does not exist in this scope."""

    # -- lifecycle -----------------------------------------------------------------------------------

    async def close(self) -> None:
        """Release connections and other resources; the store must not be used afterwards."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def not_found(kind: str, object_id: str) -> NotFoundError:
    """The error every store raises for a missing (or foreign) thread, item, attachment or cursor."""
    return NotFoundError(f"{kind} {object_id!r} not found")
