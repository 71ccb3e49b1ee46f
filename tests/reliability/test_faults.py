"""Faults during a turn: model errors, client disconnects, tool exceptions and store write failures.

The sweeps (see ``_fault_sweeps``) move each fault through every position of a turn; here they run on a
selection of stores and turns that stays fast, ``tests/stress`` runs the whole matrix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _fault_sweeps import (
    check_next_message_works,
    new_thread,
    open_store,
    sweep_disconnects,
    sweep_model_errors,
    sweep_store_failures,
    turn,
    turn_items,
    visible,
)
from _reliability_kit import all_items, check_complete_stream, check_done_items_stored, echo_server

PLAIN = "plain words here"
TOOL = "tool:shout loud"
POSTGRES = pytest.mark.postgres


def postgres_of(request: pytest.FixtureRequest, kind: str) -> tuple[str, str] | None:
    if kind != "postgres":
        return None
    return request.getfixturevalue("postgres_dsn"), request.getfixturevalue("postgres_schema")


@pytest.mark.parametrize(
    ("kind", "text"),
    [("memory", PLAIN), ("memory", TOOL), ("sqlite", TOOL), pytest.param("postgres", PLAIN, marks=POSTGRES)],
)
async def test_a_model_error_at_any_point_ends_with_an_error_and_keeps_exactly_what_was_announced(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str, text: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        assert await sweep_model_errors(store, text) > 5


@pytest.mark.parametrize(
    ("kind", "text"),
    [("memory", PLAIN), ("memory", TOOL), ("sqlite", PLAIN)],
)
async def test_a_disconnect_at_any_point_keeps_what_the_client_saw_and_frees_the_thread(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str, text: str
) -> None:
    async with open_store(kind, tmp_path, postgres_of(request, kind)) as store:
        assert await sweep_disconnects(store, text) > 5


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_a_tool_exception_is_reported_to_the_model_and_the_turn_completes(
    tmp_path: Path, kind: str
) -> None:
    async with open_store(kind, tmp_path) as store:
        server = echo_server(store)
        thread_id = await new_thread(server)
        report = await turn(server, thread_id, "tool:explode now")

        check_complete_stream(report)
        assert "error" not in report.types
        final = report.events[-1]["item"]["content"][0]["text"]
        assert final.startswith("Tool said: An error occurred while running the tool")
        check_done_items_stored(report, await all_items(store, thread_id, None))
        await check_next_message_works(server, thread_id)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_a_tool_exception_that_aborts_the_run_ends_with_an_error_and_the_thread_stays_usable(
    tmp_path: Path, kind: str
) -> None:
    async with open_store(kind, tmp_path) as store:
        server = echo_server(store)
        thread_id = await new_thread(server)
        before = await all_items(store, thread_id, None)
        report = await turn(server, thread_id, "tool:explode_hard now")

        check_complete_stream(report)
        assert report.types[-1] == "error"
        stored = await all_items(store, thread_id, None)
        check_done_items_stored(report, stored)
        assert [item.id for item in visible(turn_items(stored, before))] == list(report.done_items)
        await check_next_message_works(server, thread_id)


@pytest.mark.parametrize("after_commit", [False, True], ids=["write-fails", "ack-lost"])
async def test_a_failing_store_write_at_any_point_ends_the_stream_cleanly_and_loses_nothing_announced(
    after_commit: bool,
) -> None:
    assert await sweep_store_failures(TOOL, after_commit=after_commit) >= 4


async def test_a_store_that_stays_down_still_closes_every_announced_item() -> None:
    await sweep_store_failures(TOOL, stay_down=True)


def test_the_sweeps_cover_the_whole_turn() -> None:
    """Guard against a sweep silently shrinking: the scripted turns have the expected length."""
    from _reliability_kit import event_count

    assert event_count(PLAIN) > 12
    assert event_count(TOOL) > 6
