"""Compact, deterministic text renderings of ChatKit event streams and threads, made for snapshot tests.

``render_events(events)`` writes one line per event (``assert render_events(events) == snapshot()``)::

    stream_options          allow_cancel=true
    thread.item.added       wf_1 workflow reasoning
        [0] thought loading content="Let me"
      task.updated          wf_1 [0] thought complete content="Let me check."
    thread.item.done        wf_1 workflow reasoning summary=2s
        [0] thought complete content="Let me check."
    thread.item.added       msg_2 assistant_message
      content_part.added    msg_2 [0] ""
      text_delta            msg_2 [0] "Hello world" (3 deltas)
      annotation_added      msg_2 [0] #0 url:https://example.com@11
      content_part.done     msg_2 [0] "Hello world" [1 annotation: url:https://example.com@11]
    thread.item.done        msg_2 assistant_message "Hello world" [1 annotation: url:https://example.com@11]
    error                   stream.error allow_retry=true "Something went wrong"

Format:

* Top-level events start in column 0 with their wire ``type`` padded to 24 characters; item updates
  (``thread.item.updated``) are indented by two spaces and named by a short update name (``text_delta``,
  ``task.added``, ``image.updated``, ...) followed by the item id. Lines that detail one item (workflow tasks,
  message parts when there are several) are indented by four spaces under their event.
* Items show ``<id> <type>`` and a short summary: message text and annotations (``url:<url>``,
  ``file:<filename>``, ``entity:<id>``, ``@<index>``), workflow kind/summary and one line per task,
  client tool name/status/arguments, image url, widget root type, and so on. Thread ids and timestamps are
  left out so renderings stay stable.
* Tasks show ``<type> <status_indicator>`` then the fields that are set: ``"title"``, ``icon=``,
  ``query=``, ``queries=``, ``sources=[...]``, ``content=``.
* With ``join_deltas`` (the default) consecutive text deltas of the same item and content part become one line
  with the joined text and ``(N deltas)`` when N > 1; consecutive widget streaming-text deltas of the same
  component are joined the same way (``done`` is shown if the last one is done).
* Strings are JSON-quoted (so newlines show as ``\\n``), with single quotes instead when the text holds
  double quotes but no single quote, and cut to ``width`` characters; a cut string ends with
  ``...(+N)``, N being the number of characters left out. JSON values (tool arguments, effect
  data) are dumped compactly with sorted keys and cut the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

from chatkit_agents.types import ThreadItem, parse_event

__all__ = ["EventLike", "render_events", "render_item", "render_thread"]

_Wire = dict[str, Any]

EventLike = BaseModel | Mapping[str, Any] | str | bytes
"""A ChatKit event: one of our pydantic events, or its JSON (decoded to a dict, or as text) from SSE."""

_COLUMN = 24
_UPDATE_COLUMN = _COLUMN - 2
_DETAIL = "    "

_UPDATE_NAMES: dict[str, str] = {
    "assistant_message.content_part.added": "content_part.added",
    "assistant_message.content_part.text_delta": "text_delta",
    "assistant_message.content_part.annotation_added": "annotation_added",
    "assistant_message.content_part.done": "content_part.done",
    "widget.streaming_text.value_delta": "widget.text_delta",
    "widget.root.updated": "widget.root_updated",
    "widget.component.updated": "component_updated",
    "workflow.task.added": "task.added",
    "workflow.task.updated": "task.updated",
    "generated_image.updated": "image.updated",
}


def render_events(events: Iterable[EventLike], *, join_deltas: bool = True, width: int = 60) -> str:
    """Render a ChatKit event stream as one line per event (see the module docstring for the format).

    Accepts our pydantic events, or SSE ``data:`` JSON (text or decoded dicts), which is validated first.
    """
    renderer = _Renderer(width)
    lines: list[str] = []
    pending: _JoinedDelta | None = None
    for raw in events:
        event = _event_wire(raw)
        delta = _JoinedDelta.start(event) if join_deltas else None
        if pending is not None and delta is not None and pending.accepts(delta):
            pending.extend(delta)
            continue
        if pending is not None:
            lines.append(pending.render(renderer))
            pending = None
        if delta is not None:
            pending = delta
            continue
        lines.extend(renderer.event(event))
    if pending is not None:
        lines.append(pending.render(renderer))
    return "\n".join(lines)


def render_thread(items: Iterable[BaseModel | Mapping[str, Any]] | BaseModel, *, width: int = 60) -> str:
    """Render stored thread items (or a ``Thread`` / ``Page`` of items) one per line, in the same style."""
    entries: Iterable[BaseModel | Mapping[str, Any]]
    if not isinstance(items, BaseModel):
        entries = items
    else:
        dumped = _dump(items)
        if "items" in dumped:
            entries = dumped["items"]["data"]
        elif "data" in dumped:
            entries = dumped["data"]
        else:
            raise TypeError("render_thread takes items, a Thread or a Page; render one item with render_item")
    renderer = _Renderer(width)
    lines: list[str] = []
    for entry in entries:
        lines.extend(renderer.item(_item_wire(entry)))
    return "\n".join(lines)


def render_item(item: BaseModel | Mapping[str, Any], *, width: int = 60) -> str:
    """Render one thread item: ``<id> <type> <summary>`` plus indented detail lines when it has any."""
    return "\n".join(_Renderer(width).item(_item_wire(item)))


# -- parsing ----------------------------------------------------------------------------------------------


@cache
def _item_adapter() -> TypeAdapter[ThreadItem]:
    return TypeAdapter(ThreadItem)


def _dump(model: BaseModel) -> _Wire:
    return model.model_dump(mode="json", exclude_none=True)


def _event_wire(event: EventLike) -> _Wire:
    if isinstance(event, BaseModel):
        return _dump(event)
    if isinstance(event, (str, bytes)):
        return _dump(parse_event(event))
    return _dump(parse_event(dict(event)))


def _item_wire(item: BaseModel | Mapping[str, Any]) -> _Wire:
    if isinstance(item, BaseModel):
        return _dump(item)
    parsed = _item_adapter().validate_python(dict(item))
    return _dump(parsed)


# -- delta joining ----------------------------------------------------------------------------------------


class _JoinedDelta:
    """A run of consecutive text deltas for one (item, content part) or (item, widget component)."""

    def __init__(self, item_id: str, kind: str, key: str, text: str, done: bool) -> None:
        self.item_id = item_id
        self.kind = kind
        self.key = key
        self.text = text
        self.done = done
        self.count = 1

    @classmethod
    def start(cls, event: _Wire) -> _JoinedDelta | None:
        if event.get("type") != "thread.item.updated":
            return None
        update: _Wire = event["update"]
        kind = update.get("type")
        if kind == "assistant_message.content_part.text_delta":
            return cls(event["item_id"], kind, str(update["content_index"]), update["delta"], False)
        if kind == "widget.streaming_text.value_delta":
            return cls(event["item_id"], kind, update["component_id"], update["delta"], update["done"])
        return None

    def accepts(self, other: _JoinedDelta) -> bool:
        same = (self.item_id, self.kind, self.key) == (other.item_id, other.kind, other.key)
        return same and not self.done

    def extend(self, other: _JoinedDelta) -> None:
        self.text += other.text
        self.done = other.done
        self.count += 1

    def render(self, r: _Renderer) -> str:
        suffix = f" ({self.count} deltas)" if self.count > 1 else ""
        if self.kind == "assistant_message.content_part.text_delta":
            body = f"[{self.key}] {r.text(self.text)}{suffix}"
        else:
            body = f"{self.key} {r.text(self.text)}{suffix}{' done' if self.done else ''}"
        return r.update_line(_UPDATE_NAMES[self.kind], self.item_id, body)


# -- rendering --------------------------------------------------------------------------------------------


class _Renderer:
    """Turns wire dicts into lines; ``width`` bounds every quoted string."""

    def __init__(self, width: int) -> None:
        self.width = width

    # strings

    def text(self, value: str) -> str:
        if len(value) <= self.width:
            return _quote(value)
        return _quote(value[: self.width]) + f"...(+{len(value) - self.width})"

    def raw(self, value: str) -> str:
        """An unquoted string (url, filename) cut to ``width``."""
        if len(value) <= self.width:
            return value
        return value[: self.width] + f"...(+{len(value) - self.width})"

    def json(self, value: Any) -> str:
        dumped = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return self.raw(dumped)

    # lines

    @staticmethod
    def head(kind: str, body: str) -> str:
        return f"{kind:<{_COLUMN - 1}} {body}".rstrip()

    @staticmethod
    def update_line(name: str, item_id: str, body: str) -> str:
        return f"  {name:<{_UPDATE_COLUMN - 1}} {item_id} {body}".rstrip()

    def event(self, event: _Wire) -> list[str]:
        kind: str = event["type"]
        if kind in ("thread.item.added", "thread.item.done", "thread.item.replaced"):
            first, *details = self.item(event["item"])
            return [self.head(kind, first), *details]
        if kind == "thread.item.updated":
            return self.update(event["item_id"], event["update"])
        if kind == "thread.item.removed":
            return [self.head(kind, event["item_id"])]
        if kind in ("thread.created", "thread.updated"):
            return [self.head(kind, self.thread(event["thread"]))]
        if kind == "error":
            retry = str(event.get("allow_retry", False)).lower()
            message = f" {self.text(event['message'])}" if "message" in event else ""
            return [self.head(kind, f"{event.get('code', 'custom')} allow_retry={retry}{message}")]
        if kind == "notice":
            title = f"{self.text(event['title'])}: " if "title" in event else ""
            return [self.head(kind, f"{event['level']} {title}{self.text(event['message'])}")]
        if kind == "progress_update":
            icon = f"{event['icon']} " if "icon" in event else ""
            return [self.head(kind, f"{icon}{self.text(event['text'])}")]
        if kind == "client_effect":
            data = event.get("data") or {}
            return [self.head(kind, f"{event['name']} {self.json(data)}" if data else event["name"])]
        if kind == "stream_options":
            options: _Wire = event["stream_options"]
            return [self.head(kind, " ".join(f"{k}={self.json(v)}" for k, v in sorted(options.items())))]
        rest = {k: v for k, v in event.items() if k != "type"}
        return [self.head(kind, self.json(rest))]

    def thread(self, thread: _Wire) -> str:
        parts = [thread["id"]]
        if "title" in thread:
            parts.append(self.text(thread["title"]))
        status: _Wire = thread.get("status") or {"type": "active"}
        parts.append(status["type"])
        if "reason" in status:
            parts.append(self.text(status["reason"]))
        return " ".join(parts)

    def update(self, item_id: str, update: _Wire) -> list[str]:
        kind: str = update["type"]
        name = _UPDATE_NAMES.get(kind, kind)
        if kind in ("assistant_message.content_part.added", "assistant_message.content_part.done"):
            body = f"[{update['content_index']}] {self.content(update['content'])}"
        elif kind == "assistant_message.content_part.text_delta":
            body = f"[{update['content_index']}] {self.text(update['delta'])}"
        elif kind == "assistant_message.content_part.annotation_added":
            annotation = self.annotation(update["annotation"])
            body = f"[{update['content_index']}] #{update['annotation_index']} {annotation}"
        elif kind in ("workflow.task.added", "workflow.task.updated"):
            body = f"[{update['task_index']}] {self.task(update['task'])}"
        elif kind == "generated_image.updated":
            body = self.image(update.get("image"))
            if "progress" in update:
                body += f" progress={update['progress']:.2f}"
        elif kind == "widget.streaming_text.value_delta":
            done = " done" if update["done"] else ""
            body = f"{update['component_id']} {self.text(update['delta'])}{done}"
        elif kind == "widget.root.updated":
            body = self.widget(update["widget"])
        elif kind == "widget.component.updated":
            component: _Wire = update["component"]
            body = f"{update['component_id']} {component.get('type', '?')} {self.json(component)}"
        else:
            body = self.json({k: v for k, v in update.items() if k != "type"})
        return [self.update_line(name, item_id, body)]

    # items

    def item(self, item: _Wire) -> list[str]:
        """``<id> <type> <summary>`` plus detail lines."""
        kind: str = item["type"]
        summary, details = self.item_summary(kind, item)
        head = f"{item['id']} {kind} {summary}".rstrip()
        return [head, *details]

    def item_summary(self, kind: str, item: _Wire) -> tuple[str, list[str]]:
        if kind == "assistant_message":
            parts: list[_Wire] = item.get("content", [])
            if len(parts) == 1:
                return self.content(parts[0]), []
            return "", [f"{_DETAIL}[{i}] {self.content(part)}" for i, part in enumerate(parts)]
        if kind == "user_message":
            return self.user_message(item), []
        if kind == "workflow":
            return self.workflow(item["workflow"])
        if kind == "task":
            return self.task(item["task"]), []
        if kind == "client_tool_call":
            summary = f"{item['name']} {item.get('status', 'pending')} {item['call_id']}"
            summary += f" args={self.json(item.get('arguments', {}))}"
            if "output" in item:
                summary += f" output={self.json(item['output'])}"
            return summary, []
        if kind == "generated_image":
            return self.image(item.get("image")), []
        if kind == "widget":
            summary = self.widget(item["widget"])
            if "copy_text" in item:
                summary += f" copy_text={self.text(item['copy_text'])}"
            return summary, []
        if kind == "structured_input":
            inputs: list[_Wire] = item.get("inputs", [])
            details = [f"{_DETAIL}{i['id']} {i['type']} {self.text(i['question'])}" for i in inputs]
            return item.get("status", "pending"), details
        if kind == "hidden_context_item":
            content = item.get("content")
            return (self.text(content) if isinstance(content, str) else self.json(content)), []
        if kind == "sdk_hidden_context":
            return self.text(item["content"]), []
        if kind == "end_of_turn":
            return "", []
        rest = {k: v for k, v in item.items() if k not in ("id", "type", "thread_id", "created_at")}
        return self.json(rest), []

    def user_message(self, item: _Wire) -> str:
        pieces: list[str] = []
        for part in item.get("content", []):
            if part.get("type") == "input_tag":
                pieces.append(f"@{part['text']}")
            else:
                pieces.append(part.get("text", ""))
        summary = self.text("".join(pieces))
        attachments: list[_Wire] = item.get("attachments", [])
        if attachments:
            names = ", ".join(f"{a['type']}:{self.raw(a['name'])}" for a in attachments)
            summary += f" attachments=[{names}]"
        if "quoted_text" in item:
            summary += f" quoted={self.text(item['quoted_text'])}"
        options: _Wire = item.get("inference_options") or {}
        if options.get("model"):
            summary += f" model={options['model']}"
        tool_choice: _Wire | None = options.get("tool_choice")
        if tool_choice:
            summary += f" tool_choice={tool_choice['id']}"
        return summary

    def content(self, part: _Wire) -> str:
        text = self.text(part.get("text", ""))
        annotations: list[_Wire] = part.get("annotations", [])
        if not annotations:
            return text
        noun = "annotation" if len(annotations) == 1 else "annotations"
        listed = ", ".join(self.annotation(a) for a in annotations)
        return f"{text} [{len(annotations)} {noun}: {listed}]"

    def annotation(self, annotation: _Wire) -> str:
        where = f"@{annotation['index']}" if "index" in annotation else ""
        return f"{self.source(annotation['source'])}{where}"

    def source(self, source: _Wire) -> str:
        kind = source.get("type")
        if kind == "url":
            return f"url:{self.raw(source['url'])}"
        if kind == "file":
            return f"file:{self.raw(source['filename'])}"
        if kind == "entity":
            return f"entity:{self.raw(source['id'])}"
        return f"{kind}:{self.raw(source.get('title', ''))}"

    def sources(self, sources: list[_Wire]) -> str:
        return "[" + ", ".join(self.source(s) for s in sources) + "]"

    def workflow(self, workflow: _Wire) -> tuple[str, list[str]]:
        parts = [workflow["type"]]
        summary: _Wire | None = workflow.get("summary")
        if summary is not None:
            if "duration" in summary:
                parts.append(f"summary={summary['duration']}s")
            else:
                icon = f" icon={summary['icon']}" if "icon" in summary else ""
                parts.append(f"summary={self.text(summary['title'])}{icon}")
        if workflow.get("expanded"):
            parts.append("expanded")
        tasks: list[_Wire] = workflow.get("tasks", [])
        return " ".join(parts), [f"{_DETAIL}[{i}] {self.task(t)}" for i, t in enumerate(tasks)]

    def task(self, task: _Wire) -> str:
        parts = [task["type"], task.get("status_indicator", "none")]
        if "title" in task:
            parts.append(self.text(task["title"]))
        if "icon" in task:
            parts.append(f"icon={task['icon']}")
        if "title_query" in task:
            parts.append(f"query={self.text(task['title_query'])}")
        if task.get("queries"):
            parts.append(f"queries={self.json(task['queries'])}")
        if task.get("sources"):
            parts.append(f"sources={self.sources(task['sources'])}")
        if "content" in task:
            parts.append(f"content={self.text(task['content'])}")
        return " ".join(parts)

    def image(self, image: _Wire | None) -> str:
        if image is None:
            return "(no image)"
        return f"{image['id']} {self.raw(image['url'])}"

    def widget(self, widget: _Wire) -> str:
        kind: str = widget.get("type", "?")
        children: list[Any] = widget.get("children", [])
        if not children:
            return kind
        return f"{kind} ({len(children)} {'child' if len(children) == 1 else 'children'})"


def _quote(value: str) -> str:
    """JSON string quoting; single quotes instead when that avoids escaping double quotes."""
    quoted = json.dumps(value, ensure_ascii=False)
    if '"' in value and "'" not in value:
        return "'" + quoted[1:-1].replace('\\"', '"') + "'"
    return quoted
