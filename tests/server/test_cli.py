"""The ``chatkit-agents`` command: argument errors, ``serve module:agent``, and ``demo`` surviving kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from _server_helpers import decode_sse, message, req

from chatkit_agents.cli import main


@contextmanager
def running(args: list[str], cwd: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start ``python -m chatkit_agents <args>`` and yield its endpoint URL, read from its own output."""
    env = {key: value for key, value in os.environ.items() if key != "OPENAI_API_KEY"}
    process = subprocess.Popen(
        [sys.executable, "-m", "chatkit_agents", *args, "--port", "0", "--log-level", "warning"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:  # the port is bound before this line is printed
            lines.append(line)
            if "ChatKit endpoint" in line:
                yield line.split()[-1], process
                break
        else:
            pytest.fail(f"no endpoint printed: {lines} {process.stderr.read() if process.stderr else ''}")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def send(url: str, body: bytes) -> list[dict[str, object]]:
    response = httpx.post(url, content=body, timeout=30)
    assert response.status_code == 200, response.text
    return (
        decode_sse(response.content)
        if response.headers["content-type"].startswith("text/event")
        else [response.json()]
    )


def test_the_demo_answers_offline_and_restarts_cleanly_after_kill_9(tmp_path: Path) -> None:
    with running(["demo"], tmp_path) as (url, process):
        events = send(url, req("threads.create", input=message("Hello demo")))
        page = httpx.get(url.removesuffix("chatkit"), timeout=30)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    thread_id = events[0]["thread"]["id"]  # type: ignore[index]
    reply = events[-1]["item"]["content"][0]["text"]  # type: ignore[index]
    assert "You wrote 2 words" in reply
    assert [e["type"] for e in events].count("thread.item.done") == 3  # user message, workflow, reply
    assert page.status_code == 200
    assert (tmp_path / ".chatkit-agents" / "demo.sqlite3").exists()

    with running(["demo"], tmp_path) as (url, _):
        (thread,) = send(url, req("threads.get_by_id", thread_id=thread_id))
        more = send(url, req("threads.add_user_message", thread_id=thread_id, input=message("Again")))
    items = thread["items"]["data"]  # type: ignore[index]
    assert [item["type"] for item in items] == ["user_message", "workflow", "assistant_message"]
    assert more[-1]["type"] == "thread.item.done"


def test_serve_loads_an_agent_from_a_module(tmp_path: Path) -> None:
    (tmp_path / "my_agents.py").write_text(
        "from agents import Agent\n"
        "from chatkit_agents.demo import DemoModel, text_stats\n"
        "assistant = Agent(name='Mine', model=DemoModel(), tools=[text_stats])\n"
    )
    with running(["serve", "my_agents:assistant", "--store", "memory://"], tmp_path) as (url, _):
        events = send(url, req("threads.create", input=message("one two three")))
    assert "You wrote 3 words" in json.dumps(events[-1])


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["serve", "no_colon"], "is not module:attribute"),
        (["serve", "surely_not_a_module_xyz:agent"], "cannot import 'surely_not_a_module_xyz'"),
        (["serve", "json:nothing_here"], "has no attribute 'nothing_here'"),
        (["serve", "json:__name__"], "not an Agent or a ChatKitServer"),
        (["demo", "--store", "redis://x"], "unsupported store URL"),
    ],
)
def test_bad_arguments_are_reported_in_one_line(
    argv: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert error in err
    assert "Traceback" not in err


def test_a_busy_port_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code = main(["demo", "--store", "memory://", "--port", str(port)])
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
