"""kill -9 after every frame of a held reply, SQLite and PostgreSQL, restarting on the same database."""

from __future__ import annotations

from pathlib import Path

import pytest
from _crash_harness import crash_cycles
from _reliability_kit import event_count

pytestmark = pytest.mark.stress

TEXT = "tell me something"
HELD = f"{TEXT} pause:{event_count(TEXT) - 1}"  # the model stops before response.completed
HELD_FRAMES = 14  # frames of an add_user_message turn before the hold (see _crash_harness)
TOOL_FRAMES = 4  # frames before the waiting tool: user message, options, workflow added, task added


def every_kill_point() -> list[tuple[str, int]]:
    """The first kill creates the thread (one extra frame), then one kill after every frame of each turn."""
    kills = [(HELD, 6)]
    kills += [(HELD, frames) for frames in range(1, HELD_FRAMES + 1)]
    kills += [("tool:wait_for_go", frames) for frames in range(1, TOOL_FRAMES + 1)]
    return kills


def test_kill_9_after_every_frame_with_sqlite(tmp_path: Path) -> None:
    kills = every_kill_point()
    log = crash_cycles(f"sqlite:///{tmp_path / 'crash.db'}", tmp_path, kills)
    assert log.kills == len(kills)


@pytest.mark.postgres
def test_kill_9_after_every_frame_with_postgres(
    tmp_path: Path, postgres_dsn: str, postgres_schema: str
) -> None:
    kills = every_kill_point()
    separator = "&" if "?" in postgres_dsn else "?"
    log = crash_cycles(f"{postgres_dsn}{separator}schema={postgres_schema}", tmp_path, kills)
    assert log.kills == len(kills)
