from datetime import timezone

import pytest

from chatkit_agents._ids import FixedClock, SequentialIds, random_id, utc_now


def test_random_ids_carry_a_kind_prefix_and_96_random_bits() -> None:
    ids = {random_id("message") for _ in range(1000)}
    assert len(ids) == 1000
    sample = next(iter(ids))
    prefix, _, token = sample.partition("_")
    assert prefix == "msg"
    assert len(token) * 4 == 96


def test_utc_now_is_timezone_aware() -> None:
    assert utc_now().tzinfo is timezone.utc


def test_sequential_ids_count_per_instance() -> None:
    first, second = SequentialIds(), SequentialIds()
    assert [first("message"), first("workflow"), second("message")] == ["msg_1", "wf_2", "msg_1"]


def test_fixed_clock_advances_by_its_step_and_rejects_naive_starts() -> None:
    clock = FixedClock(step_seconds=1.5)
    assert (clock() - clock()).total_seconds() == -1.5
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2026, 1, 1))
