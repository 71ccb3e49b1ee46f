"""A test-only ChatKit backend for the page: the UI routes plus an endpoint that replays canned event streams.

The first word of a user message picks a scenario (``hello``, ``workflow``, ``widgets``, ``inject``, ...);
every event is one of our pydantic models (or, for the "unknown widget" case, deliberately raw JSON) framed
with the server's own SSE encoder. Items are kept per thread as they complete, so reloading shows history.
Every request body is recorded, and so is a stream the client abandoned (``cancelled``).
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from chatkit_agents.server.sse import SSE_HEADERS, dump_json, encode_event
from chatkit_agents.types import (
    Annotation,
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartAnnotationAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ClientEffectEvent,
    ClientToolCallItem,
    CustomSummary,
    CustomTask,
    DurationSummary,
    ErrorEvent,
    FileSource,
    FileTask,
    GeneratedImage,
    GeneratedImageItem,
    GeneratedImageUpdated,
    ImageTask,
    LockedStatus,
    NoticeEvent,
    Page,
    ProgressUpdateEvent,
    SearchTask,
    StreamOptions,
    StreamOptionsEvent,
    ThoughtTask,
    Thread,
    ThreadCreatedEvent,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadUpdatedEvent,
    URLSource,
    UserMessageItem,
    UserMessageTextContent,
    WidgetComponentUpdated,
    WidgetItem,
    WidgetStreamingTextValueDelta,
    Workflow,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)
from chatkit_agents.ui import ui_routes
from chatkit_agents.widgets import (
    ActionConfig,
    Badge,
    BarSeries,
    Basic,
    Box,
    Button,
    Caption,
    Card,
    CardAction,
    Chart,
    Checkbox,
    Col,
    DatePicker,
    Divider,
    Form,
    Icon,
    Image,
    Input,
    Label,
    ListView,
    ListViewItem,
    Markdown,
    RadioGroup,
    RadioOption,
    Row,
    Select,
    SelectOption,
    Spacer,
    Table,
    TableCell,
    TableRow,
    Text,
    Textarea,
    Title,
    Transition,
    WidgetStatusWithIcon,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
XSS = '<img src=x onerror="window.__pwned=1">'
JS_URL = "javascript:window.__pwned=2"


def tiny_png(size: int = 48, shade: int = 0) -> str:
    """A data: URL of a small gradient PNG (made here, so no file or network is needed)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(((x * 5 + shade) % 256, (y * 5) % 256, 160)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


@dataclass
class FakeThread:
    meta: ThreadMetadata
    items: list[Any] = field(default_factory=list)


@dataclass
class FakeBackend:
    """In-memory threads plus a record of what the page sent."""

    threads: dict[str, FakeThread] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    streams: list[list[bytes]] = field(default_factory=list)
    counter: int = 0
    delay: float = 0.05
    page_size: int = 1  # small, so opening a thread pages through items.list

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def add_thread(self, title: str | None = None) -> FakeThread:
        thread = FakeThread(ThreadMetadata(id=self.next_id("thr"), title=title, created_at=NOW))
        self.threads[thread.meta.id] = thread
        return thread

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r.get("type") == kind]


class Turn:
    """Builds the events of one reply and stores items in the thread as they complete."""

    def __init__(self, backend: FakeBackend, thread: FakeThread) -> None:
        self.backend = backend
        self.thread = thread

    def base(self, prefix: str) -> dict[str, Any]:
        return {"id": self.backend.next_id(prefix), "thread_id": self.thread.meta.id, "created_at": NOW}

    def done(self, item: Any) -> ThreadItemDoneEvent:
        self.thread.items = [i for i in self.thread.items if i.id != item.id] + [item]
        return ThreadItemDoneEvent(item=item)

    def message(
        self, text: str, *, chunks: int = 6, annotations: list[Annotation] | None = None
    ) -> list[Any]:
        item = AssistantMessageItem(**self.base("msg"), content=[])
        step = max(1, len(text) // chunks)
        deltas = [text[i : i + step] for i in range(0, len(text), step)]
        events: list[Any] = [
            ThreadItemAddedEvent(item=item),
            ThreadItemUpdatedEvent(
                item_id=item.id,
                update=AssistantMessageContentPartAdded(
                    content_index=0, content=AssistantMessageContent(text="")
                ),
            ),
        ]
        events += [
            ThreadItemUpdatedEvent(
                item_id=item.id, update=AssistantMessageContentPartTextDelta(content_index=0, delta=d)
            )
            for d in deltas
        ]
        for index, annotation in enumerate(annotations or []):
            events.append(
                ThreadItemUpdatedEvent(
                    item_id=item.id,
                    update=AssistantMessageContentPartAnnotationAdded(
                        content_index=0, annotation_index=index, annotation=annotation
                    ),
                )
            )
        final = AssistantMessageContent(text=text, annotations=annotations or [])
        events.append(
            ThreadItemUpdatedEvent(
                item_id=item.id, update=AssistantMessageContentPartDone(content_index=0, content=final)
            )
        )
        events.append(self.done(item.model_copy(update={"content": [final]})))
        return events


# --- scenarios -----------------------------------------------------------------------------------------


def hello(turn: Turn) -> list[Any]:
    text = "Hello **world**! Read [the guide](https://example.com/guide) and `code`.\n\n- one\n- two"
    annotations = [
        Annotation(
            source=URLSource(url="https://example.com/guide", title="The guide"), index=text.index(")") + 1
        ),
        Annotation(source=FileSource(filename="notes.txt", title="Notes"), index=len(text)),
    ]
    return [
        StreamOptionsEvent(stream_options=StreamOptions(allow_cancel=True)),
        *turn.message(text, annotations=annotations),
    ]


def workflow(turn: Turn) -> list[Any]:
    thought = ThoughtTask(content="Let me think", status_indicator="loading")
    item = WorkflowItem(**turn.base("wf"), workflow=Workflow(type="reasoning", tasks=[thought]))
    tasks = [
        ThoughtTask(title="Planning", content="Let me think about *this*.", status_indicator="complete"),
        CustomTask(
            title="Looked up the order",
            icon="search",
            content="Order **42** shipped.",
            status_indicator="complete",
        ),
        SearchTask(
            title_query="weather paris",
            queries=["weather paris", "paris forecast"],
            sources=[URLSource(url="https://weather.example/paris", title="Paris weather")],
            status_indicator="complete",
        ),
        FileTask(
            title="Read files",
            sources=[FileSource(filename="report.pdf", title="Q3 report")],
            status_indicator="complete",
        ),
        ImageTask(title="Drew a chart", status_indicator="loading"),
    ]
    events: list[Any] = [ThreadItemAddedEvent(item=item)]
    events.append(
        ThreadItemUpdatedEvent(item_id=item.id, update=WorkflowTaskUpdated(task_index=0, task=tasks[0]))
    )
    for index, task in enumerate(tasks[1:], start=1):
        events.append(
            ThreadItemUpdatedEvent(item_id=item.id, update=WorkflowTaskAdded(task_index=index, task=task))
        )
    final = Workflow(type="reasoning", tasks=tasks, summary=DurationSummary(duration=3), expanded=True)
    events.append(turn.done(item.model_copy(update={"workflow": final})))
    custom = WorkflowItem(
        **turn.base("wf"),
        workflow=Workflow(
            type="custom",
            tasks=[
                CustomTask(title="Collapsed step", content="hidden until opened", status_indicator="complete")
            ],
            summary=CustomSummary(title="Checked the inventory", icon="check"),
        ),
    )
    events += [ThreadItemAddedEvent(item=custom), turn.done(custom)]
    events += turn.message("The order has shipped.")
    return events


def every_widget_card() -> Card:
    action = ActionConfig(type="demo.submit", payload={"source": "form"})
    return Card(
        id="card",
        status=WidgetStatusWithIcon(text="Status line", icon="info"),
        children=[
            Title(value="Every component", size="md"),
            Caption(value="A caption"),
            Text(id="stream", value="Streaming: ", streaming=True),
            Markdown(value="Some **markdown** with a [link](https://example.com/md)"),
            Row(
                children=[
                    Badge(label="New", color="success"),
                    Icon(name="star"),
                    Spacer(),
                    Badge(label="Beta"),
                ],
                gap=2,
            ),
            Divider(),
            Box(direction="row", children=[Text(value="In a box")], padding=2, border=1),
            Col(children=[Text(value="Column A"), Text(value="Column B")]),
            Image(src=tiny_png(), alt="gradient", size=48),
            Transition(children=Text(id="swap", value="Before update")),
            Table(
                children=[
                    TableRow(
                        header=True,
                        children=[
                            TableCell(children=[Text(value="Name")]),
                            TableCell(children=[Text(value="Qty")]),
                        ],
                    ),
                    TableRow(
                        children=[
                            TableCell(children=[Text(value="Apples")]),
                            TableCell(children=[Text(value="3")]),
                        ]
                    ),
                ]
            ),
            Chart(
                data=[{"month": "Jan", "sales": 3}, {"month": "Feb", "sales": 5}],
                series=[BarSeries(data_key="sales", label="Sales")],
                x_axis="month",
            ),
            Form(
                on_submit_action=action,
                children=[
                    Label(value="Your name", field_name="name"),
                    Input(name="name", placeholder="Name", default_value="Ada"),
                    Textarea(name="notes", placeholder="Notes"),
                    Select(
                        name="size",
                        options=[
                            SelectOption(value="s", label="Small"),
                            SelectOption(value="l", label="Large"),
                        ],
                        default_value="l",
                    ),
                    DatePicker(name="when", default_value="2026-01-02"),
                    Checkbox(name="gift", label="Gift wrap", default_checked=True),
                    RadioGroup(
                        name="speed",
                        options=[
                            RadioOption(label="Fast", value="fast"),
                            RadioOption(label="Slow", value="slow"),
                        ],
                        default_value="slow",
                    ),
                    Button(label="Submit", submit=True, style="primary"),
                ],
            ),
        ],
        confirm=CardAction(label="Confirm", action=ActionConfig(type="demo.confirm")),
        cancel=CardAction(label="Cancel", action=ActionConfig(type="demo.cancel")),
    )


def widgets(turn: Turn) -> list[Any]:
    card = WidgetItem(**turn.base("wdg"), widget=every_widget_card(), copy_text="copy me")
    listing = WidgetItem(
        **turn.base("wdg"),
        widget=ListView(
            limit=2,
            children=[
                ListViewItem(
                    children=[Text(value=f"Row {n}")],
                    on_click_action=ActionConfig(type="demo.row", payload={"n": n}),
                )
                for n in range(3)
            ],
        ),
    )
    basic = WidgetItem(
        **turn.base("wdg"),
        widget=Basic(
            children=[
                Text(value="A basic root"),
                Button(
                    label="Client action", on_click_action=ActionConfig(type="demo.local", handler="client")
                ),
            ]
        ),
    )
    events: list[Any] = [ThreadItemAddedEvent(item=card)]
    events += [
        ThreadItemUpdatedEvent(
            item_id=card.id,
            update=WidgetStreamingTextValueDelta(component_id="stream", delta=d, done=d == "done"),
        )
        for d in ("one ", "two ", "done")
    ]
    events.append(
        ThreadItemUpdatedEvent(
            item_id=card.id,
            update=WidgetComponentUpdated(
                component_id="swap", component=Text(id="swap", value="After update")
            ),
        )
    )
    final_card = every_widget_card()
    final_card.children[2] = Text(id="stream", value="Streaming: one two done")
    final_card.children[9] = Transition(children=Text(id="swap", value="After update"))
    events.append(turn.done(card.model_copy(update={"widget": final_card})))
    events += [
        ThreadItemAddedEvent(item=listing),
        turn.done(listing),
        ThreadItemAddedEvent(item=basic),
        turn.done(basic),
    ]
    # A component this page does not know, sent as raw JSON (our models would reject it).
    unknown = {
        "type": "thread.item.done",
        "item": {
            "type": "widget",
            "id": turn.backend.next_id("wdg"),
            "thread_id": turn.thread.meta.id,
            "created_at": NOW.isoformat(),
            "widget": {"type": "Card", "children": [{"type": "Hologram", "beam": XSS}]},
        },
    }
    events.append(unknown)
    return events


def inject(turn: Turn) -> list[Any]:
    text = (
        f"Text {XSS} and [click me]({JS_URL}) and [data](data:text/html,<script>alert(1)</script>) "
        "<script>window.__pwned=3</script>"
    )
    annotations = [Annotation(source=URLSource(url=JS_URL, title=XSS), index=4)]
    events = turn.message(text, annotations=annotations)
    card = WidgetItem(
        **turn.base("wdg"),
        widget=Card(
            children=[
                Title(value=XSS),
                Text(value=f"<b>bold?</b> {XSS}"),
                Markdown(value=f"[md link]({JS_URL}) {XSS}"),
                Image(src=JS_URL, alt=XSS),
                Image(src="https://tracker.example/pixel.png", alt="remote"),
                Button(label=XSS, on_click_action=ActionConfig(type="x", payload={"html": XSS})),
                Badge(label=XSS),
            ]
        ),
    )
    events += [ThreadItemAddedEvent(item=card), turn.done(card)]
    workflow_item = WorkflowItem(
        **turn.base("wf"),
        workflow=Workflow(
            type="custom",
            expanded=True,
            tasks=[
                CustomTask(title=XSS, content=f"[task link]({JS_URL})", status_indicator="complete"),
                SearchTask(
                    title=XSS, sources=[URLSource(url=JS_URL, title=XSS)], status_indicator="complete"
                ),
            ],
        ),
    )
    events += [ThreadItemAddedEvent(item=workflow_item), turn.done(workflow_item)]
    tool = ClientToolCallItem(
        **turn.base("tc"), call_id="call_x", name="not_registered", arguments={"html": XSS}
    )
    events += [ThreadItemAddedEvent(item=tool), turn.done(tool)]
    events.append(NoticeEvent(level="warning", title=XSS, message=f"Notice with [bad]({JS_URL}) {XSS}"))
    events.append(ProgressUpdateEvent(text=XSS))
    return events


def tool(turn: Turn) -> list[Any]:
    call = ClientToolCallItem(
        **turn.base("tc"), call_id="call_1", name="get_browser_info", arguments={"detail": "all"}
    )
    return [*turn.message("Let me check your browser."), ThreadItemAddedEvent(item=call), turn.done(call)]


def approve(turn: Turn) -> list[Any]:
    card = Card(
        key="chatkit_agents.approval",
        children=[
            Title(value="Approval needed", size="sm"),
            Text(value="Run delete_files?", weight="semibold"),
            Caption(value='{"path": "/tmp"}'),
            Row(
                gap=2,
                children=[
                    Button(
                        label="Approve",
                        style="primary",
                        on_click_action=ActionConfig(
                            type="chatkit_agents.approval",
                            payload={"decision": "approve", "call_ids": ["c1"]},
                        ),
                    ),
                    Button(
                        label="Reject",
                        style="secondary",
                        on_click_action=ActionConfig(
                            type="chatkit_agents.approval", payload={"decision": "reject", "call_ids": ["c1"]}
                        ),
                    ),
                ],
            ),
        ],
    )
    item = WidgetItem(**turn.base("wdg"), widget=card)
    return [ThreadItemAddedEvent(item=item), turn.done(item)]


def image(turn: Turn) -> list[Any]:
    item = GeneratedImageItem(**turn.base("img"))
    partial = GeneratedImage(id="gi_1", url=tiny_png(64, 0))
    final = GeneratedImage(id="gi_1", url=tiny_png(64, 120))
    return [
        ThreadItemAddedEvent(item=item),
        ThreadItemUpdatedEvent(item_id=item.id, update=GeneratedImageUpdated(image=partial, progress=0.5)),
        ThreadItemUpdatedEvent(item_id=item.id, update=GeneratedImageUpdated(image=final, progress=1.0)),
        turn.done(item.model_copy(update={"image": final})),
    ]


def partial_image(turn: Turn) -> list[Any]:
    """An image still generating: one partial image at 40%, no final one yet."""
    item = GeneratedImageItem(**turn.base("img"))
    partial = GeneratedImage(id="gi_1", url=tiny_png(64, 60))
    return [
        ThreadItemAddedEvent(item=item),
        ThreadItemUpdatedEvent(item_id=item.id, update=GeneratedImageUpdated(image=partial, progress=0.4)),
    ]


def events(turn: Turn) -> list[Any]:
    return [
        ProgressUpdateEvent(icon="search", text="Searching the archive"),
        ClientEffectEvent(name="confetti", data={"count": 3}),
        NoticeEvent(level="info", title="Heads up", message="See [status](https://status.example.com)."),
        *turn.message("Partial answer"),
        ErrorEvent(code="custom", message="The tool timed out.", allow_retry=True),
    ]


MARKDOWN = """## Plan
1. First *step*
2. Second ~~step~~ step

> quoted **text**

```python
print("<b>hi</b>")
```

| Name | Qty |
| --- | ---: |
| Apples | 3 |
| <i>Pears</i> | 5 |

---
Line one
line two
"""


def markdown(turn: Turn) -> list[Any]:
    return turn.message(MARKDOWN + "\nx" + "*" * 9000, chunks=20)


def lock(turn: Turn) -> list[Any]:
    """The thread is locked while the assistant waits for something outside the chat."""
    turn.thread.meta.status = LockedStatus(reason="Waiting for a human agent")
    return [
        *turn.message("A person will answer."),
        ThreadUpdatedEvent(thread=Thread(**turn.thread.meta.model_dump())),
    ]


def widget_deltas(turn: Turn) -> list[Any]:
    """A widget that streams text and has a component replaced, with no final ``done``."""
    card = WidgetItem(**turn.base("wdg"), widget=every_widget_card())
    events: list[Any] = [ThreadItemAddedEvent(item=card)]
    events += [
        ThreadItemUpdatedEvent(
            item_id=card.id,
            update=WidgetStreamingTextValueDelta(component_id="stream", delta=d, done=d == "done"),
        )
        for d in ("one ", "two ", "done")
    ]
    events.append(
        ThreadItemUpdatedEvent(
            item_id=card.id,
            update=WidgetComponentUpdated(
                component_id="swap", component=Text(id="swap", value="After update")
            ),
        )
    )
    return events


class RawChunks(list[bytes]):
    """Bytes sent as they are (odd SSE framing); `sent` records the events they carry."""

    def __init__(self, chunks: list[bytes], events: list[Any]) -> None:
        super().__init__(chunks)
        self.events = events


def chunked(turn: Turn) -> list[Any]:
    """A reply framed with CRLF, a comment, a two-line data field, and cut into 7-byte chunks."""
    events = turn.message("Framing survived.")
    frames = b": keep-alive\r\n\r\n"
    for event in events:
        frames += encode(event).replace(b"\n", b"\r\n")
    frames += b'data: {"type": "notice",\r\ndata: "level": "info", "message": "two lines"}\r\n\r\n'
    notice = NoticeEvent(level="info", message="two lines")
    return [RawChunks([frames[i : i + 7] for i in range(0, len(frames), 7)], [*events, notice])]


SCENARIOS: dict[str, Callable[[Turn], list[Any]]] = {
    "hello": hello,
    "workflow": workflow,
    "widgets": widgets,
    "widgetdeltas": widget_deltas,
    "markdown": markdown,
    "chunked": chunked,
    "lock": lock,
    "inject": inject,
    "tool": tool,
    "approve": approve,
    "image": image,
    "partialimage": partial_image,
    "events": events,
}


def encode(event: Any) -> bytes:
    if isinstance(event, dict):
        return b"data: " + json.dumps(event).encode() + b"\n\n"
    return encode_event(event)


def create_fake_app(backend: FakeBackend) -> Starlette:
    """The UI routes plus a fake ChatKit endpoint at ``/chatkit`` backed by ``backend``."""

    def item_page(thread: FakeThread, after: str | None, limit: int) -> Page[Any]:
        """Items oldest first, ``limit`` at a time after the item ``after``."""
        ids = [item.id for item in thread.items]
        start = ids.index(after) + 1 if after else 0
        chunk = thread.items[start : start + limit]
        more = start + limit < len(ids)
        return Page(data=chunk, has_more=more, after=chunk[-1].id if chunk and more else None)

    def user_item(turn: Turn, text: str) -> UserMessageItem:
        item = UserMessageItem(**turn.base("user"), content=[UserMessageTextContent(text=text)])
        turn.thread.items.append(item)
        return item

    def reply(turn: Turn, text: str) -> list[Any]:
        word = text.split()[0].lower() if text.split() else ""
        scenario = SCENARIOS.get(word)
        if scenario is not None:
            return scenario(turn)
        return turn.message(f"You said: {text}")

    async def slow(turn: Turn) -> AsyncIterator[Any]:
        """A long reply paced by the server, for the Stop button."""
        item = AssistantMessageItem(**turn.base("msg"), content=[])
        yield StreamOptionsEvent(stream_options=StreamOptions(allow_cancel=True))
        yield ThreadItemAddedEvent(item=item)
        yield ThreadItemUpdatedEvent(
            item_id=item.id,
            update=AssistantMessageContentPartAdded(
                content_index=0, content=AssistantMessageContent(text="")
            ),
        )
        for n in range(2000):
            await anyio.sleep(backend.delay)
            yield ThreadItemUpdatedEvent(
                item_id=item.id,
                update=AssistantMessageContentPartTextDelta(content_index=0, delta=f"word{n} "),
            )

    async def respond(body: dict[str, Any]) -> AsyncIterator[Any]:
        kind = body["type"]
        params = body.get("params", {})
        if kind == "threads.create":
            thread = backend.add_thread()
            yield ThreadCreatedEvent(thread=Thread(**thread.meta.model_dump()))
        else:
            thread = backend.threads[params["thread_id"]]
        turn = Turn(backend, thread)
        if kind in ("threads.create", "threads.add_user_message"):
            text = "".join(part.get("text", "") for part in params["input"]["content"])
            user = user_item(turn, text)
            yield ThreadItemDoneEvent(item=user)
            if thread.meta.title is None:
                thread.meta.title = text[:40]
                yield ThreadUpdatedEvent(thread=Thread(**thread.meta.model_dump()))
            if text.startswith("slow"):
                async for event in slow(turn):
                    yield event
                return
            for event in reply(turn, text):
                yield event
        elif kind == "threads.add_client_tool_output":
            call = next(i for i in reversed(thread.items) if isinstance(i, ClientToolCallItem))
            completed = call.model_copy(update={"status": "completed", "output": params.get("result")})
            yield turn.done(completed)
            language = (params.get("result") or {}).get("language", "?")
            for event in turn.message(f"Your browser language is {language}."):
                yield event
        elif kind == "threads.custom_action":
            action = params["action"]
            payload = action.get("payload") or {}
            if action["type"] == "chatkit_agents.approval":
                sender = next(i for i in thread.items if i.id == params["item_id"])
                decided = sender.model_copy(
                    update={"widget": Card(children=[Text(value=f"Decision: {payload['decision']}")])}
                )
                turn.thread.items = [decided if i.id == sender.id else i for i in thread.items]
                yield ThreadItemReplacedEvent(item=decided)
                word = "approved" if payload["decision"] == "approve" else "rejected"
                for event in turn.message(f"The tool call was {word}."):
                    yield event
            else:
                for event in turn.message(
                    f"Action {action['type']} with {json.dumps(payload, sort_keys=True)}"
                ):
                    yield event
        elif kind == "threads.retry_after_item":
            index = next(n for n, i in enumerate(thread.items) if i.id == params["item_id"])
            thread.items = thread.items[: index + 1]
            for event in turn.message("A retried answer."):
                yield event

    async def stream(body: dict[str, Any]) -> AsyncIterator[bytes]:
        sent: list[bytes] = []
        backend.streams.append(sent)
        try:
            async for event in respond(body):
                if isinstance(event, RawChunks):
                    sent.extend(encode(e) for e in event.events)
                    for chunk in event:
                        yield chunk
                        await anyio.sleep(0.001)  # separate writes, so the page reads split frames
                    continue
                data = encode(event)
                sent.append(data)
                yield data
        except BaseException:
            backend.cancelled.append(body["type"])
            raise

    async def endpoint(request: Request) -> Response:
        body = json.loads(await request.body())
        backend.requests.append(body)
        kind = body["type"]
        params = body.get("params", {})
        if kind in (
            "threads.create",
            "threads.add_user_message",
            "threads.add_client_tool_output",
            "threads.custom_action",
            "threads.retry_after_item",
        ):
            return StreamingResponse(stream(body), media_type="text/event-stream", headers=SSE_HEADERS)
        if kind == "threads.list":
            ordered = sorted(
                backend.threads.values(), key=lambda t: int(t.meta.id.split("_")[1]), reverse=True
            )
            start = 0
            if params.get("after"):
                start = next(n for n, t in enumerate(ordered) if t.meta.id == params["after"]) + 1
            limit = params.get("limit") or 20
            chunk = ordered[start : start + limit]
            page = Page[Thread](
                data=[Thread(**t.meta.model_dump()) for t in chunk],
                has_more=start + limit < len(ordered),
                after=chunk[-1].meta.id if chunk else None,
            )
            return Response(dump_json(page), media_type="application/json")
        thread = backend.threads.get(params.get("thread_id", ""))
        if thread is None:
            return JSONResponse(
                {"error": {"code": "not_found", "message": "No such thread."}}, status_code=404
            )
        if kind == "threads.get_by_id":
            answer = Thread(**thread.meta.model_dump(), items=item_page(thread, None, backend.page_size))
            return Response(dump_json(answer), media_type="application/json")
        if kind == "items.list":
            page = item_page(thread, params.get("after"), params.get("limit") or backend.page_size)
            return Response(dump_json(page), media_type="application/json")
        if kind == "threads.update":
            thread.meta.title = params["title"]
            return Response(dump_json(Thread(**thread.meta.model_dump())), media_type="application/json")
        if kind == "threads.delete":
            del backend.threads[thread.meta.id]
            return JSONResponse({})
        if kind == "items.feedback":
            return JSONResponse({})
        return JSONResponse({"error": {"code": "unsupported", "message": kind}}, status_code=400)

    return Starlette(routes=[*ui_routes("/chatkit"), Route("/chatkit", endpoint, methods=["POST"])])
