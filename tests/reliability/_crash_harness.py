"""Kill -9 harness: run the real server in a subprocess, pause a reply, kill it, restart, check.

The echo model pauses before finishing (``pause:<k>``) or inside a tool (``tool:wait_for_go``), so the
server cannot complete the reply; the client reads K frames of the stream and the server is killed there,
with no sleeping. After each
restart every item the client saw in ``thread.item.done`` must be stored exactly once with the same id and
type, nothing may be duplicated, and the thread must answer a new message.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _reliability_kit import StreamReport, check_complete_stream, decode_sse, message, req

HERE = Path(__file__).resolve().parent
START_BOUND = 60.0  # seconds for a server to print its endpoint
SIGNAL_BOUND = 30.0  # seconds for a paused model to say so


@dataclass
class ServerProcess:
    """One running ``chatkit-agents serve`` subprocess and its endpoint."""

    process: subprocess.Popen[str]
    url: str
    output: list[str] = field(default_factory=list[str])

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no lifespan end."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@contextmanager
def server_process(store_url: str, signals: Path, workdir: Path) -> Iterator[ServerProcess]:
    """Start the crash app on a free loopback port; yields once the port is bound (it is printed after)."""
    env = {key: value for key, value in os.environ.items() if key != "OPENAI_API_KEY"}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    env["CHATKIT_CRASH_STORE"] = store_url
    env["CHATKIT_CRASH_SIGNALS"] = str(signals)
    command = [sys.executable, "-m", "chatkit_agents.cli", "serve", "_crash_app:build"]
    command += ["--host", "127.0.0.1", "--port", "0", "--log-level", "warning"]
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    timer = threading.Timer(START_BOUND, process.kill)  # bound: a server that never starts is killed
    timer.start()
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:
            lines.append(line)
            if "ChatKit endpoint" in line:
                break
        timer.cancel()
        if not lines or "ChatKit endpoint" not in lines[-1]:
            raise AssertionError(f"the server did not start: {''.join(lines)}")
        drainer = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
        drainer.start()
        yield ServerProcess(process, lines[-1].split()[-1], lines)
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def reset_signals(signals: Path) -> None:
    for name in ("paused", "go", "tool-waiting"):
        (signals / name).unlink(missing_ok=True)


class StreamReader(threading.Thread):
    """Reads one SSE response in the background until the connection ends (the server is killed)."""

    def __init__(self, url: str, body: bytes) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.body = body
        self.buffer = b""
        self.status: int | None = None
        self.error: BaseException | None = None
        self.changed = threading.Condition()

    def run(self) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(60.0)) as client,
                client.stream("POST", self.url, content=self.body) as response,
            ):
                self.status = response.status_code
                for chunk in response.iter_raw():
                    with self.changed:
                        self.buffer += chunk
                        self.changed.notify_all()
        except httpx.HTTPError as error:  # the server died mid-response: expected
            self.error = error
        finally:
            with self.changed:
                self.changed.notify_all()

    def wait_for_frames(self, count: int) -> int:
        """Block (bounded) until ``count`` complete SSE frames arrived; returns how many there are."""
        with self.changed:
            self.changed.wait_for(
                lambda: self.buffer.count(b"\n\n") >= count or not self.is_alive(), timeout=SIGNAL_BOUND
            )
            return self.buffer.count(b"\n\n")

    @property
    def report(self) -> StreamReport:
        return StreamReport(decode_sse(self.buffer))


def post_json(url: str, body: bytes) -> Any:
    response = httpx.post(url, content=body, timeout=60.0)
    assert response.status_code == 200, response.text
    return response.json()


def post_stream(url: str, body: bytes) -> StreamReport:
    response = httpx.post(url, content=body, timeout=60.0)
    assert response.status_code == 200, response.text
    return StreamReport(decode_sse(response.content))


def stored_items(url: str, thread_id: str) -> list[dict[str, Any]]:
    """Every visible item of the thread as the restarted server lists it, oldest first."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"thread_id": thread_id, "limit": 100, "order": "asc"}
        if after is not None:
            params["after"] = after
        page = post_json(url, req("items.list", **params))
        items.extend(page["data"])
        if not page["has_more"]:
            return items
        after = page["after"]


@dataclass
class CrashLog:
    """What the client was told across all kills: item id -> type of every item announced done."""

    thread_id: str | None = None
    announced: dict[str, str] = field(default_factory=dict[str, str])
    kills: int = 0
    frames_seen: list[int] = field(default_factory=list[int])

    def record(self, report: StreamReport) -> None:
        self.thread_id = self.thread_id or report.thread_id
        for item_id, item in report.done_items.items():
            self.announced[item_id] = item["type"]
        self.frames_seen.append(len(report.events))


def check_after_restart(url: str, log: CrashLog) -> None:
    """Everything announced is there once with its id and type; the thread answers a new message."""
    assert log.thread_id is not None
    items = stored_items(url, log.thread_id)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), f"duplicated items after restart: {ids}"
    types = {item["id"]: item["type"] for item in items}
    for item_id, item_type in log.announced.items():
        assert types.get(item_id) == item_type, f"{item_id} ({item_type}) announced done, lost after kill -9"
    report = post_stream(
        url, req("threads.add_user_message", thread_id=log.thread_id, input=message("back again"))
    )
    check_complete_stream(report)
    assert report.events[-1]["item"]["content"][0]["text"] == "Echo: back again", report.types
    log.record(report)


def kill_mid_stream(server: ServerProcess, signals: Path, log: CrashLog, text: str, frames: int) -> None:
    """Send ``text`` (its reply pauses before finishing), read ``frames`` SSE frames, then kill -9."""
    reset_signals(signals)
    if log.thread_id is None:
        body = req("threads.create", input=message(text))
    else:
        body = req("threads.add_user_message", thread_id=log.thread_id, input=message(text))
    reader = StreamReader(server.url, body)
    reader.start()
    seen = reader.wait_for_frames(frames)
    assert seen >= frames, f"only {seen} of {frames} frames arrived before the reply paused"
    server.kill()
    reader.join(60)
    assert not reader.is_alive(), "the client did not notice the server died"
    assert reader.status == 200, (reader.status, server.output)
    log.record(reader.report)
    log.kills += 1


def crash_cycles(store_url: str, workdir: Path, kills: list[tuple[str, int]]) -> CrashLog:
    """For each ``(text, frames)``: start the server, send ``text``, kill -9 after ``frames`` SSE frames,
    restart on the same database, check, and go on with the next kill on the same thread."""
    signals = workdir / "signals"
    signals.mkdir(exist_ok=True)
    log = CrashLog()
    for text, frames in kills:
        with server_process(store_url, signals, workdir) as server:
            if log.thread_id is not None:
                check_after_restart(server.url, log)
            kill_mid_stream(server, signals, log, text, frames)
    with server_process(store_url, signals, workdir) as server:
        check_after_restart(server.url, log)
    return log
