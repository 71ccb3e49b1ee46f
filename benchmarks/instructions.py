"""``python -m benchmarks.instructions``: instructions each variant executes, counted by callgrind.

Wall-clock times on a shared host move by ±20-30 µs from one moment to the next, more than most single
changes to a request's fixed cost. Instruction counts do not: the same code on the same input executes
the same instructions, to a few hundred per request. This tool runs itself under valgrind's callgrind
(Debian package ``valgrind``; about five minutes, mostly imports), with the garbage collector off inside
each measured request, and reports the median instructions per request and their excess over the raw
floor. ``os.getppid()`` marks where each request starts and ends (callgrind dumps its counters there).

Counts say nothing about cache misses, which are much of what a request costs between the SDK's steps
(see docs/performance.md), so use them to compare two versions of the code, not to predict milliseconds.
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

MARKER = "os_getppid"
"""The C function whose calls make callgrind dump its counters (``os.getppid`` in CPython)."""
SETUP = "setup"
VARIANTS = ("raw", "convert", "serve")


class ValgrindMissingError(RuntimeError):
    """valgrind is not installed, so nothing can be counted."""


def dump_totals(prefix: Path) -> dict[int, int]:
    """Instructions in each numbered callgrind dump ``<prefix>.<n>``, by ``n`` (the n-th marker call)."""
    totals: dict[int, int] = {}
    for path in prefix.parent.glob(prefix.name + ".*"):
        number = path.suffix[1:]
        if not number.isdigit():
            continue
        for line in path.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                totals[int(number)] = int(line.split()[1])
                break
    return totals


def per_variant(labels: list[str], totals: dict[int, int]) -> dict[str, list[int]]:
    """Group dumps by the request they end: ``labels[k]`` names what ran before dump ``k + 1``."""
    grouped: dict[str, list[int]] = {}
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


async def _child(deltas: int, reps: int, names: list[str]) -> list[str]:
    """Run the variants, marking each measured request; the labels name what each marker ends."""
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
    labels: list[str] = []

    async def once(name: str, marked: bool) -> None:
        run = scenario.prepare()
        gc.collect()
        gc.disable()
        try:
            if marked:
                labels.append(SETUP)
                os.getppid()
            result = variants[name](run)
            assert asyncio.iscoroutine(result)
            counts = await result
            assert isinstance(counts, Counts)
            if marked:
                labels.append(name)
                os.getppid()
        finally:
            gc.enable()
            adapter.reset()

    for _ in range(3):
        for name in names:
            await once(name, marked=False)
    for _ in range(reps):
        for name in names:
            await once(name, marked=True)
    return labels


def count(deltas: int, reps: int, names: list[str]) -> dict[str, list[int]]:
    """Run the variants under callgrind in a child process; instructions per request, by variant."""
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
            sys.executable,
            "-m",
            "benchmarks.instructions",
            "--child",
            str(labels_path),
            "--n",
            str(deltas),
            "--reps",
            str(reps),
            "--variants",
            ",".join(names),
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        root = Path(__file__).resolve().parent.parent
        subprocess.run(
            command, check=True, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        labels: list[str] = json.loads(labels_path.read_text())
        return per_variant(labels, dump_totals(prefix))


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__)
    parser.add_argument("--n", type=int, default=1, help="text deltas per request (default 1)")
    parser.add_argument("--reps", type=int, default=5, help="measured requests per variant")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: raw,convert,serve")
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
        grouped = count(args.n, args.reps, names)
    except ValgrindMissingError as error:
        sys.exit(str(error))
    print(render(grouped, args.n))


if __name__ == "__main__":
    main()
