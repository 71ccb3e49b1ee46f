"""pytest plugin (registered as the ``chatkit_agents`` entry point): fixtures for offline agent tests.

Fixtures: ``chatkit_ids`` (a fresh `SequentialIds`), ``chatkit_clock`` (a `FixedClock` at
2026-01-01T00:00:00Z), ``chatkit_thread`` (a `ThreadMetadata` ``thr_1`` created at that time) and
``run_chatkit`` (a `ScriptedRunner` bound to the three: ``run = await run_chatkit(agent, "Hi", steps)``).
The testing modules are imported only when a fixture is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from chatkit_agents._ids import FixedClock, SequentialIds

if TYPE_CHECKING:
    from chatkit_agents.testing.scripted import ScriptedRunner
    from chatkit_agents.types import ThreadMetadata


@pytest.fixture
def chatkit_ids() -> SequentialIds:
    """Deterministic item ids (``msg_1``, ``wf_2``, ...), one counter per test."""
    return SequentialIds()


@pytest.fixture
def chatkit_clock() -> FixedClock:
    """A clock frozen at 2026-01-01T00:00:00Z, so timestamps never change between runs."""
    return FixedClock()


@pytest.fixture
def chatkit_thread(chatkit_clock: FixedClock) -> ThreadMetadata:
    """The thread runs happen in: id ``thr_1``, created at ``chatkit_clock()``."""
    from chatkit_agents.testing.scripted import fixed_thread

    return fixed_thread(chatkit_clock)


@pytest.fixture
def run_chatkit(
    chatkit_thread: ThreadMetadata, chatkit_ids: SequentialIds, chatkit_clock: FixedClock
) -> ScriptedRunner:
    """``await run_chatkit(agent, input, steps)``: a scripted run on this test's thread, ids and clock."""
    from chatkit_agents.testing.scripted import ScriptedRunner

    return ScriptedRunner(chatkit_thread, chatkit_ids, chatkit_clock)
