# ruff: noqa: E501 (expected output lines are long)
"""Every example runs offline (no ``OPENAI_API_KEY``) and prints the conversation it promises.

The examples run as subprocesses, all started at once and collected by one module fixture, so the whole
file costs about as much as its slowest example. Random ids in the output are replaced by ``<prefix>_*``
before comparing lines.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TIMEOUT = 300

RUNS: dict[str, list[str]] = {
    "fastapi_app": ["examples/fastapi_app.py"],
    "client_tools": ["examples/client_tools.py", "--once"],
    "widgets": ["examples/widgets.py"],
    "hosted_tools": ["examples/hosted_tools.py"],
    "reasoning": ["examples/reasoning.py"],
    "approvals": ["examples/approvals.py"],
    "approvals_rejected": ["examples/approvals.py", "--reject"],
    "converter_hooks": ["examples/converter_hooks.py"],
    "hosted_thread": ["examples/hosted_thread.py"],
    "snapshot_test": ["-m", "pytest", "examples/test_agent_snapshot.py", "-q", "-p", "no:cacheprovider"],
}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """Output lines with random ids replaced by ``<prefix>_*``."""
        return re.sub(r"\b([a-z]+)_[0-9a-f]{24}\b", r"\1_*", self.stdout).splitlines()

    def check(self) -> Run:
        assert self.returncode == 0, f"exit code {self.returncode}\n{self.stdout}\n{self.stderr}"
        return self


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"OPENAI_API_KEY", "HOSTED_THREAD_ID"}}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(args: list[str]) -> Run:
    """Run ``python *args`` from the repository root, offline."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=offline_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    """Every example's output; they run in parallel, one per CPU."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {name: pool.submit(run, args) for name, args in RUNS.items()}
        return {name: future.result() for name, future in futures.items()}


def test_every_example_is_exercised() -> None:
    scripts = {path.stem for path in EXAMPLES.glob("*.py") if not path.stem.startswith("_")}
    exercised = {Path(args[0] if args[0] != "-m" else args[2]).stem for args in RUNS.values()}
    assert scripts == exercised


def test_fastapi_app_answers_through_the_mounted_chatkit_app(runs: dict[str, Run]) -> None:
    lines = runs["fastapi_app"].check().lines
    assert lines[0] == "model: scripted (offline)"
    assert (
        '  task.updated          wf_* [0] custom complete "Called order_status" icon=bolt '
        'content=\'Arguments: {"order_id": "1042"}\\n\\nResult: shipped on Monday, arriving Friday\''
    ) in lines
    assert (
        'thread.item.done        msg_* assistant_message "Your order 1042 was shipped on Monday, arriving Friday."'
    ) in lines
    assert "ada sees 1 thread(s), the new one first: True" in lines
    assert "grace sees 0 thread(s)" in lines  # the context factory isolates users
    assert "GET /api/orders/1043 -> {'order_id': '1043', 'status': 'being packed'}" in lines


def test_client_tools_end_the_turn_then_continue_with_the_output(runs: dict[str, Run]) -> None:
    lines = runs["client_tools"].check().lines
    create = lines.index(">>> threads.create")
    output = lines.index(">>> threads.add_client_tool_output")
    assert (
        "thread.item.done        tc_* client_tool_call get_browser_info pending call_1_0 args={}"
        in lines[create:output]
    )
    assert not any("assistant_message" in line for line in lines[create:output])
    assert "the client runs get_browser_info (call call_1_0, status pending)" in lines
    assert (
        '  task.updated          wf_* [0] custom loading "Calling events_tonight" icon=bolt '
        'content=\'Arguments: {"time_zone": "Europe/Paris"}\''
    ) in lines[output:]
    assert any(
        line.startswith('thread.item.done        msg_* assistant_message "Tonight you could go to: Jazz')
        for line in lines[output:]
    )
    assert (
        "stored client tool call: status completed, output {'language': 'fr-FR', 'time_zone': "
        "'Europe/Paris', 'local_time': 'Mon Nov 23 2026 18:05'}"
    ) in lines


def test_widgets_static_streamed_and_replaced_by_an_action(runs: dict[str, Run]) -> None:
    lines = runs["widgets"].check().lines
    assert (
        'thread.item.done        wdg_* widget Card (4 children) copy_text="Paris: Light rain, 14 °C"' in lines
    )
    assert "thread.item.added       wdg_* widget Card (2 children)" in lines
    assert '  widget.text_delta     wdg_* list "- light jacket\\n- comfortable shoes\\n" (2 deltas)' in lines
    assert "  widget.root_updated   wdg_* Card (3 children)" in lines
    assert "pressing 'Refresh': {'type': 'forecast.refresh', 'payload': {'city': 'Paris'}}" in lines
    action = lines.index(">>> threads.custom_action")
    assert lines[action + 1 :] == [
        "stream_options          allow_cancel=true",
        'thread.item.replaced    wdg_* widget Card (4 children) copy_text="Paris: Light rain, 14 °C"',
    ]


def test_hosted_tools_show_search_tasks_and_cited_sources(runs: dict[str, Run]) -> None:
    lines = runs["hosted_tools"].check().lines
    assert (
        '  task.updated          wf_* [0] web_search complete "Searched the web" query="Paris weather tomorrow" '
        'queries=["Paris weather tomorrow"] sources=[url:https://weather.example/paris, '
        "url:https://meteo.example/fr/paris]"
    ) in lines
    assert (
        '  task.updated          wf_* [1] file complete "Searched files for “taxi rain policy”" '
        "sources=[file:travel-policy.pdf]"
    ) in lines
    assert "  annotation_added      msg_* [0] #0 url:https://weather.example/paris@43" in lines
    assert "  annotation_added      msg_* [0] #1 file:travel-policy.pdf@90" in lines
    assert lines[-2:] == [
        "source at 43: url https://weather.example/paris",
        "source at 90: file travel-policy.pdf",
    ]


def test_reasoning_and_tool_tasks_share_one_workflow(runs: dict[str, Run]) -> None:
    lines = runs["reasoning"].check().lines
    assert "thread.item.added       wf_* workflow reasoning" in lines
    assert (
        '  task.updated          wf_* [0] thought complete content="**Planning** The user wants a cheap '
        "flight from Paris to Lisbon; I'll compare fares.\""
    ) in lines
    assert 'progress_update         search "Comparing fares Paris → Lisbon"' in lines
    assert '  task.added            wf_* [3] custom loading "Checking Transavia" icon=search' in lines
    assert (
        '  task.updated          wf_* [3] custom complete "Transavia: €74" icon=search content="Direct flight"'
    ) in lines
    assert any(line.startswith("thread.item.done        wf_* workflow reasoning summary=") for line in lines)
    assert lines[-1] == (
        "stored workflow: reasoning, 6 tasks: ['thought', 'custom', 'custom', 'custom', 'custom', 'thought']"
    )


def test_approval_pauses_the_run_and_approving_runs_the_tool(runs: dict[str, Run]) -> None:
    lines = runs["approvals"].check().lines
    assert (
        '  task.updated          wf_* [1] custom none "Waiting for approval: refund_order" icon=keys '
        'content=\'Arguments: {"order_id": "1042", "amount": 42.5}\''
    ) in lines
    assert (
        'approval card: Approval needed | Run refund_order? | {"order_id": "1042", "amount": 42.5} | '
        "Approve | Reject"
    ) in lines
    assert "the card became: Approved | The tool call was approved." in lines
    assert 'thread.item.done        msg_* assistant_message "Done: Refunded €42.50 on order 1042."' in lines
    assert lines[-1] == "refunds made: [('1042', 42.5)]"


def test_rejecting_an_approval_never_runs_the_tool(runs: dict[str, Run]) -> None:
    lines = runs["approvals_rejected"].check().lines
    assert "the card became: Rejected | The tool call was rejected." in lines
    assert (
        'thread.item.done        msg_* assistant_message "Understood, I did not refund the order."' in lines
    )
    assert lines[-1] == "refunds made: []"


def test_converter_hooks_put_the_tagged_customer_and_the_uploaded_file_in_the_model_input(
    runs: dict[str, Run],
) -> None:
    lines = runs["converter_hooks"].check().lines
    assert "PUT http://example.test/files/atc_* -> 204" in lines
    start = lines.index("model input (newest items):")
    assert lines[start + 1 : start + 9] == [
        "  Draft a reply to @Ada Lovelace about the attached notes.",
        '  <file name="notes.txt">',
        "  Ticket 311: invoice shows the wrong VAT number.",
        "  Ticket 312: wants an annual plan.",
        "  </file>",
        "  <mentions>",
        "  @Ada Lovelace is customer cus_42: Ada Lovelace, premium plan since 2021, prefers email, 2 open tickets",
        "  </mentions>",
    ]
    assert (
        'thread.item.done        msg_* user_message "Draft a reply to @Ada Lovelace about the attached notes." '
        "attachments=[file:notes.txt]"
    ) in lines
    assert lines[-1] == (
        'thread.item.done        msg_* assistant_message "Draft for Ada (premium plan): thanks for your '
        'patience; I looked into your 2 tickets."'
    )


def test_hosted_thread_is_imported_and_continued(runs: dict[str, Run]) -> None:
    lines = runs["hosted_thread"].check().lines
    start = lines.index("imported thread:")
    assert lines[start + 1 : start + 6] == [
        'msg_* user_message "My order 1042 has not arrived. Where is it?"',
        "wf_* workflow custom",
        '    [0] thought none "Looking up the order" content="The user asks about 1042."',
        '    [1] custom none "lookup_order" content="order 1042: shipped, arrives Friday"',
        'msg_* assistant_message "Order 1042 shipped on Monday and arrives on Friday." '
        "[1 annotation: url:https://carrier.example/track/1042]",
    ]
    start = lines.index("model input:")
    assert lines[start + 1 : start + 5] == [
        "  user: My order 1042 has not arrived. Where is it?",
        "  user: <workflow> - Looking up the order   The user asks about 1042. - lookup_order   order 1042:",
        "  assistant: Order 1042 shipped on Monday and arrives on Friday.  Sources: [1] https://carrier.example/",
        "  user: Can you hold it at the depot instead?",
    ]
    assert lines[-1] == (
        'thread.item.done        msg_* assistant_message "Order 1042 is already on its way and arrives on '
        'Friday; I asked the carrier to hold it."'
    )


def test_the_example_snapshot_test_passes(runs: dict[str, Run]) -> None:
    run = runs["snapshot_test"].check()
    assert re.search(r"^2 passed in ", run.stdout, re.M), run.stdout


# --- --serve --------------------------------------------------------------------------------------------


Serve = Callable[[str], tuple[str, list[str]]]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start examples with ``--serve --port 0``; yields a function returning (base URL, first lines)."""
    started: list[subprocess.Popen[str]] = []

    def start(script: str) -> tuple[str, list[str]]:
        process = subprocess.Popen(
            [sys.executable, f"examples/{script}", "--serve", "--port", "0"],
            cwd=ROOT,
            env=offline_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        started.append(process)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(
            target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True
        ).start()
        seen: list[str] = []
        while True:
            line = lines.get(timeout=TIMEOUT).rstrip("\n")
            seen.append(line)
            if line.startswith("ChatKit endpoint: "):
                return line.removeprefix("ChatKit endpoint: ").removesuffix("/chatkit"), seen

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_starts_a_server_with_the_chat_page_and_the_chatkit_endpoint(serve: Serve) -> None:
    base, lines = serve("fastapi_app.py")
    assert lines[0] == "model: scripted (offline)"
    with httpx.Client(base_url=base, timeout=60) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/api/orders/1042").json()["status"] == "shipped on Monday, arriving Friday"
        assert "<html" in http.get("/").text
        assert http.post("/chatkit", json={"type": "threads.list", "params": {}}).status_code == 401
        body = {
            "type": "threads.create",
            "params": {"input": {"content": [{"type": "input_text", "text": "Hi"}]}},
        }
        reply = http.post("/chatkit", json=body, headers={"x-user-id": "ada"})
        assert reply.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in reply.text.splitlines() if line.startswith("data: ")]
        assert events[-1]["type"] == "thread.item.done"
        assert events[-1]["item"]["type"] == "assistant_message"


def test_serve_imports_the_hosted_thread_at_startup(serve: Serve) -> None:
    base, _ = serve("hosted_thread.py")
    with httpx.Client(base_url=base, timeout=60) as http:
        threads = http.post("/chatkit", json={"type": "threads.list", "params": {}}).json()
    assert [thread["title"] for thread in threads["data"]] == ["Continued from hosted ChatKit"]
