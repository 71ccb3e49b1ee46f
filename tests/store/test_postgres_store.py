"""PostgreSQL specifics: idempotent schema creation by many processes at once, and aware timestamps."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import anyio
import psycopg
import pytest

from chatkit_agents.store.postgres import PostgresStore
from chatkit_agents.types import ThreadMetadata

pytestmark = pytest.mark.postgres

USER = {"user_id": "u"}


async def test_many_stores_starting_at_once_create_the_schema_once(
    postgres_dsn: str, postgres_schema: str
) -> None:
    stores = [PostgresStore[Any](postgres_dsn, schema=postgres_schema) for _ in range(6)]
    try:
        async with anyio.create_task_group() as tg:
            for n, store in enumerate(stores):
                thread = ThreadMetadata(id=f"thr_{n}", created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
                tg.start_soon(store.save_thread, thread, USER)
        page = await stores[0].load_threads(10, None, "asc", USER)
    finally:
        for store in stores:
            await store.close()

    assert sorted(t.id for t in page.data) == [f"thr_{n}" for n in range(6)]
    with psycopg.connect(postgres_dsn) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1",
            (postgres_schema,),
        ).fetchall()
    assert rows == [("chatkit_attachments",), ("chatkit_items",), ("chatkit_threads",)]


async def test_timestamps_are_stored_as_timestamptz(postgres_dsn: str, postgres_schema: str) -> None:
    async with PostgresStore[Any](postgres_dsn, schema=postgres_schema) as store:
        created = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
        await store.save_thread(ThreadMetadata(id="thr_1", created_at=created), USER)

    with psycopg.connect(postgres_dsn) as conn:
        row = conn.execute(
            f'SELECT created_at FROM "{postgres_schema}".chatkit_threads',  # pyright: ignore[reportArgumentType]
        ).fetchone()
    assert row is not None
    assert row[0] == created
    assert row[0].tzinfo is not None
