"""The inspector's "copy as snapshot" (snapshot.js, run in the browser) renders like render_events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from _browser import ThreadedServer
from _fake_app import NOW, SCENARIOS, FakeBackend, RawChunks, Turn, create_fake_app, encode

from chatkit_agents.testing import render_events
from chatkit_agents.types import Annotation as Ann
from chatkit_agents.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    ClientEffectEvent,
    CustomTask,
    EndOfTurnItem,
    EntitySource,
    ErrorEvent,
    FileAttachment,
    GeneratedImage,
    GeneratedImageItem,
    GeneratedImageUpdated,
    HiddenContextItem,
    InferenceOptions,
    LockedStatus,
    NoticeEvent,
    ProgressUpdateEvent,
    SDKHiddenContextItem,
    StructuredInputFreeform,
    StructuredInputItem,
    StructuredInputMultipleChoice,
    StructuredInputMultipleChoiceOption,
    TaskItem,
    Thread,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadUpdatedEvent,
    ToolChoice,
    UserMessageItem,
    UserMessageTagContent,
    UserMessageTextContent,
    WidgetRootUpdated,
)
from chatkit_agents.widgets import Card, Text


def odd_events() -> list[Any]:
    """Events that exercise the renderer's corners: long and astral text, defaults, ties, every item kind."""
    base = {"thread_id": "thr_x", "created_at": NOW}
    long_text = 'Line one\nline two with emoji 🙂🙂 and "quotes" and a tab\t' + "x" * 80
    return [
        ThreadUpdatedEvent(
            thread=Thread(id="thr_x", title="T", created_at=NOW, status=LockedStatus(reason="wait"))
        ),
        ThreadUpdatedEvent(thread=Thread(id="thr_x", created_at=NOW)),
        ThreadItemDoneEvent(
            item=UserMessageItem(
                id="u1",
                **base,
                content=[
                    UserMessageTextContent(text="Hi "),
                    UserMessageTagContent(id="t", text="Ada", data={"k": 1}),
                ],
                attachments=[FileAttachment(id="a1", name="report.pdf", mime_type="application/pdf")],
                quoted_text="quoted 🙂",
                inference_options=InferenceOptions(model="gpt-x", tool_choice=ToolChoice(id="search")),
            )
        ),
        ThreadItemAddedEvent(
            item=AssistantMessageItem(
                id="m1",
                **base,
                content=[
                    AssistantMessageContent(text=long_text),
                    AssistantMessageContent(
                        text="two",
                        annotations=[
                            Ann(source=EntitySource(id="ent_1", title="Customer"), index=1),
                            Ann(source=EntitySource(id="ent_2", title="Other")),
                        ],
                    ),
                ],
            )
        ),
        ThreadItemDoneEvent(item=TaskItem(id="t1", **base, task=CustomTask(title="Solo", icon="bolt"))),
        ThreadItemDoneEvent(item=HiddenContextItem(id="h1", **base, content={"b": [1, 2.5], "a": None})),
        ThreadItemDoneEvent(item=HiddenContextItem(id="h2", **base, content="just text")),
        ThreadItemDoneEvent(item=SDKHiddenContextItem(id="h3", **base, content="sdk note")),
        ThreadItemDoneEvent(
            item=StructuredInputItem(
                id="s1",
                **base,
                inputs=[
                    StructuredInputMultipleChoice(
                        id="q1",
                        question="Pick one?",
                        options=[StructuredInputMultipleChoiceOption(value="a")],
                    ),
                    StructuredInputFreeform(id="q2", question="Why?"),
                ],
            )
        ),
        ThreadItemAddedEvent(item=GeneratedImageItem(id="g1", **base)),
        ThreadItemUpdatedEvent(
            item_id="g1",
            update=GeneratedImageUpdated(image=GeneratedImage(id="i", url="https://x/y.png"), progress=0.125),
        ),
        ThreadItemUpdatedEvent(
            item_id="g1",
            update=GeneratedImageUpdated(image=GeneratedImage(id="i", url="https://x/y.png"), progress=1 / 3),
        ),
        ThreadItemUpdatedEvent(
            item_id="w1", update=WidgetRootUpdated(widget=Card(children=[Text(value="a")]))
        ),
        ThreadItemReplacedEvent(item=EndOfTurnItem(id="e1", **base)),
        ThreadItemRemovedEvent(item_id="m1"),
        ProgressUpdateEvent(text="Working " + "🙂" * 70),
        NoticeEvent(level="danger", message="no title"),
        ClientEffectEvent(name="ping"),
        ErrorEvent(code="stream.error"),
        ErrorEvent(message="custom failure", allow_retry=True),
    ]


@pytest.fixture
def page_url() -> Iterator[str]:
    with ThreadedServer(create_fake_app(FakeBackend())) as server:
        yield server.url


def wire(events: list[Any]) -> list[dict[str, Any]]:
    """Events as the page receives them (SSE data JSON); raw dict events are left out."""
    flat = [inner for e in events for inner in (e.events if isinstance(e, RawChunks) else [e])]
    return [json.loads(encode(e)[len(b"data: ") :]) for e in flat if not isinstance(e, dict)]


def test_snapshot_js_renders_every_scenario_like_render_events(page: Any, page_url: str) -> None:
    page.goto(page_url + "/")
    page.wait_for_selector("#app[data-ready=true]")
    backend = FakeBackend()
    streams = [wire(scenario(Turn(backend, backend.add_thread()))) for scenario in SCENARIOS.values()]
    streams.append(wire(odd_events()))
    for events in streams:
        for width, join in ((60, True), (12, False)):
            rendered = page.evaluate(
                "([events, width, joinDeltas]) => "
                "window.chatkitAgents.renderEvents(events, {width, joinDeltas})",
                [events, width, join],
            )
            assert rendered == render_events(events, width=width, join_deltas=join)
