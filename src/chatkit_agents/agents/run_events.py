"""Where `stream_agent_response` reads from: the run's events and tool requests, merged in one order.

Tools talk to the running stream through `AgentContext`, which hands a `PendingRequest` to a
`RequestSender`. Two sources implement the merge:

* `QueueSource` (used whenever the run exposes its event queue, as openai-agents 0.24 does): requests
  are put into the run's own event queue, so the consumer reads run events and requests with one
  ``stream_events()`` iteration in its own task. Nothing is added per run event: no extra task, no
  second hand-off, which is what lets the converter stay within 1.3x of reading the raw stream.
* `PumpSource` (the fallback for any other run object): one pump task forwards ``stream_events()`` into a
  FIFO that tools write to as well.

Both give requests in the order they were sent relative to the run's events, and both report requests
that were sent but never reached the consumer (`leftovers`), so none is lost or left waiting.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, cast

import anyio

from agents import RunResultStreaming
from chatkit_agents.agents.context import PendingRequest

STOP_TIMEOUT = 5.0
"""Seconds a stopping stream waits (shielded) for the cancelled run to wind down."""


@dataclass(frozen=True)
class _RunFinished:
    """Put into the pump's FIFO when the run's stream ended; ``error`` is what it raised, if anything."""

    error: Exception | None


class EventSource:
    """Run events and tool requests for one consumer, in order; see the module docstring."""

    def __init__(self, result: RunResultStreaming) -> None:
        self.result = result

    def sender(self) -> _Sender:
        """The send side handed to `AgentContext` (its ``close`` does not end the run's stream)."""
        raise NotImplementedError

    def start(self) -> Callable[[], Awaitable[Any]]:
        """Begin reading; returns the ``__anext__``-like function giving the next message.

        A message is a run event or a `PendingRequest`. At the end of the run it raises
        ``StopAsyncIteration``, or the exception the run ended with.
        """
        raise NotImplementedError

    def leftovers(self) -> list[PendingRequest]:
        """Requests sent but not handled so far (``done`` not set); call once the run's stream ended."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Cancel the run if it still goes and wait (shielded, at most `STOP_TIMEOUT`) for it to end."""
        raise NotImplementedError


class _Sender:
    """One send side: forwards to ``put`` until closed, then raises ``anyio.ClosedResourceError``."""

    __slots__ = ("_closed", "_put")

    def __init__(self, put: Callable[[Any], None]) -> None:
        self._put = put
        self._closed = False

    def send_nowait(self, item: Any, /) -> None:
        """Queue ``item``; ``anyio.ClosedResourceError`` after `close`."""
        if self._closed:
            raise anyio.ClosedResourceError
        self._put(item)

    def close(self) -> None:
        """Send nothing more through this side."""
        self._closed = True


def run_event_queue(result: Any) -> asyncio.Queue[Any] | None:
    """The run's own unbounded event queue, or None when this run object has no such queue."""
    queue = getattr(result, "_event_queue", None)
    if type(queue) is asyncio.Queue and queue.maxsize == 0:
        return cast("asyncio.Queue[Any]", queue)
    return None


def event_source(result: RunResultStreaming) -> EventSource:
    """The fastest source this run supports."""
    queue = run_event_queue(result)
    return PumpSource(result) if queue is None else QueueSource(result, queue)


class QueueSource(EventSource):
    """Requests travel through the run's own event queue; the consumer iterates ``stream_events()``.

    The run's stream yields whatever is in its queue, so a request arrives exactly where it was sent
    among the run's events. Requests are also remembered until handled: one sent after
    the run put its end marker (or dropped when the run drains its queue) comes back from `leftovers`.
    """

    def __init__(self, result: RunResultStreaming, queue: asyncio.Queue[Any]) -> None:
        super().__init__(result)
        self._queue = queue
        self._sent: list[PendingRequest] = []
        self._events: AsyncIterator[Any] | None = None

    def _put(self, item: Any) -> None:
        if isinstance(item, PendingRequest):
            sent = self._sent
            if len(sent) >= 64:
                sent[:] = [pending for pending in sent if not pending.done.is_set()]
            sent.append(item)
        self._queue.put_nowait(item)

    def sender(self) -> _Sender:
        """A send side putting into the run's event queue."""
        return _Sender(self._put)

    def start(self) -> Callable[[], Awaitable[Any]]:
        """The ``__anext__`` of ``stream_events()``, iterated in the caller's own task."""
        events = self._events = cast(AsyncIterator[Any], self.result.stream_events())
        return events.__anext__

    def leftovers(self) -> list[PendingRequest]:
        """Requests put into the queue that were never handled (the run ended or drained its queue)."""
        left = [pending for pending in self._sent if not pending.done.is_set()]
        self._sent.clear()
        return left

    async def stop(self) -> None:
        """Cancel the run, then close the run's stream, which waits for the cancelled run task."""
        result = self.result
        events: Any = self._events
        task = result.run_loop_task
        ended = events is None or getattr(events, "ag_frame", False) is None
        if ended and result.is_complete and (task is None or task.done()):
            return  # the usual end: the stream ran out after the run finished; nothing to wait for
        if not result.is_complete:
            result.cancel()
        with anyio.move_on_after(STOP_TIMEOUT, shield=True):
            if events is not None:
                await events.aclose()
            if task is not None and not task.done():
                await asyncio.wait([task])


class PumpSource(EventSource):
    """A pump task forwards ``stream_events()`` into a FIFO that tools also write to."""

    def __init__(self, result: RunResultStreaming) -> None:
        super().__init__(result)
        self._items: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._pump: asyncio.Future[None] | None = None

    def _put(self, item: Any) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def sender(self) -> _Sender:
        """A send side appending to the FIFO."""
        return _Sender(self._put)

    async def _receive(self) -> Any:
        items = self._items
        while not items:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            await waiter
        item = items.popleft()
        if type(item) is _RunFinished:
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item

    async def _forward(self) -> None:
        error: Exception | None = None
        try:
            async with aclosing(cast(Any, self.result.stream_events())) as events:
                async for event in events:
                    self._put(event)
        except Exception as exc:
            error = exc
        self._put(_RunFinished(error))

    def start(self) -> Callable[[], Awaitable[Any]]:
        """Start the pump task; messages come from the FIFO."""
        self._pump = asyncio.ensure_future(self._forward())
        return self._receive

    def leftovers(self) -> list[PendingRequest]:
        """Requests still in the FIFO (sent after the run's stream ended)."""
        left = [item for item in self._items if isinstance(item, PendingRequest)]
        self._items.clear()
        return left

    async def stop(self) -> None:
        """Cancel the run and the pump, then wait for both."""
        result = self.result
        if not result.is_complete:
            result.cancel()
        waiting: list[asyncio.Future[Any]] = []
        pump = self._pump
        if pump is not None and not pump.done():
            pump.cancel()
            waiting.append(pump)
        if result.run_loop_task is not None and not result.run_loop_task.done():
            waiting.append(result.run_loop_task)
        if waiting:
            with anyio.move_on_after(STOP_TIMEOUT, shield=True):
                await asyncio.wait(waiting)
