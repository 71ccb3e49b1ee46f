"""Load: N concurrent SSE clients against the real server process over loopback, for a bounded time.

The server is ``chatkit-agents serve`` (the echo agent on SQLite or PostgreSQL) in its own process; the
clients share one process. Each client opens a thread, then sends message after message, reading every
reply to its end, until the time is up. Reported: turns and events per second, latency percentiles and
errors; the run must have zero errors and the store must hold every turn afterwards.

Knobs: ``CHATKIT_LOAD_CLIENTS`` (default 50), ``CHATKIT_LOAD_SECONDS`` (default 20),
``CHATKIT_LOAD_MAX_TURNS`` per client (default 500). The report is printed and written to
``load-report-<store>.json`` in ``$CHATKIT_LOAD_REPORT_DIR`` (default: the test's temporary directory).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _crash_harness import server_process, stored_items
from _reliability_kit import StreamReport, check_complete_stream, decode_sse, message, req

pytestmark = pytest.mark.stress

CLIENTS = int(os.environ.get("CHATKIT_LOAD_CLIENTS", "50"))
SECONDS = float(os.environ.get("CHATKIT_LOAD_SECONDS", "20"))
MAX_TURNS = int(os.environ.get("CHATKIT_LOAD_MAX_TURNS", "500"))


@dataclass
class LoadReport:
    """What the load run measured."""

    store: str
    clients: int
    seconds: float
    elapsed: float = 0.0
    turns: int = 0
    events: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list[str])
    first_byte_ms: list[float] = field(default_factory=list[float], repr=False)
    turn_ms: list[float] = field(default_factory=list[float], repr=False)

    def summary(self) -> dict[str, Any]:
        def pct(values: list[float], q: int) -> float:
            if len(values) < 2:
                return values[0] if values else 0.0
            return round(statistics.quantiles(values, n=100)[q - 1], 1)

        data = asdict(self)
        del data["first_byte_ms"], data["turn_ms"]
        data.update(
            elapsed=round(self.elapsed, 2),
            turns_per_second=round(self.turns / self.elapsed, 1),
            events_per_second=round(self.events / self.elapsed, 1),
            first_byte_ms_p50=pct(self.first_byte_ms, 50),
            first_byte_ms_p95=pct(self.first_byte_ms, 95),
            turn_ms_p50=pct(self.turn_ms, 50),
            turn_ms_p95=pct(self.turn_ms, 95),
            turn_ms_max=round(max(self.turn_ms, default=0.0), 1),
        )
        return data


async def one_turn(client: httpx.AsyncClient, url: str, body: bytes, report: LoadReport) -> StreamReport:
    started = time.monotonic()
    first: float | None = None
    buffer = b""
    async with client.stream("POST", url, content=body) as response:
        if response.status_code != 200:
            raise AssertionError(f"HTTP {response.status_code}: {(await response.aread())[:200]!r}")
        async for chunk in response.aiter_bytes():
            first = first or time.monotonic()
            buffer += chunk
    finished = time.monotonic()
    result = StreamReport(decode_sse(buffer))
    check_complete_stream(result)
    if "error" in result.types:
        raise AssertionError(f"error event: {result.events[-1]}")
    report.first_byte_ms.append(((first or finished) - started) * 1000)
    report.turn_ms.append((finished - started) * 1000)
    report.events += len(result.events)
    return result


async def run_clients(url: str, report: LoadReport) -> dict[str, int]:
    """Every client: one thread, messages until the deadline; returns turns per thread."""
    started = time.monotonic()
    deadline = started + report.seconds
    per_thread: dict[str, int] = {}
    limits = httpx.Limits(max_connections=report.clients + 10, max_keepalive_connections=report.clients + 10)

    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0)) as client:

        async def client_loop(n: int) -> None:
            thread_id: str | None = None
            for turn in range(MAX_TURNS):
                if time.monotonic() >= deadline:
                    return
                text = f"client {n} turn {turn}"
                if thread_id is None:
                    body = req("threads.create", input=message(text))
                else:
                    body = req("threads.add_user_message", thread_id=thread_id, input=message(text))
                try:
                    result = await one_turn(client, url, body, report)
                except (AssertionError, httpx.HTTPError) as error:
                    report.errors += 1
                    if len(report.error_samples) < 10:
                        report.error_samples.append(f"client {n} turn {turn}: {error!r}")
                    continue
                thread_id = thread_id or result.thread_id
                assert thread_id is not None
                per_thread[thread_id] = per_thread.get(thread_id, 0) + 1
                report.turns += 1
                reply = result.events[-1]["item"]["content"][0]["text"]
                if reply != f"Echo: {text}":
                    report.errors += 1
                    report.error_samples.append(f"client {n} turn {turn}: wrong reply {reply!r}")

        with anyio.fail_after(report.seconds + 120):  # bound: a hung run fails instead of blocking CI
            async with anyio.create_task_group() as group:
                for n in range(report.clients):
                    group.start_soon(client_loop, n)
    report.elapsed = time.monotonic() - started
    return per_thread


STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("kind", STORES)
async def test_concurrent_sse_clients_over_loopback_have_zero_errors(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    if kind == "sqlite":
        store_url = f"sqlite:///{tmp_path / 'load.db'}"
    else:
        dsn: str = request.getfixturevalue("postgres_dsn")
        schema: str = request.getfixturevalue("postgres_schema")
        store_url = f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"
    signals = tmp_path / "signals"
    signals.mkdir()
    report = LoadReport(store=kind, clients=CLIENTS, seconds=SECONDS)

    with server_process(store_url, signals, tmp_path) as server:
        per_thread = await run_clients(server.url, report)
        # the store holds every turn: user message, reasoning workflow and reply, once each
        for thread_id, turns in per_thread.items():
            items = await anyio.to_thread.run_sync(stored_items, server.url, thread_id)
            assert len(items) == 3 * turns, (thread_id, turns, [item["type"] for item in items])
            assert len({item["id"] for item in items}) == len(items)

    summary = report.summary()
    target = Path(os.environ.get("CHATKIT_LOAD_REPORT_DIR", str(tmp_path))) / f"load-report-{kind}.json"
    target.write_text(json.dumps(summary, indent=2))
    with capsys.disabled():
        print(f"\nload ({kind}): {json.dumps(summary)}\nreport written to {target}")
    assert report.errors == 0, report.error_samples
    assert report.turns >= report.clients
