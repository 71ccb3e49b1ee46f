"""The step tool: it brackets the server's steps with markers, charges each dump to its step, restores all."""

from __future__ import annotations

from benchmarks import steps
from benchmarks.instructions import SETUP
from inline_snapshot import snapshot

from chatkit_agents.agents.stream import StreamConverter
from chatkit_agents.server import server as server_module
from chatkit_agents.server._pending import PendingItems
from chatkit_agents.store.memory import MemoryStore


def test_markers_charge_the_time_between_them_to_the_step_that_was_running() -> None:
    calls: list[int] = []
    marks = steps.Marks(marker=lambda: calls.append(1))
    marks.enter("ignored: no request is being measured")
    marks.begin("serve")
    marks.enter("outer")
    marks.enter("inner")
    marks.leave()
    marks.leave()
    marks.enter("outer")
    marks.leave()
    marks.end()
    marks.leave()
    assert marks.labels == [SETUP, "serve", "outer", "inner", "outer", "serve", "outer", "serve"]
    assert len(calls) == len(marks.labels)
    assert marks.calls == {"serve": {"serve": 1, "outer": 2, "inner": 1}}


def test_dumps_are_summed_per_step_and_request_and_the_table_ranks_steps_by_estimated_cycles() -> None:
    labels = [SETUP, "raw", SETUP, "serve", "encode", "serve", "parse", "serve", "encode", "serve"]
    costs = [5, 1000, 7, 100, 20, 30, 40, 50, 25, 60]
    dumps = {number: {"Ir": cost, "ILmr": cost // 10} for number, cost in enumerate(costs, start=1)}
    requests = steps.per_step(labels, dumps)
    assert requests == {
        "raw": [{"raw": {"Ir": 1000, "ILmr": 100}}],
        "serve": [
            {
                "serve": {"Ir": 240, "ILmr": 24},
                "encode": {"Ir": 45, "ILmr": 4},
                "parse": {"Ir": 40, "ILmr": 4},
            }
        ],
    }
    calls = {"serve": {"serve": 1, "encode": 2, "parse": 1}}
    assert steps.render_steps(requests, calls) == snapshot("""\
| step (serve, exclusive, median of 1) | calls | instructions | L1 misses | L2 misses | cycles (est.) |
|---|---:|---:|---:|---:|---:|
| encode | 2 | 45 | 0 | 4 | 445 |
| parse | 1 | 40 | 0 | 4 | 440 |
| the rest of the request (SDK, converter loop, glue) | - | 240 | 0 | 24 | 2,640 |
| **serve, whole request (with markers)** | - | 325 | 0 | 32 | 3,525 |
| **raw floor** | - | 1,000 | 0 | 100 | 11,000 |\
""")


async def test_a_served_request_passes_every_step_and_the_functions_are_restored_afterwards() -> None:
    originals = (
        server_module.parse_request,
        server_module.encode_event,
        MemoryStore.__dict__["save_thread"],
        PendingItems.__dict__["add"],
        StreamConverter.__dict__["_inline_handlers"],
    )
    written = await steps._child(1, 2, steps.Marks(marker=lambda: None))  # pyright: ignore[reportPrivateUsage]
    assert (
        server_module.parse_request,
        server_module.encode_event,
        MemoryStore.__dict__["save_thread"],
        PendingItems.__dict__["add"],
        StreamConverter.__dict__["_inline_handlers"],
    ) == originals
    serve = written["calls"]["serve"]
    assert serve["serve"] == 2
    assert {step.label for step in steps.STEPS} <= set(serve)
    assert serve["encoding events"] == 2 * 7  # thread created, user message, the reply's five events
    assert serve["converter: response.output_item.added"] == 2
    assert written["calls"]["raw"] == {"raw": 2}
    requests = steps.per_step(written["labels"], {})
    assert [len(requests["raw"]), len(requests["serve"])] == [2, 2]
