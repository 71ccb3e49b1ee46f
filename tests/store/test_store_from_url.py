"""`store_from_url` picks the right store and passes the location through."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatkit_agents.store import MemoryStore, PostgresStore, SQLiteStore, store_from_url


def test_memory_url_gives_a_memory_store() -> None:
    assert isinstance(store_from_url("memory://"), MemoryStore)


def test_sqlite_urls_give_relative_and_absolute_paths() -> None:
    relative = store_from_url("sqlite:///data/chat.db")
    absolute = store_from_url("sqlite:////var/lib/app/chat.db")

    assert isinstance(relative, SQLiteStore)
    assert relative.path == Path("data/chat.db")
    assert isinstance(absolute, SQLiteStore)
    assert absolute.path == Path("/var/lib/app/chat.db")


def test_postgres_url_keeps_the_dsn_and_reads_the_schema_option() -> None:
    store = store_from_url("postgresql://app@db.internal:5433/chat?schema=tenant_a&sslmode=require")
    plain = store_from_url("postgres://app@localhost/chat")

    assert isinstance(store, PostgresStore)
    assert (store.dsn, store.schema) == ("postgresql://app@db.internal:5433/chat?sslmode=require", "tenant_a")
    assert isinstance(plain, PostgresStore)
    assert (plain.dsn, plain.schema) == ("postgres://app@localhost/chat", "public")


@pytest.mark.parametrize("url", ["mysql://x/y", "chat.db", "sqlite://"])
def test_unusable_urls_are_refused_with_the_supported_forms(url: str) -> None:
    with pytest.raises(ValueError, match="sqlite:///"):
        store_from_url(url)


def test_a_schema_name_that_is_not_an_identifier_is_refused() -> None:
    with pytest.raises(ValueError, match="identifier"):
        store_from_url('postgres://h/db?schema=x";drop')
