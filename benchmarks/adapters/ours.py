"""Adapter for chatkit-agents: `stream_agent_response` (convert) and `AgentServer.process` (serve).

The server is the library's `AgentServer` on a `MemoryStore`; only `agent_for` is overridden, to hand each
request the fresh scripted agent of its prepared run. Function tools need no hook: the converter shows every
function call as a workflow task by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agents import Agent, Runner
from benchmarks.harness import Counts
from benchmarks.scenarios import PreparedRun
from chatkit_agents._ids import utc_now
from chatkit_agents.agents import AgentContext, stream_agent_response
from chatkit_agents.server import AgentServer, StreamingResult
from chatkit_agents.store import MemoryStore
from chatkit_agents.types import (
    AssistantMessageContentPartTextDelta,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
)

__all__ = ["BenchContext", "OursAdapter"]


@dataclass
class BenchContext:
    """Request context: the store scopes data by ``user_id``; ``run`` supplies the scripted agent."""

    user_id: str
    run: PreparedRun


class BenchAgentServer(AgentServer[BenchContext]):
    """`AgentServer` whose agent is the request's freshly scripted one."""

    def agent_for(self, thread: ThreadMetadata, context: BenchContext) -> Agent[Any]:
        """The prepared run's agent (a new ScriptedModel per request)."""
        return context.run.agent()


class OursAdapter:
    """chatkit-agents under test (``tool_mode`` is accepted for symmetry; tool tasks are automatic)."""

    def __init__(self, tool_mode: str = "plain") -> None:
        self.name = "chatkit-agents"
        self.tool_mode = tool_mode
        self.store = MemoryStore[BenchContext]()
        placeholder = Agent[Any](name="unused")
        self.server = BenchAgentServer(placeholder, self.store, max_turns=100)

    def reset(self) -> None:
        """Drop every stored thread (a new store; the server keeps no other per-thread state)."""
        self.store = MemoryStore[BenchContext]()
        self.server.store = self.store

    async def convert(self, run: PreparedRun, on_event: Callable[[Any], None] | None = None) -> Counts:
        """`Runner.run_streamed` through `stream_agent_response`, consuming the event objects."""
        context = BenchContext("bench", run)
        thread = ThreadMetadata(id=self.store.generate_thread_id(context), created_at=utc_now())
        await self.store.save_thread(thread, context)
        agent_context = AgentContext(thread, self.store, context)
        result = Runner.run_streamed(run.agent(), run.user_text, context=agent_context, max_turns=100)
        count = 0
        async for event in stream_agent_response(agent_context, result):
            count += 1
            if on_event is not None:
                on_event(event)
        return Counts(count, 0)

    async def serve(self, run: PreparedRun, on_chunk: Callable[[bytes], None] | None = None) -> Counts:
        """The run's ``threads.create`` bytes through `AgentServer.process`, consuming every SSE byte."""
        result = await self.server.process(run.request_body, BenchContext("bench", run))
        assert isinstance(result, StreamingResult)
        count = 0
        size = 0
        async for chunk in result:
            count += 1
            size += len(chunk)
            if on_chunk is not None:
                on_chunk(chunk)
        return Counts(count, size)

    def is_text_delta_event(self, event: Any) -> bool:
        """A ``thread.item.updated`` carrying assistant text."""
        return isinstance(event, ThreadItemUpdatedEvent) and isinstance(
            event.update, AssistantMessageContentPartTextDelta
        )

    def is_text_delta_chunk(self, chunk: bytes) -> bool:
        """An SSE chunk carrying assistant text."""
        return b'"assistant_message.content_part.text_delta"' in chunk
