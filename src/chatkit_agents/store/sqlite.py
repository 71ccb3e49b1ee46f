"""`SQLiteStore`: the embedded default, one SQLite file (stdlib ``sqlite3``) in WAL mode.

Every call runs in a worker thread so the event loop never blocks. Each write is one transaction
(``BEGIN IMMEDIATE``); writers of one process queue on a lock, other processes on SQLite's busy timeout,
so several server processes may share the file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import anyio.to_thread

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

__all__ = ["SQLiteStore"]

R = TypeVar("R")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chatkit_threads (
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (scope, id)
);
CREATE INDEX IF NOT EXISTS chatkit_threads_order ON chatkit_threads (scope, created_at, seq);
CREATE TABLE IF NOT EXISTS chatkit_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (scope, thread_id, id)
);
CREATE INDEX IF NOT EXISTS chatkit_items_order ON chatkit_items (scope, thread_id, seq);
CREATE TABLE IF NOT EXISTS chatkit_attachments (
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (scope, id)
);
"""


class SQLiteStore(Store[TContext]):
    """Threads, items and attachments in one SQLite database file, created on first use.

    ``busy_timeout`` (seconds) is how long a write waits for another process holding the file.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        id_factory: IdFactory = random_id,
        scope: Scope = default_scope,
        busy_timeout: float = 30.0,
    ) -> None:
        super().__init__(id_factory=id_factory, scope=scope)
        text = os.fspath(path)
        if text == "" or text == ":memory:" or text.startswith("file::memory:"):
            raise ValueError(
                "SQLiteStore needs a database file path (each connection of an in-memory SQLite database "
                "is a separate database); use MemoryStore for data that lives in memory"
            )
        self.path = Path(text)
        self._busy_timeout = busy_timeout
        self._pool_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._ready = False
        self._closed = False

    # -- connections ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    def _acquire(self) -> sqlite3.Connection:
        with self._pool_lock:
            if self._closed:
                raise RuntimeError("this SQLiteStore is closed; create a new one")
            if self._idle:
                return self._idle.pop()
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
            if not self._ready:
                try:
                    self._create_tables(conn)
                except BaseException:
                    conn.close()
                    raise
                self._ready = True
            return conn

    def _create_tables(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode = WAL")
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _release(self, conn: sqlite3.Connection) -> None:
        with self._pool_lock:
            if self._closed:
                conn.close()
            else:
                self._idle.append(conn)

    def _read_sync(self, body: Callable[[sqlite3.Connection], R]) -> R:
        conn = self._acquire()
        try:
            conn.execute("BEGIN")
            try:
                return body(conn)
            finally:
                conn.execute("ROLLBACK")
        finally:
            self._release(conn)

    def _write_sync(self, body: Callable[[sqlite3.Connection], R]) -> R:
        conn = self._acquire()
        try:
            with self._write_lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = body(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                return result
        finally:
            self._release(conn)

    async def _read(self, body: Callable[[sqlite3.Connection], R]) -> R:
        return await anyio.to_thread.run_sync(self._read_sync, body)

    async def _write(self, body: Callable[[sqlite3.Connection], R]) -> R:
        return await anyio.to_thread.run_sync(self._write_sync, body)

    async def close(self) -> None:
        """Close every connection; calls in flight finish first and their connection closes after."""

        def close_idle() -> None:
            with self._pool_lock:
                self._closed = True
                for conn in self._idle:
                    conn.close()
                self._idle.clear()

        await anyio.to_thread.run_sync(close_idle)

    # -- helpers run inside a transaction ------------------------------------------------------------

    @staticmethod
    def _require_thread(conn: sqlite3.Connection, scope: str, thread_id: str) -> None:
        row = conn.execute(
            "SELECT 1 FROM chatkit_threads WHERE scope = ? AND id = ?", (scope, thread_id)
        ).fetchone()
        if row is None:
            raise not_found("thread", thread_id)

    @staticmethod
    def _item_seq(conn: sqlite3.Connection, scope: str, thread_id: str, item_id: str) -> int:
        row = conn.execute(
            "SELECT seq FROM chatkit_items WHERE scope = ? AND thread_id = ? AND id = ?",
            (scope, thread_id, item_id),
        ).fetchone()
        if row is None:
            raise not_found("item", item_id)
        return int(row[0])

    # -- threads -------------------------------------------------------------------------------------

    async def load_thread(self, thread_id: str, context: TContext) -> ThreadMetadata:
        """Return the thread's metadata; `NotFoundError` if missing in this scope."""
        scope = self.scope(context)

        def body(conn: sqlite3.Connection) -> str:
            row = conn.execute(
                "SELECT data FROM chatkit_threads WHERE scope = ? AND id = ?", (scope, thread_id)
            ).fetchone()
            if row is None:
                raise not_found("thread", thread_id)
            return str(row[0])

        return ser.load_thread(await self._read(body))

    async def save_thread(self, thread: ThreadMetadata, context: TContext) -> None:
        """Create or update the thread's metadata."""
        scope = self.scope(context)
        data = ser.dump_thread(thread)
        created_at = ser.micros(thread.created_at)

        def body(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO chatkit_threads (scope, id, seq, created_at, data) "
                "VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM chatkit_threads), ?, ?) "
                "ON CONFLICT (scope, id) DO UPDATE "
                "SET created_at = excluded.created_at, data = excluded.data",
                (scope, thread.id, created_at, data),
            )

        await self._write(body)

    async def load_threads(
        self, limit: int, after: str | None, order: Order, context: TContext
    ) -> Page[ThreadMetadata]:
        """A page of this scope's threads by ``created_at``, ties in creation order."""
        validate_page_request(limit, order)
        scope = self.scope(context)
        direction, compare = ("ASC", ">") if order == "asc" else ("DESC", "<")

        def body(conn: sqlite3.Connection) -> list[str]:
            where, params = "scope = ?", list[object]([scope])
            if after is not None:
                anchor = conn.execute(
                    "SELECT created_at, seq FROM chatkit_threads WHERE scope = ? AND id = ?", (scope, after)
                ).fetchone()
                if anchor is None:
                    raise not_found("thread", after)
                where += f" AND (created_at, seq) {compare} (?, ?)"
                params += [anchor[0], anchor[1]]
            rows = conn.execute(
                f"SELECT data FROM chatkit_threads WHERE {where} "
                f"ORDER BY created_at {direction}, seq {direction} LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
            return [str(row[0]) for row in rows]

        rows = [ser.load_thread(data) for data in await self._read(body)]
        return make_page(rows, limit, lambda thread: thread.id)

    async def delete_thread(self, thread_id: str, context: TContext) -> None:
        """Delete the thread and its items in one transaction; a no-op when it does not exist."""
        scope = self.scope(context)

        def body(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM chatkit_items WHERE scope = ? AND thread_id = ?", (scope, thread_id))
            conn.execute("DELETE FROM chatkit_threads WHERE scope = ? AND id = ?", (scope, thread_id))

        await self._write(body)

    # -- items ---------------------------------------------------------------------------------------

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: Order, context: TContext
    ) -> Page[ThreadItem]:
        """A page of the thread's items in insertion order."""
        validate_page_request(limit, order)
        scope = self.scope(context)
        direction, compare = ("ASC", ">") if order == "asc" else ("DESC", "<")

        def body(conn: sqlite3.Connection) -> list[str]:
            self._require_thread(conn, scope, thread_id)
            where, params = "scope = ? AND thread_id = ?", list[object]([scope, thread_id])
            if after is not None:
                where += f" AND seq {compare} ?"
                params.append(self._item_seq(conn, scope, thread_id, after))
            rows = conn.execute(
                f"SELECT data FROM chatkit_items WHERE {where} ORDER BY seq {direction} LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
            return [str(row[0]) for row in rows]

        rows = [ser.load_item(data) for data in await self._read(body)]
        return make_page(rows, limit, lambda item: item.id)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: TContext) -> None:
        """Append the item, or replace it in place when its id is already in the thread."""
        await self.save_item(thread_id, item, context)

    async def save_item(self, thread_id: str, item: ThreadItem, context: TContext) -> None:
        """Replace the item in place, or append it if it is new."""
        ser.check_item_thread(thread_id, item)
        scope = self.scope(context)
        data = ser.dump_item(item)

        def body(conn: sqlite3.Connection) -> None:
            self._require_thread(conn, scope, thread_id)
            conn.execute(
                "INSERT INTO chatkit_items (scope, thread_id, id, type, data) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (scope, thread_id, id) DO UPDATE SET type = excluded.type, data = excluded.data",
                (scope, thread_id, item.id, item.type, data),
            )

        await self._write(body)

    async def load_item(self, thread_id: str, item_id: str, context: TContext) -> ThreadItem:
        """Return one item; `NotFoundError` if the thread or item is missing."""
        scope = self.scope(context)

        def body(conn: sqlite3.Connection) -> str:
            self._require_thread(conn, scope, thread_id)
            row = conn.execute(
                "SELECT data FROM chatkit_items WHERE scope = ? AND thread_id = ? AND id = ?",
                (scope, thread_id, item_id),
            ).fetchone()
            if row is None:
                raise not_found("item", item_id)
            return str(row[0])

        return ser.load_item(await self._read(body))

    async def delete_thread_item(self, thread_id: str, item_id: str, context: TContext) -> None:
        """Delete one item; a no-op when it does not exist."""
        scope = self.scope(context)

        def body(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM chatkit_items WHERE scope = ? AND thread_id = ? AND id = ?",
                (scope, thread_id, item_id),
            )

        await self._write(body)

    async def delete_thread_items_after(self, thread_id: str, item_id: str, context: TContext) -> None:
        """Delete every item inserted after ``item_id`` in one transaction; `NotFoundError` if missing."""
        scope = self.scope(context)

        def body(conn: sqlite3.Connection) -> None:
            self._require_thread(conn, scope, thread_id)
            seq = self._item_seq(conn, scope, thread_id, item_id)
            conn.execute(
                "DELETE FROM chatkit_items WHERE scope = ? AND thread_id = ? AND seq > ?",
                (scope, thread_id, seq),
            )

        await self._write(body)

    # -- attachments ---------------------------------------------------------------------------------

    async def save_attachment(self, attachment: Attachment, context: TContext) -> None:
        """Create or replace the attachment's metadata."""
        scope = self.scope(context)
        data = ser.dump_attachment(attachment)

        def body(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO chatkit_attachments (scope, id, data) VALUES (?, ?, ?) "
                "ON CONFLICT (scope, id) DO UPDATE SET data = excluded.data",
                (scope, attachment.id, data),
            )

        await self._write(body)

    async def load_attachment(self, attachment_id: str, context: TContext) -> Attachment:
        """Return the attachment; `NotFoundError` if missing in this scope."""
        scope = self.scope(context)

        def body(conn: sqlite3.Connection) -> str:
            row = conn.execute(
                "SELECT data FROM chatkit_attachments WHERE scope = ? AND id = ?", (scope, attachment_id)
            ).fetchone()
            if row is None:
                raise not_found("attachment", attachment_id)
            return str(row[0])

        return ser.load_attachment(await self._read(body))

    async def delete_attachment(self, attachment_id: str, context: TContext) -> None:
        """Delete the attachment's metadata; a no-op when it does not exist."""
        scope = self.scope(context)

        def body(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM chatkit_attachments WHERE scope = ? AND id = ?", (scope, attachment_id))

        await self._write(body)
