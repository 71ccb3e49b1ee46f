"""``python -m benchmarks.ablation``: what merging tool requests into the run's events costs per delta.

Times four variants on the same text scenario, interleaved, by process CPU time: the raw floor, the
converter driven directly from ``stream_events()`` in the consumer's own task (tools could not send
anything), `stream_agent_response` as it runs on openai-agents (tool requests ride in the run's own event
queue), and `stream_agent_response` with the fallback pump task. The difference between the second and
third rows is the price of ordered tool requests (nothing, by design); the fourth shows what the pump's
second task wake-up per event would cost.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time

from agents import RawResponsesStreamEvent, Runner
from benchmarks.adapters.ours import BenchContext, OursAdapter
from benchmarks.harness import Counts, VariantFn, run_raw
from benchmarks.scenarios import PreparedRun, text_scenario
from chatkit_agents._ids import utc_now
from chatkit_agents.agents import AgentContext, StreamConverter, run_events
from chatkit_agents.types import ThreadMetadata


async def convert_without_channel(adapter: OursAdapter, run: PreparedRun) -> Counts:
    """The converter's handlers fed straight from ``stream_events()`` (no tool requests possible)."""
    context = BenchContext("bench", run)
    thread = ThreadMetadata(id=adapter.store.generate_thread_id(context), created_at=utc_now())
    await adapter.store.save_thread(thread, context)
    agent_context = AgentContext(thread, adapter.store, context)
    result = Runner.run_streamed(run.agent(), run.user_text, context=agent_context, max_turns=100)
    converter = StreamConverter()
    state = converter.create_state(agent_context, result)
    count = 0
    async for event in result.stream_events():
        if type(event) is RawResponsesStreamEvent and event.data.type == "response.output_text.delta":
            data = event.data
            count += len(converter._text_delta(state, data.output_index, data.content_index, data.delta))
            continue
        async for _ in converter.convert(state, event):
            count += 1
    async for _ in converter.on_run_end(state):
        count += 1
    return Counts(count, 0)


async def convert_with_pump(adapter: OursAdapter, run: PreparedRun) -> Counts:
    """`stream_agent_response` made to use the pump task, as it does for run objects without a queue."""
    original = run_events.run_event_queue
    run_events.run_event_queue = lambda result: None
    try:
        return await adapter.convert(run)
    finally:
        run_events.run_event_queue = original


async def _main(n: int, reps: int) -> None:
    adapter = OursAdapter()
    scenario = text_scenario(n)
    variants: dict[str, VariantFn] = {
        "raw floor": lambda run: run_raw(run),
        "converter without the merge channel": lambda run: convert_without_channel(adapter, run),
        "stream_agent_response": lambda run: adapter.convert(run),
        "stream_agent_response, pump fallback": lambda run: convert_with_pump(adapter, run),
    }
    for _ in range(2):
        for variant in variants.values():
            await variant(scenario.prepare())
            adapter.reset()
    gc.collect()
    gc.freeze()
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for rep in range(reps):
        names = list(variants)
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            run = scenario.prepare()
            started = time.process_time()
            await variants[name](run)
            cpu[name].append(time.process_time() - started)
            adapter.reset()
    raw = statistics.median(cpu["raw floor"])
    print(f"| variant ({n:,} deltas, {reps} reps, CPU time) | µs/delta | x raw |")
    print("|---|---:|---:|")
    for name, samples in cpu.items():
        median = statistics.median(samples)
        print(f"| {name} | {median / n * 1e6:.1f} | {median / raw:.2f} |")


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ablation", description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=9)
    args = parser.parse_args()
    asyncio.run(_main(args.n, args.reps))


if __name__ == "__main__":
    main()
