"""Where the model's memory lives: the stored ChatKit thread, an Agents SDK `Session`, or OpenAI's servers.

A `ModelMemory` decides what a run of `AgentServer` sends to the model and how the run is told about
earlier turns. `ThreadMemory` (the default) rebuilds the input from the stored thread items every turn;
`SessionMemory` keeps one Agents SDK ``Session`` per thread, so the model sees exactly what it produced
before (reasoning and tool items included); `ConversationMemory` chains on OpenAI's stored responses
(``previous_response_id``) or a server-side conversation.

The session and conversation strategies keep a small ledger in ``thread.metadata`` (one entry per user
message: where its turn starts in the session, or which response it chained on). Each turn compares the
ledger with the stored thread: when they disagree (a retry, a removed item, a turn that failed or was
run in another mode) the memory is cut back to the last turn both agree on and the rest is rebuilt from
the thread with the reverse converter. ChatKit-only items (widgets, hidden context, answered structured
input, client tool outputs) are sent as input items of the next run, each exactly once.
"""

from __future__ import annotations

import json
import logging
import weakref
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, cast

import anyio.to_thread
import openai
from agents.items import TResponseInputItem
from agents.memory import Session, SQLiteSession
from openai.types.responses.response_input_item_param import FunctionCallOutput
from typing_extensions import TypeVar

from chatkit_agents.agents.context import AgentContext
from chatkit_agents.agents.input import ThreadItemConverter, to_agent_input
from chatkit_agents.agents.tools import APPROVAL_ACTION_TYPE
from chatkit_agents.errors import ConfigurationError
from chatkit_agents.store import MemoryStore, SQLiteStore, Store
from chatkit_agents.types import (
    ClientToolCallItem,
    EndOfTurnItem,
    HiddenContextItem,
    SDKHiddenContextItem,
    StructuredInputItem,
    TaskItem,
    ThreadItem,
    ThreadMetadata,
    UserMessageItem,
    WidgetItem,
)

if TYPE_CHECKING:
    from agents import RunResultStreaming
    from chatkit_agents.store.postgres_session import PostgresSessions

__all__ = [
    "ABANDONED_TOOL_OUTPUT",
    "MEMORY_METADATA_KEY",
    "STATE_GONE_NOTICE",
    "ConversationFactory",
    "ConversationMemory",
    "MemoryMode",
    "MemoryTurn",
    "ModelMemory",
    "PreparedRun",
    "SessionFactory",
    "SessionMemory",
    "ThreadMemory",
    "is_server_state_gone",
    "resolve_memory",
]

logger = logging.getLogger("chatkit_agents.memory")

TContext = TypeVar("TContext", default=Any)

MemoryMode = Literal["thread", "session", "conversation"]
"""The string shortcuts accepted by ``AgentServer(agent, memory=...)``."""

MEMORY_METADATA_KEY: Final = "chatkit_agents.memory"
"""Key of ``thread.metadata`` holding the session / conversation ledger of a thread."""

ABANDONED_TOOL_OUTPUT: Final = "Not run: the user sent a new message instead."
"""Output sent for a tool call left open when the user moved on (server-side state needs one per call)."""

STATE_GONE_NOTICE: Final = "The saved conversation state expired; answered from this thread's messages."
"""Notice shown when `ConversationMemory` falls back to the stored thread items."""

SessionFactory = Callable[[ThreadMetadata, Any], "Session | Awaitable[Session]"]
"""``session_for(thread, context)``: the Agents SDK ``Session`` holding one ChatKit thread's model memory."""

ConversationFactory = Callable[[ThreadMetadata, Any], Awaitable[str]]
"""``conversation_for(thread, context)``: creates a server-side conversation and returns its id."""

_CHATKIT_ONLY = (
    WidgetItem,
    TaskItem,
    HiddenContextItem,
    SDKHiddenContextItem,
    StructuredInputItem,
    EndOfTurnItem,
)
"""Item kinds the model never produced itself, so no session or stored response holds them."""


# -- what a strategy sees and returns ------------------------------------------------------------------


@dataclass
class MemoryTurn(Generic[TContext]):
    """Everything a memory strategy looks at to prepare one run of the agent on a thread."""

    thread: ThreadMetadata
    context: TContext
    store: Store[TContext]
    history: list[ThreadItem]
    """Every stored item of the thread, oldest first (the new user message included)."""
    new_message: UserMessageItem | None
    """The user message this run answers (also on retry); ``None`` when a turn resumes (tool output)."""
    converter: ThreadItemConverter = field(default_factory=ThreadItemConverter)
    max_items: int | None = None
    max_tokens: int | None = None


@dataclass
class PreparedRun:
    """The input and extra ``Runner.run_streamed`` keyword arguments (``session``, ``previous_response_id``,
    ``conversation_id``) of one run; `aclose` releases what the strategy opened for it."""

    input: list[TResponseInputItem]
    run_kwargs: dict[str, Any] = field(default_factory=dict[str, Any])
    recoverable: bool = False
    """Whether a failure because server-side state is gone may be retried through `ModelMemory.recover`."""
    notice: str | None = None
    """A note for the user about how this run remembers the thread (e.g. that server-side state expired)."""
    cleanup: list[Callable[[], Awaitable[None]]] = field(default_factory=list[Callable[[], Awaitable[None]]])

    async def aclose(self) -> None:
        """Release the resources opened for this run (a session's connection); safe to call twice."""
        while self.cleanup:
            await self.cleanup.pop()()


class ModelMemory(ABC):
    """Decides what each run sends to the model and keeps that memory consistent with the thread.

    `AgentServer` calls `prepare_run` before each run (`prepare_resume` before resuming a paused run),
    `after_run` when the run's stream ended, `on_item_removed` before it deletes an item and
    `on_thread_deleted` after it deleted a thread. Strategies may change ``thread.metadata``: the server
    saves the thread.
    """

    mode: str = "custom"

    @abstractmethod
    async def prepare_run(self, turn: MemoryTurn[Any]) -> PreparedRun:
        """The input and run options for answering ``turn.new_message`` (or resuming the current turn)."""

    async def prepare_resume(self, thread: ThreadMetadata, context: Any, store: Store[Any]) -> PreparedRun:
        """Run options for resuming a paused run from its saved state (the input is the state itself)."""
        return PreparedRun(input=[])

    async def after_run(
        self,
        thread: ThreadMetadata,
        context: Any,
        result: RunResultStreaming,
        agent_context: AgentContext[Any],
    ) -> None:
        """Record what the finished run left behind (``agent_context.error`` is set if it failed)."""
        return None

    async def recover(self, turn: MemoryTurn[Any], error: BaseException) -> PreparedRun | None:
        """A new way to run ``turn`` after it failed with ``error`` before any output, or ``None``."""
        return None

    async def on_item_removed(
        self, thread: ThreadMetadata, item_id: str, context: Any, store: Store[Any]
    ) -> None:
        """Called before an item is deleted from the thread (it is still stored)."""
        return None

    async def on_thread_deleted(self, thread: ThreadMetadata, context: Any, store: Store[Any]) -> None:
        """Called after the thread and its items were deleted: forget the thread's memory."""
        return None

    async def aclose(self) -> None:
        """Release connections the strategy keeps across runs."""
        return None


class ThreadMemory(ModelMemory):
    """Model input rebuilt from the stored thread items on every turn (provider-independent, lossy)."""

    mode = "thread"

    async def prepare_run(self, turn: MemoryTurn[Any]) -> PreparedRun:
        """Every stored item through the reverse converter, windowed by ``max_items`` / ``max_tokens``."""
        ledger = turn.thread.metadata.get(MEMORY_METADATA_KEY)
        if turn.new_message is None and isinstance(ledger, dict):
            # another mode's memory misses how this turn continues: rebuild it when that mode comes back
            turns = cast(dict[str, Any], ledger).get("turns")
            if isinstance(turns, list) and turns:
                last = cast(list[Any], turns)[-1]
                if isinstance(last, dict):
                    cast(dict[str, Any], last)["done"] = False
        items = await to_agent_input(
            turn.history, converter=turn.converter, max_items=turn.max_items, max_tokens=turn.max_tokens
        )
        return PreparedRun(input=items)


# -- the ledger shared by the session and conversation strategies --------------------------------------


@dataclass
class _Turn:
    item: str
    """Id of the user message that opened the turn."""
    start: int = 0
    """Session mode: index of the turn's first session item."""
    prev: str | None = None
    """Conversation mode: the response id the turn's first request chained on."""
    open: list[str] = field(default_factory=list[str])
    """Conversation mode: tool calls of ``prev`` still open when the turn started (they got outputs)."""
    sent: list[str] = field(default_factory=list[str])
    """ChatKit-only item ids delivered inside this turn's part of the memory."""
    done: bool = False
    """Whether the turn's last run ended cleanly (else it is rebuilt from the thread next time)."""

    def dump(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "start": self.start,
            "prev": self.prev,
            "open": list(self.open),
            "sent": list(self.sent),
            "done": self.done,
        }

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> _Turn:
        return cls(
            item=str(data.get("item", "")),
            start=int(data.get("start", 0) or 0),
            prev=cast(str | None, data.get("prev")),
            open=[str(c) for c in cast(list[Any], data.get("open") or [])],
            sent=[str(s) for s in cast(list[Any], data.get("sent") or [])],
            done=bool(data.get("done", False)),
        )


@dataclass
class _Ledger:
    mode: str
    turns: list[_Turn] = field(default_factory=list[_Turn])
    dirty: list[int] = field(default_factory=list[int])
    """Turns whose memory no longer matches the thread because an item of them was removed."""
    last_response: str | None = None
    conversation: str | None = None
    open_calls: list[str] = field(default_factory=list[str])

    @classmethod
    def read(cls, thread: ThreadMetadata, mode: str) -> _Ledger:
        data = thread.metadata.get(MEMORY_METADATA_KEY)
        if not isinstance(data, dict):
            return cls(mode)
        raw = cast(dict[str, Any], data)
        if raw.get("mode") != mode:
            return cls(mode)
        dirty = raw.get("dirty")
        return cls(
            mode=mode,
            turns=[_Turn.load(t) for t in cast(list[Any], raw.get("turns") or []) if isinstance(t, dict)],
            dirty=sorted({int(d) for d in cast(list[Any], dirty) if isinstance(d, int)})
            if isinstance(dirty, list)
            else [],
            last_response=cast(str | None, raw.get("last_response")),
            conversation=cast(str | None, raw.get("conversation")),
            open_calls=[str(c) for c in cast(list[Any], raw.get("open_calls") or [])],
        )

    def write(self, thread: ThreadMetadata) -> None:
        data: dict[str, Any] = {"mode": self.mode, "turns": [t.dump() for t in self.turns]}
        if self.dirty:
            data["dirty"] = list(self.dirty)
        if self.last_response is not None:
            data["last_response"] = self.last_response
        if self.conversation is not None:
            data["conversation"] = self.conversation
        if self.open_calls:
            data["open_calls"] = list(self.open_calls)
        thread.metadata[MEMORY_METADATA_KEY] = data


@dataclass
class _Piece:
    """One step of bringing the memory up to date with the thread."""

    item: ThreadItem
    opens_turn: bool = False
    """A user message: a new turn starts here."""
    completed_call: bool = False
    """A client tool call answered after the memory recorded its call (its output must replace or follow)."""


def _agreed_turns(ledger: _Ledger, users: Sequence[UserMessageItem]) -> int:
    """How many leading ledger turns still match the thread's user messages and ended cleanly."""
    limit = min(len(ledger.turns), len(users))
    if ledger.dirty:
        limit = min(limit, *ledger.dirty)
    keep = 0
    while keep < limit and ledger.turns[keep].item == users[keep].id and ledger.turns[keep].done:
        keep += 1
    return keep


def _plan(
    ledger: _Ledger, history: Sequence[ThreadItem], new_message: UserMessageItem | None, keep: int
) -> list[_Piece]:
    """What the memory lacks after its first ``keep`` turns, in thread order.

    After an agreed turn's user message only ChatKit-only items not yet delivered and newly answered
    client tool calls are missing; from the first turn the memory does not hold on, every item is.
    """
    users = [item for item in history if isinstance(item, UserMessageItem)]
    anchor = -1
    if keep > 0:
        anchor_id = users[keep - 1].id
        anchor = next(i for i, item in enumerate(history) if item.id == anchor_id)
    sent = {item_id for turn in ledger.turns[:keep] for item_id in turn.sent}
    # a form the model saw unanswered and the user answered since: the answers are new
    pieces = [
        _Piece(item)
        for item in history[: anchor + 1]
        if isinstance(item, StructuredInputItem) and _key(item) not in sent and f"{item.id}#pending" in sent
    ]
    fresh = keep == 0
    for item in history[anchor + 1 :]:
        if isinstance(item, UserMessageItem):
            fresh = True
            pieces.append(_Piece(item, opens_turn=True))
        elif fresh:
            pieces.append(_Piece(item))
        elif isinstance(item, ClientToolCallItem):
            if item.status == "completed" and _key(item) not in sent:
                pieces.append(_Piece(item, completed_call=True))
        elif isinstance(item, _CHATKIT_ONLY) and _key(item) not in sent and not _is_approval_card(item):
            pieces.append(_Piece(item))
    if new_message is not None and all(item.id != new_message.id for item in history):
        pieces.append(_Piece(new_message, opens_turn=True))
    return pieces


def _key(item: ThreadItem) -> str:
    """How the ledger names a delivered item: its id, plus the status for items that change meaning (an
    answered structured input is delivered again)."""
    return f"{item.id}#{item.status}" if isinstance(item, StructuredInputItem) else item.id


def _is_approval_card(item: ThreadItem) -> bool:
    """The approval widget: the model already holds the call and the decision (its output)."""
    return isinstance(item, WidgetItem) and getattr(item.widget, "key", None) == APPROVAL_ACTION_TYPE


def _users_before(
    history: Sequence[ThreadItem], new_message: UserMessageItem | None
) -> list[UserMessageItem]:
    users: list[UserMessageItem] = []
    for item in history:
        if new_message is not None and item.id == new_message.id:
            break
        if isinstance(item, UserMessageItem):
            users.append(item)
    return users


def _call_output(call_id: str, output: str) -> TResponseInputItem:
    return FunctionCallOutput(type="function_call_output", call_id=call_id, output=output)


def _client_output_text(item: ClientToolCallItem) -> str:
    """The client tool's result as the model receives it (the text the reverse converter sends too)."""
    if isinstance(item.output, str):
        return item.output
    return json.dumps(item.output, ensure_ascii=False, default=str)


async def _convert(converter: ThreadItemConverter, item: ThreadItem) -> list[TResponseInputItem]:
    return await converter.item_to_input(item)


def _open_call_ids(result: RunResultStreaming, agent_context: AgentContext[Any]) -> list[str]:
    ids = [str(item.call_id) for item in result.interruptions if item.call_id]
    ids.extend(agent_context.client_tool_calls)
    return ids


# -- session mode --------------------------------------------------------------------------------------


async def _rewrite(session: Session, items: list[TResponseInputItem]) -> None:
    """Replace a session's whole history (atomically when the session supports ``replace_items``)."""
    replace = getattr(session, "replace_items", None)
    if callable(replace):
        await cast(Callable[[list[TResponseInputItem]], Awaitable[None]], replace)(items)
        return
    await session.clear_session()
    if items:
        await session.add_items(items)


class SessionMemory(ModelMemory):
    """One Agents SDK ``Session`` per ChatKit thread, passed to ``Runner.run_streamed(..., session=...)``.

    ``session_for(thread, context)`` returns the session (sync or async); by default it is an
    ``SQLiteSession`` in the `SQLiteStore`'s own database file, a `PostgresSession` in the
    `PostgresStore`'s database, or an in-memory ``SQLiteSession`` kept as long as a `MemoryStore`'s data.
    Its ``get_items()`` must return the whole history: bound what the model sees with
    ``RunConfig(session_settings=SessionSettings(limit=...))`` instead.
    """

    mode = "session"

    def __init__(self, session_for: SessionFactory | None = None) -> None:
        self.session_for = session_for
        self._in_memory: weakref.WeakKeyDictionary[Store[Any], dict[str, SQLiteSession]] = (
            weakref.WeakKeyDictionary()
        )
        self._postgres: dict[tuple[str, str], PostgresSessions] = {}

    # -- opening sessions ----------------------------------------------------------------------------

    def session_id(self, thread: ThreadMetadata, context: Any, store: Store[Any]) -> str:
        """The default session id: the thread id, prefixed with the owner's scope when there is one."""
        scope = store.scope(context)
        return f"{scope}/{thread.id}" if scope else thread.id

    async def open_session(
        self, thread: ThreadMetadata, context: Any, store: Store[Any]
    ) -> tuple[Session, Callable[[], Awaitable[None]] | None]:
        """The thread's session and, for one opened just for this run, how to close it."""
        if self.session_for is not None:
            made = self.session_for(thread, context)
            if isinstance(made, Awaitable):
                made = await made
            return made, None
        session_id = self.session_id(thread, context, store)
        if isinstance(store, SQLiteStore):
            path = store.path
            session = await anyio.to_thread.run_sync(lambda: SQLiteSession(session_id, db_path=path))

            async def close() -> None:
                await anyio.to_thread.run_sync(session.close)

            return session, close
        if isinstance(store, MemoryStore):
            sessions = self._in_memory.setdefault(store, {})
            memory_session = sessions.get(session_id)
            if memory_session is None:
                memory_session = sessions[session_id] = SQLiteSession(session_id)
            return memory_session, None
        postgres = self._postgres_sessions(store)
        if postgres is not None:
            return postgres.session(session_id), None
        raise ConfigurationError(
            f"SessionMemory has no default session for {type(store).__name__}: pass "
            "SessionMemory(session_for=lambda thread, context: <an agents Session>)."
        )

    def _postgres_sessions(self, store: Store[Any]) -> PostgresSessions | None:
        try:
            from chatkit_agents.store.postgres import PostgresStore
            from chatkit_agents.store.postgres_session import PostgresSessions
        except ConfigurationError:  # psycopg is not installed, so this cannot be a PostgresStore
            return None
        if not isinstance(store, PostgresStore):
            return None
        key = (store.dsn, store.schema)
        sessions = self._postgres.get(key)
        if sessions is None:
            sessions = self._postgres[key] = PostgresSessions(store.dsn, schema=store.schema)
        return sessions

    # -- the strategy --------------------------------------------------------------------------------

    async def prepare_run(self, turn: MemoryTurn[Any]) -> PreparedRun:
        """Cut the session back to the last turn it agrees on with the thread, then send what it lacks."""
        session, close = await self.open_session(turn.thread, turn.context, turn.store)
        prepared = PreparedRun(input=[], run_kwargs={"session": session})
        if close is not None:
            prepared.cleanup.append(close)
        try:
            await self._prepare(turn, session, prepared)
        except BaseException:
            await prepared.aclose()
            raise
        return prepared

    async def _prepare(self, turn: MemoryTurn[Any], session: Session, prepared: PreparedRun) -> None:
        ledger = _Ledger.read(turn.thread, self.mode)
        stored = await session.get_items()
        spliced = await self._rebuild_removed(turn, ledger, stored)
        if spliced is not None:
            stored = spliced
        keep = _agreed_turns(ledger, _users_before(turn.history, turn.new_message))
        if keep and (
            len(stored) < ledger.turns[keep - 1].start
            or (keep < len(ledger.turns) and len(stored) < ledger.turns[keep].start)
        ):
            keep = 0  # the session lost items it should hold: rebuild all of it
        base = 0 if keep == 0 else ledger.turns[keep].start if keep < len(ledger.turns) else len(stored)
        prefix = stored[:base]
        rewrite = spliced is not None or base < len(stored)
        turns = ledger.turns[:keep]
        pending_sent: list[str] = []
        pending_start: int | None = None
        new_input: list[TResponseInputItem] = []
        if turn.new_message is not None and keep == len(ledger.turns):
            # approvals the user never answered: say so, instead of the SDK silently dropping the call
            new_input = [
                _call_output(call_id, ABANDONED_TOOL_OUTPUT)
                for call_id in ledger.open_calls
                if _has_call(prefix, call_id) and not _has_output(prefix, call_id)
            ]
        ledger.open_calls = []
        for piece in _plan(ledger, turn.history, turn.new_message, keep):
            item = piece.item
            if piece.opens_turn:
                start = pending_start if pending_start is not None else base + len(new_input)
                if turns:
                    turns[-1].done = True  # rebuilt in full from the thread
                turns.append(_Turn(item=item.id, start=start, sent=pending_sent))
                pending_sent, pending_start = [], None
            if piece.completed_call and isinstance(item, ClientToolCallItem):
                output = _client_output_text(item)
                if _replace_output(prefix, item.call_id, output):
                    rewrite = True
                    converted: list[TResponseInputItem] = []
                elif _has_call(prefix, item.call_id):
                    converted = [_call_output(item.call_id, output)]
                else:
                    converted = await _convert(turn.converter, item)
            else:
                converted = await _convert(turn.converter, item)
            if not piece.opens_turn and (isinstance(item, _CHATKIT_ONLY) or piece.completed_call):
                if turns:
                    turns[-1].sent.append(_key(item))
                else:
                    pending_sent.append(_key(item))
            if not turns and pending_start is None and converted:
                pending_start = base + len(new_input)
            new_input.extend(converted)
        if rewrite:
            await _rewrite(session, prefix)
        if turns:
            turns[-1].done = False
        ledger.turns, ledger.dirty = turns, []
        ledger.write(turn.thread)
        prepared.input = new_input

    async def _rebuild_removed(
        self, turn: MemoryTurn[Any], ledger: _Ledger, stored: list[TResponseInputItem]
    ) -> list[TResponseInputItem] | None:
        """Rebuild, in place, each earlier turn that lost an item; later turns keep their items verbatim.

        Returns the new session items, or ``None`` if nothing could be rebuilt in place (turns left in
        ``ledger.dirty`` are rebuilt together with everything after them).
        """
        if not ledger.dirty:
            return None
        positions = {item.id: index for index, item in enumerate(turn.history)}
        items = list(stored)
        changed = False
        for k in sorted(ledger.dirty, reverse=True):
            if k + 1 >= len(ledger.turns):
                continue  # the latest turn: rebuilding it from the thread costs the same
            this, following = ledger.turns[k], ledger.turns[k + 1]
            first, end = positions.get(this.item), positions.get(following.item)
            if first is None or end is None or end < first or following.start > len(items):
                continue
            others = {i for n, t in enumerate(ledger.turns) if n != k for i in t.sent}
            before = [item for item in turn.history[:first] if _key(item) in this.sent]
            converted: list[TResponseInputItem] = []
            sent: list[str] = []
            for item in [*before, *turn.history[first:end]]:
                if _key(item) in others:
                    continue
                if isinstance(item, (*_CHATKIT_ONLY, ClientToolCallItem)):
                    sent.append(_key(item))
                converted.extend(await _convert(turn.converter, item))
            delta = len(converted) - (following.start - this.start)
            items[this.start : following.start] = converted
            for later in ledger.turns[k + 1 :]:
                later.start += delta
            this.sent, this.done = sent, True
            ledger.dirty = [d for d in ledger.dirty if d != k]
            changed = True
        return items if changed else None

    async def prepare_resume(self, thread: ThreadMetadata, context: Any, store: Store[Any]) -> PreparedRun:
        """The thread's session: the paused run's state already holds the input, the SDK saves the rest."""
        session, close = await self.open_session(thread, context, store)
        prepared = PreparedRun(input=[], run_kwargs={"session": session})
        if close is not None:
            prepared.cleanup.append(close)
        ledger = _Ledger.read(thread, self.mode)
        if ledger.turns:
            ledger.turns[-1].done = False
            ledger.write(thread)
        return prepared

    async def after_run(
        self,
        thread: ThreadMetadata,
        context: Any,
        result: RunResultStreaming,
        agent_context: AgentContext[Any],
    ) -> None:
        """Mark the turn complete when its run ended cleanly (else it is rebuilt from the thread) and keep
        the tool calls it left waiting for approval."""
        ledger = _Ledger.read(thread, self.mode)
        ledger.open_calls = [str(item.call_id) for item in result.interruptions if item.call_id]
        if ledger.turns:
            ledger.turns[-1].done = agent_context.error is None
        ledger.write(thread)

    async def on_item_removed(
        self, thread: ThreadMetadata, item_id: str, context: Any, store: Store[Any]
    ) -> None:
        """Mark the removed item's turn (and every later one) for rebuilding from the thread."""
        await _mark_dirty(thread, item_id, context, store, self.mode)

    async def on_thread_deleted(self, thread: ThreadMetadata, context: Any, store: Store[Any]) -> None:
        """Clear the thread's session (and forget an in-memory one)."""
        session, close = await self.open_session(thread, context, store)
        try:
            await session.clear_session()
        finally:
            if close is not None:
                await close()
        forgotten = self._in_memory.get(store, {}).pop(self.session_id(thread, context, store), None)
        if forgotten is not None:
            forgotten.close()

    async def aclose(self) -> None:
        """Close the PostgreSQL pools this strategy opened."""
        pools = list(self._postgres.values())
        self._postgres.clear()
        for sessions in pools:
            await sessions.close()


def _replace_output(items: list[TResponseInputItem], call_id: str, output: str) -> bool:
    """Swap the placeholder output the SDK saved for a client tool call for the client's real result."""
    for index in range(len(items) - 1, -1, -1):
        entry = cast(Mapping[str, object], items[index])
        if entry.get("type") == "function_call_output" and entry.get("call_id") == call_id:
            items[index] = cast(TResponseInputItem, {**entry, "output": output})
            return True
    return False


def _has_call(items: Sequence[TResponseInputItem], call_id: str, kind: str = "function_call") -> bool:
    return any(
        cast(Mapping[str, object], entry).get("type") == kind
        and cast(Mapping[str, object], entry).get("call_id") == call_id
        for entry in items
    )


def _has_output(items: Sequence[TResponseInputItem], call_id: str) -> bool:
    return _has_call(items, call_id, "function_call_output")


async def _mark_dirty(
    thread: ThreadMetadata, item_id: str, context: Any, store: Store[Any], mode: str
) -> None:
    ledger = _Ledger.read(thread, mode)
    if not ledger.turns:
        return
    owner: str | None = None
    found = False
    after: str | None = None
    while not found:
        page = await store.load_thread_items(thread.id, after, 200, "asc", context)
        for item in page.data:
            if isinstance(item, UserMessageItem):
                owner = item.id
            if item.id == item_id:
                found = True
                break
        if found or not page.has_more or page.after is None:
            break
        after = page.after
    if not found:
        return
    index = next((i for i, t in enumerate(ledger.turns) if t.item == owner), 0 if owner is None else None)
    if index is None:
        return
    ledger.dirty = sorted({*ledger.dirty, index})
    ledger.write(thread)


# -- conversation mode ---------------------------------------------------------------------------------


def is_server_state_gone(error: BaseException) -> bool:
    """Whether ``error`` says the stored response or conversation a run chained on no longer exists."""
    if isinstance(error, openai.NotFoundError):
        return True
    if isinstance(error, openai.BadRequestError):
        code = getattr(error, "code", None)
        if code in ("previous_response_not_found", "conversation_not_found"):
            return True
        message = str(error).lower()
        return "not found" in message and ("response" in message or "conversation" in message)
    return False


class ConversationMemory(ModelMemory):
    """OpenAI server-side state: each turn chains on the thread's last response (``previous_response_id``),
    or on a conversation created once per thread by ``conversation_for(thread, context)``.

    Only what is new since the last response is sent. When the stored state is gone the turn is run from
    the thread's items (as `ThreadMemory` would) with a logged warning, and later turns chain on that run.
    """

    mode = "conversation"

    def __init__(self, conversation_for: ConversationFactory | None = None) -> None:
        self.conversation_for = conversation_for

    async def prepare_run(self, turn: MemoryTurn[Any]) -> PreparedRun:
        """Chain on the last response both sides agree on and send what came after it in the thread."""
        ledger = _Ledger.read(turn.thread, self.mode)
        keep = _agreed_turns(ledger, _users_before(turn.history, turn.new_message))
        while 0 < keep < len(ledger.turns) and ledger.turns[keep - 1].prev == ledger.turns[keep].prev:
            keep -= 1  # turns sent in one request share their chain point: rewind to the first of them
        if self.conversation_for is not None and (ledger.conversation is None or keep < len(ledger.turns)):
            keep = 0  # a server-side conversation cannot be cut back: start a new one
        if keep == len(ledger.turns):
            prev, open_calls = ledger.last_response, list(ledger.open_calls)
        else:
            prev, open_calls = ledger.turns[keep].prev, list(ledger.turns[keep].open)
        if self.conversation_for is None and prev is None:
            keep = 0
        if keep == 0:
            return await self._from_thread(turn, ledger)
        new_input: list[TResponseInputItem] = []
        outputs: list[TResponseInputItem] = []
        turns = ledger.turns[:keep]
        answered: set[str] = set()
        for piece in _plan(ledger, turn.history, turn.new_message, keep):
            item = piece.item
            if piece.opens_turn:
                turns[-1].done = True  # an earlier turn: complete in what this request sends
                turns.append(_Turn(item=item.id, prev=prev, open=open_calls))
            if piece.completed_call and isinstance(item, ClientToolCallItem):
                outputs.append(_call_output(item.call_id, _client_output_text(item)))
                answered.add(item.call_id)
                turns[-1].sent.append(_key(item))
                continue
            if not piece.opens_turn and isinstance(item, _CHATKIT_ONLY):
                turns[-1].sent.append(_key(item))
            new_input.extend(await _convert(turn.converter, item))
        if turn.new_message is not None:
            outputs.extend(_call_output(c, ABANDONED_TOOL_OUTPUT) for c in open_calls if c not in answered)
        turns[-1].done = False
        ledger.turns, ledger.dirty = turns, []
        ledger.write(turn.thread)
        kwargs: dict[str, Any] = (
            {"conversation_id": ledger.conversation}
            if self.conversation_for is not None
            else {"previous_response_id": prev}
        )
        return PreparedRun(input=outputs + new_input, run_kwargs=kwargs, recoverable=True)

    async def _from_thread(self, turn: MemoryTurn[Any], ledger: _Ledger) -> PreparedRun:
        """No usable server-side state: the whole thread as `ThreadMemory` sends it, then chain on."""
        items = await to_agent_input(
            turn.history, converter=turn.converter, max_items=turn.max_items, max_tokens=turn.max_tokens
        )
        ledger.turns, ledger.dirty, ledger.last_response, ledger.open_calls = [], [], None, []
        for item in turn.history:
            if isinstance(item, UserMessageItem):
                ledger.turns.append(_Turn(item=item.id, done=True))
            elif isinstance(item, (*_CHATKIT_ONLY, ClientToolCallItem)) and ledger.turns:
                ledger.turns[-1].sent.append(_key(item))
        if turn.new_message is not None and all(i.id != turn.new_message.id for i in turn.history):
            ledger.turns.append(_Turn(item=turn.new_message.id))
        if ledger.turns:
            ledger.turns[-1].done = False
        # chain later model calls of this run (and a resumed paused run) on its own responses
        kwargs: dict[str, Any] = {"auto_previous_response_id": True}
        if self.conversation_for is not None:
            ledger.conversation = await self.conversation_for(turn.thread, turn.context)
            kwargs = {"conversation_id": ledger.conversation}
        ledger.write(turn.thread)
        return PreparedRun(input=items, run_kwargs=kwargs, recoverable=False)

    async def prepare_resume(self, thread: ThreadMetadata, context: Any, store: Store[Any]) -> PreparedRun:
        """Nothing to add: a paused run's saved state remembers the response or conversation it chains on."""
        ledger = _Ledger.read(thread, self.mode)
        if ledger.turns:
            ledger.turns[-1].done = False
            ledger.write(thread)
        return PreparedRun(input=[])

    async def after_run(
        self,
        thread: ThreadMetadata,
        context: Any,
        result: RunResultStreaming,
        agent_context: AgentContext[Any],
    ) -> None:
        """Keep the run's last response id and the tool calls it left waiting for an output."""
        ledger = _Ledger.read(thread, self.mode)
        if result.last_response_id is not None:
            ledger.last_response = result.last_response_id
        ledger.open_calls = _open_call_ids(result, agent_context)
        if ledger.turns:
            ledger.turns[-1].done = agent_context.error is None
        ledger.write(thread)

    async def recover(self, turn: MemoryTurn[Any], error: BaseException) -> PreparedRun | None:
        """Server-side state gone: log it and run the turn from the thread's stored items instead."""
        if not is_server_state_gone(error):
            return None
        ledger = _Ledger.read(turn.thread, self.mode)
        logger.warning(
            "server-side state of thread %s is gone (%s); answering from the stored thread items",
            turn.thread.id,
            ledger.conversation or ledger.last_response or "unknown",
        )
        prepared = await self._from_thread(turn, ledger)
        prepared.notice = STATE_GONE_NOTICE
        return prepared

    async def on_item_removed(
        self, thread: ThreadMetadata, item_id: str, context: Any, store: Store[Any]
    ) -> None:
        """Make the next turn restart from the response before the removed item's turn."""
        await _mark_dirty(thread, item_id, context, store, self.mode)


# -- choosing a strategy -------------------------------------------------------------------------------


def resolve_memory(memory: ModelMemory | MemoryMode | None) -> ModelMemory:
    """The strategy for ``AgentServer(memory=...)``: an instance as is, or one of the string shortcuts."""
    if memory is None or memory == "thread":
        return ThreadMemory()
    if isinstance(memory, ModelMemory):
        return memory
    if memory == "session":
        return SessionMemory()
    if memory == "conversation":
        return ConversationMemory()
    raise ConfigurationError(
        f"memory must be 'thread', 'session', 'conversation' or a ModelMemory, got {memory!r}"
    )
