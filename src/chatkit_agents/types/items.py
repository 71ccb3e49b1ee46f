"""Thread items (what a thread is made of) and the pieces they contain: message content, inference
options, generated images and structured inputs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from chatkit_agents.types.attachments import Attachment
from chatkit_agents.types.base import ChatKitModel, UtcDatetime
from chatkit_agents.types.workflow import Annotation, Task, Workflow
from chatkit_agents.widgets import WidgetRoot

__all__ = [
    "AssistantMessageContent",
    "AssistantMessageItem",
    "ClientToolCallItem",
    "EndOfTurnItem",
    "GeneratedImage",
    "GeneratedImageItem",
    "HiddenContextItem",
    "InferenceOptions",
    "SDKHiddenContextItem",
    "StructuredInput",
    "StructuredInputAnswer",
    "StructuredInputBase",
    "StructuredInputFreeform",
    "StructuredInputItem",
    "StructuredInputMultipleChoice",
    "StructuredInputMultipleChoiceOption",
    "TaskItem",
    "ThreadItem",
    "ThreadItemBase",
    "ThreadItemType",
    "ToolChoice",
    "UserMessageContent",
    "UserMessageItem",
    "UserMessageTagContent",
    "UserMessageTextContent",
    "WidgetItem",
    "WorkflowItem",
]

# --- message content -----------------------------------------------------------------------------------


class UserMessageTextContent(ChatKitModel):
    """Text typed by the user."""

    type: Literal["input_text"] = "input_text"
    text: str


class UserMessageTagContent(ChatKitModel):
    """An @-mention tag the user inserted; ``data`` is whatever the page attached to it."""

    type: Literal["input_tag"] = "input_tag"
    id: str
    text: str
    data: dict[str, Any]
    group: str | None = None
    interactive: bool = False


UserMessageContent = Annotated[UserMessageTextContent | UserMessageTagContent, Field(discriminator="type")]
"""One part of a user message, told apart by ``type``."""


class ToolChoice(ChatKitModel):
    """The tool the user picked in the composer's tool menu, by id."""

    id: str


class InferenceOptions(ChatKitModel):
    """Per-message choices made in the composer: a tool to use and a model to answer with."""

    tool_choice: ToolChoice | None = None
    model: str | None = None


class AssistantMessageContent(ChatKitModel):
    """One text part of an assistant message with its citations."""

    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[Annotation] = Field(default_factory=list)


class GeneratedImage(ChatKitModel):
    """An image made by the model; ``url`` may be an https or a data URL."""

    id: str
    url: str


# --- structured input ----------------------------------------------------------------------------------


class StructuredInputAnswer(ChatKitModel):
    """What the user answered to one structured input (or that it was skipped)."""

    values: list[str] = Field(default_factory=list)
    skipped: bool = False


class StructuredInputBase(ChatKitModel):
    """Fields of every structured input: a stable id, the question, and the answer once given."""

    id: str
    question: str
    answer: StructuredInputAnswer | None = None


class StructuredInputMultipleChoiceOption(ChatKitModel):
    """One suggested answer of a multiple-choice input."""

    value: str


class StructuredInputMultipleChoice(StructuredInputBase):
    """A question answered by picking suggested options (or typing a custom answer)."""

    type: Literal["multiple_choice"] = "multiple_choice"
    options: list[StructuredInputMultipleChoiceOption]
    multiple: bool = False
    """Whether more than one value may be submitted."""


class StructuredInputFreeform(StructuredInputBase):
    """A question answered with free text."""

    type: Literal["freeform"] = "freeform"
    description: str | None = None


StructuredInput = Annotated[
    StructuredInputMultipleChoice | StructuredInputFreeform,
    Field(discriminator="type"),
]
"""One question of a structured input item, told apart by ``type``."""

# --- thread items --------------------------------------------------------------------------------------


class ThreadItemBase(ChatKitModel):
    """Fields every thread item has. ``created_at`` is timezone-aware (naive input is taken as UTC)."""

    id: str
    thread_id: str
    created_at: UtcDatetime


class UserMessageItem(ThreadItemBase):
    """A message the user sent, with its attachments, quoted text and composer options."""

    type: Literal["user_message"] = "user_message"
    content: list[UserMessageContent]
    attachments: list[Attachment] = Field(default_factory=list)
    quoted_text: str | None = None
    inference_options: InferenceOptions = Field(default_factory=InferenceOptions)


class AssistantMessageItem(ThreadItemBase):
    """A message from the assistant, made of text parts."""

    type: Literal["assistant_message"] = "assistant_message"
    content: list[AssistantMessageContent]


class ClientToolCallItem(ThreadItemBase):
    """A tool call the client executes; ``output`` is filled in when the client sends the result."""

    type: Literal["client_tool_call"] = "client_tool_call"
    status: Literal["pending", "completed"] = "pending"
    call_id: str
    name: str
    arguments: dict[str, Any]
    output: Any = None


class WidgetItem(ThreadItemBase):
    """A widget shown in the thread; ``copy_text`` is what the copy button copies."""

    type: Literal["widget"] = "widget"
    widget: WidgetRoot
    copy_text: str | None = None


class GeneratedImageItem(ThreadItemBase):
    """An image being generated; ``image`` is ``None`` until the first (partial) image arrives."""

    type: Literal["generated_image"] = "generated_image"
    image: GeneratedImage | None = None


class StructuredInputItem(ThreadItemBase):
    """Questions the assistant asks the user to answer through a form."""

    type: Literal["structured_input"] = "structured_input"
    status: Literal["pending", "answered", "skipped"] = "pending"
    inputs: list[StructuredInput]


class WorkflowItem(ThreadItemBase):
    """A workflow (group of tasks, e.g. the model's reasoning) shown in the thread."""

    type: Literal["workflow"] = "workflow"
    workflow: Workflow


class TaskItem(ThreadItemBase):
    """A single task shown on its own in the thread."""

    type: Literal["task"] = "task"
    task: Task


class HiddenContextItem(ThreadItemBase):
    """Context stored in the thread for the model but never shown by the client; ``content`` is yours."""

    type: Literal["hidden_context_item"] = "hidden_context_item"
    content: Any = None


class SDKHiddenContextItem(ThreadItemBase):
    """Hidden text context written by the library itself (e.g. notes for the next turn); never shown."""

    type: Literal["sdk_hidden_context"] = "sdk_hidden_context"
    content: str


class EndOfTurnItem(ThreadItemBase):
    """Marks the end of an assistant turn."""

    type: Literal["end_of_turn"] = "end_of_turn"


ThreadItem = Annotated[
    UserMessageItem
    | AssistantMessageItem
    | ClientToolCallItem
    | WidgetItem
    | GeneratedImageItem
    | StructuredInputItem
    | WorkflowItem
    | TaskItem
    | HiddenContextItem
    | SDKHiddenContextItem
    | EndOfTurnItem,
    Field(discriminator="type"),
]
"""Any thread item, told apart by ``type``."""

ThreadItemType = Literal[
    "user_message",
    "assistant_message",
    "client_tool_call",
    "widget",
    "generated_image",
    "structured_input",
    "workflow",
    "task",
    "hidden_context_item",
    "sdk_hidden_context",
    "end_of_turn",
]
"""The ``type`` tag of every thread item."""
