"""`PostgresStore`: PostgreSQL through psycopg 3 (async) and a connection pool, for several server processes.

All state lives in the database: tables are created idempotently (under an advisory lock), every write
is one transaction, and item order is the commit order within a thread (writers lock the thread row).
Install with ``pip install 'chatkit-agents[postgres]'``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeAlias, TypeVar, cast

import anyio
from typing_extensions import LiteralString

from chatkit_agents._ids import IdFactory, random_id
from chatkit_agents.errors import ConfigurationError
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

try:
    import psycopg
    from psycopg_pool import AsyncConnectionPool
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ConfigurationError(
        "PostgresStore needs psycopg 3 and psycopg-pool: pip install 'chatkit-agents[postgres]'"
    ) from error

__all__ = ["PostgresStore"]

R = TypeVar("R")
Conn: TypeAlias = "psycopg.AsyncConnection[tuple[Any, ...]]"

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_SCHEMA_LOCK = 0x43484B5354  # advisory lock key serialising schema creation across processes

_TABLES = """
CREATE TABLE IF NOT EXISTS {s}.chatkit_threads (
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    created_at TIMESTAMPTZ NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (scope, id)
);
CREATE INDEX IF NOT EXISTS chatkit_threads_order ON {s}.chatkit_threads (scope, created_at, seq);
CREATE TABLE IF NOT EXISTS {s}.chatkit_items (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (scope, thread_id, id)
);
CREATE INDEX IF NOT EXISTS chatkit_items_order ON {s}.chatkit_items (scope, thread_id, seq);
CREATE TABLE IF NOT EXISTS {s}.chatkit_attachments (
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (scope, id)
)
"""


def _unstorable(*ids: str | None) -> bool:
    """Whether an id can never be in the database: PostgreSQL text cannot hold NUL characters.

    Such ids (only ever sent by a client) are answered like any unknown id instead of a driver error.
    """
    return any(value is not None and "\x00" in value for value in ids)


async def _execute(
    conn: Conn, query: str, params: Sequence[Any] = ()
) -> psycopg.AsyncCursor[tuple[Any, ...]]:
    """Run one statement; the only text spliced into ``query`` is the validated schema identifier."""
    return await conn.execute(cast("LiteralString", query), params)


class PostgresStore(Store[TContext]):
    """Threads, items and attachments in PostgreSQL tables ``<schema>.chatkit_*``, created on first use.

    ``dsn`` is a libpq connection string or URL; ``schema`` is created if missing; the pool keeps
    between ``min_size`` and ``max_size`` connections.
    """

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "public",
        id_factory: IdFactory = random_id,
        scope: Scope = default_scope,
        min_size: int = 1,
        max_size: int = 10,
    ) -> None:
        super().__init__(id_factory=id_factory, scope=scope)
        if not _IDENTIFIER.match(schema):
            raise ValueError(f"schema must be a plain SQL identifier (letters, digits, _), got {schema!r}")
        self.dsn = dsn
        self.schema = schema
        self._min_size = min_size
        self._max_size = max_size
        self._pool: AsyncConnectionPool[Conn] | None = None
        self._open_lock = anyio.Lock()
        self._closed = False
        q = f'"{schema}"'
        self._threads = f"{q}.chatkit_threads"
        self._items = f"{q}.chatkit_items"
        self._attachments = f"{q}.chatkit_attachments"

    # -- connections ---------------------------------------------------------------------------------

    async def _create_schema(self) -> None:
        async with await psycopg.AsyncConnection.connect(self.dsn) as conn, conn.transaction():
            await _execute(conn, "SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            if self.schema != "public":
                await _execute(conn, f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            for statement in _TABLES.format(s=f'"{self.schema}"').split(";"):
                await _execute(conn, statement)

    async def _get_pool(self) -> AsyncConnectionPool[Conn]:
        if self._pool is not None:
            return self._pool
        async with self._open_lock:
            if self._closed:
                raise RuntimeError("this PostgresStore is closed; create a new one")
            if self._pool is None:
                await self._create_schema()
                pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
                    self.dsn, min_size=self._min_size, max_size=self._max_size, open=False
                )
                await pool.open()
                self._pool = pool
            return self._pool

    async def _run(self, body: Callable[[Conn], Awaitable[R]]) -> R:
        """Run ``body`` in one transaction: committed if it returns, rolled back if it raises."""
        pool = await self._get_pool()
        async with pool.connection() as conn, conn.transaction():
            return await body(conn)

    async def close(self) -> None:
        """Close the connection pool."""
        async with self._open_lock:
            self._closed = True
            if self._pool is not None:
                await self._pool.close()
                self._pool = None

    # -- helpers run inside a transaction ------------------------------------------------------------

    async def _lock_thread(self, conn: Conn, scope: str, thread_id: str) -> None:
        """Fail with `NotFoundError` unless the thread exists; lock its row so item writes queue."""
        cursor = await _execute(
            conn, f"SELECT 1 FROM {self._threads} WHERE scope = %s AND id = %s FOR UPDATE", (scope, thread_id)
        )
        if await cursor.fetchone() is None:
            raise not_found("thread", thread_id)

    async def _require_thread(self, conn: Conn, scope: str, thread_id: str) -> None:
        cursor = await _execute(
            conn, f"SELECT 1 FROM {self._threads} WHERE scope = %s AND id = %s", (scope, thread_id)
        )
        if await cursor.fetchone() is None:
            raise not_found("thread", thread_id)

    async def _item_seq(self, conn: Conn, scope: str, thread_id: str, item_id: str) -> int:
        cursor = await _execute(
            conn,
            f"SELECT seq FROM {self._items} WHERE scope = %s AND thread_id = %s AND id = %s",
            (scope, thread_id, item_id),
        )
        row = await cursor.fetchone()
        if row is None:
            raise not_found("item", item_id)
        return int(row[0])

    # -- threads -------------------------------------------------------------------------------------

    async def load_thread(self, thread_id: str, context: TContext) -> ThreadMetadata:
        """Return the thread's metadata; `NotFoundError` if missing in this scope."""
        if _unstorable(thread_id):
            raise not_found("thread", thread_id)
        scope = self.scope(context)

        async def body(conn: Conn) -> str:
            cursor = await _execute(
                conn, f"SELECT data FROM {self._threads} WHERE scope = %s AND id = %s", (scope, thread_id)
            )
            row = await cursor.fetchone()
            if row is None:
                raise not_found("thread", thread_id)
            return str(row[0])

        return ser.load_thread(await self._run(body))

    async def save_thread(self, thread: ThreadMetadata, context: TContext) -> None:
        """Create or update the thread's metadata."""
        scope = self.scope(context)
        data = ser.dump_thread(thread)
        created_at = ser.aware(thread.created_at)

        async def body(conn: Conn) -> None:
            await _execute(
                conn,
                f"INSERT INTO {self._threads} (scope, id, created_at, data) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (scope, id) DO UPDATE "
                "SET created_at = excluded.created_at, data = excluded.data",
                (scope, thread.id, created_at, data),
            )

        await self._run(body)

    async def load_threads(
        self, limit: int, after: str | None, order: Order, context: TContext
    ) -> Page[ThreadMetadata]:
        """A page of this scope's threads by ``created_at``, ties in creation order."""
        validate_page_request(limit, order)
        if after is not None and _unstorable(after):
            raise not_found("thread", after)
        scope = self.scope(context)
        direction, compare = ("ASC", ">") if order == "asc" else ("DESC", "<")

        async def body(conn: Conn) -> list[str]:
            where, params = "scope = %s", list[Any]([scope])
            if after is not None:
                cursor = await _execute(
                    conn,
                    f"SELECT created_at, seq FROM {self._threads} WHERE scope = %s AND id = %s",
                    (scope, after),
                )
                anchor = await cursor.fetchone()
                if anchor is None:
                    raise not_found("thread", after)
                where += f" AND (created_at, seq) {compare} (%s, %s)"
                params += [anchor[0], anchor[1]]
            cursor = await _execute(
                conn,
                f"SELECT data FROM {self._threads} WHERE {where} "
                f"ORDER BY created_at {direction}, seq {direction} LIMIT %s",
                (*params, limit + 1),
            )
            return [str(row[0]) for row in await cursor.fetchall()]

        rows = [ser.load_thread(data) for data in await self._run(body)]
        return make_page(rows, limit, lambda thread: thread.id)

    async def delete_thread(self, thread_id: str, context: TContext) -> None:
        """Delete the thread and its items in one transaction; a no-op when it does not exist."""
        if _unstorable(thread_id):
            return
        scope = self.scope(context)

        async def body(conn: Conn) -> None:
            # Lock the thread row first, like item writers do, so the two never wait on each other.
            await _execute(
                conn,
                f"SELECT 1 FROM {self._threads} WHERE scope = %s AND id = %s FOR UPDATE",
                (scope, thread_id),
            )
            await _execute(
                conn, f"DELETE FROM {self._items} WHERE scope = %s AND thread_id = %s", (scope, thread_id)
            )
            await _execute(
                conn, f"DELETE FROM {self._threads} WHERE scope = %s AND id = %s", (scope, thread_id)
            )

        await self._run(body)

    # -- items ---------------------------------------------------------------------------------------

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: Order, context: TContext
    ) -> Page[ThreadItem]:
        """A page of the thread's items in insertion order."""
        validate_page_request(limit, order)
        if _unstorable(thread_id):
            raise not_found("thread", thread_id)
        if after is not None and _unstorable(after):
            raise not_found("item", after)
        scope = self.scope(context)
        direction, compare = ("ASC", ">") if order == "asc" else ("DESC", "<")

        async def body(conn: Conn) -> list[str]:
            await self._require_thread(conn, scope, thread_id)
            where, params = "scope = %s AND thread_id = %s", list[Any]([scope, thread_id])
            if after is not None:
                where += f" AND seq {compare} %s"
                params.append(await self._item_seq(conn, scope, thread_id, after))
            cursor = await _execute(
                conn,
                f"SELECT data FROM {self._items} WHERE {where} ORDER BY seq {direction} LIMIT %s",
                (*params, limit + 1),
            )
            return [str(row[0]) for row in await cursor.fetchall()]

        rows = [ser.load_item(data) for data in await self._run(body)]
        return make_page(rows, limit, lambda item: item.id)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: TContext) -> None:
        """Append the item, or replace it in place when its id is already in the thread."""
        await self.save_item(thread_id, item, context)

    async def save_item(self, thread_id: str, item: ThreadItem, context: TContext) -> None:
        """Replace the item in place, or append it if it is new."""
        ser.check_item_thread(thread_id, item)
        if _unstorable(thread_id):
            raise not_found("thread", thread_id)
        scope = self.scope(context)
        data = ser.dump_item(item)

        async def body(conn: Conn) -> None:
            await self._lock_thread(conn, scope, thread_id)
            await _execute(
                conn,
                f"INSERT INTO {self._items} (scope, thread_id, id, type, data) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (scope, thread_id, id) DO UPDATE SET type = excluded.type, data = excluded.data",
                (scope, thread_id, item.id, item.type, data),
            )

        await self._run(body)

    async def load_item(self, thread_id: str, item_id: str, context: TContext) -> ThreadItem:
        """Return one item; `NotFoundError` if the thread or item is missing."""
        if _unstorable(thread_id):
            raise not_found("thread", thread_id)
        if _unstorable(item_id):
            raise not_found("item", item_id)
        scope = self.scope(context)

        async def body(conn: Conn) -> str:
            await self._require_thread(conn, scope, thread_id)
            cursor = await _execute(
                conn,
                f"SELECT data FROM {self._items} WHERE scope = %s AND thread_id = %s AND id = %s",
                (scope, thread_id, item_id),
            )
            row = await cursor.fetchone()
            if row is None:
                raise not_found("item", item_id)
            return str(row[0])

        return ser.load_item(await self._run(body))

    async def delete_thread_item(self, thread_id: str, item_id: str, context: TContext) -> None:
        """Delete one item; a no-op when it does not exist."""
        if _unstorable(thread_id, item_id):
            return
        scope = self.scope(context)

        async def body(conn: Conn) -> None:
            await _execute(
                conn,
                f"DELETE FROM {self._items} WHERE scope = %s AND thread_id = %s AND id = %s",
                (scope, thread_id, item_id),
            )

        await self._run(body)

    async def delete_thread_items_after(self, thread_id: str, item_id: str, context: TContext) -> None:
        """Delete every item inserted after ``item_id`` in one transaction; `NotFoundError` if missing."""
        if _unstorable(thread_id):
            raise not_found("thread", thread_id)
        if _unstorable(item_id):
            raise not_found("item", item_id)
        scope = self.scope(context)

        async def body(conn: Conn) -> None:
            await self._lock_thread(conn, scope, thread_id)
            seq = await self._item_seq(conn, scope, thread_id, item_id)
            await _execute(
                conn,
                f"DELETE FROM {self._items} WHERE scope = %s AND thread_id = %s AND seq > %s",
                (scope, thread_id, seq),
            )

        await self._run(body)

    # -- attachments ---------------------------------------------------------------------------------

    async def save_attachment(self, attachment: Attachment, context: TContext) -> None:
        """Create or replace the attachment's metadata."""
        scope = self.scope(context)
        data = ser.dump_attachment(attachment)

        async def body(conn: Conn) -> None:
            await _execute(
                conn,
                f"INSERT INTO {self._attachments} (scope, id, data) VALUES (%s, %s, %s) "
                "ON CONFLICT (scope, id) DO UPDATE SET data = excluded.data",
                (scope, attachment.id, data),
            )

        await self._run(body)

    async def load_attachment(self, attachment_id: str, context: TContext) -> Attachment:
        """Return the attachment; `NotFoundError` if missing in this scope."""
        if _unstorable(attachment_id):
            raise not_found("attachment", attachment_id)
        scope = self.scope(context)

        async def body(conn: Conn) -> str:
            cursor = await _execute(
                conn,
                f"SELECT data FROM {self._attachments} WHERE scope = %s AND id = %s",
                (scope, attachment_id),
            )
            row = await cursor.fetchone()
            if row is None:
                raise not_found("attachment", attachment_id)
            return str(row[0])

        return ser.load_attachment(await self._run(body))

    async def delete_attachment(self, attachment_id: str, context: TContext) -> None:
        """Delete the attachment's metadata; a no-op when it does not exist."""
        if _unstorable(attachment_id):
            return
        scope = self.scope(context)

        async def body(conn: Conn) -> None:
            await _execute(
                conn, f"DELETE FROM {self._attachments} WHERE scope = %s AND id = %s", (scope, attachment_id)
            )

        await self._run(body)
