"""Shared by the memory tests: a scripted `AgentServer` per memory mode, request builders, and views of
what the model received."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import anyio
from agents.testing import ModelStep, ScriptedModel, assistant_message
from openai.types.responses import ResponseReasoningItem
from openai.types.responses.response_reasoning_item import Summary

from agents import Agent, RunConfig, RunContextWrapper, function_tool
from chatkit_agents._ids import FixedClock
from chatkit_agents.agents.context import AgentContext
from chatkit_agents.agents.tools import client_tool
from chatkit_agents.server import NonStreamingResult, StreamingResult
from chatkit_agents.server.agent_server import AgentServer
from chatkit_agents.server.memory import MemoryMode, ModelMemory
from chatkit_agents.store import Store
from chatkit_agents.testing import ResponseStream
from chatkit_agents.types import ThreadMetadata
from chatkit_agents.widgets import Card, Text


@function_tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    return f"deleted {path}"


@function_tool
def lookup(city: str) -> str:
    """Look up facts about a city."""
    return f"{city} has 2 million people"


@function_tool
async def show_weather(ctx: RunContextWrapper[AgentContext[Any]], city: str) -> str:
    """Show the weather in a card."""
    await ctx.context.stream_widget(Card(children=[Text(value=f"{city}: sunny, 24°C")]))
    return "The card is on screen."


@client_tool
def get_location() -> dict[str, str]:
    """The user's current city, read by the browser."""
    return {}


def make_server(
    store: Store[Any], memory: ModelMemory | MemoryMode, *steps: Any
) -> tuple[AgentServer[Any], ScriptedModel]:
    """An `AgentServer` with the given memory whose model answers from ``steps``."""
    model = ScriptedModel(list(steps))
    agent = Agent(name="Assistant", model=model, tools=[delete_file, lookup, show_weather, get_location])
    server = AgentServer[Any](
        agent, store, run_config=RunConfig(tracing_disabled=True), clock=FixedClock(), memory=memory
    )
    return server, model


# -- requests -----------------------------------------------------------------------------------------


def req(kind: str, /, **params: Any) -> bytes:
    return json.dumps({"type": kind, "params": params}).encode()


def message(text: str) -> dict[str, Any]:
    return {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}


async def drain(result: StreamingResult | NonStreamingResult) -> list[dict[str, Any]]:
    """The events of a streaming result as dicts."""
    assert isinstance(result, StreamingResult)
    raw = b"".join([chunk async for chunk in result]).decode()
    return [json.loads(frame.removeprefix("data: ")) for frame in raw.split("\n\n") if frame]


class Chat:
    """One thread driven through ``server.process``: send, retry, answer tools, approve."""

    def __init__(self, server: AgentServer[Any], context: Any = None) -> None:
        self.server = server
        self.context = context
        self.thread_id = ""

    async def send(self, text: str) -> list[dict[str, Any]]:
        if not self.thread_id:
            events = await drain(
                await self.server.process(req("threads.create", input=message(text)), self.context)
            )
            self.thread_id = events[0]["thread"]["id"]
            return events
        return await drain(
            await self.server.process(
                req("threads.add_user_message", thread_id=self.thread_id, input=message(text)), self.context
            )
        )

    async def retry(self, item_id: str) -> list[dict[str, Any]]:
        return await drain(
            await self.server.process(
                req("threads.retry_after_item", thread_id=self.thread_id, item_id=item_id), self.context
            )
        )

    async def tool_output(self, result: Any) -> list[dict[str, Any]]:
        return await drain(
            await self.server.process(
                req("threads.add_client_tool_output", thread_id=self.thread_id, result=result), self.context
            )
        )

    async def approve(self, call_ids: list[str], decision: str = "approve") -> list[dict[str, Any]]:
        action = {"type": "chatkit_agents.approval", "payload": {"decision": decision, "call_ids": call_ids}}
        return await drain(
            await self.server.process(
                req("threads.custom_action", thread_id=self.thread_id, item_id=None, action=action),
                self.context,
            )
        )

    async def items(self) -> list[Any]:
        page = await self.server.store.load_thread_items(self.thread_id, None, 100, "asc", self.context)
        return list(page.data)

    async def thread(self) -> ThreadMetadata:
        return await self.server.store.load_thread(self.thread_id, self.context)


def errors(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for event in events if event["type"] == "error"]


# -- model output and what the model received ---------------------------------------------------------


def reply(text: str, response_id: str = "resp-789") -> ModelStep:
    return ModelStep(output=[assistant_message(text, item_id=f"msg_{response_id}")], response_id=response_id)


def thinking_reply(thought: str, text: str, response_id: str) -> ModelStep:
    reasoning = ResponseReasoningItem(
        id=f"rs_{response_id}",
        type="reasoning",
        summary=[Summary(type="summary_text", text=thought)],
        encrypted_content=f"ENCRYPTED<{thought}>",
    )
    return ModelStep(
        output=[reasoning, assistant_message(text, item_id=f"msg_{response_id}")], response_id=response_id
    )


def brief(items: Sequence[Any]) -> list[str]:
    """One line per model input item: its kind and the text that matters, to compare with a snapshot."""
    lines: list[str] = []
    for raw in items:
        item = cast(dict[str, Any], raw)
        kind = item.get("type", "message")
        if kind == "message":
            content = item["content"]
            text = (
                content
                if isinstance(content, str)
                else " ".join(part.get("text", part.get("type", "")) for part in content)
            )
            lines.append(f"{item['role']}: {text}")
        elif kind == "reasoning":
            summary = " ".join(part["text"] for part in item.get("summary", []))
            lines.append(f"reasoning {item.get('id')}: {summary} [{item.get('encrypted_content')}]")
        elif kind == "function_call":
            lines.append(f"function_call {item['call_id']} {item['name']}({item['arguments']})")
        elif kind == "function_call_output":
            lines.append(f"function_call_output {item['call_id']}: {item['output']}")
        else:
            lines.append(str(kind))
    return lines


def stalled_reply(text: str, response_id: str, started: Any) -> ModelStep:
    """A reply that streams ``text`` and then never finishes (until the run is cancelled)."""
    events = ResponseStream(response_id).message(text).unfinished()

    async def stream(call: Any) -> AsyncIterator[Any]:
        for event in events:
            yield event
        started.set()
        await anyio.Event().wait()

    return ModelStep.stream(stream)


async def send_and_stop(chat: Chat, text: str, started: Any) -> None:
    """Send ``text`` and close the stream (the user pressed stop) once the stalled reply's text was seen."""
    result = await chat.server.process(
        req("threads.add_user_message", thread_id=chat.thread_id, input=message(text)), chat.context
    )
    assert isinstance(result, StreamingResult)
    seen_text = anyio.Event()
    async with anyio.create_task_group() as group:

        async def consume() -> None:
            async for chunk in result:
                if b"text_delta" in chunk:
                    seen_text.set()

        group.start_soon(consume)
        await started.wait()
        await seen_text.wait()
        group.cancel_scope.cancel()
