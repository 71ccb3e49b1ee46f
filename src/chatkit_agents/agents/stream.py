"""Forward converter: an Agents SDK streamed run -> ChatKit thread stream events.

`stream_agent_response` merges the run's events with what tools send through `AgentContext` (see
`chatkit_agents.agents.run_events`: no task and no extra hand-off per event) and feeds both, in order, to a
`StreamConverter`. The converter has one small overridable ``on_<kind>`` method per event kind; everything
that changes during a run lives in a `StreamState` created per call, so one converter instance can serve
concurrent runs.

Errors never escape as exceptions: the run's exception becomes cleanup events (open items finished or
removed) followed by an ``error`` event or a ``notice``, and the stream ends cleanly, so a server that
persists items on ``thread.item.done`` always sees a consistent end. The exception is kept on
``context.error``. Cancelling the consumer cancels the run and waits for its task to end.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, cast

from agents.exceptions import ModelRefusalError
from agents.items import ToolApprovalItem

from agents import (
    Agent,
    AgentUpdatedStreamEvent,
    Handoff,
    ImageGenerationTool,
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    ModelBehaviorError,
    OutputGuardrailTripwireTriggered,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    RunResultStreaming,
    ToolInputGuardrailTripwireTriggered,
    ToolOutputGuardrailTripwireTriggered,
    UserError,
)
from agents import (
    StreamEvent as AgentStreamEvent,
)
from chatkit_agents.agents import tasks
from chatkit_agents.agents.context import (
    AddWorkflowTask,
    AgentContext,
    ContextRequest,
    EndWorkflow,
    PendingRequest,
    SendEvent,
    StartWorkflow,
    UpdateWorkflowTask,
)
from chatkit_agents.agents.run_events import event_source
from chatkit_agents.agents.tools import ClientFunctionTool, approval_widget
from chatkit_agents.errors import CustomStreamError, StreamError
from chatkit_agents.types import (
    Annotation,
    AssistantMessageContent,
    AssistantMessageContentPartAnnotationAdded,
    AssistantMessageContentPartDone,
    AssistantMessageItem,
    ClientToolCallItem,
    CustomTask,
    DurationSummary,
    ErrorEvent,
    GeneratedImage,
    GeneratedImageItem,
    GeneratedImageUpdated,
    NoticeEvent,
    Task,
    ThoughtTask,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    WidgetItem,
    Workflow,
    WorkflowItem,
    WorkflowSummary,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)

__all__ = [
    "MessageState",
    "StreamConverter",
    "StreamState",
    "TaskRef",
    "ToolCallState",
    "WorkflowState",
    "stream_agent_response",
]

logger = logging.getLogger("chatkit_agents")

Events = AsyncIterator[ThreadStreamEvent]
InlineHandler = Callable[["StreamConverter", "StreamState", Any], "list[ThreadStreamEvent] | None"]
"""An unbound plain-function twin of an ``on_...`` handler: its events at once, or None to use the handler."""
OutputKey = tuple[int, int]
"""``(turn, output_index)``: identifies one output item of one model call (never a provider id)."""

_ITEMS_EXEMPT_FROM_WORKFLOW_CLOSE = frozenset(
    {"client_tool_call", "hidden_context_item", "sdk_hidden_context"}
)
_RESUMABLE_SKIP = frozenset({"client_tool_call", "hidden_context_item", "sdk_hidden_context", "widget"})


_TEXT_DELTA = "assistant_message.content_part.text_delta"
_PART_ADDED = "assistant_message.content_part.added"
_PART_DONE = "assistant_message.content_part.done"
_AGENT_UPDATED = "agent_updated_stream_event"
_TEXT_DELTA_EVENT = "response.output_text.delta"
_validate_updated_event = ThreadItemUpdatedEvent.__pydantic_validator__.validate_python


def _text_delta_event(item_id: str, content_index: int, delta: str) -> ThreadItemUpdatedEvent:
    """A text delta update, validated from plain data by the model's own validator in one call.

    The hottest line of the converter: building the update model first, or going through
    ``model_validate``, costs about half as much again per delta.
    """
    update = {"type": _TEXT_DELTA, "content_index": content_index, "delta": delta}
    return cast(ThreadItemUpdatedEvent, _validate_updated_event({"item_id": item_id, "update": update}))


def _text_part_event(item_id: str, kind: str, content_index: int, text: str) -> ThreadItemUpdatedEvent:
    """A part added or done (``kind``) holding ``text`` and no citations, validated in one call.

    The event gets its own new part: half the cost of copying the state's part and building the two
    models around it.
    """
    part = {"type": "output_text", "text": text, "annotations": []}
    update = {"type": kind, "content_index": content_index, "content": part}
    return cast(ThreadItemUpdatedEvent, _validate_updated_event({"item_id": item_id, "update": update}))


_ABSENT: Any = object()


def _field(value: Any, name: str) -> Any:
    """``value[name]`` for a mapping, else the attribute (no dump of a whole SDK model for one field)."""
    if type(value) is dict:
        return cast(dict[str, Any], value).get(name)
    found = getattr(value, name, _ABSENT)
    if found is _ABSENT:
        return cast(Mapping[str, Any], value).get(name) if isinstance(value, Mapping) else None
    return found


def _part_text(part: Any) -> str | None:
    """The text of an ``output_text`` part or the refusal of a ``refusal`` part; None for anything else."""
    kind = _field(part, "type")
    if kind not in ("output_text", "refusal"):
        return None
    text = _field(part, "text" if kind == "output_text" else "refusal")
    return text if isinstance(text, str) else None


async def _no_events() -> Events:
    """An empty event stream (the default of handlers that ignore their event)."""
    return
    yield  # pragma: no cover


# --- per-run state ---------------------------------------------------------------------------------------


@dataclass(eq=False)
class WorkflowState:
    """A workflow item of this run: whether the client has it, whether it is closed, when it started."""

    item: WorkflowItem
    started_at: datetime
    announced: bool = False
    closed: bool = False
    resumed: bool = False
    """Loaded from the store (left by the previous turn); it is only re-sent if it changes."""
    changed: bool = False


@dataclass(eq=False)
class TaskRef:
    """Where a task lives: its workflow and its index there."""

    workflow: WorkflowState
    index: int


class MessageState:
    """An assistant message being streamed: Responses content index -> ChatKit content index.

    Text deltas are collected per part and joined into the item's text whenever ``item`` is read, so a
    long answer costs O(1) per delta instead of copying the whole text on every delta.
    """

    __slots__ = ("_item", "_unjoined", "annotation_counts", "parts", "raw_id")

    def __init__(
        self,
        item: AssistantMessageItem,
        parts: dict[int, int] | None = None,
        annotation_counts: dict[int, int] | None = None,
        raw_id: str | None = None,
    ) -> None:
        self._item = item
        self._unjoined: dict[int, list[str]] = {}
        self.parts: dict[int, int] = {} if parts is None else parts
        self.annotation_counts: dict[int, int] = {} if annotation_counts is None else annotation_counts
        self.raw_id = raw_id

    @property
    def item(self) -> AssistantMessageItem:
        """The message item, its text up to date with every delta so far."""
        if self._unjoined:
            self.join_text()
        return self._item

    @property
    def item_id(self) -> str:
        """The message item's id (reading it joins nothing)."""
        return self._item.id

    def add_text(self, index: int, delta: str) -> ThreadItemUpdatedEvent:
        """Append ``delta`` to content part ``index`` (joined when ``item`` is read); returns its update."""
        chunks = self._unjoined.get(index)
        if chunks is None:
            self._unjoined[index] = [delta]
        else:
            chunks.append(delta)
        return _text_delta_event(self._item.id, index, delta)

    def join_text(self) -> None:
        """Write the collected deltas into the item's parts."""
        unjoined, self._unjoined = self._unjoined, {}
        content = self._item.content
        for index, chunks in unjoined.items():
            part = content[index]
            part.text = part.text + "".join(chunks)


@dataclass(eq=False)
class ThoughtState:
    """A reasoning summary part shown as a thought task; ``sent`` is how much text the client has."""

    ref: TaskRef
    text: str
    sent: int
    done: bool = False


@dataclass(eq=False)
class ToolCallState:
    """A tool call of the model, by its call id: kind (function, handoff, client, hosted) and its task."""

    call_id: str
    name: str
    kind: str
    order: int
    arguments: str = ""
    label: str = ""
    """Name shown in the task (the tool name, or e.g. ``server: title`` for MCP tools)."""
    ref: TaskRef | None = None
    item: dict[str, Any] = field(default_factory=dict[str, Any])


@dataclass(eq=False)
class ImageState:
    """A generated image item being streamed and the image task describing it."""

    item: GeneratedImageItem
    ref: TaskRef | None


class StreamState:
    """Everything that changes while one run is converted; created by `StreamConverter.create_state`.

    Its methods are the building blocks of the ``on_...`` handlers: they update the state and return the
    events that tell the client about it (items are copied into events, so later changes never leak).
    """

    def __init__(self, context: AgentContext[Any], result: RunResultStreaming | None = None) -> None:
        self.context = context
        self.result = result
        self.turn = 0
        self.agent: Agent[Any] | None = None
        self.handoff_targets: dict[str, str] = {}
        self.client_tool_names: set[str] = set()
        self.workflow: WorkflowState | None = None
        self.closed_workflows: list[WorkflowState] = []
        self.messages: dict[OutputKey, MessageState] = {}
        self.streamed_messages: list[tuple[str | None, str]] = []
        self.images: dict[OutputKey, ImageState] = {}
        self.thoughts: dict[tuple[int, int, str, int], ThoughtState] = {}
        self.hosted: dict[OutputKey, TaskRef] = {}
        self.calls: dict[str, ToolCallState] = {}
        self.produced: list[str] = []
        """Ids of the items this run added or finished, in order (what a guardrail tripwire retracts)."""
        self.earlier_items: dict[str, ThreadItem] = {}
        """Earlier turns' items this run may change (a continued workflow), as they were; never retracted."""
        self.open_items: dict[str, ThreadItem] = {}
        self.removed: set[str] = set()

    # -- ids, time -------------------------------------------------------------------------------------

    @property
    def thread_id(self) -> str:
        """Id of the thread being answered."""
        return self.context.thread.id

    def new_id(self, kind: str) -> str:
        """A new ChatKit item id (never a provider id)."""
        return self.context.generate_id(kind)

    def now(self) -> datetime:
        """Current time from the context's clock."""
        return self.context.now()

    # -- items -----------------------------------------------------------------------------------------

    def add_item(self, item: ThreadItem) -> ThreadItemAddedEvent:
        """Announce a new item (it is now open until `finish_item` or `remove_item`)."""
        self.produced.append(item.id)
        self.open_items[item.id] = item
        return ThreadItemAddedEvent(item=item.model_copy(deep=True))

    def finish_item(self, item: ThreadItem) -> ThreadItemDoneEvent:
        """Announce an item's final form; the server persists it on this event."""
        if isinstance(item, AssistantMessageItem):
            self.join_message_text()
        self.open_items.pop(item.id, None)
        if item.id not in self.produced and item.id not in self.earlier_items:
            self.produced.append(item.id)
        return ThreadItemDoneEvent(item=item.model_copy(deep=True))

    def join_message_text(self) -> None:
        """Bring the text of every streamed message item up to date (see `MessageState`)."""
        for message in self.messages.values():
            message.join_text()

    def remove_item(self, item_id: str) -> ThreadItemRemovedEvent:
        """Retract an item (open or done)."""
        self.open_items.pop(item_id, None)
        self.removed.add(item_id)
        return ThreadItemRemovedEvent(item_id=item_id)

    # -- workflows -------------------------------------------------------------------------------------

    def open_workflow(self, kind: str = "custom", *, announce: bool = False) -> list[ThreadStreamEvent]:
        """Make sure a workflow is open (a new one of ``kind`` if none); ``announce`` sends it even empty."""
        events: list[ThreadStreamEvent] = []
        if self.workflow is None:
            item = WorkflowItem(
                id=self.new_id("workflow"),
                thread_id=self.thread_id,
                created_at=self.now(),
                workflow=Workflow(type="reasoning" if kind == "reasoning" else "custom", tasks=[]),
            )
            self.workflow = WorkflowState(item=item, started_at=item.created_at)
        if announce and not self.workflow.announced:
            self.workflow.announced = True
            events.append(self.add_item(self.workflow.item))
        return events

    def add_task(self, task: Task, *, kind: str = "custom") -> tuple[TaskRef, list[ThreadStreamEvent]]:
        """Append ``task`` to the open workflow (opening one of ``kind`` if needed)."""
        events = self.open_workflow(kind)
        workflow = self.workflow
        assert workflow is not None
        tasks_ = workflow.item.workflow.tasks
        tasks_.append(task)
        ref = TaskRef(workflow, len(tasks_) - 1)
        if not workflow.announced:
            workflow.announced = True
            events.append(self.add_item(workflow.item))
        else:
            workflow.changed = True
            events.append(
                ThreadItemUpdatedEvent(
                    item_id=workflow.item.id,
                    update=WorkflowTaskAdded(task_index=ref.index, task=task.model_copy(deep=True)),
                )
            )
        return ref, events

    def update_task(self, ref: TaskRef, task: Task) -> list[ThreadStreamEvent]:
        """Replace the task at ``ref`` (nothing if unchanged); a closed workflow is sent again as done."""
        workflow = ref.workflow
        current = workflow.item.workflow.tasks[ref.index]
        # An equal copy changes nothing; the same object passed back was mutated in place, so send it.
        if current is not task and current == task:
            return []
        workflow.item.workflow.tasks[ref.index] = task
        workflow.changed = True
        events: list[ThreadStreamEvent] = [
            ThreadItemUpdatedEvent(
                item_id=workflow.item.id,
                update=WorkflowTaskUpdated(task_index=ref.index, task=task.model_copy(deep=True)),
            )
        ]
        if workflow.closed and workflow.item.id not in self.removed:
            events.append(self.finish_item(workflow.item))
        return events

    def close_workflow(
        self,
        summary: WorkflowSummary | None = None,
        *,
        expanded: bool = False,
        stop_loading: bool = False,
    ) -> list[ThreadStreamEvent]:
        """Close the open workflow with ``summary`` (its duration if ``None``); nothing if none is open.

        ``stop_loading`` clears the spinner of tasks that will never complete (error and end paths).
        """
        workflow, self.workflow = self.workflow, None
        if workflow is None:
            return []
        workflow.closed = True
        self.closed_workflows.append(workflow)
        if stop_loading:
            self._stop_loading(workflow)
        if not workflow.announced or (workflow.resumed and not workflow.changed):
            return []
        seconds = int((self.now() - workflow.started_at).total_seconds())
        workflow.item.workflow.summary = summary or DurationSummary(duration=max(seconds, 0))
        workflow.item.workflow.expanded = expanded
        return [self.finish_item(workflow.item)]

    def settle_closed_workflows(self) -> list[ThreadStreamEvent]:
        """Clear the spinners left in workflows closed earlier in this run (their tools never finished)."""
        events: list[ThreadStreamEvent] = []
        for workflow in self.closed_workflows:
            if workflow.item.id in self.removed:
                continue
            if any(task.status_indicator == "loading" for task in workflow.item.workflow.tasks):
                self._stop_loading(workflow)
                events.append(self.finish_item(workflow.item))
        return events

    def _stop_loading(self, workflow: WorkflowState) -> None:
        """Set every task still ``loading`` to ``none`` (no spinner) in ``workflow``."""
        tasks_ = workflow.item.workflow.tasks
        for index, task in enumerate(tasks_):
            if task.status_indicator == "loading":
                tasks_[index] = task.model_copy(update={"status_indicator": "none"})
                workflow.changed = True

    def find_task(self, task: Task) -> TaskRef | None:
        """The position of ``task`` (the same object) in the open workflow."""
        if self.workflow is None:
            return None
        for index, candidate in enumerate(self.workflow.item.workflow.tasks):
            if candidate is task:
                return TaskRef(self.workflow, index)
        return None

    # -- agents ----------------------------------------------------------------------------------------

    def set_agent(self, agent: Agent[Any]) -> None:
        """Remember the running agent and the names of its handoff and client tools."""
        self.agent = agent
        self.handoff_targets = {}
        for handoff in agent.handoffs:
            if isinstance(handoff, Handoff):
                self.handoff_targets[handoff.tool_name] = handoff.agent_name
            else:
                self.handoff_targets[Handoff.default_tool_name(handoff)] = handoff.name
        self.client_tool_names = {t.name for t in agent.tools if isinstance(t, ClientFunctionTool)}


# --- the converter ---------------------------------------------------------------------------------------


class StreamConverter:
    """Maps each Agents SDK / Responses event kind to ChatKit events through one ``on_<kind>`` method.

    Override one method to change one mapping (``docs/event-mapping.md`` lists them all), or a hook
    (`base64_image_to_url`, `convert_annotation`, `function_task`, `guardrail_message`, ...) to change a
    detail. The converter keeps no per-run data: that lives in the `StreamState` passed to every method.
    """

    RAW_EVENT_HANDLERS: ClassVar[Mapping[str, str]] = {
        "response.created": "on_response_created",
        "response.output_item.added": "on_output_item_added",
        "response.output_item.done": "on_output_item_done",
        "response.content_part.added": "on_content_part_added",
        "response.output_text.delta": "on_text_delta",
        "response.refusal.delta": "on_refusal_delta",
        "response.output_text.annotation.added": "on_annotation_added",
        "response.content_part.done": "on_content_part_done",
        "response.reasoning_summary_text.delta": "on_reasoning_summary_delta",
        "response.reasoning_summary_text.done": "on_reasoning_summary_done",
        "response.reasoning_summary_part.done": "on_reasoning_summary_done",
        "response.reasoning_text.delta": "on_reasoning_text_delta",
        "response.reasoning_text.done": "on_reasoning_text_done",
        "response.image_generation_call.partial_image": "on_image_partial",
    }
    """Responses event ``type`` -> handler name. Kinds not listed are ignored (see the mapping doc)."""

    ITEM_ADDED_HANDLERS: ClassVar[Mapping[str, str]] = {
        "message": "on_message_added",
        "reasoning": "on_reasoning_added",
        "function_call": "on_function_call_added",
        "web_search_call": "on_web_search_added",
        "file_search_call": "on_file_search_added",
        "image_generation_call": "on_image_generation_added",
        "code_interpreter_call": "on_code_interpreter_added",
        "mcp_call": "on_mcp_call_added",
        "computer_call": "on_tool_call_added",
        "local_shell_call": "on_tool_call_added",
        "shell_call": "on_tool_call_added",
        "apply_patch_call": "on_tool_call_added",
        "custom_tool_call": "on_tool_call_added",
        "mcp_approval_request": "on_tool_call_added",
        "program": "on_tool_call_added",
    }
    """Output item ``type`` -> handler for ``response.output_item.added``."""

    ITEM_DONE_HANDLERS: ClassVar[Mapping[str, str]] = {
        "message": "on_message_done",
        "reasoning": "on_reasoning_done",
        "function_call": "on_function_call_done",
        "web_search_call": "on_web_search_done",
        "file_search_call": "on_file_search_done",
        "image_generation_call": "on_image_generation_done",
        "code_interpreter_call": "on_code_interpreter_done",
        "mcp_call": "on_mcp_call_done",
        "computer_call": "on_tool_call_done",
        "local_shell_call": "on_tool_call_done",
        "shell_call": "on_tool_call_done",
        "apply_patch_call": "on_tool_call_done",
        "custom_tool_call": "on_tool_call_done",
        "mcp_approval_request": "on_tool_call_done",
        "program": "on_tool_call_done",
        "shell_call_output": "on_hosted_tool_output_done",
        "program_output": "on_hosted_tool_output_done",
        "mcp_list_tools": "on_mcp_list_tools_done",
    }
    """Output item ``type`` -> handler for ``response.output_item.done``."""

    RUN_ITEM_HANDLERS: ClassVar[Mapping[str, str]] = {
        "message_output_created": "on_message_output_created",
        "tool_called": "on_tool_called",
        "tool_output": "on_tool_output",
        "handoff_requested": "on_handoff_requested",
        "handoff_occured": "on_handoff_occurred",
        "handoff_occurred": "on_handoff_occurred",
        "mcp_approval_response": "on_mcp_approval_response",
    }
    """Run item event ``name`` -> handler. Other names are ignored (see the mapping doc)."""

    def __init__(
        self,
        *,
        thought_min_update_chars: int = 80,
        thought_update_growth: float = 0.25,
        show_raw_reasoning: bool = False,
        tool_output_chars: int = 300,
        partial_images: int | None = None,
        keep_partial_message_on_error: bool = False,
    ) -> None:
        self.thought_min_update_chars = thought_min_update_chars
        self.thought_update_growth = thought_update_growth
        self.show_raw_reasoning = show_raw_reasoning
        self.tool_output_chars = tool_output_chars
        self.partial_images = partial_images
        self.keep_partial_message_on_error = keep_partial_message_on_error

    # -- state and dispatch ----------------------------------------------------------------------------

    def create_state(
        self, context: AgentContext[Any], result: RunResultStreaming | None = None
    ) -> StreamState:
        """A fresh per-run state (override to use a `StreamState` subclass)."""
        return StreamState(context, result)

    async def resume_workflow(self, state: StreamState) -> None:
        """Continue a workflow the previous turn ended with (e.g. before a client tool call).

        Reads the thread's last items from ``context.history`` when set, else through the store: the newest
        item that is not a client tool call, hidden context or widget must be a workflow. It stays the
        open workflow; it is sent again (as done) only if this turn adds to it, so it is never inserted
        twice.
        """
        context = state.context
        newest_first: Iterable[ThreadItem]
        if context.history is not None:
            newest_first = reversed(context.history)
        elif context.store is not None:
            page = await context.store.load_thread_items(
                state.thread_id, None, 4, "desc", context.request_context
            )
            newest_first = page.data
        else:
            return
        for item in newest_first:
            if item.type in _RESUMABLE_SKIP:
                continue
            if isinstance(item, WorkflowItem):
                state.earlier_items[item.id] = item.model_copy(deep=True)
                state.workflow = WorkflowState(
                    item=item.model_copy(deep=True),
                    started_at=item.created_at,
                    announced=True,
                    resumed=True,
                )
                state.workflow.item.workflow.summary = None
            return

    async def convert(self, state: StreamState, event: AgentStreamEvent) -> Events:
        """Route one Agents SDK stream event to its handler."""
        async for out in self._route(state, event):
            yield out

    def _route(self, state: StreamState, event: AgentStreamEvent) -> Events:
        """The handler's event stream for ``event`` (what `convert` iterates)."""
        if isinstance(event, RawResponsesStreamEvent):
            handler = self.RAW_EVENT_HANDLERS.get(event.data.type)
            stream = getattr(self, handler)(state, event.data) if handler else self.on_ignored(state, event)
        elif isinstance(event, RunItemStreamEvent):
            handler = self.RUN_ITEM_HANDLERS.get(event.name)
            stream = getattr(self, handler)(state, event.item) if handler else self.on_ignored(state, event)
        else:
            stream = self.on_agent_updated(state, event)
        return cast(Events, stream)

    def _inline_handlers(self) -> dict[str, InlineHandler]:
        """Plain-function twins of the handlers a run of plain text goes through, where not overridden.

        Keyed by Responses event type, run item event name, or ``"agent_updated_stream_event"``.
        `stream_agent_response` calls them instead of creating two async generators per event; a twin
        returns None when its event needs the overridable path after all (e.g. a non-message item).
        """
        cached: dict[str, InlineHandler] | None = self.__dict__.get("_inline_cache")
        if cached is not None:
            return cached
        inline = self.__dict__["_inline_cache"] = self._find_inline_handlers()
        return inline

    def _find_inline_handlers(self) -> dict[str, InlineHandler]:
        """Each twin whose every route (routing-table entry and handler) is still `StreamConverter`'s own."""
        kind = type(self)

        def kept(name: str) -> bool:
            return getattr(kind, name) is getattr(StreamConverter, name)

        if not kept("convert"):
            return {}
        raw = self.RAW_EVENT_HANDLERS
        # a twin, then the routes it stands for: (routing table, key, handler); the first key names it
        candidates: list[tuple[InlineHandler, tuple[tuple[Mapping[str, str], str, str], ...]]] = [
            (StreamConverter._delta_event, ((raw, _TEXT_DELTA_EVENT, "on_text_delta"),)),
            (StreamConverter._delta_event, ((raw, "response.refusal.delta", "on_refusal_delta"),)),
            (StreamConverter._response_created, ((raw, "response.created", "on_response_created"),)),
            (
                StreamConverter._output_item_added,
                (
                    (raw, "response.output_item.added", "on_output_item_added"),
                    (self.ITEM_ADDED_HANDLERS, "message", "on_message_added"),
                ),
            ),
            (
                StreamConverter._content_part_added,
                ((raw, "response.content_part.added", "on_content_part_added"),),
            ),
            (
                StreamConverter._content_part_done,
                ((raw, "response.content_part.done", "on_content_part_done"),),
            ),
            (
                StreamConverter._output_item_done,
                (
                    (raw, "response.output_item.done", "on_output_item_done"),
                    (self.ITEM_DONE_HANDLERS, "message", "on_message_done"),
                ),
            ),
            (
                StreamConverter._message_output_created,
                ((self.RUN_ITEM_HANDLERS, "message_output_created", "on_message_output_created"),),
            ),
        ]
        inline: dict[str, InlineHandler] = {
            routes[0][1]: twin
            for twin, routes in candidates
            if all(table.get(key) == name and kept(name) for table, key, name in routes)
        }
        if kept("on_agent_updated"):
            inline[_AGENT_UPDATED] = StreamConverter._agent_updated
        return inline

    def on_ignored(self, state: StreamState, event: AgentStreamEvent) -> Events:
        """Events with no ChatKit counterpart (usage, lifecycle, argument deltas, ...): nothing."""
        return _no_events()

    async def on_agent_updated(self, state: StreamState, event: AgentUpdatedStreamEvent) -> Events:
        """The run starts, resumes or hands off: remember the agent, its handoffs and client tools."""
        for out in self._agent_updated(state, event):
            yield out

    def _agent_updated(self, state: StreamState, event: Any) -> list[ThreadStreamEvent]:
        state.set_agent(event.new_agent)
        return []

    async def on_response_created(self, state: StreamState, event: Any) -> Events:
        """A model call starts: new output indices from here on (ids are never reused)."""
        for out in self._response_created(state, event):
            yield out

    def _response_created(self, state: StreamState, event: Any) -> list[ThreadStreamEvent]:
        state.turn += 1
        return []

    async def on_output_item_added(self, state: StreamState, event: Any) -> Events:
        """Route ``response.output_item.added`` by item type."""
        handler = self.ITEM_ADDED_HANDLERS.get(event.item.type)
        if handler is None:
            return
        async for out in getattr(self, handler)(state, event.output_index, tasks.as_mapping(event.item)):
            yield out

    def _output_item_added(self, state: StreamState, event: Any) -> list[ThreadStreamEvent] | None:
        """`on_output_item_added` for a message (None for any other item type)."""
        item = event.item
        if _field(item, "type") != "message":
            return None
        return self._message_added(state, event.output_index, _field(item, "id"))

    async def on_output_item_done(self, state: StreamState, event: Any) -> Events:
        """Route ``response.output_item.done`` by item type."""
        handler = self.ITEM_DONE_HANDLERS.get(event.item.type)
        if handler is None:
            return
        async for out in getattr(self, handler)(state, event.output_index, tasks.as_mapping(event.item)):
            yield out

    def _output_item_done(self, state: StreamState, event: Any) -> list[ThreadStreamEvent] | None:
        """`on_output_item_done` for a message (None for any other item type)."""
        item = event.item
        if _field(item, "type") != "message":
            return None
        return self._message_done(state, event.output_index, _field(item, "content") or [])

    # -- assistant messages ----------------------------------------------------------------------------

    def _message(self, state: StreamState, output_index: int) -> tuple[MessageState, list[ThreadStreamEvent]]:
        """The message at ``output_index`` of this model call, started on the fly if it was not announced."""
        key = (state.turn, output_index)
        message = state.messages.get(key)
        if message is not None:
            return message, []
        events = state.close_workflow()
        item = AssistantMessageItem(
            id=state.new_id("message"), thread_id=state.thread_id, created_at=state.now(), content=[]
        )
        message = MessageState(item=item)
        state.messages[key] = message
        events.append(state.add_item(item))
        return message, events

    def _part(
        self, state: StreamState, message: MessageState, content_index: int
    ) -> tuple[int, list[ThreadStreamEvent]]:
        """The ChatKit content index for a Responses content index, adding an empty part if new."""
        if content_index in message.parts:
            return message.parts[content_index], []
        index = len(message.item.content)
        message.parts[content_index] = index
        message.item.content.append(AssistantMessageContent(text=""))
        return index, [_text_part_event(message.item_id, _PART_ADDED, index, "")]

    async def on_message_added(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        """An assistant message starts: close the open workflow, add an empty message item."""
        for out in self._message_added(state, output_index, item.get("id")):
            yield out

    def _message_added(self, state: StreamState, output_index: int, raw_id: Any) -> list[ThreadStreamEvent]:
        message, events = self._message(state, output_index)
        message.raw_id = raw_id
        return events

    async def on_content_part_added(self, state: StreamState, event: Any) -> Events:
        """A text or refusal part starts (reasoning-text parts are skipped)."""
        for out in self._content_part_added(state, event):
            yield out

    def _content_part_added(self, state: StreamState, event: Any) -> list[ThreadStreamEvent]:
        if _field(event.part, "type") not in ("output_text", "refusal"):
            return []
        message, events = self._message(state, event.output_index)
        _, more = self._part(state, message, event.content_index)
        events.extend(more)
        return events

    async def on_text_delta(self, state: StreamState, event: Any) -> Events:
        """Text streams into the part."""
        for out in self._delta_event(state, event):
            yield out

    async def on_refusal_delta(self, state: StreamState, event: Any) -> Events:
        """A refusal streams as ordinary text (the run then ends with `on_model_refusal`)."""
        for out in self._delta_event(state, event):
            yield out

    def _delta_event(self, state: StreamState, event: Any) -> list[ThreadStreamEvent]:
        return self._text_delta(state, event.output_index, event.content_index, event.delta)

    def _text_delta(
        self, state: StreamState, output_index: int, content_index: int, delta: str
    ) -> list[ThreadStreamEvent]:
        """Append ``delta`` to a part and say so, announcing the message or part first if needed."""
        if not delta:
            return []
        message = state.messages.get((state.turn, output_index))
        index = None if message is None else message.parts.get(content_index)
        if message is None or index is None:  # the message or the part was not announced: start it now
            message, events = self._message(state, output_index)
            index, more = self._part(state, message, content_index)
            events.extend(more)
        else:
            events = []
        events.append(message.add_text(index, delta))
        return events

    async def on_annotation_added(self, state: StreamState, event: Any) -> Events:
        """A citation: converted by `convert_annotation`; dropped ones leave no gap in the indices."""
        raw = tasks.as_mapping(event.annotation)
        annotation = await self.convert_annotation(raw)
        if annotation is None:
            return
        message, events = self._message(state, event.output_index)
        index, more = self._part(state, message, event.content_index)
        events.extend(more)
        count = message.annotation_counts.get(index, 0)
        message.annotation_counts[index] = count + 1
        message.item.content[index].annotations.append(annotation)
        update = AssistantMessageContentPartAnnotationAdded(
            content_index=index, annotation_index=count, annotation=annotation.model_copy(deep=True)
        )
        events.append(ThreadItemUpdatedEvent(item_id=message.item.id, update=update))
        for out in events:
            yield out

    async def on_content_part_done(self, state: StreamState, event: Any) -> Events:
        """The part is final: its full text, KEEPING the annotations streamed so far."""
        for out in self._content_part_done(state, event):
            yield out

    def _content_part_done(self, state: StreamState, event: Any) -> list[ThreadStreamEvent]:
        if _field(event.part, "type") not in ("output_text", "refusal"):
            return []
        message, events = self._message(state, event.output_index)
        index, more = self._part(state, message, event.content_index)
        events.extend(more)
        content = message.item.content[index]
        final_text = _part_text(event.part)
        if final_text:
            content.text = final_text
        if content.annotations:
            update = AssistantMessageContentPartDone(
                content_index=index, content=content.model_copy(deep=True)
            )
            events.append(ThreadItemUpdatedEvent(item_id=message.item_id, update=update))
        else:
            events.append(_text_part_event(message.item_id, _PART_DONE, index, content.text))
        return events

    async def on_message_done(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        """The message is complete: send it whole (the server persists it on this event)."""
        for out in self._message_done(state, output_index, item.get("content") or []):
            yield out

    def _message_done(
        self, state: StreamState, output_index: int, parts: Iterable[Any]
    ) -> list[ThreadStreamEvent]:
        """`on_message_done` given the message's content parts (dicts or SDK models)."""
        message, events = self._message(state, output_index)
        for content_index, part in enumerate(parts):
            text = _part_text(part)
            if text is None:
                continue
            index, more = self._part(state, message, content_index)
            events.extend(more)
            if text and not message.item.content[index].text:
                message.item.content[index].text = text
        text = "".join(part.text for part in message.item.content)
        state.streamed_messages.append((message.raw_id, text))
        if message.item.id in state.open_items:
            events.append(state.finish_item(message.item))
        return events

    async def on_message_output_created(self, state: StreamState, item: Any) -> Events:
        """Render a message that never streamed (e.g. made by a run error handler); streamed ones: nothing."""
        for out in self._message_output_created(state, item):
            yield out

    def _message_output_created(self, state: StreamState, item: Any) -> list[ThreadStreamEvent]:
        raw_item = item.raw_item
        texts = [t for t in (_part_text(part) for part in _field(raw_item, "content") or []) if t is not None]
        text = "".join(texts)
        message_id = _field(raw_item, "id")
        for index, (raw_id, streamed_text) in enumerate(state.streamed_messages):
            if streamed_text == text and (raw_id == message_id or raw_id is None or message_id is None):
                del state.streamed_messages[index]
                return []
        content = [AssistantMessageContent(text=t) for t in texts]
        events = state.close_workflow()
        message = AssistantMessageItem(
            id=state.new_id("message"), thread_id=state.thread_id, created_at=state.now(), content=content
        )
        events.append(state.add_item(message))
        events.append(state.finish_item(message))
        return events

    # -- reasoning -------------------------------------------------------------------------------------

    async def on_reasoning_added(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        """Reasoning starts: open (and show) a reasoning workflow unless a workflow is already open."""
        for out in state.open_workflow("reasoning", announce=True):
            yield out

    async def on_reasoning_summary_delta(self, state: StreamState, event: Any) -> Events:
        """A summary part streams into its own thought task, with coalesced updates (`thought_update`)."""
        key = (state.turn, event.output_index, "summary", event.summary_index)
        for out in self._thought_delta(state, key, event.delta):
            yield out

    async def on_reasoning_summary_done(self, state: StreamState, event: Any) -> Events:
        """A summary part is complete: its thought gets the full text and a complete status."""
        key = (state.turn, event.output_index, "summary", event.summary_index)
        text = event.text if hasattr(event, "text") else tasks.as_mapping(event.part).get("text", "")
        for out in self._thought_done(state, key, str(text or "")):
            yield out

    async def on_reasoning_text_delta(self, state: StreamState, event: Any) -> Events:
        """Raw reasoning text: shown like a summary only with ``show_raw_reasoning``."""
        if not self.show_raw_reasoning:
            return
        key = (state.turn, event.output_index, "text", event.content_index)
        for out in self._thought_delta(state, key, event.delta):
            yield out

    async def on_reasoning_text_done(self, state: StreamState, event: Any) -> Events:
        """Raw reasoning text is complete (only with ``show_raw_reasoning``)."""
        if not self.show_raw_reasoning:
            return
        key = (state.turn, event.output_index, "text", event.content_index)
        for out in self._thought_done(state, key, str(event.text or "")):
            yield out

    async def on_reasoning_done(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        """The reasoning item is complete: finish any thought whose done event did not come."""
        for index, part in enumerate(item.get("summary") or []):
            key = (state.turn, output_index, "summary", index)
            thought = state.thoughts.get(key)
            if thought is not None and not thought.done:
                for out in self._thought_done(state, key, str(tasks.as_mapping(part).get("text") or "")):
                    yield out
        for key, thought in list(state.thoughts.items()):
            if key[:2] == (state.turn, output_index) and not thought.done:
                for out in self._thought_done(state, key, thought.text):
                    yield out

    def thought_task(self, text: str, *, done: bool) -> ThoughtTask:
        """The thought task for a summary part (override to split a leading ``**title**``, say)."""
        return ThoughtTask(content=text, status_indicator="complete" if done else "loading")

    def should_update_thought(self, sent: int, pending: int) -> bool:
        """Whether to send an interim thought update now.

        Updates resend the whole thought, so one is sent only once the unsent text is at least
        ``max(thought_min_update_chars, thought_update_growth * sent)``: total bytes stay linear in the
        thought's length and the client still sees steady progress. Deterministic (no clocks).
        """
        return pending >= max(self.thought_min_update_chars, int(self.thought_update_growth * sent))

    def _thought_delta(
        self, state: StreamState, key: tuple[int, int, str, int], delta: str
    ) -> list[ThreadStreamEvent]:
        """Grow a thought; the first delta adds the task, later ones are coalesced."""
        if not delta:
            return []
        thought = state.thoughts.get(key)
        if thought is None:
            ref, events = state.add_task(self.thought_task(delta, done=False), kind="reasoning")
            state.thoughts[key] = ThoughtState(ref=ref, text=delta, sent=len(delta))
            return events
        thought.text += delta
        if thought.done or not self.should_update_thought(thought.sent, len(thought.text) - thought.sent):
            return []
        thought.sent = len(thought.text)
        return state.update_task(thought.ref, self.thought_task(thought.text, done=False))

    def _thought_done(
        self, state: StreamState, key: tuple[int, int, str, int], text: str
    ) -> list[ThreadStreamEvent]:
        """Complete a thought with its final text (adding it if no delta came)."""
        thought = state.thoughts.get(key)
        if thought is None:
            if not text:
                return []
            ref, events = state.add_task(self.thought_task(text, done=True), kind="reasoning")
            state.thoughts[key] = ThoughtState(ref=ref, text=text, sent=len(text), done=True)
            return events
        if thought.done:
            return []
        thought.done = True
        thought.text = text or thought.text
        thought.sent = len(thought.text)
        return state.update_task(thought.ref, self.thought_task(thought.text, done=True))

    # -- function tools, handoffs, client tools -------------------------------------------------------

    def function_task(
        self, state: StreamState, call: ToolCallState, *, output: Any = None, done: bool = False
    ) -> Task:
        """The task shown for a function tool call (name, arguments, and a short output when done)."""
        return tasks.function_tool_task(
            call.label or call.name,
            call.arguments,
            output=output,
            done=done,
            max_output_chars=self.tool_output_chars,
        )

    def _register_call(
        self, state: StreamState, output_index: int, item: dict[str, Any], kind: str
    ) -> ToolCallState:
        """Remember a tool call by its call id (hosted calls without one: by their item id)."""
        call_id = str(item.get("call_id") or item.get("id") or f"{state.turn}:{output_index}")
        call = state.calls.get(call_id)
        if call is None:
            call = ToolCallState(
                call_id=call_id,
                name=str(item.get("name") or item.get("type") or "tool"),
                kind=kind,
                order=len(state.calls),
            )
            state.calls[call_id] = call
        call.item = item
        call.arguments = str(item.get("arguments") or call.arguments)
        return call

    async def on_function_call_added(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """A function call starts: a loading task (a handoff task for handoffs, none for client tools)."""
        name = str(item.get("name") or "")
        if name in state.client_tool_names:
            self._register_call(state, output_index, item, "client")
            return
        if name in state.handoff_targets:
            call = self._register_call(state, output_index, item, "handoff")
            call.ref, events = state.add_task(tasks.handoff_task(state.handoff_targets[name], done=False))
        else:
            call = self._register_call(state, output_index, item, "function")
            call.ref, events = state.add_task(self.function_task(state, call))
        for out in events:
            yield out

    async def on_function_call_done(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """The call's arguments are complete: show them (argument deltas are not streamed)."""
        call = self._register_call(state, output_index, item, "function")
        if call.kind != "function" or call.ref is None:
            return
        for out in state.update_task(call.ref, self.function_task(state, call)):
            yield out

    async def on_tool_called(self, state: StreamState, item: Any) -> Events:
        """Run item for a function call: a better label (MCP server, tool title) for its task, or the task
        itself if the raw events did not create one (non-streaming providers)."""
        raw = tasks.as_mapping(item.raw_item)
        if raw.get("type") != "function_call":
            return
        call_id = str(raw.get("call_id") or "")
        if not call_id:
            return
        label = self.tool_label(item, str(raw.get("name") or ""))
        call = state.calls.get(call_id)
        if call is None:
            name = str(raw.get("name") or "")
            kind = "client" if name in state.client_tool_names else "function"
            call = ToolCallState(call_id=call_id, name=name, kind=kind, order=len(state.calls))
            call.arguments = str(raw.get("arguments") or "")
            call.label = label
            state.calls[call_id] = call
            if kind == "function":
                call.ref, events = state.add_task(self.function_task(state, call))
                for out in events:
                    yield out
            return
        if call.kind == "function" and call.ref is not None and label != call.label:
            call.label = label
            for out in state.update_task(call.ref, self.function_task(state, call)):
                yield out

    def tool_label(self, item: Any, name: str) -> str:
        """How a function tool is named in its task: its MCP title or ``server: name`` for MCP tools."""
        title = getattr(item, "title", None)
        origin = getattr(item, "tool_origin", None)
        server = getattr(origin, "mcp_server_name", None) if origin is not None else None
        label = title if isinstance(title, str) and title else name
        return f"{server}: {label}" if isinstance(server, str) and server else label

    async def on_tool_output(self, state: StreamState, item: Any) -> Events:
        """A tool finished: its task completes with a short output (client tools: nothing)."""
        call_id = item.call_id or tasks.as_mapping(item.raw_item).get("call_id")
        call = state.calls.get(str(call_id)) if call_id else None
        if call is None:
            for out in self._output_without_call(state, str(call_id or ""), item.output):
                yield out
            return
        if call.kind == "client" or call.ref is None:
            return
        if call.kind == "function":
            task = self.function_task(state, call, output=item.output, done=True)
        else:
            task = tasks.hosted_tool_task(
                call.item, done=True, output=item.output, max_output_chars=self.tool_output_chars
            )
        for out in state.update_task(call.ref, task):
            yield out

    def _output_without_call(self, state: StreamState, call_id: str, output: Any) -> list[ThreadStreamEvent]:
        """A tool output for a call of an earlier turn (resumed approval): complete its waiting task."""
        workflow = state.workflow
        if workflow is not None:
            for index, task in enumerate(workflow.item.workflow.tasks):
                if isinstance(task, CustomTask) and (task.title or "").startswith(
                    tasks.APPROVAL_WAITING_PREFIX
                ):
                    name = (task.title or "")[len(tasks.APPROVAL_WAITING_PREFIX) :]
                    content = task.content or ""
                    result = tasks.summarize_output(output, self.tool_output_chars)
                    new_task = CustomTask(
                        title=f"Called {name}",
                        icon="bolt",
                        content="\n\n".join(x for x in (content, f"Result: {result}" if result else "") if x)
                        or None,
                        status_indicator="complete",
                    )
                    return state.update_task(TaskRef(workflow, index), new_task)
        call = ToolCallState(call_id=call_id, name="a tool", kind="function", order=len(state.calls))
        state.calls[call_id] = call
        call.ref, events = state.add_task(self.function_task(state, call, output=output, done=True))
        return events

    async def on_handoff_requested(self, state: StreamState, item: Any) -> Events:
        """A handoff call: turn its task into a handoff task if it was drawn as a function call."""
        raw = tasks.as_mapping(item.raw_item)
        call = state.calls.get(str(raw.get("call_id") or ""))
        if call is None or call.kind == "handoff" or call.ref is None:
            return
        call.kind = "handoff"
        target = state.handoff_targets.get(call.name, call.name.removeprefix("transfer_to_"))
        for out in state.update_task(call.ref, tasks.handoff_task(target, done=False)):
            yield out

    async def on_handoff_occurred(self, state: StreamState, item: Any) -> Events:
        """The handoff happened: its task completes, naming the new agent."""
        raw = tasks.as_mapping(item.raw_item)
        target = getattr(getattr(item, "target_agent", None), "name", None) or "another agent"
        call = state.calls.get(str(raw.get("call_id") or ""))
        if call is None or call.ref is None:
            _, events = state.add_task(tasks.handoff_task(target, done=True))
            for out in events:
                yield out
            return
        call.kind = "handoff"
        for out in state.update_task(call.ref, tasks.handoff_task(target, done=True)):
            yield out

    # -- hosted tools -----------------------------------------------------------------------------------

    def _hosted_add(self, state: StreamState, output_index: int, task: Task) -> list[ThreadStreamEvent]:
        """Add a hosted tool's task, keyed by its output position."""
        ref, events = state.add_task(task)
        state.hosted[(state.turn, output_index)] = ref
        return events

    def _hosted_update(self, state: StreamState, output_index: int, task: Task) -> list[ThreadStreamEvent]:
        """Update (or add, if its start was missed) a hosted tool's task."""
        ref = state.hosted.get((state.turn, output_index))
        if ref is None:
            return self._hosted_add(state, output_index, task)
        return state.update_task(ref, task)

    async def on_web_search_added(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """Web search starts: a loading search task with the query."""
        for out in self._hosted_add(state, output_index, tasks.web_search_task(item, done=False)):
            yield out

    async def on_web_search_done(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        """Web search done: queries and sources (sources need ``web_search_call.action.sources``)."""
        for out in self._hosted_update(state, output_index, tasks.web_search_task(item, done=True)):
            yield out

    async def on_file_search_added(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """File search starts: a loading file task."""
        for out in self._hosted_add(state, output_index, tasks.file_search_task(item, done=False)):
            yield out

    async def on_file_search_done(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """File search done: files found as sources (needs ``include_search_results=True``)."""
        for out in self._hosted_update(state, output_index, tasks.file_search_task(item, done=True)):
            yield out

    async def on_code_interpreter_added(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """Code interpreter starts: a loading task (code deltas are not streamed)."""
        for out in self._hosted_add(state, output_index, tasks.code_interpreter_task(item, done=False)):
            yield out

    async def on_code_interpreter_done(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """Code interpreter done: the code and its logs."""
        task = tasks.code_interpreter_task(item, done=True, max_output_chars=self.tool_output_chars)
        for out in self._hosted_update(state, output_index, task):
            yield out

    async def on_mcp_call_added(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        """Hosted MCP call starts: a loading task naming server and tool."""
        for out in self._hosted_add(state, output_index, tasks.mcp_call_task(item, done=False)):
            yield out

    async def on_mcp_call_done(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        """Hosted MCP call done: output or error."""
        task = tasks.mcp_call_task(item, done=True, max_output_chars=self.tool_output_chars)
        for out in self._hosted_update(state, output_index, task):
            yield out

    async def on_mcp_list_tools_done(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """Hosted MCP tool listing: nothing, unless it failed (a warning notice)."""
        if item.get("error"):
            server = item.get("server_label") or "MCP"
            yield NoticeEvent(level="warning", message=f"Could not list the tools of {server}.")

    async def on_tool_call_added(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        """Computer, shell, apply_patch, custom tool, MCP approval request: a loading task."""
        call = self._register_call(state, output_index, item, "hosted")
        call.ref, events = state.add_task(tasks.hosted_tool_task(item, done=False))
        state.hosted[(state.turn, output_index)] = call.ref
        for out in events:
            yield out

    async def on_tool_call_done(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        """The call is fully known (command, file...): show it; it completes on its output."""
        call = self._register_call(state, output_index, item, "hosted")
        if call.ref is None:
            call.ref, events = state.add_task(tasks.hosted_tool_task(item, done=False))
        else:
            events = state.update_task(call.ref, tasks.hosted_tool_task(item, done=False))
        for out in events:
            yield out

    async def on_hosted_tool_output_done(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """A hosted tool's output item (hosted shell): completes the call's task."""
        call = state.calls.get(str(item.get("call_id") or ""))
        if call is None or call.ref is None:
            return
        output = item.get("output")
        task = tasks.hosted_tool_task(
            call.item, done=True, output=output, max_output_chars=self.tool_output_chars
        )
        for out in state.update_task(call.ref, task):
            yield out

    async def on_mcp_approval_response(self, state: StreamState, item: Any) -> Events:
        """An MCP approval was answered by the tool's callback: its task completes."""
        raw = tasks.as_mapping(item.raw_item)
        call = state.calls.get(str(raw.get("approval_request_id") or ""))
        if call is None or call.ref is None:
            return
        approved = bool(raw.get("approve"))
        task = tasks.hosted_tool_task(call.item, done=True, output="approved" if approved else "rejected")
        for out in state.update_task(call.ref, task):
            yield out

    # -- image generation -------------------------------------------------------------------------------

    async def base64_image_to_url(
        self, image_id: str, base64_image: str, partial_image_index: int | None = None
    ) -> str:
        """Where the client loads the image from: a ``data:`` URL by default; override to upload it."""
        return f"data:image/png;base64,{base64_image}"

    def partial_image_progress(self, state: StreamState, partial_image_index: int) -> float | None:
        """Progress of a partial image: ``(index + 1) / (partial_images + 1)``, ``None`` if unknown."""
        total = self.partial_images
        if total is None and state.agent is not None:
            for tool in state.agent.tools:
                if isinstance(tool, ImageGenerationTool):
                    config = tasks.as_mapping(tool.tool_config)
                    value = config.get("partial_images")
                    total = value if isinstance(value, int) else None
        if not total:
            return None
        return min(1.0, (partial_image_index + 1) / (total + 1))

    async def on_image_generation_added(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """Image generation starts: an image task, the workflow closes, an empty image item is added."""
        ref, events = state.add_task(tasks.image_task(done=False))
        events.extend(state.close_workflow())
        image = GeneratedImageItem(
            id=state.new_id("image"), thread_id=state.thread_id, created_at=state.now()
        )
        state.images[(state.turn, output_index)] = ImageState(item=image, ref=ref)
        events.append(state.add_item(image))
        for out in events:
            yield out

    async def on_image_partial(self, state: StreamState, event: Any) -> Events:
        """A partial image: the image item shows it with a progress estimate (per image item)."""
        image = state.images.get((state.turn, event.output_index))
        if image is None:
            return
        url = await self.base64_image_to_url(
            image.item.id, event.partial_image_b64, event.partial_image_index
        )
        generated = GeneratedImage(id=image.item.id, url=url)
        image.item.image = generated
        update = GeneratedImageUpdated(
            image=generated.model_copy(),
            progress=self.partial_image_progress(state, event.partial_image_index),
        )
        yield ThreadItemUpdatedEvent(item_id=image.item.id, update=update)

    async def on_image_generation_done(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        """The image is ready (done, task complete) or failed (removed, warning notice)."""
        image = state.images.pop((state.turn, output_index), None)
        if image is None:
            async for out in self.on_image_generation_added(state, output_index, item):
                yield out
            image = state.images.pop((state.turn, output_index))
        result = item.get("result")
        if isinstance(result, str) and result and item.get("status") not in ("failed", "incomplete"):
            url = await self.base64_image_to_url(image.item.id, result)
            image.item.image = GeneratedImage(id=image.item.id, url=url)
            yield state.finish_item(image.item)
            task = tasks.image_task(done=True)
        else:
            yield state.remove_item(image.item.id)
            yield NoticeEvent(level="warning", message="The image could not be generated.")
            task = tasks.image_task(done=True, failed=True)
        if image.ref is not None:
            for out in state.update_task(image.ref, task):
                yield out

    # -- annotations --------------------------------------------------------------------------------------

    async def convert_annotation(self, annotation: dict[str, Any]) -> Annotation | None:
        """ChatKit annotation for a Responses annotation (a plain dict), ``None`` to drop it."""
        kind = annotation.get("type")
        if kind == "url_citation":
            return await self.url_citation_to_annotation(annotation)
        if kind == "file_citation":
            return await self.file_citation_to_annotation(annotation)
        if kind == "container_file_citation":
            return await self.container_file_citation_to_annotation(annotation)
        if kind == "file_path":
            return await self.file_path_to_annotation(annotation)
        return None

    async def url_citation_to_annotation(self, annotation: dict[str, Any]) -> Annotation | None:
        """``url_citation`` -> URL source placed at ``end_index``."""
        return tasks.annotation_from_responses(annotation)

    async def file_citation_to_annotation(self, annotation: dict[str, Any]) -> Annotation | None:
        """``file_citation`` -> file source placed at ``index``."""
        return tasks.annotation_from_responses(annotation)

    async def container_file_citation_to_annotation(self, annotation: dict[str, Any]) -> Annotation | None:
        """``container_file_citation`` -> file source placed at ``end_index``."""
        return tasks.annotation_from_responses(annotation)

    async def file_path_to_annotation(self, annotation: dict[str, Any]) -> Annotation | None:
        """``file_path`` (a generated file) -> dropped by default; override to link your download URL."""
        return None

    # -- requests from tools (AgentContext helpers) ----------------------------------------------------

    async def on_context_request(self, state: StreamState, request: ContextRequest) -> Events:
        """Route a request a tool made through `AgentContext`."""
        if isinstance(request, SendEvent):
            stream = self.on_context_event(state, request.event)
        elif isinstance(request, StartWorkflow):
            stream = self.on_start_workflow(state, request)
        elif isinstance(request, AddWorkflowTask):
            stream = self.on_add_workflow_task(state, request)
        elif isinstance(request, UpdateWorkflowTask):
            stream = self.on_update_workflow_task(state, request)
        else:
            stream = self.on_end_workflow(state, request)
        async for out in stream:
            yield out

    async def on_context_event(self, state: StreamState, event: ThreadStreamEvent) -> Events:
        """An event sent by a tool: an item it adds or finishes first closes the open workflow."""
        if isinstance(event, ThreadItemAddedEvent | ThreadItemDoneEvent):
            item = event.item
            is_open_workflow = state.workflow is not None and state.workflow.item.id == item.id
            if not is_open_workflow and item.type not in _ITEMS_EXEMPT_FROM_WORKFLOW_CLOSE:
                for out in state.close_workflow():
                    yield out
            if isinstance(event, ThreadItemAddedEvent):
                if isinstance(item, WorkflowItem):
                    state.workflow = WorkflowState(item=item.model_copy(deep=True), started_at=state.now())
                    state.workflow.announced = True
                    yield state.add_item(state.workflow.item)
                    return
                yield state.add_item(item)
                return
            if is_open_workflow:
                state.workflow = None
            yield state.finish_item(item)
            return
        if isinstance(event, ThreadItemRemovedEvent):
            yield state.remove_item(event.item_id)
            return
        yield event

    async def on_start_workflow(self, state: StreamState, request: StartWorkflow) -> Events:
        """Open the tool's workflow; it is shown at once if it has tasks or is a reasoning workflow."""
        for out in state.close_workflow():
            yield out
        item = WorkflowItem(
            id=state.new_id("workflow"),
            thread_id=state.thread_id,
            created_at=state.now(),
            workflow=request.workflow.model_copy(deep=True),
        )
        state.workflow = WorkflowState(item=item, started_at=item.created_at)
        if item.workflow.tasks or item.workflow.type == "reasoning":
            state.workflow.announced = True
            yield state.add_item(item)

    async def on_add_workflow_task(self, state: StreamState, request: AddWorkflowTask) -> Events:
        """Append the tool's task to the open workflow (opening a custom one if needed)."""
        _, events = state.add_task(request.task)
        for out in events:
            yield out

    async def on_update_workflow_task(self, state: StreamState, request: UpdateWorkflowTask) -> Events:
        """Replace a task of the open workflow, by index or by identity of a task added before."""
        workflow = state.workflow
        if workflow is None:
            raise ValueError("update_workflow_task() needs an open workflow; add a task or start one first")
        if request.task_index is not None:
            if not 0 <= request.task_index < len(workflow.item.workflow.tasks):
                raise IndexError(f"the open workflow has no task at index {request.task_index}")
            ref = TaskRef(workflow, request.task_index)
        else:
            found = state.find_task(request.task)
            if found is None:
                raise ValueError("update_workflow_task(task) got a task that is not in the open workflow")
            ref = found
        for out in state.update_task(ref, request.task):
            yield out

    async def on_end_workflow(self, state: StreamState, request: EndWorkflow) -> Events:
        """Close the open workflow with the tool's summary (the duration if none)."""
        for out in state.close_workflow(request.summary, expanded=request.expanded):
            yield out

    # -- end of the run ------------------------------------------------------------------------------------

    async def on_run_end(self, state: StreamState) -> Events:
        """The run ended without error: finish what is open, surface approvals and client tool calls."""
        for out in self._finish_open(state, keep_partial=True):
            yield out
        result = state.result
        interruptions = list(result.interruptions) if result is not None else []
        if interruptions:
            async for out in self.on_interruptions(state, interruptions):
                yield out
        calls = state.context.client_tool_calls
        if calls:
            async for out in self.on_client_tool_calls(state):
                yield out
        for out in state.close_workflow(stop_loading=True):
            yield out

    def _finish_open(self, state: StreamState, *, keep_partial: bool) -> list[ThreadStreamEvent]:
        """Finish or remove every open item: messages with text are kept if ``keep_partial``."""
        state.join_message_text()
        events: list[ThreadStreamEvent] = []
        for key, thought in list(state.thoughts.items()):
            if not thought.done:
                events.extend(self._thought_done(state, key, thought.text))
        for item_id, item in list(state.open_items.items()):
            if isinstance(item, WorkflowItem):
                continue
            if isinstance(item, AssistantMessageItem) and keep_partial and any(c.text for c in item.content):
                events.append(state.finish_item(item))
            else:
                events.append(state.remove_item(item_id))
        state.images.clear()
        events.extend(state.settle_closed_workflows())
        return events

    async def on_interruptions(self, state: StreamState, interruptions: list[ToolApprovalItem]) -> Events:
        """The run paused for approvals: tasks wait, the state is kept on the context, a widget asks."""
        result = state.result
        for approval in interruptions:
            call = state.calls.get(str(approval.call_id or ""))
            arguments = approval.arguments
            task = tasks.waiting_for_approval_task(approval.name or approval.tool_name or "tool", arguments)
            if call is not None and call.ref is not None:
                for out in state.update_task(call.ref, task):
                    yield out
            else:
                _, events = state.add_task(task)
                for out in events:
                    yield out
        if result is not None:
            state.context.run_state = result.to_state()
        for out in state.close_workflow():
            yield out
        widget = approval_widget(interruptions)
        item = WidgetItem(
            id=state.new_id("widget"), thread_id=state.thread_id, created_at=state.now(), widget=widget
        )
        yield state.finish_item(item)

    async def on_client_tool_calls(self, state: StreamState) -> Events:
        """The turn ends with pending client tool calls, in the model's call order, each with its call id."""
        for out in state.close_workflow():
            yield out
        calls = state.context.client_tool_calls
        order = {call_id: call.order for call_id, call in state.calls.items()}
        for call_id in sorted(calls, key=lambda c: order.get(c, len(order))):
            call = calls[call_id]
            item = ClientToolCallItem(
                id=state.new_id("tool_call"),
                thread_id=state.thread_id,
                created_at=state.now(),
                status="pending",
                call_id=call_id,
                name=call.name,
                arguments=dict(call.arguments),
            )
            yield state.finish_item(item)

    # -- errors ------------------------------------------------------------------------------------------

    async def on_run_error(self, state: StreamState, error: Exception) -> Events:
        """Route the exception that ended the run; the stream still ends cleanly."""
        if isinstance(
            error,
            InputGuardrailTripwireTriggered
            | OutputGuardrailTripwireTriggered
            | ToolInputGuardrailTripwireTriggered
            | ToolOutputGuardrailTripwireTriggered,
        ):
            stream = self.on_guardrail_tripwire(state, error)
        elif isinstance(error, MaxTurnsExceeded):
            stream = self.on_max_turns_exceeded(state, error)
        elif isinstance(error, ModelRefusalError):
            stream = self.on_model_refusal(state, error)
        else:
            stream = self.on_model_error(state, error)
        async for out in stream:
            yield out

    def guardrail_message(self, error: Exception) -> str:
        """The notice shown when a guardrail stops the turn."""
        if isinstance(error, InputGuardrailTripwireTriggered):
            return "This message can't be answered: it was stopped by a safety check."
        if isinstance(error, OutputGuardrailTripwireTriggered):
            return "The reply was withheld by a safety check."
        return "A tool call was blocked by a safety check, so the reply was stopped."

    async def on_guardrail_tripwire(self, state: StreamState, error: Exception) -> Events:
        """A guardrail tripped: remove every item this turn produced (in order), restore a continued workflow,
        and show a danger notice."""
        for thought in state.thoughts.values():
            thought.done = True
        continued, state.workflow = state.workflow, None
        for item_id in state.produced:
            if item_id not in state.removed:
                yield state.remove_item(item_id)
        for workflow in [continued, *state.closed_workflows]:
            if workflow is not None and workflow.resumed and workflow.changed:
                workflow.changed = False
                yield state.finish_item(state.earlier_items[workflow.item.id])  # as it was before this turn
        state.images.clear()
        yield NoticeEvent(level="danger", message=self.guardrail_message(error))

    async def on_max_turns_exceeded(self, state: StreamState, error: MaxTurnsExceeded) -> Events:
        """Too many turns: keep what was said, close the rest, and report it (retrying would not help)."""
        for out in self._finish_open(state, keep_partial=True):
            yield out
        for out in state.close_workflow(stop_loading=True):
            yield out
        yield ErrorEvent(
            code="custom",
            message="The assistant stopped because it reached its step limit for one reply.",
            allow_retry=False,
        )

    async def on_model_refusal(self, state: StreamState, error: ModelRefusalError) -> Events:
        """The model refused: the refusal text stays (it streamed as a message), then a retryable error."""
        for out in self._finish_open(state, keep_partial=True):
            yield out
        for out in state.close_workflow(stop_loading=True):
            yield out
        yield ErrorEvent(
            code="custom", message="The model declined to answer this request.", allow_retry=True
        )

    def error_event(self, error: Exception) -> ErrorEvent:
        """The ``error`` event for a failed run (no internal details leak to the client)."""
        if isinstance(error, CustomStreamError):
            return ErrorEvent(code="custom", message=error.message, allow_retry=error.allow_retry)
        if isinstance(error, StreamError):
            return ErrorEvent(code="stream.error", allow_retry=error.allow_retry)
        if isinstance(error, ModelBehaviorError):
            return ErrorEvent(
                code="custom",
                message="The model returned an unexpected response. Please try again.",
                allow_retry=True,
            )
        if isinstance(error, UserError):
            return ErrorEvent(code="stream.error", allow_retry=False)
        return ErrorEvent(code="stream.error", allow_retry=True)

    async def on_model_error(self, state: StreamState, error: Exception) -> Events:
        """Model, API or tool failure: unfinished messages and images are removed, then an error event."""
        for out in self._finish_open(state, keep_partial=self.keep_partial_message_on_error):
            yield out
        for out in state.close_workflow(stop_loading=True):
            yield out
        yield self.error_event(error)


# --- running ---------------------------------------------------------------------------------------------


_DEFAULT_CONVERTER = StreamConverter()
"""Used when no converter is given: a converter keeps no per-run data, so one instance serves every run."""


async def stream_agent_response(
    context: AgentContext[Any],
    result: RunResultStreaming,
    *,
    converter: StreamConverter | None = None,
) -> AsyncGenerator[ThreadStreamEvent, None]:
    """Convert a streamed Agents SDK run into ChatKit thread stream events.

    Events from the run and requests from tools (through ``context``) are merged in one ordered
    channel. Run errors become events (see `StreamConverter.on_run_error`) and are kept on
    ``context.error``; the generator then ends normally. Closing or cancelling the consumer cancels the
    run. Consume it with ``contextlib.aclosing`` if you may stop early.
    """
    converter = converter or _DEFAULT_CONVERTER
    kind = type(converter)
    plain_convert = kind.convert is StreamConverter.convert
    skip_ignored = plain_convert and kind.on_ignored is StreamConverter.on_ignored
    route = converter._route if plain_convert else converter.convert
    inline = converter._inline_handlers()
    direct_text_deltas = _TEXT_DELTA_EVENT in inline  # text deltas are then handled right in the loop
    raw_handlers = converter.RAW_EVENT_HANDLERS
    state = converter.create_state(context, result)
    source = event_source(result)
    messages = state.messages

    def stop_after_turn() -> None:
        if not result.is_complete:
            result.cancel(mode="after_turn")

    attached = False
    sender = source.sender()
    try:
        # attach first: a client tool the run calls during the store read below must still stop the run
        context._attach(sender, stop_after_turn)
        attached = True
        await converter.resume_workflow(state)
        next_message = source.start()
        run_error: Exception | None = None
        while True:
            try:
                message = await next_message()
            except StopAsyncIteration:
                break
            except Exception as exc:
                run_error = exc
                break
            kind_of_message = type(message)
            if kind_of_message is RawResponsesStreamEvent:
                data = message.data
                event_type = data.type
                if skip_ignored and event_type not in raw_handlers:
                    continue  # usage, lifecycle, argument deltas...: no generators for nothing
                if direct_text_deltas and event_type == _TEXT_DELTA_EVENT:  # the hottest path
                    delta = data.delta
                    streaming = messages.get((state.turn, data.output_index))
                    index = None if streaming is None else streaming.parts.get(data.content_index)
                    if streaming is not None and index is not None and delta:
                        yield streaming.add_text(index, delta)
                    else:
                        for out in converter._text_delta(state, data.output_index, data.content_index, delta):
                            yield out
                    continue
                twin = inline.get(event_type)
                events = None if twin is None else twin(converter, state, data)
            elif kind_of_message is PendingRequest:
                async for out in _handle_request(converter, state, message):
                    yield out
                continue
            elif kind_of_message is RunItemStreamEvent:
                twin = inline.get(message.name)
                events = None if twin is None else twin(converter, state, message.item)
            elif kind_of_message is AgentUpdatedStreamEvent:
                twin = inline.get(_AGENT_UPDATED)
                events = None if twin is None else twin(converter, state, message)
            else:
                events = None
            if events is not None:  # handled by a plain-function twin: no generators
                for out in events:
                    yield out
                continue
            async for out in route(state, cast(AgentStreamEvent, message)):
                yield out
        sender.close()
        for pending in source.leftovers():  # sent after the run's last event: still streamed, in order
            async for out in _handle_request(converter, state, pending):
                yield out
        if run_error is None:
            stream = converter.on_run_end(state)
        else:
            context.error = run_error
            logger.info("agent run ended with %r", run_error)
            stream = converter.on_run_error(state, run_error)
        async for out in stream:
            yield out
    finally:
        sender.close()
        if attached:
            context._detach()
        await source.stop()
        for pending in source.leftovers():  # wake every tool still waiting on a request never streamed
            pending.done.set()


async def _handle_request(converter: StreamConverter, state: StreamState, pending: PendingRequest) -> Events:
    """Stream what a tool asked for; its error goes back to the tool, which is waiting on ``done``."""
    try:
        async for out in converter.on_context_request(state, pending.request):
            yield out
    except Exception as exc:
        pending.error = exc
    finally:
        pending.done.set()
