"""Incremental changes to a thread item while it streams (the ``update`` of ``thread.item.updated``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chatkit_agents.types.base import ChatKitModel
from chatkit_agents.types.items import AssistantMessageContent, GeneratedImage
from chatkit_agents.types.workflow import Annotation, Task
from chatkit_agents.widgets import WidgetComponent, WidgetRoot

__all__ = [
    "AssistantMessageContentPartAdded",
    "AssistantMessageContentPartAnnotationAdded",
    "AssistantMessageContentPartDone",
    "AssistantMessageContentPartTextDelta",
    "GeneratedImageUpdated",
    "ThreadItemUpdate",
    "WidgetComponentUpdated",
    "WidgetRootUpdated",
    "WidgetStreamingTextValueDelta",
    "WorkflowTaskAdded",
    "WorkflowTaskUpdated",
]


class AssistantMessageContentPartAdded(ChatKitModel):
    """A new text part starts at ``content_index`` of an assistant message."""

    type: Literal["assistant_message.content_part.added"] = "assistant_message.content_part.added"
    content_index: int
    content: AssistantMessageContent


class AssistantMessageContentPartTextDelta(ChatKitModel):
    """Text appended to the part at ``content_index``."""

    type: Literal["assistant_message.content_part.text_delta"] = "assistant_message.content_part.text_delta"
    content_index: int
    delta: str


class AssistantMessageContentPartAnnotationAdded(ChatKitModel):
    """A citation added at ``annotation_index`` of the part at ``content_index``."""

    type: Literal["assistant_message.content_part.annotation_added"] = (
        "assistant_message.content_part.annotation_added"
    )
    content_index: int
    annotation_index: int
    annotation: Annotation


class AssistantMessageContentPartDone(ChatKitModel):
    """The part at ``content_index`` is complete; ``content`` is its final text and citations."""

    type: Literal["assistant_message.content_part.done"] = "assistant_message.content_part.done"
    content_index: int
    content: AssistantMessageContent


class WidgetStreamingTextValueDelta(ChatKitModel):
    """Text appended to the streaming Text/Markdown component ``component_id`` of a widget."""

    type: Literal["widget.streaming_text.value_delta"] = "widget.streaming_text.value_delta"
    component_id: str
    delta: str
    done: bool


class WidgetRootUpdated(ChatKitModel):
    """The whole widget is replaced by ``widget``."""

    type: Literal["widget.root.updated"] = "widget.root.updated"
    widget: WidgetRoot


class WidgetComponentUpdated(ChatKitModel):
    """The widget component with id ``component_id`` is replaced by ``component``."""

    type: Literal["widget.component.updated"] = "widget.component.updated"
    component_id: str
    component: WidgetComponent


class WorkflowTaskAdded(ChatKitModel):
    """``task`` is inserted into the workflow at ``task_index``."""

    type: Literal["workflow.task.added"] = "workflow.task.added"
    task_index: int
    task: Task


class WorkflowTaskUpdated(ChatKitModel):
    """The workflow task at ``task_index`` is replaced by ``task``."""

    type: Literal["workflow.task.updated"] = "workflow.task.updated"
    task_index: int
    task: Task


class GeneratedImageUpdated(ChatKitModel):
    """A newer (partial or final) version of a generated image; ``progress`` is between 0 and 1 if known."""

    type: Literal["generated_image.updated"] = "generated_image.updated"
    image: GeneratedImage
    progress: float | None = None


ThreadItemUpdate = Annotated[
    AssistantMessageContentPartAdded
    | AssistantMessageContentPartTextDelta
    | AssistantMessageContentPartAnnotationAdded
    | AssistantMessageContentPartDone
    | WidgetStreamingTextValueDelta
    | WidgetComponentUpdated
    | WidgetRootUpdated
    | WorkflowTaskAdded
    | WorkflowTaskUpdated
    | GeneratedImageUpdated,
    Field(discriminator="type"),
]
"""Any item update, told apart by ``type``."""
