"""Fixtures of the memory tests: a store per backend (memory, SQLite file, PostgreSQL schema)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from chatkit_agents._ids import SequentialIds
from chatkit_agents.store import MemoryStore, SQLiteStore, Store


def _store_fixtures() -> ModuleType:
    """Load ``tests/store/conftest.py`` under a private name (test folders are not packages)."""
    if "_chatkit_store_fixtures" in sys.modules:
        return sys.modules["_chatkit_store_fixtures"]
    path = Path(__file__).resolve().parent.parent / "store" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_chatkit_store_fixtures", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_fixtures = _store_fixtures()
postgres_dsn = _fixtures.postgres_dsn
postgres_schema = _fixtures.postgres_schema

STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
DURABLE_STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


async def _make_store(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Store[Any]:
    if kind == "memory":
        return MemoryStore[Any](id_factory=SequentialIds())
    if kind == "sqlite":
        return SQLiteStore[Any](tmp_path / "chat.db", id_factory=SequentialIds())
    from chatkit_agents.store.postgres import PostgresStore

    dsn: str = request.getfixturevalue("postgres_dsn")
    schema: str = request.getfixturevalue("postgres_schema")
    return PostgresStore[Any](dsn, schema=schema, id_factory=SequentialIds())


@pytest.fixture(params=STORES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store[Any]]:
    """A fresh store of each kind, with sequential ids."""
    made = await _make_store(request.param, request, tmp_path)
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture(params=DURABLE_STORES)
async def durable_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store[Any]]:
    """A fresh store whose data lives in a database (SQLite file or PostgreSQL schema)."""
    made = await _make_store(request.param, request, tmp_path)
    try:
        yield made
    finally:
        await made.close()
