"""``python -m benchmarks.steps``: where a served request's cost goes, step by step, under callgrind.

`benchmarks.instructions` says how much a served request costs above the raw floor; this tool says
where. In a child process under callgrind, it wraps the server's and converter's steps (parsing the
request, preparing the thread, the store, the thread snapshot, the pending copy, encoding, the
converter's handlers...) so that each call is bracketed by markers (``os.getppid()``, at which callgrind
dumps its counters), then runs raw and served one-delta requests alternately. Every dump is charged to
the step that was running, so a step's row excludes the steps nested in it (the store calls inside
request preparation have rows of their own), and the request's own row holds everything not wrapped: the
SDK, the converter's loop and the glue between steps.

The cache simulation is on by default (``--no-cache`` counts instructions only, about twice as fast);
rows are medians over the measured requests. Each marker costs a few thousand instructions and disturbs
the caches a little, so compare a step with itself between two versions of the code, and read the
request total here as an upper bound of the unmarked one that `benchmarks.instructions` reports.
An async step also counts whatever runs while it waits; the steps wrapped here do not wait on anything
in the benchmark (the store is a `MemoryStore`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import importlib
import inspect
import json
import os
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.instructions import (
    L1_MISSES,
    LL_MISSES,
    SETUP,
    ValgrindMissingError,
    estimated_cycles,
    measure_requests,
    run_callgrind,
    second_level_cache,
)

VARIANTS = ("raw", "serve")
CONVERTER_PREFIX = "converter: "
"""Rows of the converter's plain-function handlers are this prefix and the event they handle."""


@dataclass(frozen=True)
class Step:
    """A function to bracket with markers: ``attribute`` (``name`` or ``Class.name``) of ``module``."""

    module: str
    attribute: str
    label: str


STEPS: tuple[Step, ...] = (
    Step("chatkit_agents.server.server", "parse_request", "parsing the request"),
    Step("chatkit_agents.server.server", "ChatKitServer._prepare", "request preparation (the rest of it)"),
    Step("chatkit_agents.store.memory", "MemoryStore.save_thread", "store: saving a thread"),
    Step("chatkit_agents.store.memory", "MemoryStore.save_item", "store: saving an item"),
    Step("chatkit_agents.server.server", "ChatKitServer.thread_response", "thread_response"),
    Step("chatkit_agents.server.memory", "ThreadMemory.prepare_run", "history for the model"),
    Step("chatkit_agents.server._snapshot", "SavedThread.__init__", "thread snapshot"),
    Step("chatkit_agents.server._snapshot", "SavedThread.differs", "thread snapshot"),
    Step("chatkit_agents.server._pending", "PendingItems.add", "pending copy"),
    Step("chatkit_agents.server._pending", "PendingItems.apply", "pending copy"),
    Step("chatkit_agents.server._pending", "PendingItems.discard", "pending copy"),
    Step("chatkit_agents.server._pending", "PendingItems.items", "pending copy"),
    Step("chatkit_agents.server.server", "encode_event", "encoding events"),
    Step("chatkit_agents.agents.stream", "StreamConverter.create_state", "converter: its state"),
)
"""What ``python -m benchmarks.steps`` brackets (several functions may share a row)."""


@dataclass
class Marks:
    """Labels of the markers a run passes, and calls per step; ``marker`` is what callgrind dumps at.

    ``labels[k]`` names what ran up to marker call number ``k + 1`` (callgrind's dump ``k + 1``): `SETUP`
    for the time between requests, a variant's name for its request's own work, or a step's label.
    """

    marker: Callable[[], object] = os.getppid
    labels: list[str] = field(default_factory=list[str])
    calls: dict[str, Counter[str]] = field(default_factory=dict[str, Counter[str]])
    _stack: list[str] = field(default_factory=list[str])

    def begin(self, variant: str) -> None:
        """A measured request of ``variant`` starts."""
        self._mark(SETUP)
        self._stack = [variant]
        self.calls.setdefault(variant, Counter())[variant] += 1

    def end(self) -> None:
        """The measured request ends."""
        self._mark(self._stack[0])
        self._stack = []

    def enter(self, label: str) -> None:
        """A step starts (ignored between measured requests)."""
        if not self._stack:
            return
        self._mark(self._stack[-1])
        self._stack.append(label)
        self.calls[self._stack[0]][label] += 1

    def leave(self) -> None:
        """The innermost step ends."""
        if len(self._stack) < 2:
            return
        self._mark(self._stack.pop())

    def _mark(self, label: str) -> None:
        self.labels.append(label)
        self.marker()


def _bracketed(function: Callable[..., Any], label: str, marks: Marks) -> Callable[..., Any]:
    """``function`` with a marker before and after each call, charged to ``label``."""
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def awaited(*args: Any, **kwargs: Any) -> Any:
            marks.enter(label)
            try:
                return await function(*args, **kwargs)
            finally:
                marks.leave()

        return awaited

    @functools.wraps(function)
    def called(*args: Any, **kwargs: Any) -> Any:
        marks.enter(label)
        try:
            return function(*args, **kwargs)
        finally:
            marks.leave()

    return called


def _converter_handlers(original: Callable[[Any], dict[str, Any]], marks: Marks) -> Callable[[Any], Any]:
    """`StreamConverter._inline_handlers` whose every handler is bracketed, labelled by its event."""

    wrapped: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}

    @functools.wraps(original)
    def handlers(converter: Any) -> dict[str, Any]:
        found = original(converter)  # cached by the converter: wrap each table once
        known = wrapped.get(id(found))
        if known is None or known[0] is not found:
            table = {
                event: _bracketed(handler, CONVERTER_PREFIX + event, marks)
                for event, handler in found.items()
            }
            known = wrapped[id(found)] = (found, table)
        return known[1]

    return handlers


@contextlib.contextmanager
def bracketed(marks: Marks, steps: tuple[Step, ...] = STEPS) -> Generator[None]:
    """Bracket ``steps`` and the converter's plain-function handlers while the block runs; restored after."""
    from chatkit_agents.agents.stream import StreamConverter

    originals: list[tuple[Any, str, Any]] = []
    try:
        for step in steps:
            owner: Any = importlib.import_module(step.module)
            *path, name = step.attribute.split(".")
            for part in path:
                owner = getattr(owner, part)
            function = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
            originals.append((owner, name, function))
            setattr(owner, name, _bracketed(function, step.label, marks))
        handlers = StreamConverter.__dict__["_inline_handlers"]
        originals.append((StreamConverter, "_inline_handlers", handlers))
        StreamConverter._inline_handlers = _converter_handlers(handlers, marks)  # type: ignore[method-assign]
        yield
    finally:
        for owner, name, function in reversed(originals):
            setattr(owner, name, function)


async def _child(deltas: int, reps: int, marks: Marks) -> dict[str, Any]:
    """Warm up, then run ``reps`` marked requests of each variant; returns the labels and calls."""
    with bracketed(marks):
        await measure_requests(deltas, reps, list(VARIANTS), marks.begin, lambda name: marks.end())
    return {"labels": marks.labels, "calls": {variant: dict(calls) for variant, calls in marks.calls.items()}}


Request = dict[str, dict[str, int]]
"""One measured request: label -> its events summed over the request."""


def per_step(labels: list[str], dumps: dict[int, dict[str, int]]) -> dict[str, list[Request]]:
    """Per variant, one entry per measured request: each label's events summed over that request.

    A request starts after a `SETUP` marker and its first label is its variant; its own work (everything
    not in a step) is under the variant's name.
    """
    requests: dict[str, list[Request]] = {}
    current: Request | None = None
    for index, label in enumerate(labels):
        if label == SETUP:
            current = None
            continue
        if current is None:
            current = {}
            requests.setdefault(label, []).append(current)
        summed = current.setdefault(label, {})
        for name, value in dumps.get(index + 1, {}).items():
            summed[name] = summed.get(name, 0) + value
    return requests


def _total(request: Request) -> dict[str, int]:
    """A request's events over all its labels."""
    total: dict[str, int] = {}
    for events in request.values():
        for name, value in events.items():
            total[name] = total.get(name, 0) + value
    return total


def render_steps(
    requests: dict[str, list[Request]],
    calls: dict[str, dict[str, int]],
    variant: str = "serve",
) -> str:
    """A markdown table of the variant's steps by estimated cycles, then its total against raw."""
    runs = requests[variant]
    reps = len(runs)

    def median(label: str, value: Callable[[dict[str, int]], int]) -> float:
        return statistics.median(value(run.get(label, {})) for run in runs)

    def misses(names: tuple[str, ...]) -> Callable[[dict[str, int]], int]:
        return lambda events: sum(events.get(name, 0) for name in names)

    def row(name: str, count: str, events: list[dict[str, int]]) -> str:
        return (
            f"| {name} | {count} | {statistics.median(e.get('Ir', 0) for e in events):,.0f} "
            f"| {statistics.median(misses(L1_MISSES)(e) for e in events):,.0f} "
            f"| {statistics.median(misses(LL_MISSES)(e) for e in events):,.0f} "
            f"| {statistics.median(estimated_cycles(e) for e in events):,.0f} |"
        )

    labels = {label for run in runs for label in run if label != variant}
    ordered = sorted(labels, key=lambda label: (-median(label, estimated_cycles), label))
    lines = [
        f"| step ({variant}, exclusive, median of {reps}) | calls | instructions | L1 misses | L2 misses "
        "| cycles (est.) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label in ordered:
        count = calls.get(variant, {}).get(label, 0) / max(calls.get(variant, {}).get(variant, 1), 1)
        lines.append(row(label, f"{count:g}", [run.get(label, {}) for run in runs]))
    lines.append(
        row(
            "the rest of the request (SDK, converter loop, glue)", "-", [run.get(variant, {}) for run in runs]
        )
    )
    totals = [_total(run) for run in runs]
    lines.append(row(f"**{variant}, whole request (with markers)**", "-", totals))
    if "raw" in requests:
        lines.append(row("**raw floor**", "-", [_total(run) for run in requests["raw"]]))
    return "\n".join(lines)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.steps", description=__doc__)
    parser.add_argument("--n", type=int, default=1, help="text deltas per request (default 1)")
    parser.add_argument("--reps", type=int, default=3, help="measured requests per variant (default 3)")
    parser.add_argument(
        "--no-cache", action="store_true", help="count instructions only (no cache simulation)"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        args.child.write_text(json.dumps(asyncio.run(_child(args.n, args.reps, Marks()))))
        return
    cache = None if args.no_cache else second_level_cache()
    child = ["benchmarks.steps", "--n", str(args.n), "--reps", str(args.reps)]
    try:
        written, dumps = run_callgrind(child, cache)
    except ValgrindMissingError as error:
        sys.exit(str(error))
    assert isinstance(written, dict)
    print(render_steps(per_step(written["labels"], dumps), written["calls"]))


if __name__ == "__main__":
    main()
