"""The server's snapshot of a thread notices every change a responder makes, in place or not."""

from __future__ import annotations

from datetime import datetime, timezone

from chatkit_agents.server._snapshot import SavedThread
from chatkit_agents.types import ThreadMetadata

_CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _thread() -> ThreadMetadata:
    return ThreadMetadata(id="thr_1", created_at=_CREATED, title="Old", metadata={"nested": {"n": 1}})


def test_unchanged_thread_does_not_differ() -> None:
    thread = _thread()
    assert not SavedThread(thread).differs(thread)


def test_title_and_in_place_metadata_changes_are_noticed() -> None:
    thread = _thread()
    saved = SavedThread(thread)
    thread.metadata["nested"]["n"] = 2
    assert saved.differs(thread)
    renamed = _thread()
    saved = SavedThread(renamed)
    renamed.title = "New"
    assert saved.differs(renamed)


def test_snapshot_gives_back_the_thread_as_it_was() -> None:
    thread = _thread()
    saved = SavedThread(thread)
    thread.metadata["nested"]["n"] = 2
    thread.title = "New"
    assert saved.thread() == _thread()
    assert saved.thread() is not saved.thread()


def test_metadata_the_serializer_cannot_write_falls_back_to_comparing_models() -> None:
    class Opaque:
        def __eq__(self, other: object) -> bool:
            return isinstance(other, Opaque)

        __hash__ = object.__hash__

    thread = _thread()
    thread.metadata["opaque"] = Opaque()
    saved = SavedThread(thread)
    assert not saved.differs(thread)
    thread.title = "New"
    assert saved.differs(thread)
    assert saved.thread().title == "Old"
