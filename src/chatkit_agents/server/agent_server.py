"""`AgentServer`: serve one Agents SDK agent as a ChatKit backend with no code beyond the agent itself.

Each turn loads the thread's stored items, converts them to model input (`to_agent_input`), runs
``Runner.run_streamed`` with an `AgentContext`, and streams the converted events; `ChatKitServer` persists
them. Client tool outputs, retries, approvals (``chatkit_agents.approval`` actions), cancellation and
errors are handled here or in the base class.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from agents.run import DEFAULT_MAX_TURNS
from typing_extensions import TypeVar

from agents import Agent, RunConfig, Runner
from chatkit_agents._ids import Clock, utc_now
from chatkit_agents.agents.context import AgentContext
from chatkit_agents.agents.input import ThreadItemConverter
from chatkit_agents.agents.stream import StreamConverter, stream_agent_response
from chatkit_agents.agents.tools import (
    APPROVAL_ACTION_TYPE,
    RUN_STATE_METADATA_KEY,
    ApprovalDecision,
    apply_approval_decisions,
    dump_run_state,
    load_run_state,
    parse_approval_action,
)
from chatkit_agents.errors import ConflictError, FeatureNotConfiguredError
from chatkit_agents.server._closing import closing
from chatkit_agents.server.attachments import AttachmentStore
from chatkit_agents.server.memory import MemoryMode, MemoryTurn, ModelMemory, PreparedRun, resolve_memory
from chatkit_agents.server.server import ChatKitServer
from chatkit_agents.store import MemoryStore, Store
from chatkit_agents.types import (
    Action,
    NoticeEvent,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    WidgetItem,
)
from chatkit_agents.widgets import Card, Text, Title

__all__ = ["AgentServer"]

TContext = TypeVar("TContext", default=Any)

_HISTORY_PAGE = 200


class AgentServer(ChatKitServer[TContext]):
    """A `ChatKitServer` whose replies come from ``agent``: ``create_app(AgentServer(agent))`` is a backend.

    ``store`` defaults to a `MemoryStore` (nothing written to disk; pass ``SQLiteStore("chat.db")`` to keep
    threads across restarts). ``converter`` maps run events to ChatKit events, ``input_converter`` maps
    stored items back to model input, ``max_history_items`` / ``max_history_tokens`` bound that input,
    ``run_config`` / ``max_turns`` go to ``Runner.run_streamed``, and ``memory`` says where the model's
    memory lives: ``"thread"`` (the stored items, the default), ``"session"`` (an Agents SDK session per
    thread), ``"conversation"`` (OpenAI server-side state) or a `ModelMemory` (see ``docs/memory.md``).
    """

    def __init__(
        self,
        agent: Agent[Any],
        store: Store[TContext] | None = None,
        *,
        attachment_store: AttachmentStore[TContext] | None = None,
        converter: StreamConverter | None = None,
        input_converter: ThreadItemConverter | None = None,
        run_config: RunConfig | None = None,
        max_turns: int = DEFAULT_MAX_TURNS,
        max_history_items: int | None = None,
        max_history_tokens: int | None = None,
        clock: Clock = utc_now,
        page_size: int = 20,
        memory: ModelMemory | MemoryMode | None = None,
    ) -> None:
        super().__init__(
            store if store is not None else MemoryStore[TContext](),
            attachment_store,
            clock=clock,
            page_size=page_size,
        )
        self.agent = agent
        self.converter = converter or StreamConverter()
        self.input_converter = input_converter or ThreadItemConverter()
        self.run_config = run_config
        self.max_turns = max_turns
        self.max_history_items = max_history_items
        self.max_history_tokens = max_history_tokens
        self.memory = resolve_memory(memory)

    # -- hooks ---------------------------------------------------------------------------------------

    def agent_for(self, thread: ThreadMetadata, context: TContext) -> Agent[Any]:
        """The agent that answers in this thread (override to pick one per user or thread)."""
        return self.agent

    def create_agent_context(self, thread: ThreadMetadata, context: TContext) -> AgentContext[TContext]:
        """The `AgentContext` tools receive as ``ctx.context`` (override to attach your own fields)."""
        return AgentContext(thread, self.store, context, clock=self.clock)

    async def load_history(self, thread: ThreadMetadata, context: TContext) -> list[ThreadItem]:
        """Every stored item of the thread, oldest first (the input converter windows it)."""
        items: list[ThreadItem] = []
        after: str | None = None
        while True:
            page = await self.store.load_thread_items(thread.id, after, _HISTORY_PAGE, "asc", context)
            items.extend(page.data)
            if not page.has_more or page.after is None:
                return items
            after = page.after

    # -- ChatKitServer -------------------------------------------------------------------------------

    def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: TContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Run the agent on the thread's history (as ``self.memory`` remembers it) and stream its reply."""
        return self._respond(thread, input_user_message, context, None)

    def _respond_to_message(
        self, thread: ThreadMetadata, message: UserMessageItem, context: TContext, new_thread: bool
    ) -> AsyncIterator[ThreadStreamEvent]:
        """In a new thread the history is the message itself: no need to read it back from the store."""
        kind = type(self)
        if (
            new_thread
            and kind.respond is AgentServer.respond
            and kind.load_history is AgentServer.load_history
        ):
            return self._respond(thread, message, context, [message])
        return self.respond(thread, message, context)

    async def _respond(
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: TContext,
        history: list[ThreadItem] | None,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """`respond`, given the history when the caller already knows it (else it is loaded)."""
        if history is None:
            history = await self.load_history(thread, context)
        if input_user_message is not None:
            thread.metadata.pop(RUN_STATE_METADATA_KEY, None)  # a new message abandons a paused run
        turn = MemoryTurn(
            thread=thread,
            context=context,
            store=self.store,
            history=history,
            new_message=input_user_message,
            converter=self.input_converter,
            max_items=self.max_history_items,
            max_tokens=self.max_history_tokens,
        )
        prepared = await self.memory.prepare_run(turn)
        try:
            while True:
                agent_context = self.create_agent_context(thread, context)
                agent_context.history = history  # the converter needs the last items: no second read
                result = Runner.run_streamed(
                    self.agent_for(thread, context),
                    prepared.input,
                    context=agent_context,
                    run_config=self.run_config,
                    max_turns=self.max_turns,
                    **prepared.run_kwargs,
                )
                # Hold the events back until the reply starts: a run that fails at once because the
                # server-side state it chains on is gone is run again another way, unseen.
                held: list[ThreadStreamEvent] | None = [] if prepared.recoverable else None
                stream = stream_agent_response(agent_context, result, converter=self.converter)
                async with closing(stream):
                    async for event in stream:
                        if held is None:
                            yield event
                        elif isinstance(event, ThreadItemAddedEvent | ThreadItemDoneEvent):
                            for earlier in [*held, event]:
                                yield earlier
                            held = None
                        else:
                            held.append(event)
                self._keep_run_state(thread, agent_context)
                if held is not None and agent_context.error is not None:
                    retry = await self.memory.recover(turn, agent_context.error)
                    if retry is not None:
                        await prepared.aclose()
                        prepared = retry
                        if retry.notice:
                            yield NoticeEvent(level="info", message=retry.notice)
                        continue
                for earlier in held or []:
                    yield earlier
                await self.memory.after_run(thread, context, result, agent_context)
                return
        finally:
            await prepared.aclose()

    async def action(
        self, thread: ThreadMetadata, action: Action, sender: WidgetItem | None, context: TContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Resume a run paused for approvals; other action types need an override of this method."""
        decisions = parse_approval_action(action)
        if decisions is None:
            raise FeatureNotConfiguredError(
                f"{type(self).__name__} handles only {APPROVAL_ACTION_TYPE!r} actions; override action() "
                f"to handle {action.type!r} (and call super().action() for approvals)."
            )
        async for event in self.resume_after_approval(thread, decisions, sender, context):
            yield event

    async def resume_after_approval(
        self,
        thread: ThreadMetadata,
        decisions: dict[str, ApprovalDecision],
        sender: WidgetItem | None,
        context: TContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Apply the user's decisions to the paused run stored on the thread and stream the rest of it."""
        data = thread.metadata.get(RUN_STATE_METADATA_KEY)
        if not isinstance(data, str):
            raise ConflictError("Nothing in this thread is waiting for approval.", code="no_paused_run")
        agent = self.agent_for(thread, context)
        agent_context = self.create_agent_context(thread, context)
        state = await load_run_state(agent, data, agent_context)
        apply_approval_decisions(state, decisions)
        del thread.metadata[RUN_STATE_METADATA_KEY]
        if sender is not None:
            yield ThreadItemReplacedEvent(
                item=sender.model_copy(update={"widget": decided_widget(decisions)})
            )
        prepared: PreparedRun = await self.memory.prepare_resume(thread, context, self.store)
        try:
            result = Runner.run_streamed(
                agent,
                state,
                context=agent_context,
                run_config=self.run_config,
                max_turns=self.max_turns,
                **prepared.run_kwargs,
            )
            stream = stream_agent_response(agent_context, result, converter=self.converter)
            async with closing(stream):
                async for event in stream:
                    yield event
            self._keep_run_state(thread, agent_context)
            await self.memory.after_run(thread, context, result, agent_context)
        finally:
            await prepared.aclose()

    async def delete_item(self, thread_id: str, item_id: str, context: TContext) -> None:
        """Delete one stored item and keep the model's memory consistent (a session is rebuilt there)."""
        thread = await self.store.load_thread(thread_id, context)
        await self.memory.on_item_removed(thread, item_id, context, self.store)
        await self.store.delete_thread_item(thread_id, item_id, context)
        await self.store.save_thread(thread, context)

    async def before_item_removed(self, thread: ThreadMetadata, item_id: str, context: TContext) -> None:
        """Tell the memory which item a stream removes, while it is still stored."""
        await self.memory.on_item_removed(thread, item_id, context, self.store)

    async def on_thread_deleted(self, thread: ThreadMetadata, context: TContext) -> None:
        """Forget the deleted thread's model memory (e.g. clear its session)."""
        await self.memory.on_thread_deleted(thread, context, self.store)

    def _keep_run_state(self, thread: ThreadMetadata, agent_context: AgentContext[TContext]) -> None:
        """Keep a run paused for approvals in the thread's metadata, to resume it once decided."""
        if agent_context.run_state is not None:
            thread.metadata[RUN_STATE_METADATA_KEY] = dump_run_state(agent_context.run_state)


def decided_widget(decisions: dict[str, ApprovalDecision]) -> Card:
    """What the approval card turns into once answered: the decision, and no buttons to press twice."""
    approved = sum(1 for decision in decisions.values() if decision == "approve")
    rejected = len(decisions) - approved
    calls = "tool call was" if len(decisions) == 1 else "tool calls were"
    if rejected == 0:
        title, text = "Approved", f"The {calls} approved."
    elif approved == 0:
        title, text = "Rejected", f"The {calls} rejected."
    else:
        title, text = "Decided", f"{approved} approved, {rejected} rejected."
    return Card(key=APPROVAL_ACTION_TYPE, children=[Title(value=title, size="sm"), Text(value=text)])
