"""Long reliability runs, skipped unless asked for: ``pytest tests/stress --stress`` or ``CHATKIT_STRESS=1``.

``nox -s stress`` runs them. They reuse the kit of ``tests/reliability`` (put on ``sys.path`` here) and its
PostgreSQL fixtures.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

RELIABILITY = Path(__file__).resolve().parent.parent / "reliability"
if str(RELIABILITY) not in sys.path:
    sys.path.insert(0, str(RELIABILITY))

from _store_fixtures import postgres_dsn, postgres_schema  # noqa: E402

__all__ = ["postgres_dsn", "postgres_schema"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stress", action="store_true", default=False, help="run the long tests in tests/stress"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "stress: long reliability run, skipped unless --stress or CHATKIT_STRESS=1"
    )


def _enabled(config: pytest.Config) -> bool:
    try:
        flag = bool(config.getoption("--stress"))
    except ValueError:  # this conftest was not an initial one, so the option is unknown
        flag = False
    return flag or os.environ.get("CHATKIT_STRESS", "") not in ("", "0")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _enabled(config):
        return
    skip = pytest.mark.skip(reason="stress test: run with `nox -s stress`, --stress or CHATKIT_STRESS=1")
    here = Path(__file__).resolve().parent
    for item in items:
        if item.get_closest_marker("stress") is not None or here in Path(str(item.path)).parents:
            item.add_marker(skip)
