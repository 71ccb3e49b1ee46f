"""The server's pending copy of a streaming message follows every update in order (cancel/error recovery)."""

from __future__ import annotations

from datetime import datetime, timezone

from chatkit_agents.server._pending import PendingItems
from chatkit_agents.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
)

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _message(*texts: str) -> AssistantMessageItem:
    content = [AssistantMessageContent(text=text) for text in texts]
    return AssistantMessageItem(id="msg_1", thread_id="thr_1", created_at=T0, content=content)


def _delta(index: int, text: str) -> AssistantMessageContentPartTextDelta:
    return AssistantMessageContentPartTextDelta(content_index=index, delta=text)


def _texts(pending: PendingItems) -> list[list[str]]:
    return [
        [part.text for part in item.content]
        for item in pending.items()
        if isinstance(item, AssistantMessageItem)
    ]


def test_text_deltas_accumulate_per_part_and_create_missing_parts() -> None:
    pending = PendingItems()
    pending.add(_message(""))
    for text in ("Hel", "lo", " there"):
        pending.apply("msg_1", _delta(0, text))
    pending.apply("msg_1", _delta(2, "third"))
    assert _texts(pending) == [["Hello there", "", "third"]]
    pending.apply("msg_1", _delta(0, "!"))
    assert _texts(pending) == [["Hello there!", "", "third"]]


def test_other_updates_apply_after_the_deltas_that_came_before_them() -> None:
    pending = PendingItems()
    pending.add(_message(""))
    pending.apply("msg_1", _delta(0, "draft"))
    pending.apply(
        "msg_1",
        AssistantMessageContentPartDone(content_index=0, content=AssistantMessageContent(text="final")),
    )
    pending.apply("msg_1", _delta(0, " + more"))
    pending.apply(
        "msg_1", AssistantMessageContentPartAdded(content_index=1, content=AssistantMessageContent(text=""))
    )
    pending.apply("msg_1", _delta(1, "second"))
    assert _texts(pending) == [["final + more", "second"]]


def test_adding_an_item_again_or_discarding_it_forgets_its_deltas() -> None:
    pending = PendingItems()
    pending.add(_message(""))
    pending.apply("msg_1", _delta(0, "lost"))
    pending.add(_message("fresh"))
    pending.apply("msg_1", _delta(0, "!"))
    assert _texts(pending) == [["fresh!"]]
    pending.discard("msg_1")
    pending.apply("msg_1", _delta(0, "ignored"))
    assert _texts(pending) == []
    assert not pending


def test_the_announced_item_is_never_changed_by_the_pending_copy() -> None:
    pending = PendingItems()
    announced = _message("")
    pending.add(announced)
    pending.apply("msg_1", _delta(0, "text"))
    assert _texts(pending) == [["text"]]
    assert announced.content[0].text == ""
