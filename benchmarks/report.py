"""Markdown tables of one benchmark run, with the targets of issue 7 checked against its ratios."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["TARGETS", "compare", "render", "target_rows"]

X = "\N{MULTIPLICATION SIGN}"
DASH = "\N{EN DASH}"
ARROW = "\N{RIGHTWARDS ARROW}"

TARGETS = {"convert_x_raw": 1.3, "serve_x_raw": 1.8, "fixed_cost_ms": 0.5}
"""convert <= 1.3x raw, serve <= 1.8x raw, one request <= 0.5 ms above raw (all from the same run)."""

_LABELS = {
    "raw": "raw floor (SDK `stream_events()`)",
    "ours.convert": "chatkit-agents convert",
    "ours.serve": "chatkit-agents serve (SSE)",
    "chatkit.convert": "openai-chatkit convert",
    "chatkit.serve": "openai-chatkit serve (SSE)",
    "chatkit_tasks.serve": "openai-chatkit serve, tools as tasks",
}


def _label(name: str) -> str:
    return _LABELS.get(name, name)


def _ratio(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}{X}"


def _timing_table(title: str, section: dict[str, Any], per: str) -> list[str]:
    lines = [
        f"**{title}**",
        "",
        f"| variant | median | IQR | µs/{per} | {X} raw | {X} raw (CPU) | ours ÷ openai-chatkit | events "
        "| SSE bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in section["variants"].items():
        lines.append(
            f"| {_label(name)} | {row['median_ms']:.2f} ms | {row['q1_ms']:.2f}{DASH}{row['q3_ms']:.2f} | "
            f"{row['us_per_delta']:.1f} | {row['x_raw']:.2f}{X} | {row['x_raw_cpu']:.2f}{X} | "
            f"{_ratio(row.get('x_chatkit'))} | "
            f"{row['events']:,} | {row['bytes']:,} |"
        )
    return [*lines, ""]


def target_rows(results: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(target, limit, measured, met) for every target of issue 7 that this run measured."""
    rows: list[tuple[str, str, str, bool | None]] = []
    sections = [(name, data) for name, data in results.get("text", {}).items()]
    if "agentic" in results:
        sections.append(("agentic", results["agentic"]))
    for kind, limit in (("convert", TARGETS["convert_x_raw"]), ("serve", TARGETS["serve_x_raw"])):
        for name, data in sections:
            row = data["variants"].get(f"ours.{kind}")
            if row is not None:
                rows.append(
                    (
                        f"{kind} ÷ raw, {name}",
                        f"≤ {limit}{X}",
                        f"{row['x_raw']:.2f}{X}",
                        row["x_raw"] <= limit,
                    )
                )
    fixed = results.get("fixed_cost")
    if fixed is not None:
        for kind in ("convert", "serve"):
            row = fixed["variants"].get(f"ours.{kind}")
            if row is not None:
                limit = TARGETS["fixed_cost_ms"]
                cold = fixed.get("cold", {}).get(f"ours.{kind}")
                cold_text = "" if cold is None else f"; right after a full GC {cold['added_ms']:.2f} ms"
                rows.append(
                    (
                        f"fixed cost of one request above raw ({kind}, N = 1; paired median, server in use; "
                        "fastest runs)",
                        f"≤ {limit} ms",
                        f"{row['added_ms']:.2f} ms; fastest {row.get('added_ms_fastest', math.nan):.2f} ms"
                        + cold_text,
                        row["added_ms"] <= limit,
                    )
                )
    reasoning = results.get("reasoning_bytes")
    if reasoning:
        sizes = list(reasoning.values())
        first, last = sizes[0].get("ours"), sizes[-1].get("ours")
        if first is not None and last is not None:
            growth = last["bytes_per_reasoning_delta"] / max(first["bytes_per_reasoning_delta"], 1e-9)
            rows.append(
                (
                    "reasoning: bytes per summary delta stay flat as the thought grows "
                    f"(R = {sizes[0]['reasoning_deltas']:,} → {sizes[-1]['reasoning_deltas']:,})",
                    "O(1), no per-delta re-send",
                    f"{first['bytes_per_reasoning_delta']:.0f} → {last['bytes_per_reasoning_delta']:.0f} B "
                    f"({growth:.2f}{X}); {last['thought_update_events']} updates for "
                    f"{sizes[-1]['reasoning_deltas']:,} deltas",
                    growth <= 1.5 and last["thought_update_events"] < sizes[-1]["reasoning_deltas"] / 10,
                )
            )
    memory = results.get("idle_memory")
    if memory is not None and "ours.serve" in memory["variants"]:
        row = memory["variants"]["ours.serve"]
        rows.append(
            ("memory per idle open stream (serve)", "reported", f"{row['kib_per_stream']:.1f} KiB", None)
        )
    return rows


def _steadiness(env: dict[str, Any]) -> list[str]:
    steady = env.get("cpu_steadiness")
    if not steady:
        return []
    return [
        f"- machine steadiness: a fixed pure-Python loop took {steady['fastest_ms']:.2f} ms at best and "
        f"{steady['median_ms']:.2f} ms at the median ({steady['median_over_fastest']:.2f}{X}); medians "
        "in milliseconds are slowed by about this factor, ratios to raw are not"
    ]


def render(results: dict[str, Any]) -> str:
    """The whole report as markdown: machine, targets, then one table per suite."""
    env = results["env"]
    packages = ", ".join(f"{name} {version}" for name, version in env["packages"].items())
    lines = [
        "### Machine",
        "",
        f"- CPU: {env['cpu_model']}, `nproc` = {env['nproc']}; memory {env['memory_gib']} GiB",
        f"- {env['implementation']} {env['python']} on {env['platform']}, event loop `{env['event_loop']}`",
        f"- {packages}",
        f"- run started {env['started_utc']} UTC, load average at start {env['load_average_at_start']}; "
        f"whole run {results.get('duration_s', 0):.0f} s",
        *_steadiness(env),
        "",
        "### Targets (ratios from this run)",
        "",
        "| target | limit | measured | met |",
        "|---|---|---|---|",
    ]
    for target, limit, measured, met in target_rows(results):
        verdict = "reported" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {target} | {limit} | {measured} | {verdict} |")
    lines.append("")
    for name, section in results.get("text", {}).items():
        lines += _timing_table(f"Text streaming, {section['deltas']:,} deltas ({name})", section, "delta")
    if "fixed_cost" in results:
        fixed = results["fixed_cost"]
        lines += _timing_table(
            "Fixed cost: one request with one delta (each right after an untimed request of its variant)",
            fixed,
            "request",
        )
        if "cold" in fixed:
            lines += _timing_table(
                "Fixed cost, cold: one request right after a full garbage collection",
                {"variants": fixed["cold"]},
                "request",
            )
    if "agentic" in results:
        data = results["agentic"]
        title = (
            f"Reasoning + {data['tool_calls']} function tool calls + text ({data['reasoning_deltas']:,} "
            f"reasoning and {data['text_deltas']:,} text deltas, {data['raw_model_events']:,} model events)"
        )
        lines += _timing_table(title, data, "visible delta")
    if "reasoning_bytes" in results:
        lines += [
            "**Reasoning summaries: SSE bytes of thought updates** "
            "(one summary of R deltas, then 50 text deltas)",
            "",
            "| R | library | thought updates | thought bytes | bytes / delta | thought bytes ÷ thought chars "
            "| largest update |",
            "|---:|---|---:|---:|---:|---:|---:|",
        ]
        for row in results["reasoning_bytes"].values():
            for key in ("ours", "chatkit"):
                data = row.get(key)
                if data is None:
                    continue
                lines.append(
                    f"| {row['reasoning_deltas']:,} | {_label(key + '.serve').replace(' serve (SSE)', '')} | "
                    f"{data['thought_update_events']:,} | {data['thought_update_bytes']:,} | "
                    f"{data['bytes_per_reasoning_delta']:.0f} | "
                    f"{data['thought_bytes_over_thought_chars']:.1f} | "
                    f"{data['largest_update_bytes']:,} |"
                )
        lines.append("")
    if "concurrency" in results:
        data = results["concurrency"]
        lines += [
            f"**{data['streams']} concurrent streams {X} {data['deltas_per_stream']} deltas, "
            "one event loop**",
            "",
            f"| variant | total | deltas/s | {X} raw | ours ÷ openai-chatkit | first event p50 / max "
            "| first delta p50 / max |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, row in data["variants"].items():
            lines.append(
                f"| {_label(name)} | {row['total_ms']:.0f} ms | {row['deltas_per_s'] / 1000:.1f}k | "
                f"{row['x_raw']:.2f}{X} | {_ratio(row.get('x_chatkit'))} | "
                f"{row['first_event_ms_p50']:.0f} / {row['first_event_ms_max']:.0f} ms | "
                f"{row['first_delta_ms_p50']:.0f} / {row['first_delta_ms_max']:.0f} ms |"
            )
        lines.append("")
    if "idle_memory" in results:
        data = results["idle_memory"]
        lines += [
            f"**Memory per idle open stream** ({data['streams']} streams waiting on their model "
            "after 2 deltas; tracemalloc, Python objects only)",
            "",
            "| variant | KiB per stream | KiB above raw |",
            "|---|---:|---:|",
        ]
        for name, row in data["variants"].items():
            above = row.get("kib_above_raw")
            above_text = DASH if above is None else f"{above:.1f}"
            lines.append(f"| {_label(name)} | {row['kib_per_stream']:.1f} | {above_text} |")
        lines.append("")
    return "\n".join(lines)


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """A markdown table of our ratios to raw in two runs (e.g. before and after an optimisation)."""
    lines = [
        f"| scenario | variant | before ({X} raw) | after ({X} raw) | added ms, before {ARROW} after "
        "| after, ours ÷ openai-chatkit |",
        "|---|---|---:|---:|---:|---:|",
    ]
    sections = [
        (name, before.get("text", {}).get(name), data) for name, data in after.get("text", {}).items()
    ]
    for name in ("fixed_cost", "agentic"):
        sections.append((name, before.get(name), after.get(name)))
    for name, old, new in sections:
        if old is None or new is None:
            continue
        for kind in ("convert", "serve"):
            old_row = old["variants"].get(f"ours.{kind}")
            new_row = new["variants"].get(f"ours.{kind}")
            if old_row is None or new_row is None:
                continue
            lines.append(
                f"| {name} | {kind} | {old_row['x_raw']:.2f}{X} | {new_row['x_raw']:.2f}{X} | "
                f"{old_row['added_ms']:.2f} {ARROW} {new_row['added_ms']:.2f} | "
                f"{_ratio(new_row.get('x_chatkit'))} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    runs = [json.loads(Path(path).read_text(encoding="utf-8")) for path in sys.argv[1:3]]
    print(compare(runs[0], runs[1]))
