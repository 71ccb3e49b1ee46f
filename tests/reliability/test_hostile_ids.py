"""Ids a client makes up (NUL characters, SQL wildcards, quotes) behave like unknown ids in every store.

PostgreSQL text cannot hold NUL, so such an id used to surface as a driver error (an HTTP 500); now every
lookup answers `NotFoundError` and every delete is a no-op, as for any other unknown id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _fault_sweeps import open_store
from _reliability_kit import check_store_consistent
from _seeded import ATTACHMENT, CHAT, REPLY, seed

from chatkit_agents.errors import NotFoundError
from chatkit_agents.store import Store

KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
HOSTILE = ["\x00", f"{CHAT}\x00", "%", "_", "' OR '1'='1", f"{CHAT}%"]


def postgres_of(request: pytest.FixtureRequest, kind: str) -> tuple[str, str] | None:
    if kind != "postgres":
        return None
    return request.getfixturevalue("postgres_dsn"), request.getfixturevalue("postgres_schema")


async def contents(store: Store[Any]) -> dict[str, list[str]]:
    return {
        thread_id: [item.id for item in items]
        for thread_id, items in (await check_store_consistent(store, None)).items()
    }


@pytest.mark.parametrize("kind", KINDS)
async def test_made_up_ids_are_unknown_ids_everywhere(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        await seed(store)
        before = await contents(store)
        for bad in HOSTILE:
            lookups = [
                store.load_thread(bad, None),
                store.load_threads(10, bad, "asc", None),
                store.load_thread_items(bad, None, 10, "asc", None),
                store.load_thread_items(CHAT, bad, 10, "asc", None),
                store.load_item(bad, REPLY, None),
                store.load_item(CHAT, bad, None),
                store.delete_thread_items_after(CHAT, bad, None),
                store.delete_thread_items_after(bad, REPLY, None),
                store.load_attachment(bad, None),
            ]
            for lookup in lookups:
                with pytest.raises(NotFoundError):
                    await lookup
            await store.delete_thread(bad, None)
            await store.delete_thread_item(CHAT, bad, None)
            await store.delete_thread_item(bad, REPLY, None)
            await store.delete_attachment(bad, None)
        assert await contents(store) == before
        assert (await store.load_attachment(ATTACHMENT, None)).id == ATTACHMENT
