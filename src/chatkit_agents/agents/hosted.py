"""Interop with hosted ChatKit (``client.beta.chatkit`` in the ``openai`` package).

Hosted thread items are mapped onto our own thread item models and then run through the same
`ThreadItemConverter`, so a conversation started on a hosted workflow continues on a self-hosted agent
with exactly the input a self-hosted thread would give (and the same override hooks). A small helper
also creates hosted ChatKit sessions for a web front end.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, Literal, cast

from agents.items import TResponseInputItem
from openai import AsyncOpenAI, Omit, omit
from openai.types.beta.chatkit import (
    ChatKitAttachment,
    ChatKitThreadAssistantMessageItem,
    ChatKitThreadUserMessageItem,
    ChatKitWidgetItem,
    ChatSessionChatKitConfigurationParam,
    ChatSessionExpiresAfterParam,
    ChatSessionRateLimitsParam,
    ChatSessionWorkflowParam,
)
from openai.types.beta.chatkit.chatkit_thread_item_list import (
    Data,
    DataChatKitClientToolCall,
    DataChatKitTask,
    DataChatKitTaskGroup,
    DataChatKitTaskGroupTask,
)
from pydantic import BaseModel, ValidationError

from chatkit_agents.agents.input import ThreadItemConverter, widget_tree_text
from chatkit_agents.types.attachments import Attachment, FileAttachment, ImageAttachment
from chatkit_agents.types.items import (
    AssistantMessageContent,
    AssistantMessageItem,
    ClientToolCallItem,
    TaskItem,
    ThreadItem,
    UserMessageContent,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
    WorkflowItem,
)
from chatkit_agents.types.workflow import (
    Annotation,
    CustomTask,
    FileSource,
    Task,
    ThoughtTask,
    URLSource,
    Workflow,
)
from chatkit_agents.widgets import WIDGET_ROOT_ADAPTER, Card, Text

__all__ = [
    "HostedThreadItem",
    "create_hosted_session",
    "hosted_item_to_thread_item",
    "hosted_items_to_agent_input",
    "hosted_thread_to_agent_input",
]

logger = logging.getLogger(__name__)

HostedThreadItem = Data
"""One item of a hosted ChatKit thread, as ``client.beta.chatkit.threads.list_items`` returns it."""


def _timestamp(value: object) -> datetime:
    """Hosted items carry Unix seconds; ours carry aware datetimes."""
    seconds = value if isinstance(value, int | float) else 0
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _attachment(raw: ChatKitAttachment) -> Attachment:
    if raw.type == "image" and raw.preview_url:
        return ImageAttachment(id=raw.id, name=raw.name, mime_type=raw.mime_type, preview_url=raw.preview_url)
    return FileAttachment(id=raw.id, name=raw.name, mime_type=raw.mime_type)


def _user_message(item: ChatKitThreadUserMessageItem) -> ThreadItem:
    content: list[UserMessageContent] = []
    quotes: list[str] = []
    for part in item.content:
        if part.type == "quoted_text":
            quotes.append(part.text)
        else:
            content.append(UserMessageTextContent(text=part.text))
    return UserMessageItem(
        id=item.id,
        thread_id=item.thread_id,
        created_at=_timestamp(item.created_at),
        content=content,
        attachments=[_attachment(a) for a in item.attachments],
        quoted_text="\n\n".join(quotes) or None,
    )


def _assistant_message(item: ChatKitThreadAssistantMessageItem) -> ThreadItem:
    content: list[AssistantMessageContent] = []
    for part in item.content:
        annotations: list[Annotation] = []
        for annotation in part.annotations:
            if annotation.type == "url":
                source = URLSource(url=annotation.source.url, title=annotation.source.url)
                annotations.append(Annotation(source=source))
            else:
                filename = annotation.source.filename
                annotations.append(Annotation(source=FileSource(filename=filename, title=filename)))
        content.append(AssistantMessageContent(text=part.text, annotations=annotations))
    return AssistantMessageItem(
        id=item.id, thread_id=item.thread_id, created_at=_timestamp(item.created_at), content=content
    )


def _widget(item: ChatKitWidgetItem) -> ThreadItem:
    """Hosted widgets are JSON text; a widget our models do not accept keeps its text in a plain Card."""
    common: dict[str, Any] = {
        "id": item.id,
        "thread_id": item.thread_id,
        "created_at": _timestamp(item.created_at),
    }
    try:
        data: Any = json.loads(item.widget)
    except ValueError:
        data = None
    if isinstance(data, dict):
        try:
            return WidgetItem(**common, widget=WIDGET_ROOT_ADAPTER.validate_python(data))
        except ValidationError:
            logger.debug("hosted widget %s does not match our widget models; keeping its text", item.id)
        text = widget_tree_text(cast(Mapping[str, Any], data))
    else:
        text = item.widget.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return WidgetItem(
        **common, widget=Card(children=[Text(value=line) for line in lines]), copy_text=text or None
    )


def _client_tool_call(item: DataChatKitClientToolCall) -> ThreadItem:
    try:
        parsed: Any = json.loads(item.arguments) if item.arguments else {}
    except ValueError:
        parsed = item.arguments
    arguments = cast(dict[str, Any], parsed) if isinstance(parsed, dict) else {"arguments": parsed}
    return ClientToolCallItem(
        id=item.id,
        thread_id=item.thread_id,
        created_at=_timestamp(item.created_at),
        status="completed" if item.status == "completed" else "pending",
        call_id=item.call_id,
        name=item.name,
        arguments=arguments,
        output=item.output,
    )


def _task(task: DataChatKitTask | DataChatKitTaskGroupTask) -> Task:
    kind = task.task_type if isinstance(task, DataChatKitTask) else task.type
    if kind == "thought":
        return ThoughtTask(title=task.heading, content=task.summary or "")
    return CustomTask(title=task.heading, content=task.summary)


def _task_item(item: DataChatKitTask) -> ThreadItem:
    return TaskItem(
        id=item.id, thread_id=item.thread_id, created_at=_timestamp(item.created_at), task=_task(item)
    )


def _task_group(item: DataChatKitTaskGroup) -> ThreadItem:
    kind: Literal["custom", "reasoning"] = (
        "reasoning" if item.tasks and all(t.type == "thought" for t in item.tasks) else "custom"
    )
    return WorkflowItem(
        id=item.id,
        thread_id=item.thread_id,
        created_at=_timestamp(item.created_at),
        workflow=Workflow(type=kind, tasks=[_task(t) for t in item.tasks]),
    )


def hosted_item_to_thread_item(item: HostedThreadItem | BaseModel | Mapping[str, Any]) -> ThreadItem | None:
    """Map one hosted item (model or JSON dict) onto our thread item; ``None`` for kinds we don't know.

    Unknown (newer) kinds and malformed items are skipped with a log message, never raised.
    """
    data: Any = item.model_dump() if isinstance(item, BaseModel) else dict(item)
    kind = data.get("type")
    try:
        match kind:
            case "chatkit.user_message":
                return _user_message(ChatKitThreadUserMessageItem.model_validate(data))
            case "chatkit.assistant_message":
                return _assistant_message(ChatKitThreadAssistantMessageItem.model_validate(data))
            case "chatkit.widget":
                return _widget(ChatKitWidgetItem.model_validate(data))
            case "chatkit.client_tool_call":
                return _client_tool_call(DataChatKitClientToolCall.model_validate(data))
            case "chatkit.task":
                return _task_item(DataChatKitTask.model_validate(data))
            case "chatkit.task_group":
                return _task_group(DataChatKitTaskGroup.model_validate(data))
            case _:
                logger.debug("skipping hosted thread item of unknown type %r", kind)
                return None
    except ValidationError as exc:
        logger.warning("skipping malformed hosted thread item %r of type %r: %s", data.get("id"), kind, exc)
        return None


async def hosted_items_to_agent_input(
    items: Iterable[HostedThreadItem | BaseModel | Mapping[str, Any]],
    *,
    converter: ThreadItemConverter | None = None,
    max_items: int | None = None,
    max_tokens: int | None = None,
) -> list[TResponseInputItem]:
    """Hosted ChatKit thread items (oldest first) -> input for ``Runner.run_streamed``.

    Pure: no network. Rendering and the optional history window are those of `ThreadItemConverter`.
    """
    thread_items = [mapped for item in items if (mapped := hosted_item_to_thread_item(item)) is not None]
    return await (converter or ThreadItemConverter()).to_agent_input(
        thread_items, max_items=max_items, max_tokens=max_tokens
    )


async def hosted_thread_to_agent_input(
    client: AsyncOpenAI,
    thread_id: str,
    *,
    converter: ThreadItemConverter | None = None,
    max_items: int | None = None,
    max_tokens: int | None = None,
    page_size: int = 100,
) -> list[TResponseInputItem]:
    """Read every item of a hosted ChatKit thread (all pages, oldest first) and convert it to model input."""
    items: list[HostedThreadItem] = []
    async for item in client.beta.chatkit.threads.list_items(thread_id, order="asc", limit=page_size):
        items.append(item)
    return await hosted_items_to_agent_input(
        items, converter=converter, max_items=max_items, max_tokens=max_tokens
    )


async def create_hosted_session(
    client: AsyncOpenAI,
    *,
    workflow_id: str,
    user: str,
    workflow_version: str | None = None,
    state_variables: Mapping[str, str | int | bool | float] | None = None,
    tracing: bool | None = None,
    expires_after_seconds: int | None = None,
    max_requests_per_minute: int | None = None,
    chatkit_configuration: ChatSessionChatKitConfigurationParam | None = None,
) -> str:
    """Create a hosted ChatKit session for ``user`` on a published workflow; return its client secret.

    Hand the secret to the ChatKit web component (``getClientSecret``); it is short-lived and scoped to
    ``user``, so the API key never reaches the browser.
    """
    workflow: ChatSessionWorkflowParam = {"id": workflow_id}
    if workflow_version is not None:
        workflow["version"] = workflow_version
    if state_variables is not None:
        workflow["state_variables"] = dict(state_variables)
    if tracing is not None:
        workflow["tracing"] = {"enabled": tracing}
    expires_after: ChatSessionExpiresAfterParam | Omit = omit
    if expires_after_seconds is not None:
        expires_after = {"anchor": "created_at", "seconds": expires_after_seconds}
    rate_limits: ChatSessionRateLimitsParam | Omit = omit
    if max_requests_per_minute is not None:
        rate_limits = {"max_requests_per_1_minute": max_requests_per_minute}
    session = await client.beta.chatkit.sessions.create(
        user=user,
        workflow=workflow,
        expires_after=expires_after,
        rate_limits=rate_limits,
        chatkit_configuration=omit if chatkit_configuration is None else chatkit_configuration,
    )
    return session.client_secret
