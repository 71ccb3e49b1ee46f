"""``python -m benchmarks``: run every suite in one process and one event loop, print and save the report.

Options: ``--json PATH`` (default ``benchmarks/results/latest.json``), ``--write-docs`` to replace the
results section of ``docs/performance.md``, ``--only text,agentic,...`` to run some suites, ``--smoke``
for one tiny run of everything, ``--quick`` for fewer repetitions, ``--no-reference`` to skip
openai-chatkit even when it is installed, ``--no-freeze`` to leave the imported objects under the
garbage collector's view.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import suites
from benchmarks.adapters import available_adapters
from benchmarks.harness import Adapter, env_info
from benchmarks.report import render

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
START_MARK = "<!-- bench:results:start -->"
END_MARK = "<!-- bench:results:end -->"
SUITES = ("text", "fixed_cost", "agentic", "reasoning_bytes", "concurrency", "idle_memory")


async def run(
    config: suites.BenchConfig, only: tuple[str, ...], reference: bool, freeze: bool = True
) -> dict[str, Any]:
    """Every selected suite, in order, sharing this event loop; returns the JSON-ready results.

    With ``freeze``, the objects that exist after imports (about 230,000, mostly openai types) are moved
    out of the garbage collector's view, as servers that preload their app do: an occasional full
    collection then costs microseconds instead of a third of a second landing on a random sample.
    """
    adapters: dict[str, Adapter] = available_adapters()
    if not reference:
        adapters.pop("chatkit", None)
    results: dict[str, Any] = {"env": env_info(), "adapters": {k: a.name for k, a in adapters.items()}}
    results["env"]["gc_frozen_after_imports"] = freeze
    if freeze:
        gc.collect()
        gc.freeze()
    started = time.perf_counter()
    for name in only:
        suite_started = time.perf_counter()
        if name == "agentic" and "chatkit" in adapters:
            from benchmarks.adapters.chatkit_ref import ChatKitRefAdapter

            results[name] = await suites.agentic(
                adapters, config, extra={"chatkit_tasks": ChatKitRefAdapter("tasks")}
            )
        else:
            results[name] = await getattr(suites, name)(adapters, config)
        print(f"  {name}: {time.perf_counter() - suite_started:.1f} s", file=sys.stderr, flush=True)
    results["duration_s"] = time.perf_counter() - started
    return results


def write_docs(report: str, path: Path = DOCS) -> None:
    """Replace the text between the results markers of ``docs/performance.md`` with ``report``."""
    text = path.read_text(encoding="utf-8")
    head, start, rest = text.partition(START_MARK)
    _, end, tail = rest.partition(END_MARK)
    if not start or not end:
        raise SystemExit(f"{path} has no {START_MARK} ... {END_MARK} section to fill")
    path.write_text(f"{head}{START_MARK}\n{report}\n{END_MARK}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line entry point (``nox -s bench`` runs it)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument("--write-docs", action="store_true", help="fill the results of docs/performance.md")
    parser.add_argument("--only", default=",".join(SUITES), help=f"comma-separated subset of {SUITES}")
    parser.add_argument("--smoke", action="store_true", help="one tiny run of every suite")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (noisier)")
    parser.add_argument("--no-reference", action="store_true", help="skip openai-chatkit")
    parser.add_argument("--no-freeze", action="store_true", help="keep imported objects under the GC's view")
    args = parser.parse_args(argv)
    only = tuple(name for name in args.only.split(",") if name)
    unknown = set(only) - set(SUITES)
    if unknown:
        parser.error(f"unknown suites: {sorted(unknown)}")
    config = suites.SMOKE if args.smoke else suites.QUICK if args.quick else suites.BenchConfig()
    results = asyncio.run(run(config, only, reference=not args.no_reference, freeze=not args.no_freeze))
    report = render(results)
    print(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"results saved to {args.json}", file=sys.stderr)
    if args.write_docs:
        write_docs(report)
        print(f"results written into {DOCS}", file=sys.stderr)


if __name__ == "__main__":
    main()
