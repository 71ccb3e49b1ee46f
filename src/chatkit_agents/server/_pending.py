"""Copies of items that were announced (``thread.item.added``) but are not done yet.

The server keeps each pending copy current with the streamed updates so that, if the stream is cancelled
or fails, it can save exactly what the user saw.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chatkit_agents.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartAnnotationAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    GeneratedImageItem,
    GeneratedImageUpdated,
    TaskItem,
    ThreadItem,
    ThreadItemUpdate,
    WidgetComponentUpdated,
    WidgetItem,
    WidgetRootUpdated,
    WidgetStreamingTextValueDelta,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)

__all__ = ["PendingItems", "is_worth_keeping"]


class PendingItems:
    """Announced-but-unfinished items in the order they were added, kept current with their updates.

    Text deltas of assistant messages are collected and joined into the copy only when it is read or
    changed otherwise, so a long answer costs O(1) per delta instead of copying its whole text each time.
    """

    def __init__(self) -> None:
        self._items: dict[str, ThreadItem] = {}
        self._unjoined: dict[str, dict[int, list[str]]] = {}

    def add(self, item: ThreadItem) -> None:
        """Track a private deep copy, so later changes to the streamed object cannot leak in twice."""
        self._unjoined.pop(item.id, None)
        self._items[item.id] = item.model_copy(deep=True)

    def discard(self, item_id: str) -> None:
        """Stop tracking an item (it was finished, replaced or removed)."""
        self._unjoined.pop(item_id, None)
        self._items.pop(item_id, None)

    def items(self) -> list[ThreadItem]:
        """The pending items, oldest announcement first."""
        for item_id in list(self._unjoined):
            self._join(item_id)
        return list(self._items.values())

    def _join(self, item_id: str) -> None:
        """Write the collected text deltas of ``item_id`` into its copy, in the order they came."""
        parts = self._unjoined.pop(item_id, None)
        item = self._items.get(item_id)
        if parts is None or not isinstance(item, AssistantMessageItem):
            return
        for index, chunks in parts.items():
            _pad_parts(item.content, index)
            part = item.content[index]
            part.text = part.text + "".join(chunks)

    def __bool__(self) -> bool:
        return bool(self._items)

    def apply(self, item_id: str, update: ThreadItemUpdate) -> None:
        """Apply one ``thread.item.updated`` to the pending copy; unknown items are ignored."""
        item = self._items.get(item_id)
        if type(update) is AssistantMessageContentPartTextDelta:
            if isinstance(item, AssistantMessageItem):
                parts = self._unjoined.get(item_id)
                if parts is None:
                    parts = self._unjoined[item_id] = {}
                chunks = parts.get(update.content_index)
                if chunks is None:
                    parts[update.content_index] = [update.delta]
                else:
                    chunks.append(update.delta)
            return
        if item_id in self._unjoined:
            self._join(item_id)
        if isinstance(item, AssistantMessageItem):
            _apply_message_update(item, update)
        elif isinstance(item, WorkflowItem):
            _apply_workflow_update(item, update)
        elif isinstance(item, WidgetItem):
            _apply_widget_update(item, update)
        elif isinstance(item, GeneratedImageItem) and isinstance(update, GeneratedImageUpdated):
            item.image = update.image


def is_worth_keeping(item: ThreadItem) -> bool:
    """Whether an unfinished item carries something the user saw and would miss (text, tasks, a widget)."""
    if isinstance(item, AssistantMessageItem):
        return any(part.text.strip() for part in item.content)
    if isinstance(item, WorkflowItem):
        return bool(item.workflow.tasks)
    if isinstance(item, GeneratedImageItem):
        return item.image is not None
    return isinstance(item, (WidgetItem, TaskItem))


def _apply_message_update(item: AssistantMessageItem, update: ThreadItemUpdate) -> None:
    if not isinstance(
        update,
        (
            AssistantMessageContentPartAdded,
            AssistantMessageContentPartTextDelta,
            AssistantMessageContentPartAnnotationAdded,
            AssistantMessageContentPartDone,
        ),
    ):
        return
    index = update.content_index
    content = item.content
    if isinstance(update, (AssistantMessageContentPartAdded, AssistantMessageContentPartDone)):
        part = update.content.model_copy(deep=True)
        if index == len(content):  # the usual case, the next part: no placeholder to build and replace
            content.append(part)
        else:
            _pad_parts(content, index)
            content[index] = part
        return
    _pad_parts(content, index)
    if isinstance(update, AssistantMessageContentPartTextDelta):
        content[index].text = content[index].text + update.delta
    else:
        annotations = content[index].annotations
        position = min(max(update.annotation_index, 0), len(annotations))
        annotations.insert(position, update.annotation.model_copy(deep=True))


def _pad_parts(content: list[AssistantMessageContent], index: int) -> None:
    """Add empty text parts until ``content[index]`` exists (updates may skip ahead)."""
    while len(content) <= index:
        content.append(AssistantMessageContent(text="", annotations=[]))


def _apply_workflow_update(item: WorkflowItem, update: ThreadItemUpdate) -> None:
    tasks = item.workflow.tasks
    if isinstance(update, WorkflowTaskAdded):
        task = update.task.model_copy(deep=True)
        if 0 <= update.task_index < len(tasks):
            tasks.insert(update.task_index, task)
        else:
            tasks.append(task)
    elif isinstance(update, WorkflowTaskUpdated):
        task = update.task.model_copy(deep=True)
        if 0 <= update.task_index < len(tasks):
            tasks[update.task_index] = task
        else:
            tasks.append(task)


def _apply_widget_update(item: WidgetItem, update: ThreadItemUpdate) -> None:
    if isinstance(update, WidgetRootUpdated):
        item.widget = update.widget.model_copy(deep=True)
    elif isinstance(update, WidgetComponentUpdated):
        _replace_component(item.widget, update.component_id, update.component.model_copy(deep=True))
    elif isinstance(update, WidgetStreamingTextValueDelta):
        component = _find_component(item.widget, update.component_id)
        if component is not None and isinstance(getattr(component, "value", None), str):
            component.value = component.value + update.delta


def _children(node: BaseModel) -> list[Any]:
    children: Any = getattr(node, "children", None)
    if isinstance(children, list):
        return children  # pyright: ignore[reportUnknownVariableType]
    if isinstance(children, BaseModel):
        return [children]
    return []


def _find_component(node: BaseModel, component_id: str) -> Any:
    if getattr(node, "id", None) == component_id:
        return node
    for child in _children(node):
        if isinstance(child, BaseModel):
            found = _find_component(child, component_id)
            if found is not None:
                return found
    return None


def _replace_component(node: BaseModel, component_id: str, component: BaseModel) -> bool:
    children: Any = getattr(node, "children", None)
    if isinstance(children, BaseModel):
        if getattr(children, "id", None) == component_id:
            node.children = component  # type: ignore[attr-defined]
            return True
        return _replace_component(children, component_id, component)
    if isinstance(children, list):
        for index, child in enumerate(children):  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
            if not isinstance(child, BaseModel):
                continue
            if getattr(child, "id", None) == component_id:
                children[index] = component
                return True
            if _replace_component(child, component_id, component):
                return True
    return False
