"""An Agents SDK `Session` kept in PostgreSQL, next to a `PostgresStore`'s tables (psycopg 3, async).

`PostgresSessions` owns one connection pool and hands out a `PostgresSession` per session id; every item
is one row of ``<schema>.agent_session_items`` holding the item's JSON, ordered by insertion.
Install with ``pip install 'chatkit-agents[postgres]'``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, TypeAlias, cast

import anyio
from agents.items import TResponseInputItem
from agents.memory import SessionSettings
from typing_extensions import LiteralString

from chatkit_agents.errors import ConfigurationError

try:
    import psycopg
    from psycopg_pool import AsyncConnectionPool
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ConfigurationError(
        "PostgresSession needs psycopg 3 and psycopg-pool: pip install 'chatkit-agents[postgres]'"
    ) from error

__all__ = ["PostgresSession", "PostgresSessions"]

Conn: TypeAlias = "psycopg.AsyncConnection[tuple[Any, ...]]"

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_SCHEMA_LOCK = 0x43484B5353  # advisory lock key serialising creation of the session table

_TABLE = """
CREATE TABLE IF NOT EXISTS {s}.agent_session_items (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agent_session_items_order ON {s}.agent_session_items (session_id, seq)
"""


async def _execute(
    conn: Conn, query: str, params: Sequence[Any] = ()
) -> psycopg.AsyncCursor[tuple[Any, ...]]:
    """Run one statement; the only text spliced into ``query`` is the validated schema identifier."""
    return await conn.execute(cast("LiteralString", query), params)


class PostgresSessions:
    """A pool of connections to ``dsn`` and the session table in ``schema`` (created on first use).

    Use the same ``dsn`` and ``schema`` as your `PostgresStore` to keep the model's memory in the same
    database as the threads; `close` releases the pool.
    """

    def __init__(self, dsn: str, *, schema: str = "public", min_size: int = 1, max_size: int = 10) -> None:
        if not _IDENTIFIER.match(schema):
            raise ValueError(f"schema must be a plain SQL identifier (letters, digits, _), got {schema!r}")
        self.dsn = dsn
        self.schema = schema
        self.table = f'"{schema}".agent_session_items'
        self._min_size = min_size
        self._max_size = max_size
        self._pool: AsyncConnectionPool[Conn] | None = None
        self._open_lock = anyio.Lock()
        self._closed = False

    def session(self, session_id: str, *, settings: SessionSettings | None = None) -> PostgresSession:
        """The session named ``session_id`` (no I/O until it is used)."""
        return PostgresSession(session_id, self, settings=settings)

    async def pool(self) -> AsyncConnectionPool[Conn]:
        """The open pool, creating the schema, table and pool on first use."""
        if self._pool is not None:
            return self._pool
        async with self._open_lock:
            if self._closed:
                raise RuntimeError("these PostgresSessions are closed; create new ones")
            if self._pool is None:
                async with await psycopg.AsyncConnection.connect(self.dsn) as conn, conn.transaction():
                    await _execute(conn, "SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                    if self.schema != "public":
                        await _execute(conn, f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                    for statement in _TABLE.format(s=f'"{self.schema}"').split(";"):
                        await _execute(conn, statement)
                pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
                    self.dsn, min_size=self._min_size, max_size=self._max_size, open=False
                )
                await pool.open()
                self._pool = pool
            return self._pool

    async def close(self) -> None:
        """Close the pool; the sessions must not be used afterwards."""
        async with self._open_lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


class PostgresSession:
    """One conversation's items (an Agents SDK ``Session``), stored in the table of its `PostgresSessions`."""

    def __init__(
        self, session_id: str, sessions: PostgresSessions, *, settings: SessionSettings | None = None
    ) -> None:
        self.session_id = session_id
        self.session_settings: SessionSettings | None = settings or SessionSettings()
        self._sessions = sessions

    async def get_items(self, limit: int | None = None) -> list[TResponseInputItem]:
        """The items oldest first; with ``limit`` (or the settings' limit) only the newest ``limit``."""
        if limit is None and self.session_settings is not None:
            limit = self.session_settings.limit
        table = self._sessions.table
        pool = await self._sessions.pool()
        async with pool.connection() as conn:
            if limit is None:
                cursor = await _execute(
                    conn, f"SELECT data FROM {table} WHERE session_id = %s ORDER BY seq", (self.session_id,)
                )
            else:
                cursor = await _execute(
                    conn,
                    f"SELECT data FROM (SELECT seq, data FROM {table} WHERE session_id = %s "
                    "ORDER BY seq DESC LIMIT %s) newest ORDER BY seq",
                    (self.session_id, max(limit, 0)),
                )
            rows = await cursor.fetchall()
        return [cast(TResponseInputItem, json.loads(row[0])) for row in rows]

    async def add_items(self, items: list[TResponseInputItem]) -> None:
        """Append ``items`` in order, in one transaction."""
        if not items:
            return
        table = self._sessions.table
        pool = await self._sessions.pool()
        async with pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            await cursor.executemany(
                cast("LiteralString", f"INSERT INTO {table} (session_id, data) VALUES (%s, %s)"),
                [(self.session_id, json.dumps(item, ensure_ascii=False)) for item in items],
            )

    async def pop_item(self) -> TResponseInputItem | None:
        """Remove and return the newest item, or ``None`` if the session is empty."""
        table = self._sessions.table
        pool = await self._sessions.pool()
        async with pool.connection() as conn, conn.transaction():
            cursor = await _execute(
                conn,
                f"DELETE FROM {table} WHERE seq = (SELECT seq FROM {table} WHERE session_id = %s "
                "ORDER BY seq DESC LIMIT 1 FOR UPDATE) RETURNING data",
                (self.session_id,),
            )
            row = await cursor.fetchone()
        return None if row is None else cast(TResponseInputItem, json.loads(row[0]))

    async def clear_session(self) -> None:
        """Delete every item of this session."""
        table = self._sessions.table
        pool = await self._sessions.pool()
        async with pool.connection() as conn, conn.transaction():
            await _execute(conn, f"DELETE FROM {table} WHERE session_id = %s", (self.session_id,))

    async def replace_items(self, items: list[TResponseInputItem]) -> None:
        """Replace the whole history with ``items`` in one transaction (used to trim or rewrite it)."""
        table = self._sessions.table
        pool = await self._sessions.pool()
        async with pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            await cursor.execute(
                cast("LiteralString", f"DELETE FROM {table} WHERE session_id = %s"), (self.session_id,)
            )
            if items:
                await cursor.executemany(
                    cast("LiteralString", f"INSERT INTO {table} (session_id, data) VALUES (%s, %s)"),
                    [(self.session_id, json.dumps(item, ensure_ascii=False)) for item in items],
                )
