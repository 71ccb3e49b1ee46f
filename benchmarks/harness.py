"""Adapter contract, the raw floor, timing with interleaved variants, statistics and machine description.

Every variant runs in the same process and event loop; within each repetition the variants run one after
the other in a rotating order, so drift and noise from other processes hit all of them alike. Ratios are
paired: ``variant / raw`` within one repetition, then the median over repetitions.

Each timed run starts after a full ``gc.collect()`` outside the clock, so one variant's garbage is never
collected on another's time. A collection empties CPython's free lists and walks the heap, so the run right
after it starts with cold caches; for runs of a few milliseconds (one request) that costs more than the
code being measured. `measure` therefore takes ``warm=True`` for such suites: after the collection, one
untimed run of the same variant, as in a server that has just answered a request.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from agents import RawResponsesStreamEvent, Runner
from agents import StreamEvent as AgentStreamEvent
from benchmarks.scenarios import Mode, PreparedRun, Scenario

__all__ = [
    "Adapter",
    "Counts",
    "Sample",
    "Stats",
    "VariantFn",
    "env_info",
    "is_raw_text_delta",
    "measure",
    "run_raw",
    "summarize",
]


class Counts(NamedTuple):
    """What one run produced: events (or SSE chunks) and bytes (0 when nothing is serialised)."""

    events: int
    bytes: int


class Adapter(Protocol):
    """One ChatKit library under test.

    ``convert`` pipes ``Runner.run_streamed`` through the library's converter and consumes every event
    object; ``serve`` sends a ``threads.create`` body to the library's server and consumes every SSE byte.
    Each call builds its own store entries and contexts, so calls are independent.
    """

    name: str

    def reset(self) -> None:
        """Forget the threads stored by earlier calls."""
        ...

    async def convert(self, run: PreparedRun, on_event: Callable[[Any], None] | None = None) -> Counts:
        """Converter only: run events in, ChatKit event objects out."""
        ...

    async def serve(self, run: PreparedRun, on_chunk: Callable[[bytes], None] | None = None) -> Counts:
        """End to end: request bytes in, SSE bytes out."""
        ...

    def is_text_delta_event(self, event: Any) -> bool:
        """Whether a converted event carries assistant text (for time to first delta)."""
        ...

    def is_text_delta_chunk(self, chunk: bytes) -> bool:
        """Whether an SSE chunk carries assistant text (for time to first delta)."""
        ...


VariantFn = Callable[[PreparedRun], Awaitable[Counts]]


async def run_raw(run: PreparedRun, on_event: Callable[[AgentStreamEvent], None] | None = None) -> Counts:
    """The floor: consume ``Runner.run_streamed(...).stream_events()`` with no conversion at all."""
    result = Runner.run_streamed(run.agent(), run.user_text, max_turns=100)
    count = 0
    async for event in result.stream_events():
        count += 1
        if on_event is not None:
            on_event(event)
    return Counts(count, 0)


def is_raw_text_delta(event: AgentStreamEvent) -> bool:
    """Whether a raw SDK event is a text delta."""
    return isinstance(event, RawResponsesStreamEvent) and event.data.type == "response.output_text.delta"


@dataclass
class Stats:
    """Order statistics of one variant's samples (seconds)."""

    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float
    n: int


def summarize(samples: Sequence[float]) -> Stats:
    """Median, quartiles and range of ``samples``."""
    ordered = sorted(samples)
    quartiles = statistics.quantiles(ordered, n=4) if len(ordered) >= 2 else [ordered[0]] * 3
    return Stats(
        median=statistics.median(ordered),
        q1=quartiles[0],
        q3=quartiles[2],
        minimum=ordered[0],
        maximum=ordered[-1],
        n=len(ordered),
    )


@dataclass
class Sample:
    """All repetitions of one variant on one scenario."""

    wall: list[float] = field(default_factory=list[float])
    cpu: list[float] = field(default_factory=list[float])
    counts: Counts = field(default_factory=lambda: Counts(0, 0))


async def measure(
    scenario: Scenario,
    variants: dict[str, VariantFn],
    reps: int,
    *,
    mode: Mode = "yield",
    reset: Callable[[], None] = lambda: None,
    warmup: int = 1,
    warm: bool = False,
) -> dict[str, Sample]:
    """Time every variant ``reps`` times on fresh runs of ``scenario``, interleaved in rotating order.

    Each run starts after a full collection (outside the clock), so one variant's garbage is never
    collected on another's time. With ``warm``, an untimed run of the same variant follows the
    collection, so the timed run starts with the caches of a server in use (see the module docstring).
    """
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            await variants[name](scenario.prepare(mode))
            reset()
    samples = {name: Sample() for name in names}
    for rep in range(reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            run = scenario.prepare(mode)  # built before the clock starts
            gc.collect()  # garbage left by the previous variant is not collected on this one's clock
            if warm:
                await variants[name](scenario.prepare(mode))
                reset()
            wall0 = time.perf_counter()
            cpu0 = time.process_time()
            counts = await variants[name](run)
            cpu1 = time.process_time()
            wall1 = time.perf_counter()
            sample = samples[name]
            sample.wall.append(wall1 - wall0)
            sample.cpu.append(cpu1 - cpu0)
            sample.counts = counts
            reset()
    return samples


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _cpu_model() -> str:
    for line in _command("lscpu").splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        return None
    return None


def cpu_steadiness(runs: int = 200) -> dict[str, float]:
    """How much the machine's speed varies: a fixed pure-Python loop timed ``runs`` times.

    On a shared host the median run can be far slower than the fastest; every median in the report is
    slowed by about the same factor (ratios to raw are not, absolute milliseconds are).
    """
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        total = 0
        for number in range(20_000):
            total += number
        samples.append(time.perf_counter() - started)
    fastest, median = min(samples), statistics.median(samples)
    return {"fastest_ms": fastest * 1e3, "median_ms": median * 1e3, "median_over_fastest": median / fastest}


def env_info() -> dict[str, Any]:
    """The machine and software the numbers come from."""

    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    try:
        load: list[float] | None = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    nproc = _command("nproc").strip()
    return {
        "nproc": int(nproc) if nproc.isdigit() else os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "event_loop": type(asyncio.get_running_loop()).__module__,
        "load_average_at_start": load,
        "packages": {
            name: version(name)
            for name in (
                "chatkit-agents",
                "openai-agents",
                "openai",
                "pydantic",
                "pydantic-core",
                "anyio",
                "openai-chatkit",
            )
        },
        "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "cpu_steadiness": cpu_steadiness(),
    }
