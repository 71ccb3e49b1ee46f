"""``python -m benchmarks.profile``: where one variant spends its time, for finding hot spots.

Runs one variant (``raw``, ``ours.convert``, ``ours.serve``, ``chatkit.convert``, ``chatkit.serve``) on the
text scenario after a warm-up, under cProfile (``--tool cprofile``: functions by own time, with call counts
per delta) or pyinstrument (``--tool pyinstrument``: a call tree; install the ``bench`` extra). cProfile
inflates call-heavy code, so compare its numbers between variants rather than reading them as absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import time

from benchmarks.adapters import available_adapters
from benchmarks.harness import VariantFn, run_raw
from benchmarks.scenarios import agentic_scenario, text_scenario


def _variant(name: str) -> VariantFn:
    if name == "raw":
        return lambda run: run_raw(run)
    key, _, kind = name.partition(".")
    adapter = available_adapters()[key]
    return adapter.convert if kind == "convert" else adapter.serve


async def _run(name: str, scenario_name: str, n: int, repeat: int, tool: str, limit: int, sort: str) -> None:
    scenario = agentic_scenario() if scenario_name == "agentic" else text_scenario(n)
    variant = _variant(name)
    for _ in range(3):
        await variant(scenario.prepare())
    runs = [scenario.prepare() for _ in range(repeat)]
    started = time.perf_counter()
    if tool == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled", interval=0.0005)
        profiler.start()
        for run in runs:
            await variant(run)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    profile = cProfile.Profile()
    profile.enable()
    for run in runs:
        await variant(run)
    profile.disable()
    elapsed = time.perf_counter() - started
    deltas = scenario.deltas * repeat
    print(f"{name} on {scenario.name} x{repeat}: {elapsed * 1e3:.0f} ms under cProfile")
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.sort_stats(sort).print_stats(limit)
    print(stream.getvalue())
    print(f"calls per delta (top {limit} by own time):")
    raw_stats: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(raw_stats.items(), key=lambda item: item[1][2], reverse=True)[:limit]
    for (filename, line, function), (_, calls, own, _, _) in ranked:
        short = filename.split("site-packages/")[-1].split("/src/")[-1]
        per_call = f"{calls / deltas:7.2f} calls/delta  {own / deltas * 1e6:7.2f} us/delta"
        print(f"  {per_call}  {short}:{line} {function}")


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("variant", help="raw, ours.convert, ours.serve, chatkit.convert or chatkit.serve")
    parser.add_argument("--scenario", choices=("text", "agentic"), default="text")
    parser.add_argument("--n", type=int, default=10_000, help="text deltas")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--tool", choices=("cprofile", "pyinstrument"), default="cprofile")
    parser.add_argument("--limit", type=int, default=35)
    parser.add_argument("--sort", choices=("tottime", "cumulative"), default="tottime")
    args = parser.parse_args()
    asyncio.run(_run(args.variant, args.scenario, args.n, args.repeat, args.tool, args.limit, args.sort))


if __name__ == "__main__":
    main()
