"""A seeded world for request-level tests: three threads and an attachment that every request type can name.

`FuzzServer` is the echo agent server with every optional hook implemented, so every request goes deep.
"""

from __future__ import annotations

from typing import Any

from _reliability_kit import MemoryAttachments, echo_agent, message

from agents import RunConfig
from chatkit_agents._ids import FixedClock
from chatkit_agents.server import AgentServer
from chatkit_agents.store import Store
from chatkit_agents.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    ClientToolCallItem,
    FileAttachment,
    StructuredInputFreeform,
    StructuredInputItem,
    SyncCustomActionResponse,
    ThreadMetadata,
    TranscriptionResult,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
)
from chatkit_agents.widgets import Card, Text

CLOCK = FixedClock()

# -- the seeded world -----------------------------------------------------------------------------------

CHAT, TOOLS, FORM = "thr_chat", "thr_tools", "thr_form"
USER_MSG, REPLY, WIDGET, CALL, QUESTIONS, ATTACHMENT = (
    "msg_user",
    "msg_reply",
    "wdg_card",
    "ctc_call",
    "sti_form",
    "atc_file",
)


async def seed(store: Store[Any], context: Any = None) -> None:
    """Three threads covering every request's target: messages, a widget, a pending tool call, a form."""
    for thread_id in (CHAT, TOOLS, FORM):
        await store.save_thread(ThreadMetadata(id=thread_id, created_at=CLOCK()), context)

    def user(thread_id: str, item_id: str) -> UserMessageItem:
        return UserMessageItem(
            id=item_id,
            thread_id=thread_id,
            created_at=CLOCK(),
            content=[UserMessageTextContent(text="hello")],
        )

    await store.add_thread_item(CHAT, user(CHAT, USER_MSG), context)
    reply = AssistantMessageItem(
        id=REPLY, thread_id=CHAT, created_at=CLOCK(), content=[AssistantMessageContent(text="Hi!")]
    )
    await store.add_thread_item(CHAT, reply, context)
    card = WidgetItem(id=WIDGET, thread_id=CHAT, created_at=CLOCK(), widget=Card(children=[Text(value="x")]))
    await store.add_thread_item(CHAT, card, context)
    await store.add_thread_item(TOOLS, user(TOOLS, "msg_tools"), context)
    call = ClientToolCallItem(
        id=CALL, thread_id=TOOLS, created_at=CLOCK(), call_id="call_1", name="get_location", arguments={}
    )
    await store.add_thread_item(TOOLS, call, context)
    await store.add_thread_item(FORM, user(FORM, "msg_form"), context)
    form = StructuredInputItem(
        id=QUESTIONS,
        thread_id=FORM,
        created_at=CLOCK(),
        inputs=[StructuredInputFreeform(id="q1", question="Why?")],
    )
    await store.add_thread_item(FORM, form, context)
    await store.save_attachment(FileAttachment(id=ATTACHMENT, name="a.txt", mime_type="text/plain"), context)


class FuzzServer(AgentServer[Any]):
    """The echo agent server with every optional hook implemented, so every request type goes deep."""

    async def sync_action(self, thread: Any, action: Any, sender: Any, context: Any) -> Any:
        return SyncCustomActionResponse(updated_item=sender)

    async def transcribe(self, audio_input: Any, context: Any) -> Any:
        return TranscriptionResult(text=f"{len(audio_input.data)} bytes")


def fuzz_server(store: Store[Any]) -> FuzzServer:
    return FuzzServer(
        echo_agent(),
        store,
        attachment_store=MemoryAttachments(store),
        run_config=RunConfig(tracing_disabled=True),
    )


TEMPLATES: list[dict[str, Any]] = [
    {"type": "threads.create", "params": {"input": message("hello", attachments=[ATTACHMENT])}},
    {"type": "threads.add_user_message", "params": {"thread_id": CHAT, "input": message("more")}},
    {"type": "threads.add_client_tool_output", "params": {"thread_id": TOOLS, "result": {"city": "Oslo"}}},
    {
        "type": "threads.add_structured_input",
        "params": {
            "thread_id": FORM,
            "item_id": QUESTIONS,
            "input": {"status": "answered", "answers": {"q1": {"values": ["Because"]}}},
        },
    },
    {
        "type": "threads.custom_action",
        "params": {"thread_id": CHAT, "item_id": WIDGET, "action": {"type": "chatkit_agents.approval"}},
    },
    {
        "type": "threads.sync_custom_action",
        "params": {"thread_id": CHAT, "item_id": WIDGET, "action": {"type": "copy", "payload": {"a": 1}}},
    },
    {"type": "threads.retry_after_item", "params": {"thread_id": CHAT, "item_id": USER_MSG}},
    {"type": "threads.get_by_id", "params": {"thread_id": CHAT}},
    {"type": "threads.list", "params": {"limit": 2, "order": "asc", "after": CHAT}},
    {"type": "threads.update", "params": {"thread_id": CHAT, "title": "Renamed"}},
    {"type": "threads.delete", "params": {"thread_id": FORM}},
    {"type": "items.list", "params": {"thread_id": CHAT, "limit": 2, "order": "desc", "after": REPLY}},
    {"type": "items.feedback", "params": {"thread_id": CHAT, "item_ids": [REPLY], "kind": "positive"}},
    {"type": "attachments.create", "params": {"name": "b.png", "size": 10, "mime_type": "image/png"}},
    {"type": "attachments.delete", "params": {"attachment_id": ATTACHMENT}},
    {"type": "input.transcribe", "params": {"audio_base64": "AAAA", "mime_type": "audio/webm"}},
]
REQUEST_TYPES = [template["type"] for template in TEMPLATES]
KNOWN_IDS = [CHAT, TOOLS, FORM, USER_MSG, REPLY, WIDGET, CALL, QUESTIONS, ATTACHMENT]
