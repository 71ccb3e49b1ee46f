"""Workflows and what they show: tasks, sources (url, file, entity), summaries, and source annotations."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from chatkit_agents.types.base import ChatKitModel
from chatkit_agents.types.icons import IconName

__all__ = [
    "Annotation",
    "BaseTask",
    "CustomSummary",
    "CustomTask",
    "DurationSummary",
    "EntitySource",
    "FileSource",
    "FileTask",
    "ImageTask",
    "SearchTask",
    "Source",
    "SourceBase",
    "Task",
    "TaskStatusIndicator",
    "ThoughtTask",
    "URLSource",
    "Workflow",
    "WorkflowSummary",
]

# --- sources -------------------------------------------------------------------------------------------


class SourceBase(ChatKitModel):
    """Fields every source shows: a title and optional description, timestamp and grouping label."""

    title: str
    description: str | None = None
    timestamp: str | None = None
    group: str | None = None


class URLSource(SourceBase):
    """A web page cited by the assistant or found by a search task."""

    type: Literal["url"] = "url"
    url: str
    attribution: str | None = None


class FileSource(SourceBase):
    """A file cited by the assistant or read by a file task."""

    type: Literal["file"] = "file"
    filename: str


class EntitySource(SourceBase):
    """An app entity (customer, ticket, ...) cited by the assistant; ``data`` goes to client callbacks."""

    type: Literal["entity"] = "entity"
    id: str
    icon: IconName | None = None
    label: str | None = None
    """Label next to the icon in the default hover card."""
    inline_label: str | None = None
    """Label shown inline in the text instead of the icon."""
    interactive: bool = False
    """Whether the client wires its entity callbacks (click, preview) for this source."""
    data: dict[str, Any] = Field(default_factory=dict)
    preview: Literal["lazy"] | None = None
    """Ignored by current clients (kept so older payloads round-trip); use the client's preview callback."""


Source = Annotated[URLSource | FileSource | EntitySource, Field(discriminator="type")]
"""Any source, told apart by ``type``."""


class Annotation(ChatKitModel):
    """A citation of ``source`` inside assistant text; ``index`` is the character offset it attaches to."""

    type: Literal["annotation"] = "annotation"
    source: Source
    index: int | None = None


# --- tasks ---------------------------------------------------------------------------------------------

TaskStatusIndicator = Literal["none", "loading", "complete"]
"""Status badge of a task inside a workflow."""


class BaseTask(ChatKitModel):
    """Fields every task has; ``status_indicator`` only matters when the task is shown inside a workflow."""

    status_indicator: TaskStatusIndicator = "none"


class CustomTask(BaseTask):
    """A free-form step with an optional icon and markdown content."""

    type: Literal["custom"] = "custom"
    title: str | None = None
    icon: IconName | None = None
    content: str | None = None


class SearchTask(BaseTask):
    """A web search: the queries run and the pages found."""

    type: Literal["web_search"] = "web_search"
    title: str | None = None
    title_query: str | None = None
    queries: list[str] = Field(default_factory=list)
    sources: list[URLSource] = Field(default_factory=list)


class ThoughtTask(BaseTask):
    """A piece of the assistant's reasoning shown to the user."""

    type: Literal["thought"] = "thought"
    title: str | None = None
    content: str


class FileTask(BaseTask):
    """A step that read files, listing them as sources."""

    type: Literal["file"] = "file"
    title: str | None = None
    sources: list[FileSource] = Field(default_factory=list)


class ImageTask(BaseTask):
    """A step that produces an image."""

    type: Literal["image"] = "image"
    title: str | None = None


Task = Annotated[
    CustomTask | SearchTask | ThoughtTask | FileTask | ImageTask,
    Field(discriminator="type"),
]
"""Any task, told apart by ``type``."""

# --- summaries and workflows ---------------------------------------------------------------------------


class CustomSummary(ChatKitModel):
    """A workflow summary with a title of your choice and an optional icon."""

    title: str
    icon: IconName | None = None


class DurationSummary(ChatKitModel):
    """A workflow summary the client renders as "Worked for N seconds"."""

    duration: int
    """Length of the workflow in whole seconds."""


def _summary_kind(value: Any) -> str:
    """Tell the two untagged summary shapes apart by their fields (``duration`` vs ``title``)."""
    if isinstance(value, dict):
        return "duration" if "duration" in value else "custom"
    return "duration" if isinstance(value, DurationSummary) else "custom"


WorkflowSummary = Annotated[
    Annotated[CustomSummary, Tag("custom")] | Annotated[DurationSummary, Tag("duration")],
    Discriminator(_summary_kind),
]
"""A workflow summary. The wire has no tag: an object with ``duration`` is a `DurationSummary`."""


class Workflow(ChatKitModel):
    """A group of tasks shown as one collapsible block; ``reasoning`` workflows hold the model's thoughts."""

    type: Literal["custom", "reasoning"]
    tasks: list[Task]
    summary: WorkflowSummary | None = None
    expanded: bool = False
