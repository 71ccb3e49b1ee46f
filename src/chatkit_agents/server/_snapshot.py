"""The thread as last saved during a stream, to notice what a responder changed."""

from __future__ import annotations

from pydantic_core import PydanticSerializationError

from chatkit_agents.types import ThreadMetadata


def _json(thread: ThreadMetadata) -> bytes | None:
    try:
        return thread.__pydantic_serializer__.to_json(thread)
    except (PydanticSerializationError, ValueError, TypeError):
        return None  # metadata the serializer cannot write: compare models instead


class SavedThread:
    """A snapshot of ``thread`` kept as its JSON.

    The server checks for changes after every finished item; encoding the thread and comparing bytes
    costs a fraction of a deep copy plus a model comparison. Metadata that cannot be encoded falls back
    to a deep copy compared with ``==``.
    """

    __slots__ = ("_cls", "_copy", "_json")

    def __init__(self, thread: ThreadMetadata) -> None:
        self._cls = type(thread)
        self._json = _json(thread)
        self._copy = thread.model_copy(deep=True) if self._json is None else None

    def differs(self, thread: ThreadMetadata) -> bool:
        """Whether ``thread`` changed since the snapshot."""
        if self._copy is not None:
            return thread != self._copy
        return _json(thread) != self._json

    def thread(self) -> ThreadMetadata:
        """The thread as it was (a new object each call)."""
        if self._copy is not None:
            return self._copy.model_copy(deep=True)
        assert self._json is not None
        return self._cls.model_validate_json(self._json)
