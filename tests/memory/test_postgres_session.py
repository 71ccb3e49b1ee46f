"""`PostgresSession`: the Agents SDK session protocol on a PostgreSQL table."""

from __future__ import annotations

from typing import Any

import pytest
from agents.memory import SessionSettings

from chatkit_agents.store.postgres_session import PostgresSessions

pytestmark = pytest.mark.postgres


def user(text: str) -> Any:
    return {"role": "user", "content": text}


async def test_items_come_back_in_order_and_sessions_are_separate(
    postgres_dsn: str, postgres_schema: str
) -> None:
    sessions = PostgresSessions(postgres_dsn, schema=postgres_schema)
    first, other = sessions.session("thr_1"), sessions.session("thr_2")
    await first.add_items([user("a"), user("b")])
    await first.add_items([user("c")])
    await other.add_items([user("x")])

    assert await first.get_items() == [user("a"), user("b"), user("c")]
    assert await first.get_items(limit=2) == [user("b"), user("c")]
    assert await other.get_items() == [user("x")]
    await sessions.close()


async def test_pop_clear_and_replace(postgres_dsn: str, postgres_schema: str) -> None:
    sessions = PostgresSessions(postgres_dsn, schema=postgres_schema)
    session = sessions.session("thr_1")
    await session.add_items([user("a"), user("b")])

    assert await session.pop_item() == user("b")
    await session.replace_items([user("z"), user("y")])
    assert await session.get_items() == [user("z"), user("y")]
    await session.clear_session()
    assert await session.get_items() == []
    assert await session.pop_item() is None
    await sessions.close()


async def test_the_settings_limit_applies_when_no_limit_is_given(
    postgres_dsn: str, postgres_schema: str
) -> None:
    sessions = PostgresSessions(postgres_dsn, schema=postgres_schema)
    session = sessions.session("thr_1", settings=SessionSettings(limit=1))
    await session.add_items([user("a"), user("b")])

    assert await session.get_items() == [user("b")]
    await sessions.close()


def test_schema_names_are_checked() -> None:
    with pytest.raises(ValueError, match="plain SQL identifier"):
        PostgresSessions("postgresql://localhost/x", schema="bad; drop")


async def test_a_closed_pool_refuses_new_work(postgres_dsn: str, postgres_schema: str) -> None:
    sessions = PostgresSessions(postgres_dsn, schema=postgres_schema)
    await sessions.close()
    with pytest.raises(RuntimeError, match="closed"):
        await sessions.session("thr_1").get_items()
