"""`store_from_url`: pick and configure a bundled store from one URL (for the CLI and config files)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from chatkit_agents.store.base import Store

__all__ = ["store_from_url"]


def store_from_url(url: str) -> Store[Any]:
    """Build a store: ``memory://``, ``sqlite:///relative.db``, ``sqlite:////abs/path.db`` or ``postgres://...``.

    A Postgres URL may carry ``?schema=name`` to keep the tables in their own schema; the rest of the
    URL goes to libpq unchanged.
    """
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "memory":
        from chatkit_agents.store.memory import MemoryStore

        return MemoryStore()
    if scheme == "sqlite":
        from chatkit_agents.store.sqlite import SQLiteStore

        path = rest[1:] if rest.startswith("/") else rest
        if not path:
            raise ValueError(
                f"{url!r} names no database file; write sqlite:///chat.db (relative) or "
                "sqlite:////var/lib/app/chat.db (absolute)"
            )
        return SQLiteStore(path)
    if scheme in ("postgres", "postgresql"):
        from chatkit_agents.store.postgres import PostgresStore

        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        schema_values = query.pop("schema", ["public"])
        remaining = "&".join(f"{key}={value}" for key, values in query.items() for value in values)
        dsn = urlunsplit((parts.scheme, parts.netloc, parts.path, remaining, parts.fragment))
        return PostgresStore(dsn, schema=schema_values[-1])
    raise ValueError(
        f"unsupported store URL {url!r}; use memory://, sqlite:///path/to/file.db or postgres://user@host/db"
    )
