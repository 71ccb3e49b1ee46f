"""kill -9 mid-stream, SQLite and PostgreSQL: after a restart everything announced done is there exactly once.

The reply is held before it can finish (the model pauses before its last event, or a tool waits), the client
reads K frames of the stream, the server process gets SIGKILL, and a new process on the same database must
list every item the client saw finished, exactly once, and answer a new message. A server start costs
seconds, so this runs one kill per database; ``tests/stress`` kills after every frame of the stream.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _crash_harness import crash_cycles
from _reliability_kit import event_count

TEXT = "tell me something"
HELD = f"{TEXT} pause:{event_count(TEXT) - 1}"  # held before response.completed: the turn never ends


def test_kill_9_mid_message_with_sqlite_loses_nothing_announced(tmp_path: Path) -> None:
    # frame 10 of a new thread: created, user message, options, reasoning (4 frames), reply added, part, delta
    log = crash_cycles(f"sqlite:///{tmp_path / 'crash.db'}", tmp_path, [(HELD, 10)])

    assert log.kills == 1
    assert log.frames_seen[0] >= 10
    assert list(log.announced.values()).count("user_message") == 2
    assert list(log.announced.values()).count("workflow") == 2  # the killed turn's reasoning was finished


@pytest.mark.postgres
def test_kill_9_inside_a_tool_with_postgres_loses_nothing_announced(
    tmp_path: Path, postgres_dsn: str, postgres_schema: str
) -> None:
    separator = "&" if "?" in postgres_dsn else "?"
    url = f"{postgres_dsn}{separator}schema={postgres_schema}"
    log = crash_cycles(url, tmp_path, [("tool:wait_for_go", 4)])  # the tool's workflow is on screen

    assert log.kills == 1
    assert log.frames_seen[0] >= 4
    assert "user_message" in log.announced.values()
