"""Every benchmark suite runs once with tiny sizes and every variant streams what it should (no timing)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from benchmarks import suites
from benchmarks.adapters import available_adapters
from benchmarks.harness import Adapter, run_raw
from benchmarks.report import render
from benchmarks.scenarios import agentic_scenario, text_scenario

pytest.importorskip("chatkit", reason="the reference adapter needs openai-chatkit (dev dependency)")

N = suites.SMOKE.text_sizes[0]


@pytest.fixture
def adapters() -> dict[str, Adapter]:
    found = available_adapters()
    assert set(found) == {"ours", "chatkit"}
    return found


def _types(chunks: list[bytes]) -> list[str]:
    """``type`` of each SSE event, with the update type for ``thread.item.updated``."""
    out: list[str] = []
    for chunk in chunks:
        assert chunk.startswith(b"data: ")
        assert chunk.endswith(b"\n\n")
        event: dict[str, Any] = json.loads(chunk[6:])
        kind = event["type"]
        if kind == "thread.item.updated":
            kind = event["update"]["type"]
        elif "item" in event:
            kind += ":" + event["item"]["type"]
        out.append(kind)
    return out


async def test_every_variant_streams_the_text_scenario_completely(adapters: dict[str, Adapter]) -> None:
    raw = await run_raw(text_scenario(N).prepare())
    assert raw.events == N + 10  # 8 Responses events around the deltas, agent start, message item
    for adapter in adapters.values():
        converted: list[Any] = []
        await adapter.convert(text_scenario(N).prepare(), converted.append)
        assert sum(adapter.is_text_delta_event(event) for event in converted) == N
        chunks: list[bytes] = []
        await adapter.serve(text_scenario(N).prepare(), chunks.append)
        assert _types(chunks) == [
            "thread.created",
            "thread.item.done:user_message",
            "stream_options",
            "thread.item.added:assistant_message",
            "assistant_message.content_part.added",
            *["assistant_message.content_part.text_delta"] * N,
            "assistant_message.content_part.done",
            "thread.item.done:assistant_message",
        ]
        adapter.reset()


async def test_every_variant_streams_reasoning_tools_and_text(adapters: dict[str, Adapter]) -> None:
    config = suites.SMOKE
    scenario = agentic_scenario(
        tool_calls=config.agentic_tool_calls,
        calls_per_turn=config.agentic_calls_per_turn,
        reasoning_deltas_per_turn=config.agentic_reasoning_deltas,
        text_deltas=config.agentic_text_deltas,
    )
    for key, adapter in adapters.items():
        chunks: list[bytes] = []
        await adapter.serve(scenario.prepare(), chunks.append)
        types = _types(chunks)
        assert types.count("assistant_message.content_part.text_delta") == config.agentic_text_deltas
        assert types[-1] == "thread.item.done:assistant_message"
        thoughts = [c for c in chunks if b'"type":"thought"' in c]
        assert thoughts, key
        if key == "ours":  # function calls appear as tasks by themselves
            assert sum(b'"title":"Called lookup"' in c for c in chunks) >= config.agentic_tool_calls
        adapter.reset()


async def test_every_suite_runs_once_and_reports_every_variant(adapters: dict[str, Adapter]) -> None:
    config = suites.SMOKE
    results: dict[str, Any] = {"env": {}, "duration_s": 0.0}
    results["text"] = await suites.text(adapters, config)
    results["fixed_cost"] = await suites.fixed_cost(adapters, config)
    results["agentic"] = await suites.agentic(adapters, config)
    results["reasoning_bytes"] = await suites.reasoning_bytes(adapters, config)
    results["concurrency"] = await suites.concurrency(adapters, config)
    results["idle_memory"] = await suites.idle_memory(adapters, config)

    variants = {"raw", "ours.convert", "ours.serve", "chatkit.convert", "chatkit.serve"}
    text = results["text"][f"text_{N}"]["variants"]
    assert set(text) == variants
    assert {name: row["events"] for name, row in text.items()} == {
        "raw": N + 10,
        "ours.convert": N + 4,
        "ours.serve": N + 7,
        "chatkit.convert": N + 4,
        "chatkit.serve": N + 7,
    }
    assert set(results["fixed_cost"]["variants"]) == variants
    assert set(results["agentic"]["variants"]) == variants
    assert all(row["events"] > 0 for row in results["agentic"]["variants"].values())
    concurrent = results["concurrency"]["variants"]
    assert set(concurrent) == variants
    assert not any(math.isnan(row["first_delta_ms_max"]) for row in concurrent.values())
    reasoning = next(iter(results["reasoning_bytes"].values()))
    assert reasoning["ours"]["thought_update_events"] > 0
    assert reasoning["chatkit"]["thought_update_events"] > 0
    assert set(results["idle_memory"]["variants"]) == variants

    results["env"] = {
        "cpu_model": "test",
        "nproc": 1,
        "memory_gib": 1,
        "implementation": "CPython",
        "python": "3",
        "platform": "test",
        "event_loop": "asyncio",
        "packages": {},
        "started_utc": "now",
        "load_average_at_start": None,
    }
    report = render(results)
    assert "chatkit-agents serve (SSE)" in report
    assert "Memory per idle open stream" in report
