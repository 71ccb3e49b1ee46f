"""Persistence for threads, items and attachments: the `Store` interface and the bundled backends.

`PostgresStore` is imported lazily so that the package works without the ``postgres`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatkit_agents.store.base import Order, Scope, Store, TContext, default_scope
from chatkit_agents.store.memory import MemoryStore
from chatkit_agents.store.sqlite import SQLiteStore
from chatkit_agents.store.url import store_from_url

if TYPE_CHECKING:
    from chatkit_agents.store.postgres import PostgresStore

__all__ = [
    "MemoryStore",
    "Order",
    "PostgresStore",
    "SQLiteStore",
    "Scope",
    "Store",
    "TContext",
    "default_scope",
    "store_from_url",
]


def __getattr__(name: str) -> Any:
    if name == "PostgresStore":
        from chatkit_agents.store.postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
