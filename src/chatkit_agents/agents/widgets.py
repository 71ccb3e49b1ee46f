"""Stream widgets into a thread: one static widget, or successive states turned into minimal updates.

`widget_events` makes the ChatKit events for a widget item; `diff_widget` computes the smallest updates
between two states; `accumulate_text` turns an Agents SDK run's text deltas into growing Text/Markdown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from datetime import datetime
from typing import Any, TypeVar, get_args

from pydantic import BaseModel

from chatkit_agents.errors import EmptyWidgetStreamError
from chatkit_agents.types import (
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdate,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    WidgetComponentUpdated,
    WidgetItem,
    WidgetRootUpdated,
    WidgetStreamingTextValueDelta,
)
from chatkit_agents.widgets import Basic, Card, ListView, Markdown, Text, WidgetComponent, WidgetRoot

__all__ = ["accumulate_text", "diff_widget", "widget_events"]

_ROOT_TYPES = (Card, ListView, Basic)
_COMPONENT_TYPES: tuple[type[BaseModel], ...] = tuple(get_args(get_args(WidgetComponent)[0]))
"""Classes a `WidgetComponentUpdated` may carry (ListView and ListViewItem are not among them)."""
_TEXT_FIELDS = frozenset({"value", "streaming"})

TextWidget = TypeVar("TextWidget", Text, Markdown)


# --- diffing ------------------------------------------------------------------------------------------


def diff_widget(old: WidgetRoot, new: WidgetRoot) -> list[ThreadItemUpdate]:
    """The updates turning widget state ``old`` into ``new``, as small as the protocol allows.

    A Text/Markdown with an ``id`` whose value only grew becomes a text delta; any other change to a
    component with an ``id`` replaces that component; a change with no identified component around it
    (or to the root itself, or with duplicate ids) replaces the whole widget.
    """
    if old == new:
        return []
    if _has_duplicate_ids(old) or _has_duplicate_ids(new):
        return [WidgetRootUpdated(widget=new)]
    updates = _diff_node(old, new)
    if updates is None:
        return [WidgetRootUpdated(widget=new)]
    return updates


def _diff_node(old: BaseModel, new: BaseModel) -> list[ThreadItemUpdate] | None:
    """Updates for one node, or ``None`` when the caller must replace something enclosing it."""
    if old == new:
        return []
    if type(old) is not type(new) or _ident(old) != _ident(new):
        return None
    text_like = isinstance(new, Text | Markdown)
    for name in type(new).model_fields:
        if name == "children" or (text_like and name in _TEXT_FIELDS):
            continue
        if getattr(old, name) != getattr(new, name):
            return _replace(new)
    if isinstance(old, Text | Markdown) and isinstance(new, Text | Markdown):
        return _diff_text(old, new)
    return _diff_children(old, new)


def _diff_text(old: Text | Markdown, new: Text | Markdown) -> list[ThreadItemUpdate] | None:
    if old.value == new.value and old.streaming == new.streaming:
        return []
    if new.id is not None and new.value.startswith(old.value):
        delta = new.value[len(old.value) :]
        return [WidgetStreamingTextValueDelta(component_id=new.id, delta=delta, done=not new.streaming)]
    return _replace(new)


def _diff_children(old: BaseModel, new: BaseModel) -> list[ThreadItemUpdate] | None:
    old_children = _children(old)
    new_children = _children(new)
    if len(old_children) != len(new_children):
        return _replace(new)
    updates: list[ThreadItemUpdate] = []
    for old_child, new_child in zip(old_children, new_children, strict=True):
        child_updates = _diff_node(old_child, new_child)
        if child_updates is None:
            return _replace(new)
        updates.extend(child_updates)
    return updates


def _replace(node: BaseModel) -> list[ThreadItemUpdate] | None:
    """Replace ``node`` by id if the protocol allows it, else ask the enclosing node to do it."""
    node_id = getattr(node, "id", None)
    if isinstance(node_id, str) and isinstance(node, _COMPONENT_TYPES):
        update: ThreadItemUpdate = WidgetComponentUpdated(component_id=node_id, component=node)  # pyright: ignore[reportArgumentType]
        return [update]
    return None


def _ident(node: BaseModel) -> tuple[object, object]:
    return getattr(node, "id", None), getattr(node, "key", None)


def _children(node: BaseModel) -> list[BaseModel]:
    children: object = getattr(node, "children", None)
    if isinstance(children, BaseModel):
        return [children]
    if isinstance(children, list):
        return [child for child in children if isinstance(child, BaseModel)]  # pyright: ignore[reportUnknownVariableType]
    return []


def _walk(node: BaseModel) -> Iterator[BaseModel]:
    yield node
    for child in _children(node):
        yield from _walk(child)


def _has_duplicate_ids(root: BaseModel) -> bool:
    counts = Counter(getattr(node, "id", None) for node in _walk(root))
    counts.pop(None, None)
    return any(count > 1 for count in counts.values())


# --- events -------------------------------------------------------------------------------------------


async def widget_events(
    widget: WidgetRoot | AsyncIterable[WidgetRoot],
    *,
    item_id: str,
    thread_id: str,
    created_at: datetime,
    copy_text: str | None = None,
) -> AsyncIterator[ThreadStreamEvent]:
    """The events showing ``widget`` as thread item ``item_id``.

    A widget gives one ``thread.item.done``. An async iterable of states gives ``thread.item.added`` with
    the first state, `diff_widget` updates for each next one and ``thread.item.done`` with the last; if
    the source fails midway the item is finished with its last good state before the error propagates.
    """

    def item(state: WidgetRoot) -> WidgetItem:
        return WidgetItem(
            id=item_id, thread_id=thread_id, created_at=created_at, widget=state, copy_text=copy_text
        )

    if isinstance(widget, _ROOT_TYPES):
        yield ThreadItemDoneEvent(item=item(widget.model_copy(deep=True)))
        return
    if not hasattr(widget, "__aiter__"):
        raise TypeError(
            f"widget_events() takes a Card, ListView or Basic widget or an async iterable of them, "
            f"not {type(widget).__name__}"
        )
    source: AsyncIterator[WidgetRoot] = aiter(widget)
    try:
        try:
            first = await anext(source)
        except StopAsyncIteration:
            raise EmptyWidgetStreamError(
                f"the widget stream for item {item_id!r} yielded no widget; yield at least one state"
            ) from None
        last = _snapshot(first)
        yield ThreadItemAddedEvent(item=item(last.model_copy(deep=True)))
        while True:
            try:
                state = await anext(source)
            except StopAsyncIteration:
                break
            except Exception:
                yield ThreadItemDoneEvent(item=item(last))
                raise
            current = _snapshot(state)
            for update in diff_widget(last, current):
                yield ThreadItemUpdatedEvent(item_id=item_id, update=update)
            last = current
        yield ThreadItemDoneEvent(item=item(last))
    finally:
        await _close(source)


def _snapshot(state: object) -> Card | ListView | Basic:
    """A private copy of one widget state, so later mutation by the producer cannot alter sent events."""
    if not isinstance(state, _ROOT_TYPES):
        raise TypeError(
            f"a widget stream must yield Card, ListView or Basic widgets, not {type(state).__name__}"
        )
    return state.model_copy(deep=True)


async def _close(source: AsyncIterator[Any]) -> None:
    aclose = getattr(source, "aclose", None)
    if aclose is not None:
        await aclose()


# --- text accumulation --------------------------------------------------------------------------------


async def accumulate_text(events: AsyncIterable[Any], base: TextWidget) -> AsyncIterator[TextWidget]:
    """Successive states of ``base`` growing with the run's output text, for streaming into a widget.

    ``events`` is an Agents SDK stream (``result.stream_events()``); ``response.output_text.delta`` events
    are appended to ``base.value`` (a blank line separates text from different messages). Every state but
    the last has ``streaming=True``; the last has ``streaming=False``. Give ``base`` an ``id`` so the
    states stream as text deltas.
    """
    text = base.value
    message_id: object = None
    yield base.model_copy(update={"streaming": True})
    async for event in events:
        if getattr(event, "type", None) != "raw_response_event":
            continue
        data = getattr(event, "data", None)
        if getattr(data, "type", None) != "response.output_text.delta":
            continue
        delta = getattr(data, "delta", "")
        if not isinstance(delta, str) or not delta:
            continue
        item = getattr(data, "item_id", None)
        if message_id is not None and item != message_id and text:
            text += "\n\n"
        message_id = item
        text += delta
        yield base.model_copy(update={"value": text, "streaming": True})
    yield base.model_copy(update={"value": text, "streaming": False})
