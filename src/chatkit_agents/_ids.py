"""Id and clock defaults shared by every layer.

ChatKit ids are generated here (never taken from model providers) with 96 random bits so that ids stay
unique across a whole store, and timestamps are always timezone-aware UTC.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timezone

IdFactory = Callable[[str], str]
"""Makes a new id for an item kind such as ``"message"`` or ``"workflow"``."""

Clock = Callable[[], datetime]
"""Returns the current time as a timezone-aware datetime."""

ID_PREFIXES: dict[str, str] = {
    "thread": "thr",
    "message": "msg",
    "tool_call": "tc",
    "task": "tsk",
    "workflow": "wf",
    "attachment": "atc",
    "sdk_hidden_context": "shcx",
    "image": "img",
    "widget": "wdg",
}


def random_id(kind: str) -> str:
    """Return ``<prefix>_<24 hex chars>``: 96 random bits, collision-safe for any realistic store."""
    prefix = ID_PREFIXES.get(kind, kind[:4] or "id")
    return f"{prefix}_{secrets.token_hex(12)}"


def utc_now() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(timezone.utc)


class SequentialIds:
    """Deterministic ids (``msg_1``, ``wf_2``, ...) for tests and snapshots; one counter per instance."""

    def __init__(self) -> None:
        self._count = 0

    def __call__(self, kind: str) -> str:
        self._count += 1
        return f"{ID_PREFIXES.get(kind, kind)}_{self._count}"


class FixedClock:
    """A clock for tests: starts at ``start`` and advances ``step_seconds`` on every call."""

    def __init__(self, start: datetime | None = None, step_seconds: float = 0.0) -> None:
        from datetime import timedelta

        self._now = start or datetime(2026, 1, 1, tzinfo=timezone.utc)
        if self._now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware start datetime, e.g. tzinfo=timezone.utc")
        self._step = timedelta(seconds=step_seconds)

    def __call__(self) -> datetime:
        now = self._now
        self._now = now + self._step
        return now
