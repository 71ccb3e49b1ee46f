"""Reverse converter: stored ChatKit thread items -> Responses input items for the next agent run.

`ThreadItemConverter` has one overridable async method per item kind; `to_agent_input` runs it over a
thread and can trim the result to a history window. Everything the client showed but the model did not
say itself (widgets, workflows, hidden context, ...) becomes a *context message*: a user-role message
whose text is wrapped in a tag naming its kind (``<widget>...</widget>``). User role works with every
provider; system messages are never injected mid-conversation.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, cast

from agents.items import TResponseInputItem
from openai.types.responses import (
    EasyInputMessageParam,
    ResponseFunctionToolCallParam,
    ResponseInputContentParam,
    ResponseInputFileParam,
    ResponseInputImageParam,
    ResponseInputTextParam,
)
from openai.types.responses.response_input_item_param import FunctionCallOutput
from pydantic import BaseModel

from chatkit_agents.errors import AttachmentNotResolvedError
from chatkit_agents.types.attachments import Attachment, ImageAttachment
from chatkit_agents.types.items import (
    AssistantMessageContent,
    AssistantMessageItem,
    ClientToolCallItem,
    EndOfTurnItem,
    GeneratedImageItem,
    HiddenContextItem,
    SDKHiddenContextItem,
    StructuredInputItem,
    TaskItem,
    ThreadItem,
    UserMessageItem,
    UserMessageTagContent,
    WidgetItem,
    WorkflowItem,
)
from chatkit_agents.types.workflow import (
    Annotation,
    CustomSummary,
    CustomTask,
    EntitySource,
    FileSource,
    FileTask,
    ImageTask,
    SearchTask,
    Task,
    ThoughtTask,
    URLSource,
)

__all__ = [
    "AttachmentResolver",
    "ConvertedItem",
    "ThreadItemConverter",
    "TokenEstimator",
    "approximate_tokens",
    "attachment_bytes_to_content",
    "to_agent_input",
    "widget_tree_text",
]

logger = logging.getLogger(__name__)

AttachmentResolver = Callable[[Attachment], Awaitable[ResponseInputContentParam | None]]
"""Turns an attachment into a model input part (``input_image`` / ``input_file``), or ``None`` if it can't."""

TokenEstimator = Callable[[TResponseInputItem], int]
"""Approximate number of tokens one input item costs; used by the ``max_tokens`` history window."""

ConvertedItem = TResponseInputItem | Sequence[TResponseInputItem] | None
"""What a per-kind hook returns: one input item, several (kept together by the history window), or none."""

_IMAGE_TOKENS = 1000
"""Flat token cost `approximate_tokens` gives an inline (data URL) image or file instead of its length."""

_FUNCTION_NAME_INVALID = re.compile(r"[^a-zA-Z0-9_-]")
"""Characters providers reject in function names."""

_INLINE_DATA_KEYS = frozenset({"image_url", "file_data", "file_url"})


def approximate_tokens(item: TResponseInputItem) -> int:
    """Cheap provider-independent estimate: ~4 characters per token, a flat cost per inline image/file."""
    return 4 + _count_tokens(item, None)


def _count_tokens(value: object, key: str | None) -> int:
    if isinstance(value, str):
        if key in _INLINE_DATA_KEYS and value.startswith("data:"):
            return _IMAGE_TOKENS
        return math.ceil(len(value) / 4)
    if isinstance(value, Mapping):
        mapping = cast(Mapping[str, object], value)
        return sum(_count_tokens(v, k) for k, v in mapping.items())
    if isinstance(value, list | tuple):
        return sum(_count_tokens(v, None) for v in cast(Sequence[object], value))
    return 0


def attachment_bytes_to_content(attachment: Attachment, data: bytes) -> ResponseInputContentParam:
    """Inline an attachment's bytes as a base64 data URL: ``input_image`` for images, else ``input_file``.

    Handy inside an `AttachmentResolver` that reads the bytes from your attachment storage.
    """
    url = f"data:{attachment.mime_type};base64,{base64.b64encode(data).decode('ascii')}"
    if isinstance(attachment, ImageAttachment) or attachment.mime_type.startswith("image/"):
        return ResponseInputImageParam(type="input_image", image_url=url, detail="auto")
    return ResponseInputFileParam(type="input_file", file_data=url, filename=attachment.name)


def _json(value: Any) -> str:
    """Compact, readable JSON for model input (non-JSON values fall back to ``str``)."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _text_part(text: str) -> ResponseInputTextParam:
    return ResponseInputTextParam(type="input_text", text=text)


def _as_list(converted: ConvertedItem) -> list[TResponseInputItem]:
    if converted is None:
        return []
    if isinstance(converted, Mapping):
        return [converted]
    return list(converted)


_WIDGET_TEXT_KEYS: dict[str, tuple[str, ...]] = {
    "Text": ("value",),
    "Title": ("value",),
    "Caption": ("value",),
    "Markdown": ("value",),
    "Label": ("value",),
    "Badge": ("label",),
    "Button": ("label",),
    "Checkbox": ("label",),
    "Image": ("alt",),
}
"""Which fields of a widget component carry text the user read (everything else is layout or actions)."""

_UNKNOWN_WIDGET_TEXT_KEYS = ("value", "label", "text")


def _widget_texts(node: object, out: list[str]) -> None:
    """Collect the visible text of a widget tree in reading order; actions and styling are skipped."""
    if isinstance(node, list | tuple):
        for child in cast(Sequence[object], node):
            _widget_texts(child, out)
        return
    if not isinstance(node, Mapping):
        return
    mapping = cast(Mapping[str, object], node)
    kind = mapping.get("type")
    if isinstance(kind, str):
        for key in _WIDGET_TEXT_KEYS.get(kind, _UNKNOWN_WIDGET_TEXT_KEYS):
            text = mapping.get(key)
            if isinstance(text, str) and text.strip():
                out.append(text.strip())
    for key, value in mapping.items():
        if key == "action" or key.endswith(("Action", "_action")) or isinstance(value, str):
            continue
        _widget_texts(value, out)


def widget_tree_text(widget: BaseModel | Mapping[str, Any]) -> str:
    """The text values of a widget tree, one per line (what a reader of the widget saw)."""
    data: object = (
        widget.model_dump(mode="json", exclude_none=True) if isinstance(widget, BaseModel) else widget
    )
    texts: list[str] = []
    _widget_texts(data, texts)
    return "\n".join(texts)


class ThreadItemConverter:
    """Turns stored thread items into model input; override one ``*_to_input`` method to change one kind.

    Every hook returns one input item, a list of them (kept together when the history is windowed), or
    ``None`` to leave the item out. Item kinds this class does not know are skipped with a debug log.
    """

    def __init__(
        self,
        *,
        attachment_resolver: AttachmentResolver | None = None,
        estimate_tokens: TokenEstimator = approximate_tokens,
    ) -> None:
        self.attachment_resolver = attachment_resolver
        self.estimate_tokens = estimate_tokens

    # --- entry points ----------------------------------------------------------------------------------

    async def to_agent_input(
        self,
        items: ThreadItem | Iterable[ThreadItem],
        *,
        max_items: int | None = None,
        max_tokens: int | None = None,
    ) -> list[TResponseInputItem]:
        """Convert ``items`` (oldest first) and keep the newest part that fits the optional window.

        ``max_items`` counts model input items and ``max_tokens`` uses ``estimate_tokens``. Whole thread
        items are dropped oldest first; a function call is never separated from its output and the
        newest user message (with everything after it) is always kept, even if it alone is over budget.
        """
        sequence: Iterable[ThreadItem] = [items] if isinstance(items, BaseModel) else items
        groups: list[_Group] = []
        for item in sequence:
            converted = await self.item_to_input(item)
            if converted:
                groups.append(_Group(converted, getattr(item, "type", None) == "user_message"))
        return _window(groups, max_items=max_items, max_tokens=max_tokens, estimate=self.estimate_tokens)

    async def item_to_input(self, item: ThreadItem) -> list[TResponseInputItem]:
        """Convert one thread item by dispatching on its kind; unknown kinds give ``[]`` and a debug log."""
        match item:
            case UserMessageItem():
                converted = await self.user_message_to_input(item)
            case AssistantMessageItem():
                converted = await self.assistant_message_to_input(item)
            case ClientToolCallItem():
                converted = await self.client_tool_call_to_input(item)
            case WidgetItem():
                converted = await self.widget_to_input(item)
            case GeneratedImageItem():
                converted = await self.generated_image_to_input(item)
            case StructuredInputItem():
                converted = await self.structured_input_to_input(item)
            case WorkflowItem():
                converted = await self.workflow_to_input(item)
            case TaskItem():
                converted = await self.task_to_input(item)
            case HiddenContextItem():
                converted = await self.hidden_context_to_input(item)
            case SDKHiddenContextItem():
                converted = await self.sdk_hidden_context_to_input(item)
            case EndOfTurnItem():
                converted = await self.end_of_turn_to_input(item)
            case _:  # pyright: ignore[reportUnnecessaryComparison]
                converted = await self.unknown_item_to_input(item)
        return _as_list(converted)

    # --- the shape of context messages -----------------------------------------------------------------

    def context_message(self, kind: str, text: str) -> TResponseInputItem:
        """A user-role message carrying context the user did not type, wrapped in ``<kind>...</kind>``.

        Override to change the envelope (e.g. another tag style) for every context message at once.
        """
        return EasyInputMessageParam(
            type="message", role="user", content=[_text_part(f"<{kind}>\n{text}\n</{kind}>")]
        )

    # --- user messages ---------------------------------------------------------------------------------

    async def user_message_to_input(self, item: UserMessageItem) -> ConvertedItem:
        """The user's message (quoted text, text with ``@tags`` inline, attachments), then a ``<mentions>``
        context message describing the tagged entities when there are any.

        A message that is only text is sent with string content, like the assistant's messages: the shape
        every provider accepts, and the one the SDK handles with the least work. Quoted text or attachments
        make it a list of content parts.
        """
        text_pieces: list[str] = []
        tags: list[UserMessageTagContent] = []
        for part in item.content:
            if isinstance(part, UserMessageTagContent):
                text_pieces.append(await self.tag_to_text(part))
                tags.append(part)
            else:
                text_pieces.append(part.text)
        text = "".join(text_pieces)
        result: list[TResponseInputItem] = []
        if not item.quoted_text and not item.attachments:
            if text:
                result.append(EasyInputMessageParam(type="message", role="user", content=text))
        else:
            parts: list[ResponseInputContentParam] = []
            if item.quoted_text:
                parts.append(_text_part(f"<quoted_text>\n{item.quoted_text}\n</quoted_text>"))
            if text:
                parts.append(_text_part(text))
            for attachment in item.attachments:
                parts.append(await self.attachment_to_input(attachment))
            result.append(EasyInputMessageParam(type="message", role="user", content=parts))
        mentions = await self.tags_to_input(tags)
        result.extend(_as_list(mentions))
        return result

    async def tag_to_text(self, tag: UserMessageTagContent) -> str:
        """How an ``@tag`` reads inside the user's text (default ``@<tag text>``)."""
        return f"@{tag.text}"

    async def tag_to_context(self, tag: UserMessageTagContent) -> str | None:
        """One line describing a tagged entity for the ``<mentions>`` context message (``None`` to omit)."""
        details = [f"id: {tag.id}"]
        if tag.group:
            details.append(f"group: {tag.group}")
        line = f"@{tag.text} ({', '.join(details)})"
        if tag.data:
            line += f": {_json(tag.data)}"
        return line

    async def tags_to_input(self, tags: Sequence[UserMessageTagContent]) -> ConvertedItem:
        """The ``<mentions>`` context message for the tags of one user message (each tag id once)."""
        lines: list[str] = []
        seen: set[str] = set()
        for tag in tags:
            if tag.id in seen:
                continue
            seen.add(tag.id)
            line = await self.tag_to_context(tag)
            if line:
                lines.append(line)
        return self.context_message("mentions", "\n".join(lines)) if lines else None

    async def attachment_to_input(self, attachment: Attachment) -> ResponseInputContentParam:
        """An attachment as a content part: ``attachment_resolver`` first, else an image's preview URL.

        Raises `AttachmentNotResolvedError` (naming both hooks) when neither gives a result.
        """
        if self.attachment_resolver is not None:
            resolved = await self.attachment_resolver(attachment)
            if resolved is not None:
                return resolved
        if isinstance(attachment, ImageAttachment):
            return ResponseInputImageParam(
                type="input_image", image_url=attachment.preview_url, detail="auto"
            )
        raise AttachmentNotResolvedError(
            f"Cannot send attachment {attachment.id!r} ({attachment.type}, {attachment.name!r}, "
            f"{attachment.mime_type}) to the model: pass attachment_resolver= to ThreadItemConverter "
            "(see attachment_bytes_to_content) or override ThreadItemConverter.attachment_to_input."
        )

    # --- assistant messages ----------------------------------------------------------------------------

    async def assistant_message_to_input(self, item: AssistantMessageItem) -> ConvertedItem:
        """An assistant message with plain-text content; its citations become a numbered source list.

        Plain text is the assistant input shape every provider accepts (Responses ``output_text``
        annotations would need provider file ids and offsets that a thread does not keep).
        """
        texts = [await self.assistant_content_to_text(part) for part in item.content]
        text = "\n\n".join(t for t in texts if t)
        sources = self.citations_to_text([a for part in item.content for a in part.annotations])
        if sources:
            text = f"{text}\n\n{sources}" if text else sources
        if not text:
            return None
        return EasyInputMessageParam(type="message", role="assistant", content=text)

    def citations_to_text(self, annotations: Sequence[Annotation]) -> str | None:
        """``Sources:`` followed by ``[n] title - location`` lines, one per distinct cited source."""
        lines: list[str] = []
        seen: set[tuple[str, str]] = set()
        for annotation in annotations:
            source = annotation.source
            if isinstance(source, URLSource):
                key, location = ("url", source.url), source.url
            elif isinstance(source, FileSource):
                key, location = ("file", source.filename), source.filename
            elif isinstance(source, EntitySource):  # pyright: ignore[reportUnnecessaryIsInstance]
                key, location = ("entity", source.id), f"entity {source.id}"
            else:
                continue
            if key in seen:
                continue
            seen.add(key)
            title = source.title.strip()
            label = location if not title or title == location else f"{title} - {location}"
            lines.append(f"[{len(lines) + 1}] {label}")
        return "Sources:\n" + "\n".join(lines) if lines else None

    async def assistant_content_to_text(self, content: AssistantMessageContent) -> str:
        """The text of one assistant content part (hook for rewriting it, e.g. stripping markup)."""
        return content.text

    # --- tools -----------------------------------------------------------------------------------------

    async def client_tool_call_to_input(self, item: ClientToolCallItem) -> ConvertedItem:
        """A finished client tool call as a ``function_call`` + ``function_call_output`` pair.

        Pending calls are left out: the model would otherwise see a call without a result. Client handler
        names that are not valid function names (``map.open``) get ``_`` for the invalid characters.
        """
        if item.status != "completed":
            return None
        output = item.output if isinstance(item.output, str) else _json(item.output)
        name = _FUNCTION_NAME_INVALID.sub("_", item.name)[:64] or "client_tool"
        return [
            ResponseFunctionToolCallParam(
                type="function_call", call_id=item.call_id, name=name, arguments=_json(item.arguments)
            ),
            FunctionCallOutput(type="function_call_output", call_id=item.call_id, output=output),
        ]

    # --- widgets, images, structured input -------------------------------------------------------------

    async def widget_to_input(self, item: WidgetItem) -> ConvertedItem:
        """A ``<widget>`` context message: ``copy_text`` if set, else the widget's visible text."""
        text = item.copy_text if item.copy_text else widget_tree_text(cast(Any, item.widget))
        if not text.strip():
            return None
        return self.context_message("widget", text.strip())

    async def generated_image_to_input(self, item: GeneratedImageItem) -> ConvertedItem:
        """The generated image as an ``input_image`` in a ``<generated_image>`` context message."""
        if item.image is None:
            return None
        note = f"<generated_image>\nImage {item.image.id} generated by the assistant.\n</generated_image>"
        return EasyInputMessageParam(
            type="message",
            role="user",
            content=[
                _text_part(note),
                ResponseInputImageParam(type="input_image", image_url=item.image.url, detail="auto"),
            ],
        )

    async def structured_input_to_input(self, item: StructuredInputItem) -> ConvertedItem:
        """A ``<structured_input>`` context message listing each question and the user's answer."""
        lines = [f"status: {item.status}"]
        for question in item.inputs:
            lines.append(f"Q: {question.question}")
            answer = question.answer
            if answer is None:
                lines.append("A: (not answered)" if item.status == "pending" else "A: (no answer)")
            elif answer.skipped:
                lines.append("A: (skipped)")
            else:
                lines.append(f"A: {', '.join(answer.values)}" if answer.values else "A: (empty)")
        return self.context_message("structured_input", "\n".join(lines))

    # --- workflows and tasks ---------------------------------------------------------------------------

    async def workflow_to_input(self, item: WorkflowItem) -> ConvertedItem:
        """A workflow as one compact context message: ``<reasoning>`` for reasoning, else ``<workflow>``."""
        workflow = item.workflow
        lines: list[str] = []
        if isinstance(workflow.summary, CustomSummary):
            lines.append(workflow.summary.title)
        for task in workflow.tasks:
            text = self.task_to_text(task)
            if text:
                lines.append(text)
        if not lines or (len(lines) == 1 and isinstance(workflow.summary, CustomSummary)):
            return None
        return self.context_message(
            "reasoning" if workflow.type == "reasoning" else "workflow", "\n".join(lines)
        )

    async def task_to_input(self, item: TaskItem) -> ConvertedItem:
        """A standalone task as a ``<task>`` context message."""
        text = self.task_to_text(item.task)
        return self.context_message("task", text) if text else None

    def task_to_text(self, task: Task) -> str | None:
        """Compact text for one task (a ``- `` bullet with indented details); ``None`` to leave it out."""
        match task:
            case CustomTask():
                return self.custom_task_to_text(task)
            case SearchTask():
                return self.search_task_to_text(task)
            case ThoughtTask():
                return self.thought_task_to_text(task)
            case FileTask():
                return self.file_task_to_text(task)
            case ImageTask():
                return self.image_task_to_text(task)
            case _:  # pyright: ignore[reportUnnecessaryComparison]
                logger.debug("skipping task of unknown type %r", getattr(task, "type", None))
                return None

    def custom_task_to_text(self, task: CustomTask) -> str | None:
        """Title then content (e.g. a server tool's name, arguments and output as the stream wrote them)."""
        return _bullet(task.title, [task.content] if task.content else [])

    def search_task_to_text(self, task: SearchTask) -> str | None:
        """``Web search`` with its queries and the pages found."""
        details: list[str] = []
        queries = task.queries or ([task.title_query] if task.title_query else [])
        if queries:
            details.append("queries: " + "; ".join(queries))
        if task.sources:
            details.append("sources: " + "; ".join(_url_source_text(s) for s in task.sources))
        heading = f"Web search: {task.title}" if task.title else "Web search"
        return _bullet(heading, details)

    def thought_task_to_text(self, task: ThoughtTask) -> str | None:
        """One reasoning step: its title (if any) and content."""
        return _bullet(task.title, [task.content] if task.content else [])

    def file_task_to_text(self, task: FileTask) -> str | None:
        """``File search`` with the files read."""
        details = (
            ["sources: " + "; ".join(_file_source_text(s) for s in task.sources)] if task.sources else []
        )
        heading = f"File search: {task.title}" if task.title else "File search"
        return _bullet(heading, details)

    def image_task_to_text(self, task: ImageTask) -> str | None:
        """``Image`` with the task title."""
        return _bullet(f"Image: {task.title}" if task.title else "Image", [])

    # --- hidden context, end of turn, unknown ----------------------------------------------------------

    async def hidden_context_to_input(self, item: HiddenContextItem) -> ConvertedItem:
        """Your hidden context as a ``<hidden_context>`` message (strings as is, anything else as JSON)."""
        if item.content is None:
            return None
        text = item.content if isinstance(item.content, str) else _json(item.content)
        return self.context_message("hidden_context", text) if text else None

    async def sdk_hidden_context_to_input(self, item: SDKHiddenContextItem) -> ConvertedItem:
        """Hidden context written by the library, in the same ``<hidden_context>`` envelope."""
        return self.context_message("hidden_context", item.content) if item.content else None

    async def end_of_turn_to_input(self, item: EndOfTurnItem) -> ConvertedItem:
        """End-of-turn markers carry nothing for the model."""
        return None

    async def unknown_item_to_input(self, item: object) -> ConvertedItem:
        """Item kinds newer than this library: skipped with a debug log so old code keeps working."""
        logger.debug("skipping thread item of unknown type %r", getattr(item, "type", type(item).__name__))
        return None


def _bullet(heading: str | None, details: Sequence[str]) -> str | None:
    """``- first line`` then every further non-blank line indented by two spaces; ``None`` if no text."""
    pieces = [p.strip() for p in ([heading] if heading else []) + list(details) if p and p.strip()]
    if not pieces:
        return None
    first, *rest = [line for line in "\n".join(pieces).splitlines() if line.strip()]
    return "\n".join([f"- {first}", *(f"  {line}" for line in rest)])


def _url_source_text(source: URLSource) -> str:
    title = source.title.strip()
    return f"{title} <{source.url}>" if title and title != source.url else source.url


def _file_source_text(source: FileSource) -> str:
    title = source.title.strip()
    return f"{source.filename} ({title})" if title and title != source.filename else source.filename


class _Group:
    """The input items made from one or more whole thread items; the history window never splits one."""

    __slots__ = ("has_user_message", "items")

    def __init__(self, items: list[TResponseInputItem], has_user_message: bool) -> None:
        self.items = items
        self.has_user_message = has_user_message


def _call_ids(items: Iterable[TResponseInputItem]) -> set[str]:
    ids: set[str] = set()
    for item in items:
        call_id = cast(Mapping[str, object], item).get("call_id")
        if isinstance(call_id, str):
            ids.add(call_id)
    return ids


def _join_calls(groups: list[_Group]) -> list[_Group]:
    """Merge groups so that items sharing a ``call_id`` (a call and its output) end up in one group."""
    merged: list[_Group] = []
    first_seen: dict[str, int] = {}
    for group in groups:
        start = len(merged)
        ids = _call_ids(group.items)
        for call_id in ids:
            if call_id in first_seen:
                start = min(start, first_seen[call_id])
        if start < len(merged):
            tail = merged[start:]
            del merged[start:]
            group = _Group(
                [i for g in tail for i in g.items] + group.items,
                any(g.has_user_message for g in tail) or group.has_user_message,
            )
        index = len(merged)
        merged.append(group)
        for call_id in _call_ids(group.items):
            first_seen[call_id] = index
    return merged


def _window(
    groups: list[_Group],
    *,
    max_items: int | None,
    max_tokens: int | None,
    estimate: TokenEstimator,
) -> list[TResponseInputItem]:
    if max_items is None and max_tokens is None:
        return [item for group in groups for item in group.items]
    groups = _join_calls(groups)
    newest_user = max((i for i, g in enumerate(groups) if g.has_user_message), default=len(groups))
    start = len(groups)
    count = 0
    tokens = 0
    while start > 0:
        candidate = groups[start - 1]
        next_count = count + len(candidate.items)
        next_tokens = tokens + (sum(estimate(i) for i in candidate.items) if max_tokens is not None else 0)
        forced = start - 1 >= newest_user
        fits = (max_items is None or next_count <= max_items) and (
            max_tokens is None or next_tokens <= max_tokens
        )
        if not (forced or fits):
            break
        start -= 1
        count, tokens = next_count, next_tokens
    if start > 0:
        logger.debug("history window dropped %d of %d thread item groups", start, len(groups))
    return [item for group in groups[start:] for item in group.items]


async def to_agent_input(
    items: ThreadItem | Iterable[ThreadItem],
    *,
    converter: ThreadItemConverter | None = None,
    max_items: int | None = None,
    max_tokens: int | None = None,
) -> list[TResponseInputItem]:
    """Stored thread items (oldest first) -> input for ``Runner.run_streamed``, optionally windowed.

    See `ThreadItemConverter.to_agent_input` for the window rules; pass your own ``converter`` to
    change how any kind of item is rendered.
    """
    return await (converter or ThreadItemConverter()).to_agent_input(
        items, max_items=max_items, max_tokens=max_tokens
    )
