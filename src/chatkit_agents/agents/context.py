"""`AgentContext`: the run context a ChatKit response hands to the Agents SDK, and what tools do with it.

Pass it as ``Runner.run_streamed(agent, input, context=agent_context)``. Tools reach it as
``ctx.context`` and use its helpers (`AgentContext.progress`, `AgentContext.add_workflow_task`,
`AgentContext.stream_widget`, ...) to show things in the thread while the run streams. Every helper is
turned into a request that `stream_agent_response` applies in order, on the same state as the model's own
events, so task indices and workflow boundaries never race.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol

import anyio
from typing_extensions import TypeVar

from chatkit_agents._ids import IdFactory, random_id, utc_now
from chatkit_agents.errors import ConfigurationError
from chatkit_agents.types import (
    ClientEffectEvent,
    IconName,
    NoticeEvent,
    Page,
    ProgressUpdateEvent,
    Task,
    ThreadItem,
    ThreadMetadata,
    ThreadStreamEvent,
    Workflow,
    WorkflowSummary,
)
from chatkit_agents.widgets import WidgetRoot

if TYPE_CHECKING:
    from agents import RunState

__all__ = [
    "AddWorkflowTask",
    "AgentContext",
    "AgentStore",
    "ClientToolCall",
    "ContextRequest",
    "EndWorkflow",
    "SendEvent",
    "StartWorkflow",
    "UpdateWorkflowTask",
]

TRequestContext = TypeVar("TRequestContext", default=Any)
TStoreContext = TypeVar("TStoreContext", contravariant=True, default=Any)


class RequestSender(Protocol):
    """The send side of the channel a running stream reads `AgentContext` requests from.

    ``send_nowait`` raises ``anyio.ClosedResourceError`` or ``anyio.BrokenResourceError`` once the stream
    no longer listens.
    """

    def send_nowait(self, item: Any, /) -> None:
        """Queue ``item`` for the stream without blocking."""
        ...

    def close(self) -> None:
        """Send nothing more through this side."""
        ...


class AgentStore(Protocol[TStoreContext]):
    """The two store methods the agent layer uses: item ids and the thread's latest items."""

    def generate_item_id(self, item_type: str, thread: ThreadMetadata, context: TStoreContext) -> str:
        """A new id for an item of ``item_type`` (``message``, ``workflow``, ...)."""
        ...

    async def load_thread_items(
        self,
        thread_id: str,
        after: str | None,
        limit: int,
        order: Literal["asc", "desc"],
        context: TStoreContext,
    ) -> Page[ThreadItem]:
        """A page of the thread's items; ``desc`` gives the newest first."""
        ...


@dataclass(frozen=True)
class ClientToolCall:
    """A tool call the ChatKit client runs (e.g. reading the page): ends the turn with a pending item."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict[str, Any])


# --- requests a context helper sends to the running stream ----------------------------------------------


@dataclass(frozen=True)
class SendEvent:
    """Send ``event`` to the client as it is (items it adds or finishes close the open workflow)."""

    event: ThreadStreamEvent


@dataclass(frozen=True)
class StartWorkflow:
    """Open ``workflow`` as the current workflow (closing any other one first)."""

    workflow: Workflow


@dataclass(frozen=True)
class AddWorkflowTask:
    """Append ``task`` to the open workflow, opening a ``custom`` workflow if none is open."""

    task: Task


@dataclass(frozen=True)
class UpdateWorkflowTask:
    """Replace a task of the open workflow: the one at ``task_index``, or ``task`` itself if it was added."""

    task: Task
    task_index: int | None = None


@dataclass(frozen=True)
class EndWorkflow:
    """Close the open workflow with ``summary`` (a duration summary if ``None``)."""

    summary: WorkflowSummary | None = None
    expanded: bool = False


ContextRequest = SendEvent | StartWorkflow | AddWorkflowTask | UpdateWorkflowTask | EndWorkflow
"""Everything a tool can ask the running stream to do through `AgentContext`."""


@dataclass(eq=False)
class PendingRequest:
    """A request on its way to the stream; ``done`` is set once its events were handed to the consumer."""

    request: ContextRequest
    done: anyio.Event = field(default_factory=anyio.Event)
    error: BaseException | None = None


class AgentContext(Generic[TRequestContext]):
    """Run context for one ChatKit response: thread, optional store, request context, ids and clock.

    ``id_factory`` makes item ids; without it ids come from ``store.generate_item_id`` when a store is
    given, else from `chatkit_agents._ids.random_id`. Nothing here is shared between instances.
    """

    def __init__(
        self,
        thread: ThreadMetadata,
        store: AgentStore[Any] | None = None,
        request_context: TRequestContext = None,
        *,
        id_factory: IdFactory | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.thread = thread
        self.store = store
        self.request_context: TRequestContext = request_context
        self.clock = clock
        self._id_factory = id_factory
        self._channel: RequestSender | None = None
        self._backlog: list[PendingRequest] = []
        self._client_tool_calls: dict[str, ClientToolCall] = {}
        self._stop_after_turn: Callable[[], None] | None = None
        self.run_state: RunState[Any] | None = None
        """Set when the run paused for tool approvals: resume it with `apply_approval_decisions`."""
        self.error: BaseException | None = None
        """The exception that ended the run, if any (it was shown to the user as an error event)."""
        self.history: list[ThreadItem] | None = None
        """The thread's stored items, oldest first, when the caller has already loaded them.

        `AgentServer` sets it; the stream converter then reads the thread's last items from here instead
        of asking the store again (see `StreamConverter.resume_workflow`).
        """

    # -- ids and time -------------------------------------------------------------------------------------

    def generate_id(self, kind: str) -> str:
        """A new item id of ``kind`` (``message``, ``workflow``, ``image``, ``widget``, ``tool_call``)."""
        if self._id_factory is not None:
            return self._id_factory(kind)
        if self.store is not None:
            return self.store.generate_item_id(kind, self.thread, self.request_context)
        return random_id(kind)

    def now(self) -> datetime:
        """The current time from the injected clock (timezone-aware)."""
        return self.clock()

    # -- streaming helpers (usable from tools while the run streams) --------------------------------------

    async def stream(self, event: ThreadStreamEvent) -> None:
        """Send any ChatKit event to the client, in order with the model's own events."""
        await self._submit(SendEvent(event))

    async def progress(self, text: str, icon: IconName | None = None) -> None:
        """Show a transient status line ("Looking up the order...") until the next item arrives."""
        await self.stream(ProgressUpdateEvent(text=text, icon=icon))

    async def notice(
        self, message: str, *, level: Literal["info", "warning", "danger"] = "info", title: str | None = None
    ) -> None:
        """Show a banner to the user; ``message`` may contain markdown links."""
        await self.stream(NoticeEvent(level=level, message=message, title=title))

    async def client_effect(self, name: str, data: dict[str, Any] | None = None) -> None:
        """Ask the page to run its ``onEffect`` handler ``name`` with ``data`` (nothing is stored)."""
        await self.stream(ClientEffectEvent(name=name, data=data or {}))

    async def stream_widget(
        self, widget: WidgetRoot | AsyncIterable[WidgetRoot], *, copy_text: str | None = None
    ) -> None:
        """Show a widget; given an async iterator of widget states, stream each as an update of one item."""
        from chatkit_agents.agents.widgets import widget_events

        item_id = self.generate_id("widget")
        async for event in widget_events(
            widget, item_id=item_id, thread_id=self.thread.id, created_at=self.now(), copy_text=copy_text
        ):
            await self.stream(event)

    async def start_workflow(self, workflow: Workflow) -> None:
        """Open ``workflow`` (closing the open one); it appears in the thread with its first task."""
        await self._submit(StartWorkflow(workflow))

    async def add_workflow_task(self, task: Task) -> None:
        """Append ``task`` to the open workflow (a ``custom`` workflow is opened if none is)."""
        await self._submit(AddWorkflowTask(task))

    async def update_workflow_task(self, task: Task, task_index: int | None = None) -> None:
        """Replace a task of the open workflow: the one at ``task_index``, or ``task`` itself if added before.

        Mutate the task you added and pass it back, or pass a new task with its index.
        """
        await self._submit(UpdateWorkflowTask(task, task_index))

    async def end_workflow(self, summary: WorkflowSummary | None = None, expanded: bool = False) -> None:
        """Close the open workflow with ``summary`` (its duration if ``None``); no-op when none is open."""
        await self._submit(EndWorkflow(summary, expanded))

    # -- client tool calls -------------------------------------------------------------------------------

    def set_client_tool_call(self, call: ClientToolCall, call_id: str) -> None:
        """End this turn with a pending client tool call answering the model's tool call ``call_id``.

        Call it from a tool with ``ctx.tool_call_id``; `client_tool` does this for you. The run stops
        after the current turn's tools have finished, and the client sends the output back.
        """
        self._client_tool_calls[call_id] = call
        if self._stop_after_turn is not None:
            self._stop_after_turn()

    @property
    def client_tool_calls(self) -> dict[str, ClientToolCall]:
        """Client tool calls requested during this run, by the model's call id (a copy)."""
        return dict(self._client_tool_calls)

    # -- wiring with stream_agent_response ----------------------------------------------------------------

    @property
    def is_streaming(self) -> bool:
        """Whether a `stream_agent_response` is currently consuming this context's requests."""
        return self._channel is not None

    async def _submit(self, request: ContextRequest) -> None:
        """Hand ``request`` to the running stream and wait until it went out; queue it if none runs yet."""
        pending = PendingRequest(request)
        channel = self._channel
        if channel is None:
            self._backlog.append(pending)
            return
        try:
            channel.send_nowait(pending)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            return
        await pending.done.wait()
        if pending.error is not None:
            raise pending.error

    def _attach(self, channel: RequestSender, stop_after_turn: Callable[[], None]) -> None:
        """Route requests to ``channel``, sending the queued backlog first (used by the stream)."""
        if self._channel is not None:
            raise ConfigurationError(
                "This AgentContext is already being streamed; create one AgentContext per response."
            )
        self._channel = channel
        self._stop_after_turn = stop_after_turn
        backlog, self._backlog = self._backlog, []
        for pending in backlog:
            channel.send_nowait(pending)
        if self._client_tool_calls:
            stop_after_turn()

    def _detach(self) -> None:
        """Stop routing requests to the stream; later requests are queued again."""
        channel, self._channel = self._channel, None
        self._stop_after_turn = None
        if channel is not None:
            channel.close()
