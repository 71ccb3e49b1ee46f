"""The benchmark suites of issue 7; each returns a JSON-ready dict and shares one event loop and process.

* `text`: N one-token deltas, raw floor vs convert vs serve (per library), N = 1,000 and 10,000.
* `fixed_cost`: the same with N = 1: what one request costs above the raw floor.
* `agentic`: reasoning summaries + 20 function tool calls over 4 turns, then reasoning + 500 text deltas.
* `reasoning_bytes`: SSE bytes per reasoning-summary delta as the summary grows (R = 100 ... 3,000).
* `concurrency`: 200 streams of 200 deltas at once in one loop: throughput, time to first event/delta.
* `idle_memory`: Python memory held per open stream that waits for its model (tracemalloc).
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents import StreamEvent as AgentStreamEvent
from benchmarks.harness import (
    Adapter,
    Counts,
    Sample,
    VariantFn,
    is_raw_text_delta,
    measure,
    run_raw,
    summarize,
)
from benchmarks.scenarios import PreparedRun, Scenario, agentic_scenario, reasoning_scenario, text_scenario

__all__ = [
    "BenchConfig",
    "agentic",
    "concurrency",
    "fixed_cost",
    "idle_memory",
    "reasoning_bytes",
    "text",
]


@dataclass(frozen=True)
class BenchConfig:
    """Sizes and repetitions of every suite (the defaults take about two minutes on 2 idle cores)."""

    text_sizes: tuple[int, ...] = (1_000, 10_000)
    text_reps: dict[int, int] = field(default_factory=lambda: {1_000: 21, 10_000: 15})
    fixed_reps: int = 101
    agentic_tool_calls: int = 20
    agentic_calls_per_turn: int = 5
    agentic_reasoning_deltas: int = 100
    agentic_text_deltas: int = 500
    agentic_reps: int = 11
    reasoning_sizes: tuple[int, ...] = (100, 1_000, 3_000)
    concurrent_streams: int = 200
    concurrent_deltas: int = 200
    concurrency_reps: int = 3
    idle_streams: int = 100


QUICK = BenchConfig(
    text_reps={1_000: 9, 10_000: 3}, fixed_reps=21, agentic_reps=5, concurrency_reps=1, idle_streams=50
)
"""Fewer repetitions, for trying an optimisation (noisier ratios)."""

SMOKE = BenchConfig(
    text_sizes=(5,),
    text_reps={5: 1},
    fixed_reps=1,
    agentic_tool_calls=2,
    agentic_calls_per_turn=1,
    agentic_reasoning_deltas=3,
    agentic_text_deltas=4,
    agentic_reps=1,
    reasoning_sizes=(20,),
    concurrent_streams=3,
    concurrent_deltas=5,
    concurrency_reps=1,
    idle_streams=2,
)
"""One tiny run of every suite: keeps the harness from rotting (``tests/test_benchmarks_smoke.py``)."""


def _variants(adapters: dict[str, Adapter]) -> dict[str, VariantFn]:
    variants: dict[str, VariantFn] = {"raw": lambda run: run_raw(run)}
    for key, adapter in adapters.items():
        variants[f"{key}.convert"] = adapter.convert
        variants[f"{key}.serve"] = adapter.serve
    return variants


def _reset_all(adapters: dict[str, Adapter]) -> Callable[[], None]:
    def reset() -> None:
        for adapter in adapters.values():
            adapter.reset()

    return reset


def _paired(values: list[float], raw: list[float], combine: Callable[[float, float], float]) -> float:
    """Median over repetitions of ``combine(variant, raw)`` within the same repetition."""
    return statistics.median(combine(value, base) for value, base in zip(values, raw, strict=True))


def _variant_rows(samples: dict[str, Sample], per: int) -> dict[str, Any]:
    """Medians, quartiles, per-delta cost and ratio to raw (and to openai-chatkit) of every variant.

    Ratios and added costs are paired: each repetition runs every variant back to back, so the ratio is
    taken within a repetition and the median taken over repetitions. On a host whose speed changes from
    one moment to the next, this cancels the slowdown that a ratio of two separate medians keeps.
    """
    raw, raw_wall = samples["raw"], samples["raw"].wall
    raw_min = min(raw_wall)
    rows: dict[str, Any] = {}
    for name, sample in samples.items():
        stats = summarize(sample.wall)
        rows[name] = {
            "median_ms": stats.median * 1e3,
            "q1_ms": stats.q1 * 1e3,
            "q3_ms": stats.q3 * 1e3,
            "cpu_median_ms": statistics.median(sample.cpu) * 1e3,
            "reps": stats.n,
            "us_per_delta": stats.median / max(per, 1) * 1e6,
            "x_raw": _paired(sample.wall, raw_wall, lambda value, base: value / base),
            "x_raw_cpu": _paired(sample.cpu, raw.cpu, lambda value, base: value / max(base, 1e-9)),
            "x_raw_of_medians": stats.median / statistics.median(raw_wall),
            "added_ms": _paired(sample.wall, raw_wall, lambda value, base: value - base) * 1e3,
            "min_ms": stats.minimum * 1e3,
            "added_ms_fastest": (stats.minimum - raw_min) * 1e3,
            "events": sample.counts.events,
            "bytes": sample.counts.bytes,
        }
    for name, row in rows.items():
        library, _, kind = name.partition(".")
        reference = samples.get(f"chatkit.{kind}")
        if library == "ours" and reference is not None:
            row["x_chatkit"] = _paired(samples[name].wall, reference.wall, lambda value, base: value / base)
    return rows


async def text(adapters: dict[str, Adapter], config: BenchConfig) -> dict[str, Any]:
    """Scenarios 1-3: the raw floor, convert and serve for N text deltas."""
    out: dict[str, Any] = {}
    for n in config.text_sizes:
        scenario = text_scenario(n)
        samples = await measure(
            scenario, _variants(adapters), config.text_reps.get(n, 5), reset=_reset_all(adapters)
        )
        out[scenario.name] = {"deltas": n, "variants": _variant_rows(samples, n)}
    return out


async def fixed_cost(adapters: dict[str, Adapter], config: BenchConfig) -> dict[str, Any]:
    """One request with a single text delta: the fixed cost of a request above the raw floor.

    Measured twice: ``variants`` as in a server in use (each timed request right after an untimed one of
    the same variant) and ``cold``, right after a full garbage collection, when every cache is cold.
    """
    scenario = text_scenario(1)
    variants, reset = _variants(adapters), _reset_all(adapters)
    warm = await measure(scenario, variants, config.fixed_reps, reset=reset, warmup=5, warm=True)
    cold = await measure(scenario, variants, config.fixed_reps, reset=reset, warmup=0)
    return {"deltas": 1, "variants": _variant_rows(warm, 1), "cold": _variant_rows(cold, 1)}


async def agentic(
    adapters: dict[str, Adapter], config: BenchConfig, extra: dict[str, Adapter] | None = None
) -> dict[str, Any]:
    """Reasoning summaries + function tool calls + final text; ``extra`` adds more serve variants."""
    scenario = agentic_scenario(
        tool_calls=config.agentic_tool_calls,
        calls_per_turn=config.agentic_calls_per_turn,
        reasoning_deltas_per_turn=config.agentic_reasoning_deltas,
        text_deltas=config.agentic_text_deltas,
    )
    variants = _variants(adapters)
    everyone = dict(adapters)
    for key, adapter in (extra or {}).items():
        variants[f"{key}.serve"] = adapter.serve
        everyone[key] = adapter
    samples = await measure(scenario, variants, config.agentic_reps, reset=_reset_all(everyone))
    return {
        "deltas": scenario.deltas,
        "text_deltas": scenario.text_deltas,
        "reasoning_deltas": scenario.reasoning_deltas,
        "tool_calls": scenario.tool_calls,
        "raw_model_events": scenario.prepare().raw_event_count,
        "variants": _variant_rows(samples, scenario.deltas),
    }


def _reasoning_update_bytes(chunks: list[bytes]) -> tuple[int, int, int]:
    """SSE bytes of chunks that carry thought tasks, how many there are, and the largest one."""
    total = count = largest = 0
    for chunk in chunks:
        if b'"thought"' not in chunk:
            continue
        event = json.loads(chunk.removeprefix(b"data: "))
        if event.get("type") != "thread.item.updated":
            continue
        total += len(chunk)
        count += 1
        largest = max(largest, len(chunk))
    return total, count, largest


async def reasoning_bytes(adapters: dict[str, Adapter], config: BenchConfig) -> dict[str, Any]:
    """SSE bytes spent on reasoning-summary updates per summary delta, as the summary grows."""
    out: dict[str, Any] = {}
    for size in config.reasoning_sizes:
        scenario = reasoning_scenario(size)
        thought_chars = len("".join(_scenario_summary(scenario.prepare())))
        row: dict[str, Any] = {"reasoning_deltas": size, "thought_chars": thought_chars}
        for key, adapter in adapters.items():
            chunks: list[bytes] = []
            started = time.perf_counter()
            counts = await adapter.serve(scenario.prepare(), chunks.append)
            elapsed = time.perf_counter() - started
            adapter.reset()
            total, updates, largest = _reasoning_update_bytes(chunks)
            row[key] = {
                "sse_bytes": counts.bytes,
                "thought_update_events": updates,
                "thought_update_bytes": total,
                "bytes_per_reasoning_delta": total / size,
                "thought_bytes_over_thought_chars": total / max(thought_chars, 1),
                "largest_update_bytes": largest,
                "serve_ms": elapsed * 1e3,
            }
        out[scenario.name] = row
    return out


def _scenario_summary(run: PreparedRun) -> list[str]:
    return [
        str(getattr(event, "delta", ""))
        for events in run.turns
        for event in events
        if event.type == "response.reasoning_summary_text.delta"
    ]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


@dataclass
class _Batch:
    wall: float
    first_event: list[float]
    first_delta: list[float]
    done: list[float]
    bytes: int


async def _batch(variant: str, adapter: Adapter | None, scenario: Scenario, streams: int) -> _Batch:
    """Run ``streams`` copies of ``scenario`` concurrently and time each one's first event and delta."""
    runs = [scenario.prepare() for _ in range(streams)]
    first_event = [float("nan")] * streams
    first_delta = [float("nan")] * streams
    done = [float("nan")] * streams
    sizes = [0] * streams
    start = time.perf_counter()

    def seen(index: int, is_delta: bool) -> None:
        now = time.perf_counter() - start
        if first_event[index] != first_event[index]:  # NaN: nothing seen yet
            first_event[index] = now
        if is_delta and first_delta[index] != first_delta[index]:
            first_delta[index] = now

    async def one(index: int) -> None:
        run = runs[index]
        if adapter is None:

            def on_raw(event: AgentStreamEvent) -> None:
                seen(index, is_raw_text_delta(event))

            await run_raw(run, on_raw)
        elif variant == "convert":
            is_delta = adapter.is_text_delta_event

            def on_event(event: Any) -> None:
                seen(index, is_delta(event))

            await adapter.convert(run, on_event)
        else:
            is_delta_chunk = adapter.is_text_delta_chunk

            def on_chunk(chunk: bytes) -> None:
                sizes[index] += len(chunk)
                seen(index, is_delta_chunk(chunk))

            await adapter.serve(run, on_chunk)
        done[index] = time.perf_counter() - start

    await asyncio.gather(*(one(index) for index in range(streams)))
    wall = time.perf_counter() - start
    if adapter is not None:
        adapter.reset()
    return _Batch(wall, first_event, first_delta, done, sum(sizes))


async def concurrency(adapters: dict[str, Adapter], config: BenchConfig) -> dict[str, Any]:
    """Many streams at once in one loop: total time, deltas per second, time to first event and delta."""
    scenario = text_scenario(config.concurrent_deltas)
    streams = config.concurrent_streams
    variants: dict[str, tuple[str, Adapter | None]] = {"raw": ("raw", None)}
    for key, adapter in adapters.items():
        variants[f"{key}.convert"] = ("convert", adapter)
        variants[f"{key}.serve"] = ("serve", adapter)
    names = list(variants)
    for name in names:  # warm-up
        await _batch(*variants[name], scenario, min(streams, 10))
    batches: dict[str, list[_Batch]] = {name: [] for name in names}
    for rep in range(config.concurrency_reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            batches[name].append(await _batch(*variants[name], scenario, streams))
    total_deltas = streams * config.concurrent_deltas
    raw_median = statistics.median(batch.wall for batch in batches["raw"])
    rows: dict[str, Any] = {}
    for name, runs in batches.items():
        median = statistics.median(batch.wall for batch in runs)
        typical = sorted(runs, key=lambda batch: batch.wall)[len(runs) // 2]
        rows[name] = {
            "total_ms": median * 1e3,
            "reps": len(runs),
            "deltas_per_s": total_deltas / median,
            "us_per_delta": median / total_deltas * 1e6,
            "x_raw": median / raw_median,
            "first_event_ms_p50": _percentile(typical.first_event, 50) * 1e3,
            "first_event_ms_max": max(typical.first_event) * 1e3,
            "first_delta_ms_p50": _percentile(typical.first_delta, 50) * 1e3,
            "first_delta_ms_max": max(typical.first_delta) * 1e3,
            "done_ms_p50": _percentile(typical.done, 50) * 1e3,
            "sse_bytes": typical.bytes,
        }
    for name, row in rows.items():
        library, _, kind = name.partition(".")
        reference = rows.get(f"chatkit.{kind}")
        if library == "ours" and reference is not None:
            row["x_chatkit"] = row["total_ms"] / reference["total_ms"]
    return {"streams": streams, "deltas_per_stream": config.concurrent_deltas, "variants": rows}


async def _idle_bytes(variant: str, adapter: Adapter | None, streams: int) -> tuple[float, Counts]:
    """Traced Python memory per open stream whose model has sent two deltas and then waits."""
    scenario = text_scenario(20)
    gate = asyncio.Event()
    runs = [scenario.prepare(gate=gate, hold_after=6) for _ in range(streams)]  # 6 = after 2 deltas
    started = 0
    all_started = asyncio.Event()
    seen_first = [False] * streams

    def seen(index: int, is_delta: bool) -> None:
        nonlocal started
        if is_delta and not seen_first[index]:
            seen_first[index] = True
            started += 1
            if started == streams:
                all_started.set()

    async def one(index: int) -> Counts:
        run = runs[index]
        if adapter is None:
            return await run_raw(run, lambda event: seen(index, is_raw_text_delta(event)))
        if variant == "convert":
            is_delta = adapter.is_text_delta_event
            return await adapter.convert(run, lambda event: seen(index, is_delta(event)))
        is_delta_chunk = adapter.is_text_delta_chunk
        return await adapter.serve(run, lambda chunk: seen(index, is_delta_chunk(chunk)))

    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tasks = [asyncio.ensure_future(one(index)) for index in range(streams)]
        await all_started.wait()
        for _ in range(20):  # let every stream reach its wait
            await asyncio.sleep(0)
        gc.collect()
        idle, _ = tracemalloc.get_traced_memory()
    finally:
        gate.set()
    results = await asyncio.gather(*tasks)
    tracemalloc.stop()
    if adapter is not None:
        adapter.reset()
    return (idle - before) / streams, results[0]


async def idle_memory(adapters: dict[str, Adapter], config: BenchConfig) -> dict[str, Any]:
    """Memory per idle open stream (raw SDK run, converter, whole server request), in KiB."""
    rows: dict[str, Any] = {}
    was_frozen = gc.get_freeze_count() > 0
    gc.collect()
    gc.freeze()  # older objects leave the collector's view, so the collections below take microseconds
    try:
        await _idle_bytes("raw", None, 2)  # warm-up: first-use caches are not per-stream memory
        for adapter in adapters.values():
            await _idle_bytes("convert", adapter, 2)
            await _idle_bytes("serve", adapter, 2)
        raw_bytes, raw_counts = await _idle_bytes("raw", None, config.idle_streams)
        rows["raw"] = {"kib_per_stream": raw_bytes / 1024, "events": raw_counts.events}
        for key, adapter in adapters.items():
            for kind in ("convert", "serve"):
                per_stream, counts = await _idle_bytes(kind, adapter, config.idle_streams)
                rows[f"{key}.{kind}"] = {
                    "kib_per_stream": per_stream / 1024,
                    "kib_above_raw": (per_stream - raw_bytes) / 1024,
                    "events": counts.events,
                }
    finally:
        if not was_frozen:
            gc.unfreeze()
    return {"streams": config.idle_streams, "variants": rows}
