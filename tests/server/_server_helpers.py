"""A scriptable `ChatKitServer`, request builders and SSE decoding shared by the server tests."""

from __future__ import annotations

import json
import warnings
from collections.abc import AsyncIterator, Callable
from typing import Any

from chatkit.types import ThreadStreamEvent as OracleEvent
from pydantic import TypeAdapter

from chatkit_agents._ids import FixedClock
from chatkit_agents.server import ChatKitServer, NonStreamingResult, StreamingResult
from chatkit_agents.server.attachments import AttachmentStore
from chatkit_agents.store import Store
from chatkit_agents.testing import render_thread
from chatkit_agents.types import (
    Action,
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    Attachment,
    AttachmentCreateParams,
    AudioInput,
    FeedbackKind,
    FileAttachment,
    SyncCustomActionResponse,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    TranscriptionResult,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
)

ORACLE = TypeAdapter(OracleEvent)

Script = Callable[[ThreadMetadata, "UserMessageItem | None", Any], AsyncIterator[ThreadStreamEvent]]


def user_text(item: UserMessageItem | None) -> str:
    if item is None:
        return ""
    return "".join(part.text for part in item.content if isinstance(part, UserMessageTextContent))


class ScriptedServer(ChatKitServer[Any]):
    """Replies "You said: <text>" in two deltas unless a test sets ``script``; records every hook call."""

    def __init__(self, store: Store[Any], attachment_store: AttachmentStore[Any] | None = None) -> None:
        super().__init__(store, attachment_store, clock=FixedClock())
        self.script: Script | None = None
        self.calls: list[tuple[str, Any]] = []

    def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: Any
    ) -> AsyncIterator[ThreadStreamEvent]:
        self.calls.append(("respond", input_user_message.id if input_user_message else None))
        if self.script is not None:
            return self.script(thread, input_user_message, context)
        return self.reply(thread, f"You said: {user_text(input_user_message) or '(resumed)'}", context)

    async def reply(
        self, thread: ThreadMetadata, text: str, context: Any
    ) -> AsyncIterator[ThreadStreamEvent]:
        """A complete assistant message streamed as added, two deltas, done."""
        item = self.new_message(thread, context)
        yield ThreadItemAddedEvent(item=item)
        yield ThreadItemUpdatedEvent(
            item_id=item.id,
            update=AssistantMessageContentPartAdded(
                content_index=0, content=AssistantMessageContent(text="")
            ),
        )
        half = len(text) // 2
        for delta in (text[:half], text[half:]):
            yield ThreadItemUpdatedEvent(
                item_id=item.id, update=AssistantMessageContentPartTextDelta(content_index=0, delta=delta)
            )
        done = AssistantMessageContent(text=text)
        yield ThreadItemUpdatedEvent(
            item_id=item.id, update=AssistantMessageContentPartDone(content_index=0, content=done)
        )
        yield ThreadItemDoneEvent(item=item.model_copy(update={"content": [done]}))

    def new_message(self, thread: ThreadMetadata, context: Any) -> AssistantMessageItem:
        return AssistantMessageItem(
            id=self.store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=self.clock(),
            content=[],
        )

    async def action(
        self, thread: ThreadMetadata, action: Action, sender: WidgetItem | None, context: Any
    ) -> AsyncIterator[ThreadStreamEvent]:
        self.calls.append(("action", (action.type, sender.id if sender else None)))
        async for event in self.reply(thread, f"Action {action.type} done", context):
            yield event

    async def sync_action(
        self, thread: ThreadMetadata, action: Action, sender: WidgetItem | None, context: Any
    ) -> SyncCustomActionResponse:
        self.calls.append(("sync_action", action.type))
        if sender is None:
            return SyncCustomActionResponse()
        return SyncCustomActionResponse(updated_item=sender.model_copy(update={"copy_text": "clicked"}))

    async def add_feedback(
        self, thread_id: str, item_ids: list[str], feedback: FeedbackKind, context: Any
    ) -> None:
        self.calls.append(("feedback", (thread_id, item_ids, feedback)))

    async def transcribe(self, audio_input: AudioInput, context: Any) -> TranscriptionResult:
        self.calls.append(("transcribe", (audio_input.data, audio_input.media_type)))
        return TranscriptionResult(text=f"{len(audio_input.data)} bytes of {audio_input.media_type}")


class MinimalServer(ChatKitServer[Any]):
    """Implements only `respond`: every optional feature must be refused with a 4xx naming the fix."""

    async def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: Any
    ) -> AsyncIterator[ThreadStreamEvent]:
        return
        yield


class FakeAttachmentStore(AttachmentStore[Any]):
    """Keeps attachment "bytes" in a dict; ids come from the thread store's id factory."""

    def __init__(self, store: Store[Any]) -> None:
        self.store = store
        self.files: dict[str, AttachmentCreateParams] = {}
        self.deleted: list[str] = []

    async def create_attachment(self, params: AttachmentCreateParams, context: Any) -> Attachment:
        attachment_id = self.store.generate_attachment_id(params.mime_type, context)
        self.files[attachment_id] = params
        return FileAttachment(
            id=attachment_id, name=params.name, mime_type=params.mime_type, metadata={"secret": "server-only"}
        )

    async def delete_attachment(self, attachment_id: str, context: Any) -> None:
        self.deleted.append(attachment_id)
        self.files.pop(attachment_id, None)


# -- requests and results -----------------------------------------------------------------------------


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
    """Split an SSE body into event dicts; every frame must be a single ``data:`` line."""
    events: list[dict[str, Any]] = []
    assert raw.endswith(b"\n\n") or raw == b""
    for frame in raw.split(b"\n\n"):
        if not frame:
            continue
        assert frame.startswith(b"data: "), frame
        assert b"\n" not in frame, frame
        events.append(json.loads(frame[len(b"data: ") :]))
    return events


def check_oracle(events: list[dict[str, Any]]) -> None:
    """Every event must validate against openai-chatkit's ThreadStreamEvent (the wire oracle)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the oracle deprecates its own widget classes
        for event in events:
            ORACLE.validate_python(event)


async def stream(result: StreamingResult | NonStreamingResult) -> list[dict[str, Any]]:
    """Drain a streaming result into oracle-checked event dicts."""
    assert isinstance(result, StreamingResult)
    raw = b"".join([chunk async for chunk in result])
    events = decode_sse(raw)
    check_oracle(events)
    return events


async def stored(store: Store[Any], thread_id: str = "thr_1", *, width: int = 60) -> str:
    """The thread's stored items, rendered one per line (oldest first)."""
    page = await store.load_thread_items(thread_id, None, 100, "asc", None)
    return render_thread(page.data, width=width)


def answer(result: StreamingResult | NonStreamingResult) -> Any:
    """The decoded JSON of a non-streaming result."""
    assert isinstance(result, NonStreamingResult)
    return json.loads(result.json)


ALICE = {"user_id": "alice"}
BOB = {"user_id": "bob"}
