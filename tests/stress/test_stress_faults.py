"""The fault sweeps of ``tests/reliability`` over every store and every scripted turn (long)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _fault_sweeps import open_store, sweep_disconnects, sweep_model_errors, sweep_store_failures

pytestmark = pytest.mark.stress

KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TEXTS = [
    "plain words here",
    "a much longer message with many more words to stream",
    "tool:shout loud",
    "tool:explode x",
]


def postgres_of(request: pytest.FixtureRequest, kind: str) -> tuple[str, str] | None:
    if kind != "postgres":
        return None
    return request.getfixturevalue("postgres_dsn"), request.getfixturevalue("postgres_schema")


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("kind", KINDS)
async def test_model_errors_at_every_point(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str, text: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        assert await sweep_model_errors(store, text) > 5


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("kind", KINDS)
async def test_disconnects_at_every_point(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str, text: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        assert await sweep_disconnects(store, text) > 5


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("after_commit", [False, True], ids=["write-fails", "ack-lost"])
async def test_store_failures_at_every_write(text: str, after_commit: bool) -> None:
    assert await sweep_store_failures(text, after_commit=after_commit) >= 3


@pytest.mark.parametrize("text", TEXTS)
async def test_a_store_that_stays_down(text: str) -> None:
    await sweep_store_failures(text, stay_down=True)
