"""``python -m benchmarks.instructions``: instructions each variant executes, counted by callgrind.

Wall-clock times on a shared host move by ±20-30 µs from one moment to the next, more than most single
changes to a request's fixed cost. Instruction counts do not: the same code on the same input executes
the same instructions, to a few hundred per request. This tool runs itself under valgrind's callgrind
(Debian package ``valgrind``; about five minutes, mostly imports), with the garbage collector off inside
each measured request, and reports the median instructions per request and their excess over the raw
floor. ``os.getppid()`` marks where each request starts and ends (callgrind dumps its counters there).

Counts say nothing about cache misses, which are much of what a request costs between the SDK's steps
(see docs/performance.md), so use them to compare two versions of the code, not to predict milliseconds.
With ``--cache``, callgrind also simulates the first-level caches and, as its last level, this host's
per-core second-level cache (the one the SDK's code evicts between our steps), and the table adds the
misses and an estimate of cycles, ``Ir + 10 * L1 misses + 100 * L2 misses``, which follows wall-clock
time much more closely than instructions alone. It takes about twice as long.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

MARKER = "os_getppid"
"""The C function whose calls make callgrind dump its counters (``os.getppid`` in CPython)."""
SETUP = "setup"
VARIANTS = ("raw", "convert", "serve")


class ValgrindMissingError(RuntimeError):
    """valgrind is not installed, so nothing can be counted."""


L1_MISSES = ("I1mr", "D1mr", "D1mw")
LL_MISSES = ("ILmr", "DLmr", "DLmw")


def dump_events(prefix: Path) -> dict[int, dict[str, int]]:
    """Event totals of each numbered callgrind dump ``<prefix>.<n>``, by ``n`` (the n-th marker call).

    Callgrind leaves trailing zero totals out of a dump's ``summary:`` line; they come back as 0 here.
    """
    found: dict[int, dict[str, int]] = {}
    for path in prefix.parent.glob(prefix.name + ".*"):
        number = path.suffix[1:]
        if not number.isdigit():
            continue
        names = ["Ir"]
        for line in path.read_text().splitlines():
            if line.startswith("events:"):
                names = line.split()[1:]
            elif line.startswith(("summary:", "totals:")):
                values = [int(value) for value in line.split()[1:]]
                values += [0] * (len(names) - len(values))
                found[int(number)] = dict(zip(names, values, strict=False))
                break
    return found


def dump_totals(prefix: Path) -> dict[int, int]:
    """Instructions in each numbered callgrind dump ``<prefix>.<n>``, by ``n`` (the n-th marker call)."""
    return {number: events["Ir"] for number, events in dump_events(prefix).items()}


def estimated_cycles(events: dict[str, int]) -> int:
    """``Ir + 10 * L1 misses + 100 * last-level misses``: callgrind's usual rough estimate of cycles."""
    l1 = sum(events.get(name, 0) for name in L1_MISSES)
    last = sum(events.get(name, 0) for name in LL_MISSES)
    return events.get("Ir", 0) + 10 * l1 + 100 * last


T = TypeVar("T")


def per_variant(labels: list[str], totals: dict[int, T]) -> dict[str, list[T]]:
    """Group dumps by the request they end: ``labels[k]`` names what ran before dump ``k + 1``."""
    grouped: dict[str, list[T]] = {}
    for index, label in enumerate(labels):
        if label != SETUP and index + 1 in totals:
            grouped.setdefault(label, []).append(totals[index + 1])
    return grouped


def render(grouped: dict[str, list[int]], deltas: int) -> str:
    """A markdown table: median instructions per request, their excess over raw, and per delta above N=1."""
    floor = statistics.median(grouped["raw"]) if "raw" in grouped else None
    lines = [
        f"| variant (N = {deltas}) | instructions per request | above raw | runs |",
        "|---|---:|---:|---:|",
    ]
    for name, counts in grouped.items():
        median = statistics.median(counts)
        above = "-" if floor is None or name == "raw" else f"{median - floor:+,.0f}"
        lines.append(f"| {name} | {median:,.0f} | {above} | {len(counts)} |")
    return "\n".join(lines)


def render_cache(grouped: dict[str, list[dict[str, int]]], deltas: int, cache: str) -> str:
    """A markdown table of median instructions, cache misses and estimated cycles per request."""

    def median(events: list[dict[str, int]], value: Callable[[dict[str, int]], int]) -> float:
        return statistics.median(value(each) for each in events)

    def misses(names: tuple[str, ...]) -> Callable[[dict[str, int]], int]:
        return lambda events: sum(events.get(name, 0) for name in names)

    floor = median(grouped["raw"], estimated_cycles) if "raw" in grouped else None
    lines = [
        f"| variant (N = {deltas}; {cache}) | instructions | L1 misses | L2 misses | cycles (est.) "
        "| above raw | runs |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, runs in grouped.items():
        cycles = median(runs, estimated_cycles)
        above = "-" if floor is None or name == "raw" else f"{cycles - floor:+,.0f}"
        lines.append(
            f"| {name} | {median(runs, lambda events: events.get('Ir', 0)):,.0f} "
            f"| {median(runs, misses(L1_MISSES)):,.0f} | {median(runs, misses(LL_MISSES)):,.0f} "
            f"| {cycles:,.0f} | {above} | {len(runs)} |"
        )
    return "\n".join(lines)


def second_level_cache(folder: Path = Path("/sys/devices/system/cpu/cpu0/cache")) -> tuple[int, int, int]:
    """This host's per-core second-level cache as (bytes, ways, line bytes), from sysfs; 1 MiB if unknown."""
    for index in sorted(folder.glob("index*")):
        try:
            if (index / "level").read_text().strip() != "2":
                continue
            size = (index / "size").read_text().strip()
            ways = int((index / "ways_of_associativity").read_text())
            line = int((index / "coherency_line_size").read_text())
        except (OSError, ValueError):
            continue
        units = {"K": 1024, "M": 1024 * 1024}
        number = int(size.rstrip("KM")) * units.get(size[-1], 1)
        return number, ways, line
    return 1024 * 1024, 16, 64


async def measure_requests(
    deltas: int, reps: int, names: list[str], begin: Callable[[str], None], end: Callable[[str], None]
) -> None:
    """Three warm-up rounds, then ``reps`` rounds of one request per variant between ``begin(name)`` and
    ``end(name)``; the garbage collector is off inside each request and every request finds a new store."""
    from benchmarks.adapters.ours import OursAdapter
    from benchmarks.harness import Counts, run_raw
    from benchmarks.scenarios import PreparedRun, text_scenario

    adapter = OursAdapter()
    variants: dict[str, Callable[[PreparedRun], object]] = {
        "raw": run_raw,
        "convert": adapter.convert,
        "serve": adapter.serve,
    }
    scenario = text_scenario(deltas)

    async def once(name: str, marked: bool) -> None:
        run = scenario.prepare()
        gc.collect()
        gc.disable()
        try:
            if marked:
                begin(name)
            result = variants[name](run)
            assert asyncio.iscoroutine(result)
            counts = await result
            assert isinstance(counts, Counts)
            if marked:
                end(name)
        finally:
            gc.enable()
            adapter.reset()

    for _ in range(3):
        for name in names:
            await once(name, marked=False)
    for _ in range(reps):
        for name in names:
            await once(name, marked=True)


async def _child(deltas: int, reps: int, names: list[str]) -> list[str]:
    """Run the variants, marking each measured request; the labels name what each marker ends."""
    labels: list[str] = []

    def mark(label: str) -> None:
        labels.append(label)
        os.getppid()

    await measure_requests(deltas, reps, names, lambda name: mark(SETUP), mark)
    return labels


def count(deltas: int, reps: int, names: list[str]) -> dict[str, list[int]]:
    """Run the variants under callgrind in a child process; instructions per request, by variant."""
    grouped = count_events(deltas, reps, names)
    return {name: [events["Ir"] for events in runs] for name, runs in grouped.items()}


def count_events(
    deltas: int, reps: int, names: list[str], cache: tuple[int, int, int] | None = None
) -> dict[str, list[dict[str, int]]]:
    """Callgrind's event totals per request, by variant; ``cache`` (bytes, ways, line) turns on the
    cache simulation with that last level."""
    child = [
        "benchmarks.instructions",
        "--n",
        str(deltas),
        "--reps",
        str(reps),
        "--variants",
        ",".join(names),
    ]
    labels, dumps = run_callgrind(child, cache)
    return per_variant(cast(list[str], labels), dumps)


def run_callgrind(
    child: list[str], cache: tuple[int, int, int] | None = None
) -> tuple[object, dict[int, dict[str, int]]]:
    """Run ``python -m <child...> --child <file>`` under callgrind, dumping at every marker.

    Returns what the child wrote to ``<file>`` as JSON (the labels of its markers) and the event totals of
    each numbered dump. ``cache`` (bytes, ways, line) turns on the cache simulation with that last level.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise ValgrindMissingError(
            "valgrind is not installed: run `apt-get install valgrind`, then try again."
        )
    with tempfile.TemporaryDirectory(prefix="chatkit-instructions-") as folder:
        prefix = Path(folder) / "cg.out"
        labels_path = Path(folder) / "labels.json"
        command = [
            valgrind,
            "--tool=callgrind",
            f"--dump-before={MARKER}",
            f"--callgrind-out-file={prefix}",
            *([] if cache is None else ["--cache-sim=yes", "--LL={},{},{}".format(*cache)]),
            sys.executable,
            "-m",
            *child,
            "--child",
            str(labels_path),
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        root = Path(__file__).resolve().parent.parent
        subprocess.run(
            command, check=True, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return json.loads(labels_path.read_text()), dump_events(prefix)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__)
    parser.add_argument("--n", type=int, default=1, help="text deltas per request (default 1)")
    parser.add_argument("--reps", type=int, default=5, help="measured requests per variant")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: raw,convert,serve")
    parser.add_argument(
        "--cache", action="store_true", help="also simulate caches (L1, and this host's L2 as last level)"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = [name for name in args.variants.split(",") if name]
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    if args.child is not None:
        args.child.write_text(json.dumps(asyncio.run(_child(args.n, args.reps, names))))
        return
    try:
        if args.cache:
            cache = second_level_cache()
            size, ways, _ = cache
            events = count_events(args.n, args.reps, names, cache)
            print(render_cache(events, args.n, f"L2 {size // 1024} KiB {ways}-way"))
        else:
            print(render(count(args.n, args.reps, names), args.n))
    except ValgrindMissingError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
