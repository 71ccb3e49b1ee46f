"""SQLite specifics: WAL mode, several processes on one file, and an event loop that never blocks."""

from __future__ import annotations

import sqlite3
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import anyio
import pytest

from chatkit_agents.store import SQLiteStore
from chatkit_agents.types import ThreadMetadata, UserMessageItem, UserMessageTextContent

USER = {"user_id": "u"}
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def message(item_id: str) -> UserMessageItem:
    return UserMessageItem(
        id=item_id, thread_id="thr_1", created_at=T0, content=[UserMessageTextContent(text=item_id)]
    )


async def item_ids(store: SQLiteStore[object]) -> list[str]:
    page = await store.load_thread_items("thr_1", None, 10_000, "asc", USER)
    return [item.id for item in page.data]


async def test_the_database_file_uses_wal_and_is_created_with_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "chat.db"
    async with SQLiteStore[object](path) as store:
        await store.save_thread(ThreadMetadata(id="thr_1", created_at=T0), USER)

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"chatkit_threads", "chatkit_items", "chatkit_attachments"} <= tables


@pytest.mark.parametrize("path", [":memory:", "", "file::memory:?cache=shared"])
def test_an_in_memory_database_is_refused_with_a_hint(path: str) -> None:
    with pytest.raises(ValueError, match="MemoryStore"):
        SQLiteStore[object](path)


async def test_a_write_waiting_for_another_writer_does_not_block_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    store = SQLiteStore[object](path, busy_timeout=30)
    await store.save_thread(ThreadMetadata(id="thr_1", created_at=T0), USER)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(store.add_thread_item, "thr_1", message("msg_1"), USER)
            # Reaching this line at all means the waiting write left the event loop free.
            await anyio.wait_all_tasks_blocked()
            assert other.execute("SELECT count(*) FROM chatkit_items").fetchone() == (0,)
            other.execute("COMMIT")
    finally:
        other.close()
        await store.close()

    async with SQLiteStore[object](path) as reopened:
        assert await item_ids(reopened) == ["msg_1"]


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone

    import anyio

    from chatkit_agents.store import SQLiteStore
    from chatkit_agents.types import UserMessageItem, UserMessageTextContent


    async def main(path: str, name: str) -> None:
        async with SQLiteStore(path, busy_timeout=60) as store:
            for n in range(25):
                item = UserMessageItem(
                    id=f"{name}_{n:02}",
                    thread_id="thr_1",
                    created_at=datetime.now(timezone.utc),
                    content=[UserMessageTextContent(text=name)],
                )
                await store.add_thread_item("thr_1", item, {"user_id": "u"})


    anyio.run(main, sys.argv[1], sys.argv[2])
    """
)


async def test_several_processes_can_write_to_one_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    async with SQLiteStore[object](path) as store:
        await store.save_thread(ThreadMetadata(id="thr_1", created_at=T0), USER)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)

    async def run_writer(name: str) -> None:
        await anyio.run_process([sys.executable, str(script), str(path), name], check=True)

    async with anyio.create_task_group() as tg:
        for name in ("p1", "p2", "p3"):
            tg.start_soon(run_writer, name)

    async with SQLiteStore[object](path) as store:
        stored = await item_ids(store)
    assert len(stored) == 75
    for name in ("p1", "p2", "p3"):  # each process's items keep that process's order
        assert [i for i in stored if i.startswith(name)] == [f"{name}_{n:02}" for n in range(25)]
