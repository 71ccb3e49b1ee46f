"""Property: after any mix of adds, retries and deletes, paging through a thread in either direction
returns every remaining item exactly once, in insertion order, whatever the page size."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatkit_agents._ids import random_id
from chatkit_agents.store import Store
from chatkit_agents.types import ThreadMetadata, UserMessageItem, UserMessageTextContent

if TYPE_CHECKING:
    from tests.store.conftest import Backend

USER = {"user_id": "u"}
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)

operations = st.lists(
    st.tuples(st.sampled_from(["add", "add", "add", "retry", "delete"]), st.integers(0, 30)), max_size=40
)


def item(thread_id: str, key: int, version: int) -> UserMessageItem:
    return UserMessageItem(
        id=f"msg_{key}",
        thread_id=thread_id,
        created_at=T0,
        content=[UserMessageTextContent(text=f"{key}:{version}")],
    )


async def page_through(
    store: Store[Any], thread_id: str, limit: int, order: Literal["asc", "desc"]
) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    after: str | None = None
    for _ in range(1000):
        page = await store.load_thread_items(thread_id, after, limit, order, USER)
        assert len(page.data) <= limit
        assert page.has_more is False or len(page.data) == limit
        for loaded in page.data:
            assert isinstance(loaded, UserMessageItem)
            text = loaded.content[0]
            assert isinstance(text, UserMessageTextContent)
            seen.append((loaded.id, text.text))
        if not page.has_more:
            return seen
        after = page.after
    raise AssertionError("paging never ended")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations, limit=st.integers(1, 8))
def test_paging_returns_every_item_exactly_once_in_order(
    backend: Backend, ops: list[tuple[str, int]], limit: int
) -> None:
    async def scenario() -> None:
        store = backend.factory()
        try:
            thread_id = random_id("thread")
            await store.save_thread(ThreadMetadata(id=thread_id, created_at=T0), USER)
            model: dict[str, str] = {}  # id -> text, in insertion order (dicts keep it)
            for step, (action, key) in enumerate(ops):
                item_id = f"msg_{key}"
                if action == "delete":
                    await store.delete_thread_item(thread_id, item_id, USER)
                    model.pop(item_id, None)
                elif action == "retry" and item_id not in model:
                    continue
                else:
                    new = item(thread_id, key, step)
                    await store.add_thread_item(thread_id, new, USER)
                    model[item_id] = f"{key}:{step}"

            expected = list(model.items())
            assert await page_through(store, thread_id, limit, "asc") == expected
            assert await page_through(store, thread_id, limit, "desc") == expected[::-1]
        finally:
            await store.close()

    anyio.run(scenario)
