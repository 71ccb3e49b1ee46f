"""End to end: the chat page in headless Chromium against a real `chatkit-agents demo` process on 127.0.0.1.

The demo runs offline (its scripted model), with a SQLite store in a temporary directory. Each test starts
a new chat, except where it reloads the page to see the stored history.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import PageLog, screenshot

from chatkit_agents.testing import render_events

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect

DEMO_ARGS = ["demo", "--offline"]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("chatkit-agents")
    return [str(script)] if script.exists() else [sys.executable, "-m", "chatkit_agents"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chatkit-agents demo` on a free port; yields the chat page URL it prints."""
    workdir = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    command = [
        *_command(),
        *DEMO_ARGS,
        "--port",
        "0",
        "--store",
        f"sqlite:///{workdir / 'demo.sqlite3'}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 120  # a loaded 2-core machine imports the Agents SDK slowly
    try:
        while True:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chatkit-agents demo did not start ({process.poll()}):\n" + "".join(seen))
                continue
            seen.append(line)
            match = re.search(r"chat page (http://\S+?)/?$", line.strip())
            if match:
                break
        yield match.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def open_page(page: Any, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("#app[data-ready=true]")


def send(page: Any, text: str) -> None:
    page.fill("#composer-input", text)
    page.press("#composer-input", "Enter")


def wait_idle(page: Any) -> None:
    page.wait_for_selector("#app[data-busy=false]")


def items(page: Any, kind: str) -> Any:
    return page.locator(f"#items > li[data-type={kind}]")


def sse_events(body: bytes) -> list[dict[str, Any]]:
    """The events of an SSE body, parsed independently of the page."""
    return [
        json.loads(line[len("data: ") :]) for line in body.decode().splitlines() if line.startswith("data: ")
    ]


def assert_only_local(page_log: PageLog, url: str) -> None:
    assert page_log.foreign(url) == [], page_log.foreign(url)
    assert page_log.errors == []


def test_a_message_streams_a_reply_after_a_workflow_with_tasks(
    page: Any, demo_url: str, page_log: PageLog
) -> None:
    open_page(page, demo_url)
    send(page, "Hello there friend")
    reply = items(page, "assistant_message").last
    expect(reply).to_contain_text("You wrote 3 words (18 characters)")
    wait_idle(page)
    assert items(page, "user_message").last.inner_text() == "Hello there friend"
    workflow = items(page, "workflow").last
    assert workflow.locator(".task").count() == 2
    assert workflow.locator(".task-thought .task-content strong").inner_text() == "Reading the message"
    assert workflow.locator(".task-custom .task-title").inner_text() == "Called text_stats"
    statuses = workflow.locator(".task .status").evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses == ["complete", "complete"]
    assert page.locator("#thread-list li.current").count() == 1
    assert_only_local(page_log, demo_url)


def test_the_browser_answers_a_client_tool_call(page: Any, demo_url: str, page_log: PageLog) -> None:
    open_page(page, demo_url)
    send(page, "What is my browser's language?")
    reply = items(page, "assistant_message").last
    language = page.evaluate("navigator.language")
    expect(reply).to_contain_text(f"Your browser says its language is {language}")
    wait_idle(page)
    call = items(page, "client_tool_call").last
    assert call.locator(".tool-call").get_attribute("data-status") == "completed"
    assert json.loads(call.locator(".tool-output").inner_text())["language"] == language
    requests = [e["request"]["type"] for e in page.evaluate("window.chatkitAgents.inspector.streams")]
    assert requests == ["threads.create", "threads.add_client_tool_output"]
    assert_only_local(page_log, demo_url)


def test_approving_a_tool_call_runs_it(page: Any, demo_url: str, page_log: PageLog) -> None:
    open_page(page, demo_url)
    send(page, "Please delete my notes")
    card = items(page, "widget").last
    expect(card.get_by_role("button", name="Approve")).to_be_visible()
    wait_idle(page)
    assert "Approval needed" in card.inner_text()
    screenshot(page, "demo_approval_card")
    card.get_by_role("button", name="Approve").click()
    expect(items(page, "assistant_message").last).to_contain_text("Deleted notes.txt")
    wait_idle(page)
    assert items(page, "widget").last.get_by_role("button", name="Approve").count() == 0
    assert_only_local(page_log, demo_url)


def test_stop_cancels_a_long_reply_and_the_thread_stays_usable(
    page: Any, demo_url: str, page_log: PageLog
) -> None:
    open_page(page, demo_url)
    send(page, "Tell me a long story")
    story = items(page, "assistant_message").last
    expect(story).to_contain_text("(step 3)")
    page.click("#stop")
    wait_idle(page)
    expect(page.locator("#banners")).to_contain_text("Stopped.")
    stopped_at = story.inner_text()
    assert "(step 120)" not in stopped_at
    send(page, "Hello again")
    expect(items(page, "assistant_message").last).to_contain_text("You wrote 2 words")
    wait_idle(page)
    # the stored thread: the story's request, then the next one, each answered in order
    page.reload()
    page.wait_for_selector("#app[data-ready=true]")
    assert items(page, "user_message").all_inner_texts() == ["Tell me a long story", "Hello again"]
    assert items(page, "assistant_message").last.inner_text().startswith("You wrote 2 words")
    # the run was cancelled: whatever was kept of the story stops short of its end
    assert all("(step 120)" not in text for text in items(page, "assistant_message").all_inner_texts())
    assert_only_local(page_log, demo_url)


def test_reloading_the_page_shows_the_same_history(page: Any, demo_url: str, page_log: PageLog) -> None:
    open_page(page, demo_url)
    send(page, "First message")
    expect(items(page, "assistant_message")).to_have_count(1)
    wait_idle(page)
    send(page, "Second message here")
    expect(items(page, "assistant_message")).to_have_count(2)
    wait_idle(page)
    shown = page.locator("#items > li").evaluate_all(
        "els => els.map(e => [e.dataset.itemId, e.dataset.type])"
    )
    texts = items(page, "assistant_message").all_inner_texts()
    page.reload()
    page.wait_for_selector("#app[data-ready=true]")
    expect(page.locator("#items > li")).to_have_count(len(shown))
    assert (
        page.locator("#items > li").evaluate_all("els => els.map(e => [e.dataset.itemId, e.dataset.type])")
        == shown
    )
    assert items(page, "assistant_message").all_inner_texts() == texts
    assert page.inner_text("#thread-title") == "First message"  # untitled: named after its first message
    assert_only_local(page_log, demo_url)


def test_the_inspector_lists_exactly_the_events_the_server_sent(page: Any, demo_url: str) -> None:
    open_page(page, demo_url)
    with page.expect_response(lambda r: r.url.endswith("/chatkit") and r.request.method == "POST") as answer:
        send(page, "Count these words please")
    expect(items(page, "assistant_message")).to_have_count(1)
    wait_idle(page)
    sent = sse_events(answer.value.body())
    assert sent[0]["type"] == "thread.created"
    assert sent[-1]["type"] == "thread.item.done"
    rows = page.locator("#event-list .event-row")
    assert rows.count() == len(sent)
    assert rows.evaluate_all("els => els.map(e => e.dataset.type)") == [e["type"] for e in sent]
    listed = page.evaluate("window.chatkitAgents.inspector.streams[0].events.map(e => e.event)")
    assert listed == sent
    sizes = page.locator("#event-list .ev-size").all_inner_texts()
    frames = [line for line in answer.value.body().decode().splitlines() if line.startswith("data: ")]
    assert sizes == [f"{len(frame.encode()) - len('data: ')} B" for frame in frames]
    rows.nth(2).click()
    assert json.loads(page.inner_text("#event-detail")) == sent[2]
    page.click("#copy-snapshot")
    assert page.input_value("#snapshot-output") == render_events(sent)
