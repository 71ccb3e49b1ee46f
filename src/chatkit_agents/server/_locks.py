"""Per-thread locks that queue requests on one thread in arrival order and never reject one.

The lock is handed over explicitly (no owner task), so a stream that is closed from another task than the
one that opened it (a garbage-collected generator, a framework's cleanup task) still releases its thread.
"""

from __future__ import annotations

from collections import deque
from types import TracebackType

import anyio

__all__ = ["ThreadLocks"]


class _Entry:
    __slots__ = ("locked", "users", "waiters")

    def __init__(self) -> None:
        self.locked = False
        self.users = 0
        self.waiters: deque[anyio.Event] = deque()

    async def acquire(self) -> None:
        if not self.locked and not self.waiters:
            self.locked = True
            return
        turn = anyio.Event()
        self.waiters.append(turn)
        try:
            await turn.wait()
        except BaseException:
            if turn.is_set():
                self.release()  # the lock was handed to us as we were cancelled: pass it on
            else:
                self.waiters.remove(turn)
            raise

    def release(self) -> None:
        if self.waiters:
            self.waiters.popleft().set()  # hand over: stays locked, the next waiter owns it
        else:
            self.locked = False


class ThreadLocks:
    """A registry of FIFO locks keyed by thread id; an entry lives only while someone holds or waits."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def hold(self, thread_id: str) -> _Held:
        """An async context manager that waits for the thread's turn and releases it on exit or cancel."""
        return _Held(self, thread_id)

    def is_busy(self, thread_id: str) -> bool:
        """Whether a request currently holds or waits for this thread."""
        return thread_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def _enter(self, thread_id: str) -> _Entry:
        entry = self._entries.get(thread_id)
        if entry is None:
            entry = self._entries[thread_id] = _Entry()
        entry.users += 1
        return entry

    def _leave(self, thread_id: str, entry: _Entry) -> None:
        entry.users -= 1
        if entry.users == 0:
            del self._entries[thread_id]


class _Held:
    __slots__ = ("_entry", "_locks", "_thread_id")

    def __init__(self, locks: ThreadLocks, thread_id: str) -> None:
        self._locks = locks
        self._thread_id = thread_id
        self._entry: _Entry | None = None

    async def __aenter__(self) -> None:
        entry = self._locks._enter(self._thread_id)
        try:
            await entry.acquire()
        except BaseException:
            self._locks._leave(self._thread_id, entry)
            raise
        self._entry = entry

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        entry, self._entry = self._entry, None
        if entry is not None:
            entry.release()
            self._locks._leave(self._thread_id, entry)
