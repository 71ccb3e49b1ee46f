"""The chat page in a real headless Chromium against a fake ChatKit backend replaying canned event streams."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from _browser import PageLog, ThreadedServer, screenshot, wait_until
from _fake_app import FakeBackend, create_fake_app

from chatkit_agents.testing import render_events

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def fake_url(backend: FakeBackend) -> Iterator[str]:
    with ThreadedServer(create_fake_app(backend)) as server:
        yield server.url


def open_page(page: Any, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("#app[data-ready=true]")


def send(page: Any, text: str) -> None:
    page.fill("#composer-input", text)
    page.press("#composer-input", "Enter")


def wait_idle(page: Any) -> None:
    """Wait until no request is streaming (the page marks itself busy while one is)."""
    page.wait_for_selector("#app[data-busy=false]")


def item(page: Any, kind: str, nth: int = -1) -> Any:
    items = page.locator(f"#items > li[data-type={kind}]")
    return items.nth(nth) if nth >= 0 else items.last


def test_streamed_reply_renders_markdown_and_numbered_sources(
    page: Any, fake_url: str, page_log: PageLog
) -> None:
    open_page(page, fake_url)
    send(page, "hello there")
    reply = item(page, "assistant_message")
    reply.locator("[data-feedback]").first.wait_for()
    assert reply.locator("strong").inner_text() == "world"
    assert reply.locator("code").inner_text() == "code"
    assert reply.locator("li").all_inner_texts()[:2] == ["one", "two[2]"]  # [2] cites the end of the text
    guide = reply.locator(".markdown a").first
    assert guide.get_attribute("href") == "https://example.com/guide"
    assert guide.get_attribute("rel") == "noopener noreferrer nofollow"
    assert reply.locator("sup.cite").all_inner_texts() == ["[1]", "[2]"]
    assert reply.locator(".source-list li").all_inner_texts() == ["The guide", "Notes (notes.txt)"]
    # the user message, the thread title from thread.updated, and the thread in the list
    assert item(page, "user_message").inner_text() == "hello there"
    assert page.inner_text("#thread-title") == "hello there"
    assert page.locator("#thread-list li.current").inner_text().startswith("hello there")
    assert page_log.foreign(fake_url) == []
    assert page_log.errors == []


def test_markdown_subset_renders_blocks_as_elements_and_markup_as_text(page: Any, fake_url: str) -> None:
    open_page(page, fake_url)
    send(page, "markdown")
    reply = item(page, "assistant_message")
    reply.locator("[data-feedback]").first.wait_for()
    body = reply.locator(".markdown").first
    assert body.locator("h4").inner_text() == "Plan"
    assert body.locator("ol li").all_inner_texts() == ["First step", "Second step step"]
    assert body.locator("ol em").inner_text() == "step"
    assert body.locator("ol del").inner_text() == "step"
    assert body.locator("blockquote strong").inner_text() == "text"
    assert body.locator("pre code").inner_text() == 'print("<b>hi</b>")'
    assert body.locator("pre code").get_attribute("data-lang") == "python"
    assert body.locator("table tr").all_inner_texts() == ["Name\tQty", "Apples\t3", "<i>Pears</i>\t5"]
    assert body.locator("hr").count() == 1
    assert body.locator(":scope > p").first.inner_text() == "Line one\nline two"
    assert (
        body.locator(":scope > p").last.inner_text() == "x" + "*" * 9000
    )  # too long for inline markup: plain text


def test_sse_framing_with_crlf_comments_multiline_data_and_split_chunks(
    page: Any, fake_url: str, backend: FakeBackend
) -> None:
    open_page(page, fake_url)
    send(page, "chunked")
    expect(item(page, "assistant_message")).to_contain_text("Framing survived.")
    wait_idle(page)
    assert page.locator("#banners .banner-info .markdown-inline").inner_text() == "two lines"
    sent = [json.loads(frame[len(b"data: ") :]) for frame in backend.streams[-1]]
    listed = page.evaluate("window.chatkitAgents.inspector.streams[0].events.map(e => e.event)")
    assert listed == sent


def test_a_locked_thread_disables_the_composer_with_its_reason(page: Any, fake_url: str) -> None:
    open_page(page, fake_url)
    send(page, "lock please")
    expect(page.locator("#composer-lock")).to_have_text("Waiting for a human agent")
    wait_idle(page)
    assert page.locator("#composer-input").is_disabled()
    assert page.locator("#send").is_disabled()
    page.reload()
    page.wait_for_selector("#app[data-ready=true]")
    expect(page.locator("#composer-lock")).to_have_text("Waiting for a human agent")
    assert page.locator("#composer-input").is_disabled()
    page.click("#new-thread")
    assert page.locator("#composer-input").is_enabled()
    assert page.locator("#composer-lock").is_hidden()


def test_workflow_shows_every_task_kind_with_status_and_summary(page: Any, fake_url: str) -> None:
    open_page(page, fake_url)
    send(page, "workflow please")
    item(page, "assistant_message").locator("[data-feedback]").first.wait_for()
    reasoning = item(page, "workflow", 0)
    assert reasoning.locator("summary").inner_text().strip().endswith("Worked for 3 seconds")
    assert reasoning.locator("details").get_attribute("open") is not None
    kinds = reasoning.locator(".task").evaluate_all("els => els.map(e => e.dataset.taskType)")
    assert kinds == ["thought", "custom", "web_search", "file", "image"]
    statuses = reasoning.locator(".task .status").evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses == ["complete", "complete", "complete", "complete", "loading"]
    assert reasoning.locator(".task-thought .task-content em").inner_text() == "this"
    search = reasoning.locator(".task-web_search")
    assert search.locator(".queries li").all_inner_texts() == ["weather paris", "paris forecast"]
    assert search.locator(".source-list a").get_attribute("href") == "https://weather.example/paris"
    assert reasoning.locator(".task-file .source-list").inner_text() == "Q3 report (report.pdf)"
    # a custom workflow with a custom summary starts collapsed and opens on click
    custom = item(page, "workflow", 1)
    assert custom.locator("summary").inner_text().strip().endswith("Checked the inventory")
    assert not custom.locator(".task").is_visible()
    custom.locator("summary").click()
    assert custom.locator(".task-title").inner_text() == "Collapsed step"


def test_every_widget_component_renders_and_unknown_ones_show_as_json(
    page: Any, fake_url: str, backend: FakeBackend
) -> None:
    open_page(page, fake_url)
    send(page, "widgets")
    page.locator("#items > li[data-type=widget]").nth(3).wait_for()
    wait_idle(page)
    card = item(page, "widget", 0)
    rendered = set(card.locator("[data-widget]").evaluate_all("els => els.map(e => e.dataset.widget)"))
    expected = {
        "Card", "Title", "Caption", "Text", "Markdown", "Row", "Badge", "Icon", "Spacer", "Divider", "Box",
        "Col", "Image", "Transition", "Table", "Table.Row", "Table.Cell", "Chart", "Form", "Label", "Input",
        "Textarea", "Select", "DatePicker", "Checkbox", "RadioGroup", "Button", "Card.confirm", "Card.cancel",
    }  # fmt: skip
    assert expected <= rendered, expected - rendered
    assert card.locator("[data-component-id=stream]").inner_text() == "Streaming: one two done"
    assert card.locator("[data-component-id=swap]").inner_text() == "After update"
    assert card.locator("[data-widget=Card\\.confirm]").inner_text() == "Confirm"
    assert card.locator("img.w-image").get_attribute("src").startswith("data:image/png;base64,")
    assert card.locator(".w-chart td").all_inner_texts() == ["Jan", "3", "Feb", "5"]
    # list view: limit 2 hides the third row until "Show 1 more"
    listing = item(page, "widget", 1)
    assert listing.locator(".w-listview-item:visible").count() == 2
    listing.get_by_text("Show 1 more").click()
    assert listing.locator(".w-listview-item:visible").count() == 3
    assert item(page, "widget", 2).locator("[data-widget=Basic]").count() == 1
    unknown = item(page, "widget", 3).locator("pre[data-widget=unknown]")
    assert json.loads(unknown.inner_text())["type"] == "Hologram"
    # submitting the form sends threads.custom_action with the form values merged into the payload
    card.locator("[data-widget=Form] button[type=submit]").click()
    wait_idle(page)
    action = backend.of_type("threads.custom_action")[-1]["params"]
    assert action["action"] == {
        "type": "demo.submit",
        "payload": {
            "source": "form", "name": "Ada", "notes": "", "size": "l", "when": "2026-01-02", "gift": True,
            "speed": "slow",
        },
    }  # fmt: skip
    assert action["item_id"] == card.get_attribute("data-item-id")
    # a list row click sends its own action
    listing.locator(".w-listview-item").nth(2).click()
    wait_idle(page)
    assert backend.of_type("threads.custom_action")[-1]["params"]["action"] == {
        "type": "demo.row",
        "payload": {"n": 2},
    }


def test_widget_text_deltas_and_component_updates_apply_while_streaming(page: Any, fake_url: str) -> None:
    open_page(page, fake_url)
    send(page, "widgetdeltas")
    wait_idle(page)
    card = item(page, "widget")
    expect(card.locator("[data-component-id=stream]")).to_have_text("Streaming: one two done")
    expect(card.locator("[data-component-id=swap]")).to_have_text("After update")
    assert card.get_attribute("data-done") == "false"


def test_model_and_widget_text_never_runs_as_markup(page: Any, fake_url: str, page_log: PageLog) -> None:
    open_page(page, fake_url)
    send(page, "inject")
    page.locator("#banners .banner-warning").wait_for()
    wait_idle(page)
    assert page.evaluate("window.__pwned") is None
    # no element came from the payloads: no <img src=x>, no <script> in the chat, no javascript: or data: link
    assert page.locator("#items img[src=x], #banners img, #progress img").count() == 0
    assert page.locator("#items script, #banners script").count() == 0
    hrefs = page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert all(h.startswith(("https://", "http://", "mailto:")) for h in hrefs), hrefs
    # ...but the text is shown, literally
    message = item(page, "assistant_message")
    assert '<img src=x onerror="window.__pwned=1">' in message.inner_text()
    assert "<script>window.__pwned=3</script>" in message.inner_text()
    assert message.locator(".unsafe-link").first.inner_text() == "click me"
    assert message.locator(".source-list li").inner_text() == '<img src=x onerror="window.__pwned=1">'
    widget = item(page, "widget")
    assert widget.locator("[data-widget=Title]").inner_text() == '<img src=x onerror="window.__pwned=1">'
    assert widget.locator("[data-widget=Markdown] .unsafe-link").inner_text() == "md link"
    assert widget.locator("img").count() == 0  # javascript: and remote image sources are not loaded
    assert widget.locator(".w-image-external").count() == 2
    tasks = item(page, "workflow")
    assert tasks.locator(".task-title").first.inner_text() == '<img src=x onerror="window.__pwned=1">'
    assert tasks.locator(".task-content .unsafe-link").inner_text() == "task link"
    tool = item(page, "client_tool_call")
    assert json.loads(tool.locator(".tool-args").inner_text()) == {
        "html": '<img src=x onerror="window.__pwned=1">'
    }
    notice = page.locator("#banners .banner-warning")
    assert notice.locator("strong").inner_text().startswith("<img src=x")
    assert notice.locator(".unsafe-link").inner_text() == "bad"
    # clicking a neutralised link does nothing
    message.locator(".unsafe-link").first.click()
    assert page.evaluate("window.__pwned") is None
    assert page_log.foreign(fake_url) == []
    assert page_log.errors == []


def test_client_tool_call_is_answered_by_the_browser_registry(
    page: Any, fake_url: str, backend: FakeBackend
) -> None:
    open_page(page, fake_url)
    send(page, "tool time")
    page.get_by_text("Your browser language is").wait_for()
    wait_idle(page)
    outputs = backend.of_type("threads.add_client_tool_output")
    assert len(outputs) == 1
    result = outputs[0]["params"]["result"]
    assert set(result) == {"language", "time_zone", "local_time", "viewport"}
    call = item(page, "client_tool_call")
    assert call.get_attribute("data-done") == "true"
    assert call.locator(".tool-call").get_attribute("data-status") == "completed"
    assert json.loads(call.locator(".tool-output").inner_text())["language"] == result["language"]


def test_approval_buttons_send_the_decision_and_show_the_result(
    page: Any, fake_url: str, backend: FakeBackend
) -> None:
    open_page(page, fake_url)
    send(page, "approve the deletion")
    card = item(page, "widget")
    card.get_by_role("button", name="Approve").click()
    page.get_by_text("The tool call was approved.").wait_for()
    action = backend.of_type("threads.custom_action")[-1]["params"]["action"]
    assert action == {
        "type": "chatkit_agents.approval",
        "payload": {"decision": "approve", "call_ids": ["c1"]},
    }
    assert item(page, "widget").inner_text() == "Decision: approve"


def test_stop_aborts_the_stream_and_the_thread_stays_usable(
    page: Any, fake_url: str, backend: FakeBackend
) -> None:
    open_page(page, fake_url)
    send(page, "slow story")
    page.locator("#items .bubble.assistant").wait_for()
    expect(page.locator("#items .bubble.assistant")).to_contain_text("word3 ")
    page.click("#stop")
    wait_idle(page)
    page.locator("#banners").get_by_text("Stopped.").wait_for()
    assert item(page, "assistant_message").get_attribute("class").split().count("stopped") == 1
    send(page, "hello again")
    page.get_by_text("Read the guide", exact=False).wait_for()
    assert page.locator("#stop").is_hidden()
    # the server saw the first stream abandoned by the client
    wait_until(lambda: backend.cancelled == ["threads.create"])


def test_generated_image_shows_progress_then_the_final_image(page: Any, fake_url: str) -> None:
    open_page(page, fake_url)
    send(page, "image of a gradient")
    figure = item(page, "generated_image")
    figure.locator("img.gen-img").wait_for()
    wait_idle(page)
    assert figure.get_attribute("data-done") == "true"
    assert figure.locator("img").get_attribute("src").startswith("data:image/png;base64,")
    assert figure.locator("progress").count() == 0


def test_a_generating_image_shows_its_partial_image_and_progress(page: Any, fake_url: str) -> None:
    open_page(page, fake_url)
    send(page, "partialimage")
    wait_idle(page)
    figure = item(page, "generated_image")
    assert figure.get_attribute("data-done") == "false"
    assert figure.locator("img").get_attribute("src").startswith("data:image/png;base64,")
    assert figure.locator("progress").evaluate("p => p.value") == pytest.approx(0.4)
    assert figure.locator("figcaption").inner_text() == "Generating… 40%"


def test_progress_notice_error_and_retry(page: Any, fake_url: str, backend: FakeBackend) -> None:
    open_page(page, fake_url)
    effects: list[Any] = []
    page.expose_function("recordEffect", lambda data: effects.append(data))
    page.evaluate("window.chatkitAgents.registerEffect('confetti', (data) => window.recordEffect(data))")
    send(page, "events")
    page.locator("#banners .banner-danger").wait_for()
    wait_idle(page)
    info = page.locator("#banners .banner-info")
    assert info.locator("strong").inner_text() == "Heads up:"
    assert info.locator(".markdown-inline").inner_text() == "See status."
    assert info.locator("a").get_attribute("href") == "https://status.example.com/"
    assert page.locator("#banners .banner-danger .markdown-inline").inner_text() == "The tool timed out."
    assert effects == [{"count": 3}]
    screenshot(page, "notice_and_error_banners")
    page.locator("#banners .banner-danger [data-action=retry]").click()
    page.get_by_text("A retried answer.").wait_for()
    retry = backend.of_type("threads.retry_after_item")[-1]["params"]
    assert retry["item_id"] == item(page, "user_message").get_attribute("data-item-id")
    assert page.locator("#items > li[data-type=assistant_message]").count() == 1


def test_feedback_and_retry_from_a_reply(page: Any, fake_url: str, backend: FakeBackend) -> None:
    open_page(page, fake_url)
    send(page, "something")
    reply = item(page, "assistant_message")
    reply.get_by_text("You said: something").wait_for()
    reply.locator("[data-feedback=positive]").click()
    page.wait_for_selector("#items [data-feedback=positive][aria-pressed=true]")
    feedback = backend.of_type("items.feedback")[-1]["params"]
    assert feedback["kind"] == "positive"
    assert feedback["item_ids"] == [reply.get_attribute("data-item-id")]
    item(page, "assistant_message").locator("[data-action=retry]").click()
    page.get_by_text("A retried answer.").wait_for()
    assert backend.of_type("threads.retry_after_item")


def test_thread_list_pages_renames_deletes_and_reload_shows_history(
    page: Any, fake_url: str, backend: FakeBackend
) -> None:
    for n in range(23):
        backend.add_thread(f"Old thread {n:02d}")
    open_page(page, fake_url)
    assert page.locator("#thread-list li").count() == 20
    page.click("#threads-more")
    expect(page.locator("#thread-list li")).to_have_count(23)
    assert page.locator("#threads-more").is_hidden()
    send(page, "hello history")
    item(page, "assistant_message").locator("[data-feedback]").first.wait_for()
    thread_id = page.evaluate("window.chatkitAgents.state.thread.id")
    assert page.url.endswith(f"#thread={thread_id}")
    # rename inline
    current = page.locator("#thread-list li.current")
    current.locator("[data-action=rename]").click()
    page.fill("#thread-list form.rename input", "Renamed chat")
    page.press("#thread-list form.rename input", "Enter")
    expect(page.locator("#thread-title")).to_have_text("Renamed chat")
    assert backend.threads[thread_id].meta.title == "Renamed chat"
    # reload: the same thread opens with its history
    page.reload()
    page.wait_for_selector("#app[data-ready=true]")
    assert page.inner_text("#thread-title") == "Renamed chat"
    assert item(page, "user_message").inner_text() == "hello history"
    assert "Hello world!" in item(page, "assistant_message").inner_text()
    assert len(backend.of_type("items.list")) == 1  # 2 items: the first came with the thread
    # delete asks once more, then removes it and starts a new chat
    page.locator("#thread-list li.current [data-action=delete]").click()
    page.locator("#thread-list li.current [data-action=delete]").click()
    expect(page.locator(f"#thread-list [data-thread-id='{thread_id}']")).to_have_count(0)
    assert thread_id not in backend.threads
    assert page.inner_text("#thread-title") == "New chat"
    assert page.locator("#items > li").count() == 0


def test_inspector_lists_each_event_and_copies_the_stream_as_a_snapshot(
    page: Any, fake_url: str, backend: FakeBackend
) -> None:
    open_page(page, fake_url)
    send(page, "workflow")
    item(page, "assistant_message").locator("[data-feedback]").first.wait_for()
    wait_idle(page)
    sent = [json.loads(frame[len(b"data: ") :]) for frame in backend.streams[-1]]
    rows = page.locator("#event-list .event-row")
    assert rows.count() == len(sent)
    assert rows.evaluate_all("els => els.map(e => e.dataset.type)") == [e["type"] for e in sent]
    item_ids = page.locator("#event-list .ev-item").all_inner_texts()
    assert item_ids == [
        e.get("item", {}).get("id") or e.get("item_id") or e.get("thread", {}).get("id") for e in sent
    ]
    rows.nth(3).click()
    assert json.loads(page.inner_text("#event-detail")) == sent[3]
    page.click("#copy-snapshot")
    snapshot = page.input_value("#snapshot-output")
    assert snapshot == render_events(sent)
    assert page.evaluate("navigator.clipboard.readText()") == snapshot
