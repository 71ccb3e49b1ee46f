"""Fixtures of the reliability tests: the PostgreSQL fixtures of the store suite, reused as they are."""

from __future__ import annotations

from _store_fixtures import postgres_dsn, postgres_schema

__all__ = ["postgres_dsn", "postgres_schema"]
