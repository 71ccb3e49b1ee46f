"""Reference adapter: openai-chatkit 1.x (module ``chatkit``), a dev dependency used only for comparison.

convert: ``chatkit.agents.stream_agent_response``; serve: a ``ChatKitServer`` whose ``respond`` follows
openai-chatkit's own guide (load recent items, ``simple_to_agent_input``, ``Runner.run_streamed``,
``stream_agent_response``) on a dict store that never serialises, so store cost is close to zero.
``tool_mode="tasks"``: each tool call adds a workflow task and then completes it, the documented way for
tools to show progress there (openai-chatkit shows nothing for function calls by itself).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from chatkit.agents import AgentContext, simple_to_agent_input, stream_agent_response
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    Attachment,
    CustomTask,
    Page,
    ThreadItem,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
)

from agents import RunContextWrapper, Runner
from benchmarks.harness import Counts
from benchmarks.scenarios import PreparedRun, ToolHook

__all__ = ["ChatKitRefAdapter"]


@dataclass
class _Context:
    run: PreparedRun
    user_id: str = "bench"


@dataclass
class _DictStore(Store[_Context]):
    """Threads and items in dicts of live objects: no serialisation, so the library's own cost shows."""

    threads: dict[str, ThreadMetadata] = field(default_factory=dict[str, ThreadMetadata])
    items: dict[str, list[ThreadItem]] = field(default_factory=dict[str, list[ThreadItem]])
    attachments: dict[str, Attachment] = field(default_factory=dict[str, Attachment])

    async def load_thread(self, thread_id: str, context: _Context) -> ThreadMetadata:
        if thread_id not in self.threads:
            raise NotFoundError(thread_id)
        return self.threads[thread_id]

    async def save_thread(self, thread: ThreadMetadata, context: _Context) -> None:
        self.threads[thread.id] = thread

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: _Context
    ) -> Page[ThreadItem]:
        items = list(self.items.get(thread_id, []))
        if order == "desc":
            items.reverse()
        if after is not None:
            ids = [item.id for item in items]
            items = items[ids.index(after) + 1 :]
        page = items[:limit]
        more = len(items) > limit
        return Page(data=page, has_more=more, after=page[-1].id if more and page else None)

    async def save_attachment(self, attachment: Attachment, context: _Context) -> None:
        self.attachments[attachment.id] = attachment

    async def load_attachment(self, attachment_id: str, context: _Context) -> Attachment:
        return self.attachments[attachment_id]

    async def delete_attachment(self, attachment_id: str, context: _Context) -> None:
        self.attachments.pop(attachment_id, None)

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: _Context
    ) -> Page[ThreadMetadata]:
        threads = sorted(self.threads.values(), key=lambda t: t.created_at, reverse=order == "desc")
        return Page(data=threads[:limit], has_more=len(threads) > limit)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: _Context) -> None:
        self.items.setdefault(thread_id, []).append(item)

    async def save_item(self, thread_id: str, item: ThreadItem, context: _Context) -> None:
        items = self.items.setdefault(thread_id, [])
        for index, existing in enumerate(items):
            if existing.id == item.id:
                items[index] = item
                return
        items.append(item)

    async def load_item(self, thread_id: str, item_id: str, context: _Context) -> ThreadItem:
        for item in self.items.get(thread_id, []):
            if item.id == item_id:
                return item
        raise NotFoundError(item_id)

    async def delete_thread(self, thread_id: str, context: _Context) -> None:
        self.threads.pop(thread_id, None)
        self.items.pop(thread_id, None)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: _Context) -> None:
        self.items[thread_id] = [item for item in self.items.get(thread_id, []) if item.id != item_id]


async def _task_hook(ctx: RunContextWrapper[Any], query: str) -> None:
    """Show the tool call as a workflow task, then mark it complete."""
    agent_context: AgentContext[Any] = ctx.context
    task = CustomTask(title=f"lookup: {query}", status_indicator="loading")
    await agent_context.add_workflow_task(task)
    workflow = agent_context.workflow_item
    assert workflow is not None
    index = next(i for i, candidate in enumerate(workflow.workflow.tasks) if candidate is task)
    await agent_context.update_workflow_task(task.model_copy(update={"status_indicator": "complete"}), index)


class _GuideServer(ChatKitServer[_Context]):
    """``respond`` as openai-chatkit's guide writes it."""

    def __init__(self, store: _DictStore, tool_hook: ToolHook | None) -> None:
        super().__init__(store)
        self.tool_hook = tool_hook

    async def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: _Context
    ) -> AsyncIterator[ThreadStreamEvent]:
        page = await self.store.load_thread_items(thread.id, None, 20, "desc", context)
        agent_input = await simple_to_agent_input(list(reversed(page.data)))
        agent_context = AgentContext(thread=thread, store=self.store, request_context=context)
        agent = context.run.agent(self.tool_hook)
        result = Runner.run_streamed(agent, agent_input, context=agent_context, max_turns=100)
        async for event in stream_agent_response(agent_context, result):
            yield event


class ChatKitRefAdapter:
    """openai-chatkit under test."""

    def __init__(self, tool_mode: Literal["plain", "tasks"] | str = "plain") -> None:
        self.name = "openai-chatkit" if tool_mode == "plain" else f"openai-chatkit[{tool_mode}]"
        self.tool_hook: ToolHook | None = _task_hook if tool_mode == "tasks" else None
        self.store = _DictStore()
        self.server = _GuideServer(self.store, self.tool_hook)

    def reset(self) -> None:
        """Forget every stored thread."""
        self.store.threads.clear()
        self.store.items.clear()
        self.store.attachments.clear()

    async def convert(self, run: PreparedRun, on_event: Callable[[Any], None] | None = None) -> Counts:
        """``Runner.run_streamed`` through openai-chatkit's ``stream_agent_response``."""
        context = _Context(run)
        thread = ThreadMetadata(id=self.store.generate_thread_id(context), created_at=datetime.now())
        await self.store.save_thread(thread, context)
        agent_context = AgentContext(thread=thread, store=self.store, request_context=context)
        agent = run.agent(self.tool_hook)
        result = Runner.run_streamed(agent, run.user_text, context=agent_context, max_turns=100)
        count = 0
        async for event in stream_agent_response(agent_context, result):
            count += 1
            if on_event is not None:
                on_event(event)
        return Counts(count, 0)

    async def serve(self, run: PreparedRun, on_chunk: Callable[[bytes], None] | None = None) -> Counts:
        """``threads.create`` bytes through ``ChatKitServer.process``, consuming every SSE byte."""
        result = await self.server.process(run.request_body, _Context(run))
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
        update = getattr(event, "update", None)
        return getattr(update, "type", None) == "assistant_message.content_part.text_delta"

    def is_text_delta_chunk(self, chunk: bytes) -> bool:
        """An SSE chunk carrying assistant text."""
        return b'"assistant_message.content_part.text_delta"' in chunk
