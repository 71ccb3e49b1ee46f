"""Shared kit of the reliability and stress tests: a command-driven offline model, flaky stores, SSE checks.

The model answers from the latest user message, so a test steers a turn by what it "types":

* plain text: a reasoning summary, then ``Echo: <text>`` streamed word by word;
* ``tool:<name>``: a call to that function tool, then ``Tool said: <output>``;
* ``fail:<k>``: the model stream raises before its ``k``-th Responses event (a provider error at point k);
* ``pause:<k>``: before its ``k``-th event the stream writes ``<signals>/paused`` and waits (bounded) for
  ``<signals>/go``, so a test can kill or disconnect at a known point without sleeping.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import anyio
import httpx
import uvicorn
from agents.items import TResponseInputItem, TResponseStreamEvent
from agents.models.interface import ModelTracing
from agents.usage import Usage

from agents import (
    Agent,
    AgentOutputSchemaBase,
    Handoff,
    Model,
    ModelResponse,
    ModelSettings,
    RunConfig,
    Tool,
    function_tool,
)
from chatkit_agents.server import AgentServer, AttachmentStore
from chatkit_agents.store import Store
from chatkit_agents.testing import ResponseStream
from chatkit_agents.types import (
    Attachment,
    AttachmentCreateParams,
    FileAttachment,
    Page,
    ThreadItem,
    ThreadMetadata,
)

SIGNAL_WAIT_SECONDS = 60.0
"""Upper bound of every file-signal wait: a test that forgets to signal fails instead of hanging."""


class ModelFailure(RuntimeError):
    """What the scripted provider raises for ``fail:<k>`` (stands for a broken connection or a 5xx)."""


# -- the model ---------------------------------------------------------------------------------------


def latest_user_text(items: str | Sequence[object]) -> str:
    """The text of the newest user message in the model input."""
    if isinstance(items, str):
        return items
    for raw in reversed(items):
        item = _as_dict(raw)
        if item.get("role") != "user":
            continue
        content = item.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            parts = [_as_dict(part) for part in cast(list[object], content)]
            return " ".join(str(p.get("text", "")) for p in parts if p.get("type") == "input_text")
    return ""


def _as_dict(item: object) -> Mapping[str, Any]:
    if isinstance(item, Mapping):
        return cast(Mapping[str, Any], item)
    dump = getattr(item, "model_dump", None)
    return cast(Mapping[str, Any], dump()) if callable(dump) else {}


def _command(text: str, name: str) -> str | None:
    match = re.search(rf"\b{name}:(\S+)", text)
    return match.group(1) if match else None


async def wait_for_file(path: Path, bound: float = SIGNAL_WAIT_SECONDS) -> bool:
    """Poll (bounded) until ``path`` exists; ``False`` when the bound is reached.

    The signal crosses processes (the test kills this one), so a file is polled instead of an Event.
    """
    with anyio.move_on_after(bound):
        while not path.exists():  # noqa: ASYNC110, ASYNC240 - cross-process signal: poll a file
            await anyio.sleep(0.01)
        return True
    return False


class EchoModel(Model):
    """Deterministic offline model steered by the latest user message (see the module docstring)."""

    def __init__(self, signals: Path | None = None) -> None:
        self.signals = signals
        self.calls = 0

    def response(self, items: str | list[TResponseInputItem]) -> ResponseStream:
        """The full response for this input, before any fault is applied."""
        self.calls += 1
        stream = ResponseStream(f"resp_{self.calls}")
        last = _as_dict(items[-1]) if isinstance(items, list) and items else {}
        text = latest_user_text(items)
        if last.get("type") == "function_call_output":
            return stream.message("Tool ", "said: ", str(last.get("output", "")))
        tool = _command(text, "tool")
        if tool is not None:
            return stream.function_call(tool, {"text": text}, call_id=f"call_{self.calls}")
        words = f"Echo: {text}".split(" ")
        chunks = [word + " " for word in words[:-1]] + [words[-1]]
        return stream.reasoning("Thinking it over.").message(*chunks)

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: Any,
    ) -> ModelResponse:
        """The same answer, not streamed."""
        stream = self.response(input)
        return ModelResponse(output=stream.output, usage=Usage(), response_id=stream.response_id)

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: Any,
    ) -> AsyncIterator[TResponseStreamEvent]:
        """Stream the answer, applying ``fail:<k>`` / ``pause:<k>`` from the user's text."""
        events = self.response(input).completed()
        text = latest_user_text(input)
        is_first_call = isinstance(input, str) or (bool(input) and _as_dict(input[-1]).get("role") == "user")
        fail = _command(text, "fail") if is_first_call else None
        pause = _command(text, "pause") if is_first_call else None
        for index, event in enumerate(events):
            if fail is not None and index == int(fail):
                raise ModelFailure(f"provider connection lost before event {index}")
            if pause is not None and index == int(pause) and self.signals is not None:
                (self.signals / "paused").write_text(str(index))
                await wait_for_file(self.signals / "go")
            yield event


def event_count(text: str) -> int:
    """How many Responses events the model streams for a plain first answer to ``text``."""
    return len(EchoModel().response([{"role": "user", "content": text}]).completed())


# -- tools ---------------------------------------------------------------------------------------------


class ToolBroke(RuntimeError):
    """Raised by the ``explode`` tools."""


@function_tool
def explode(text: str) -> str:
    """A tool that always fails; the SDK reports the failure to the model as the tool's output."""
    raise ToolBroke(f"tool failed on {text!r}")


@function_tool(failure_error_function=None)
def explode_hard(text: str) -> str:
    """A tool that always fails and is configured to abort the run instead of reporting to the model."""
    raise ToolBroke(f"tool failed hard on {text!r}")


@function_tool
def shout(text: str) -> str:
    """Upper-case the text (a tool that works)."""
    return text.upper()


def wait_tool(signals: Path) -> Tool:
    """A tool that writes ``<signals>/tool-waiting`` and waits (bounded) for ``<signals>/go``."""

    @function_tool
    async def wait_for_go(text: str) -> str:
        """Block until the test says go."""
        (signals / "tool-waiting").write_text(text)
        released = await wait_for_file(signals / "go")
        return "released" if released else "timed out"

    return wait_for_go


def guarded_tool(calls: list[str]) -> Tool:
    """A tool that needs the user's approval and records every real execution in ``calls``."""

    @function_tool(needs_approval=True)
    def guarded(text: str) -> str:
        """Do something that needs a yes from the user."""
        calls.append(text)
        return f"guarded ran {len(calls)} time(s)"

    return guarded


def echo_agent(signals: Path | None = None, extra_tools: Sequence[Tool] = ()) -> Agent[Any]:
    """The agent every reliability test serves: `EchoModel` with working, failing and waiting tools."""
    tools: list[Tool] = [explode, explode_hard, shout, *extra_tools]
    if signals is not None:
        tools.append(wait_tool(signals))
    return Agent(name="Echo", instructions="Echo the user.", model=EchoModel(signals), tools=tools)


def echo_server(
    store: Store[Any], signals: Path | None = None, extra_tools: Sequence[Tool] = (), **options: Any
) -> AgentServer[Any]:
    """An `AgentServer` over ``store`` answering with `echo_agent` (tracing off: nothing leaves the box)."""
    agent = echo_agent(signals, extra_tools)
    return AgentServer(agent, store, run_config=RunConfig(tracing_disabled=True), **options)


# -- requests and SSE ---------------------------------------------------------------------------------


def req(kind: str, /, **params: Any) -> bytes:
    """A ChatKit request body."""
    return json.dumps({"type": kind, "params": params}).encode()


def message(text: str, *, attachments: list[str] | None = None) -> dict[str, Any]:
    """A ``UserMessageInput`` payload."""
    return {
        "content": [{"type": "input_text", "text": text}],
        "attachments": attachments or [],
        "inference_options": {},
    }


def decode_sse(raw: bytes) -> list[dict[str, Any]]:
    """Split complete SSE frames into event dicts (a trailing partial frame is dropped)."""
    events: list[dict[str, Any]] = []
    for frame in raw.split(b"\n\n")[:-1]:
        assert frame.startswith(b"data: "), frame
        assert b"\n" not in frame, frame
        events.append(json.loads(frame[len(b"data: ") :]))
    return events


@dataclass
class StreamReport:
    """What a client learned from one stream: its events and the items it was told are done."""

    events: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])

    @property
    def types(self) -> list[str]:
        return [event["type"] for event in self.events]

    @property
    def thread_id(self) -> str | None:
        for event in self.events:
            if event["type"] == "thread.created":
                return str(event["thread"]["id"])
        return None

    @property
    def done_items(self) -> dict[str, dict[str, Any]]:
        """Items the client holds as finished: ``done`` or ``replaced`` and not removed later."""
        items: dict[str, dict[str, Any]] = {}
        for event in self.events:
            if event["type"] in ("thread.item.done", "thread.item.replaced"):
                items[event["item"]["id"]] = event["item"]
            elif event["type"] == "thread.item.removed":
                items.pop(event["item_id"], None)
        return items

    def unfinished(self) -> list[str]:
        """Ids announced with ``thread.item.added`` that never got ``done``/``replaced``/``removed``."""
        open_ids: dict[str, None] = {}
        for event in self.events:
            if event["type"] == "thread.item.added":
                open_ids[event["item"]["id"]] = None
            elif event["type"] in ("thread.item.done", "thread.item.replaced"):
                open_ids.pop(event["item"]["id"], None)
            elif event["type"] == "thread.item.removed":
                open_ids.pop(event["item_id"], None)
        return list(open_ids)


def check_complete_stream(report: StreamReport) -> None:
    """A stream that ran to its end: every announced item was closed, and an error (if any) came last."""
    assert report.events, "empty stream"
    assert report.unfinished() == [], report.types
    errors = [i for i, t in enumerate(report.types) if t == "error"]
    assert errors in ([], [len(report.types) - 1]), report.types


async def drain(result: Any, *, stop_after: int | None = None) -> StreamReport:
    """Read a `StreamingResult` (all of it, or ``stop_after`` frames then close it like a disconnect)."""
    report = StreamReport()
    buffer = b""
    try:
        async for chunk in result:
            buffer += chunk
            report.events = decode_sse(buffer)
            if stop_after is not None and len(report.events) >= stop_after:
                break
    finally:
        await result.aclose()
    return report


# -- store checks -------------------------------------------------------------------------------------


async def all_items(store: Store[Any], thread_id: str, context: Any) -> list[ThreadItem]:
    """Every stored item of a thread, oldest first, across pages."""
    items: list[ThreadItem] = []
    after: str | None = None
    while True:
        page = await store.load_thread_items(thread_id, after, 50, "asc", context)
        items.extend(page.data)
        if not page.has_more or page.after is None:
            return items
        after = page.after


async def all_threads(store: Store[Any], context: Any) -> list[ThreadMetadata]:
    """Every thread of the context's user."""
    threads: list[ThreadMetadata] = []
    after: str | None = None
    while True:
        page: Page[ThreadMetadata] = await store.load_threads(50, after, "asc", context)
        threads.extend(page.data)
        if not page.has_more or page.after is None:
            return threads
        after = page.after


async def check_store_consistent(store: Store[Any], context: Any) -> dict[str, list[ThreadItem]]:
    """Every thread loads, its items page cleanly, ids are unique and belong to it; returns the items."""
    contents: dict[str, list[ThreadItem]] = {}
    for thread in await all_threads(store, context):
        await store.load_thread(thread.id, context)
        items = await all_items(store, thread.id, context)
        ids = [item.id for item in items]
        assert len(ids) == len(set(ids)), f"duplicated items in {thread.id}: {ids}"
        assert all(item.thread_id == thread.id for item in items)
        for item in items:
            assert (await store.load_item(thread.id, item.id, context)).id == item.id
        contents[thread.id] = items
    return contents


def check_done_items_stored(report: StreamReport, stored: list[ThreadItem]) -> None:
    """Every item the client was told is done is stored exactly once with the same id and type."""
    by_id = {item.id: item for item in stored}
    assert len(by_id) == len(stored), "duplicated item ids"
    for item_id, item in report.done_items.items():
        assert item_id in by_id, f"{item_id} ({item['type']}) was announced done but is not stored"
        assert by_id[item_id].type == item["type"]


# -- a store that fails on demand ---------------------------------------------------------------------

WRITE_METHODS = (
    "save_thread",
    "add_thread_item",
    "save_item",
    "delete_thread_item",
    "delete_thread_items_after",
    "save_attachment",
    "delete_attachment",
    "delete_thread",
)


class StoreDown(RuntimeError):
    """The simulated storage failure (disk full, lost connection)."""


class FlakyStore(Store[Any]):
    """Delegates to ``inner``; the ``fail_on``-th write (1-based, counted across write methods) raises.

    ``fail_after_commit`` makes the failing write reach the inner store first (a lost acknowledgement);
    ``stay_down`` makes every later write fail too (the database went away).
    """

    def __init__(
        self,
        inner: Store[Any],
        *,
        fail_on: int | None = None,
        fail_after_commit: bool = False,
        stay_down: bool = False,
    ) -> None:
        super().__init__()
        self.inner = inner
        self.fail_on = fail_on
        self.fail_after_commit = fail_after_commit
        self.stay_down = stay_down
        self.writes = 0
        self.failed: list[str] = []

    def heal(self) -> None:
        """Stop failing."""
        self.fail_on = None

    async def _write(self, name: str, call: Callable[[], Any]) -> None:
        self.writes += 1
        failing = self.fail_on is not None and (
            self.writes == self.fail_on or (self.stay_down and self.writes > self.fail_on)
        )
        if failing and not self.fail_after_commit:
            self.failed.append(name)
            raise StoreDown(f"{name} failed")
        await call()
        if failing:
            self.failed.append(name)
            raise StoreDown(f"{name} lost its acknowledgement")

    def generate_thread_id(self, context: Any) -> str:
        return self.inner.generate_thread_id(context)

    def generate_item_id(self, item_type: str, thread: ThreadMetadata, context: Any) -> str:
        return self.inner.generate_item_id(item_type, thread, context)

    def generate_attachment_id(self, mime_type: str, context: Any) -> str:
        return self.inner.generate_attachment_id(mime_type, context)

    async def load_thread(self, thread_id: str, context: Any) -> ThreadMetadata:
        return await self.inner.load_thread(thread_id, context)

    async def save_thread(self, thread: ThreadMetadata, context: Any) -> None:
        await self._write("save_thread", lambda: self.inner.save_thread(thread, context))

    async def load_threads(
        self, limit: int, after: str | None, order: Any, context: Any
    ) -> Page[ThreadMetadata]:
        return await self.inner.load_threads(limit, after, order, context)

    async def delete_thread(self, thread_id: str, context: Any) -> None:
        await self._write("delete_thread", lambda: self.inner.delete_thread(thread_id, context))

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: Any, context: Any
    ) -> Page[ThreadItem]:
        return await self.inner.load_thread_items(thread_id, after, limit, order, context)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        await self._write("add_thread_item", lambda: self.inner.add_thread_item(thread_id, item, context))

    async def save_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        await self._write("save_item", lambda: self.inner.save_item(thread_id, item, context))

    async def load_item(self, thread_id: str, item_id: str, context: Any) -> ThreadItem:
        return await self.inner.load_item(thread_id, item_id, context)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Any) -> None:
        await self._write(
            "delete_thread_item", lambda: self.inner.delete_thread_item(thread_id, item_id, context)
        )

    async def delete_thread_items_after(self, thread_id: str, item_id: str, context: Any) -> None:
        await self._write(
            "delete_thread_items_after",
            lambda: self.inner.delete_thread_items_after(thread_id, item_id, context),
        )

    async def save_attachment(self, attachment: Attachment, context: Any) -> None:
        await self._write("save_attachment", lambda: self.inner.save_attachment(attachment, context))

    async def load_attachment(self, attachment_id: str, context: Any) -> Attachment:
        return await self.inner.load_attachment(attachment_id, context)

    async def delete_attachment(self, attachment_id: str, context: Any) -> None:
        await self._write("delete_attachment", lambda: self.inner.delete_attachment(attachment_id, context))

    async def close(self) -> None:
        await self.inner.close()


# -- attachments ---------------------------------------------------------------------------------------


class MemoryAttachments(AttachmentStore[Any]):
    """Keeps announced uploads in a dict; ids come from the thread store so they are scoped the same way."""

    def __init__(self, store: Store[Any]) -> None:
        self.store = store
        self.files: dict[str, AttachmentCreateParams] = {}

    async def create_attachment(self, params: AttachmentCreateParams, context: Any) -> Attachment:
        attachment_id = self.store.generate_attachment_id(params.mime_type, context)
        self.files[attachment_id] = params
        return FileAttachment(id=attachment_id, name=params.name, mime_type=params.mime_type)

    async def delete_attachment(self, attachment_id: str, context: Any) -> None:
        self.files.pop(attachment_id, None)


# -- over real HTTP ---------------------------------------------------------------------------------


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; the socket is listening before we return."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve, [sock])
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
    sock.close()


async def read_stream(client: httpx.AsyncClient, body: bytes, stop_after: int | None = None) -> StreamReport:
    """POST over HTTP and read SSE frames; with ``stop_after``, hang up after that many frames."""
    report = StreamReport()
    buffer = b""
    async with client.stream("POST", "/chatkit", content=body) as response:
        assert response.status_code == 200
        async for chunk in response.aiter_bytes():
            buffer += chunk
            report.events = decode_sse(buffer)
            if stop_after is not None and len(report.events) >= stop_after:
                break
    return report
