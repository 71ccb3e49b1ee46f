"""Scripted Responses event streams replayed offline through ``Runner.run_streamed``.

Every scenario is a list of model turns built with `chatkit_agents.testing.ResponseStream` (real openai
event types, consistent sequence numbers). `Scenario.prepare` builds fresh events before any timer starts,
so event construction is never measured and no pydantic object is shared between runs. Nothing here
depends on a ChatKit library, so every adapter replays exactly the same streams.

Pacing (``mode``): ``yield`` gives the event loop one iteration after each event, like a network stream
whose chunks arrive one by one (the realistic default); ``burst`` never yields, so the SDK's producer may
queue the whole stream before the consumer runs. A ``gate`` holds a stream open after its first deltas,
for the idle-stream memory measurement.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from agents.testing import ModelCall, ModelStep, ScriptedModel
from openai.types.responses import ResponseStreamEvent

from agents import Agent, FunctionTool, RunContextWrapper, Tool, function_tool, set_tracing_disabled
from chatkit_agents.testing import ResponseStream, response_usage

__all__ = [
    "Mode",
    "PreparedRun",
    "Scenario",
    "ToolHook",
    "agentic_scenario",
    "reasoning_scenario",
    "text_scenario",
    "threads_create_body",
    "tokens",
]

set_tracing_disabled(True)  # offline: the SDK must never try to export traces

Mode = Literal["yield", "burst"]
ToolHook = Callable[[RunContextWrapper[Any], str], Awaitable[None]]
"""Runs inside the ``lookup`` tool with the query: lets an adapter show tool progress its own way."""

_WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "and",
    "then",
    "runs",
    "into",
    "forest",
    "where",
    "it",
    "finds",
    "a",
    "small",
    "river",
    "with",
    "clear",
    "water",
    "flowing",
    "past",
    "stones",
    "covered",
    "in",
    "moss",
    "while",
    "birds",
    "sing",
    "above",
    "trees",
    "swaying",
    "gently",
    "under",
    "warm",
    "afternoon",
    "light",
    "during",
    "summer",
    "data",
    "model",
    "stream",
    "event",
    "token",
    "latency",
    "throughput",
    "server",
    "client",
    "thread",
]
_EXTRA = ("café", "naïve", "→", "`code`", "**bold**", "😀")


def tokens(n: int, salt: int = 0) -> list[str]:
    """``n`` deterministic one-token deltas (about 5.5 characters, with punctuation, newlines, non-ASCII)."""
    out: list[str] = []
    count = len(_WORDS)
    for i in range(n):
        j = i + salt
        token = " " + (
            _EXTRA[(j // 97) % len(_EXTRA)] if j % 97 == 96 else _WORDS[(j * 7 + j // count) % count]
        )
        if j % 13 == 12:
            token += ","
        if j % 41 == 40:
            token += ".\n\n"
        out.append(token)
    if out:
        out[0] = out[0].lstrip()
    return out


def _replay(
    events: list[ResponseStreamEvent], mode: Mode, gate: asyncio.Event | None, hold_after: int
) -> Callable[[ModelCall], AsyncIterator[ResponseStreamEvent]]:
    """A ``ModelStep.stream`` factory replaying ``events`` with the given pacing."""

    async def replay(call: ModelCall) -> AsyncIterator[ResponseStreamEvent]:
        sleep = asyncio.sleep
        for index, event in enumerate(events):
            if gate is not None and index == hold_after:
                await gate.wait()
            yield event
            if mode == "yield":
                await sleep(0)

    return replay


def _lookup_tool(hook: ToolHook | None) -> FunctionTool:
    payload = ("lorem ipsum dolor sit amet " * 16)[:400]

    @function_tool(name_override="lookup")
    async def lookup(ctx: RunContextWrapper[Any], query: str) -> str:
        """Look up a fact in the knowledge base.

        Args:
            query: what to look up.
        """
        if hook is not None:
            await hook(ctx, query)
        return f"{query}: {payload}"

    return lookup


@dataclass
class PreparedRun:
    """One ready-to-run instance of a scenario: fresh events, and a fresh model and agent per call."""

    scenario: Scenario
    turns: list[list[ResponseStreamEvent]]
    mode: Mode
    gate: asyncio.Event | None = None
    hold_after: int = 0
    request_body: bytes = b""
    """The ChatKit ``threads.create`` request that sends `user_text`, as it arrives over HTTP."""

    @property
    def user_text(self) -> str:
        """The user message that starts the run."""
        return self.scenario.user_text

    def agent(self, tool_hook: ToolHook | None = None) -> Agent[Any]:
        """An agent whose model replays this run's turns (tools only if the scenario calls them)."""
        model = ScriptedModel(
            [
                ModelStep.stream(_replay(events, self.mode, self.gate, self.hold_after))
                for events in self.turns
            ]
        )
        tools: list[Tool] = [_lookup_tool(tool_hook)] if self.scenario.tool_calls else []
        return Agent(name="bench-agent", instructions="You are a benchmark agent.", model=model, tools=tools)

    @property
    def raw_event_count(self) -> int:
        """Responses events the model streams over all turns."""
        return sum(len(events) for events in self.turns)


@dataclass
class Scenario:
    """A named list of model turns, with the counts the report divides by."""

    name: str
    build: Callable[[], list[list[ResponseStreamEvent]]]
    text_deltas: int = 0
    reasoning_deltas: int = 0
    tool_calls: int = 0
    user_text: str = "Tell me a long story."
    meta: dict[str, Any] = field(default_factory=dict[str, Any])

    @property
    def deltas(self) -> int:
        """Deltas the user sees (text and reasoning summary): the per-delta denominator."""
        return self.text_deltas + self.reasoning_deltas

    def prepare(
        self, mode: Mode = "yield", *, gate: asyncio.Event | None = None, hold_after: int = 0
    ) -> PreparedRun:
        """Fresh events for one run; with ``gate``, every turn waits for it before event ``hold_after``."""
        body = threads_create_body(self.user_text)
        return PreparedRun(self, self.build(), mode, gate, hold_after, body)


def threads_create_body(text: str) -> bytes:
    """A ChatKit ``threads.create`` request body with one text message (built before any clock starts)."""
    message = {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}
    return json.dumps({"type": "threads.create", "params": {"input": message}}).encode()


def text_scenario(n: int) -> Scenario:
    """One model call answering with ``n`` one-token text deltas."""

    def build() -> list[list[ResponseStreamEvent]]:
        stream = ResponseStream("resp_1").message(*tokens(n))
        return [stream.completed(usage=response_usage(100, n))]

    return Scenario(name=f"text_{n}", build=build, text_deltas=n)


def agentic_scenario(
    *,
    tool_calls: int = 20,
    calls_per_turn: int = 5,
    reasoning_deltas_per_turn: int = 100,
    text_deltas: int = 500,
    argument_chunk: int = 14,
) -> Scenario:
    """A reasoning model calling ``lookup`` over several turns, then answering.

    Each tool turn streams a reasoning summary of ``reasoning_deltas_per_turn`` deltas, then
    ``calls_per_turn`` parallel calls whose arguments stream in ``argument_chunk``-character pieces; the
    final turn streams reasoning and a ``text_deltas`` message.
    """
    tool_turns = -(-tool_calls // calls_per_turn)

    def build() -> list[list[ResponseStreamEvent]]:
        turns: list[list[ResponseStreamEvent]] = []
        call = 0
        for turn in range(tool_turns):
            stream = ResponseStream(f"resp_{turn + 1}")
            stream.reasoning(tokens(reasoning_deltas_per_turn, salt=1000 + turn))
            for _ in range(min(calls_per_turn, tool_calls - call)):
                query = {"query": f"fact number {call} about the forest river"}
                stream.function_call("lookup", query, chunk_size=argument_chunk)
                call += 1
            turns.append(stream.completed(usage=response_usage(100, reasoning_deltas_per_turn)))
        final = ResponseStream(f"resp_{tool_turns + 1}")
        final.reasoning(tokens(reasoning_deltas_per_turn, salt=2000)).message(*tokens(text_deltas))
        turns.append(final.completed(usage=response_usage(100, reasoning_deltas_per_turn + text_deltas)))
        return turns

    return Scenario(
        name=f"agentic_{tool_calls}_tools",
        build=build,
        text_deltas=text_deltas,
        reasoning_deltas=reasoning_deltas_per_turn * (tool_turns + 1),
        tool_calls=tool_calls,
        user_text="Research the forest river and summarise.",
        meta={"tool_turns": tool_turns, "calls_per_turn": calls_per_turn},
    )


def reasoning_scenario(reasoning_deltas: int, text_deltas: int = 50) -> Scenario:
    """One call: a reasoning summary of ``reasoning_deltas`` deltas, then a short message."""

    def build() -> list[list[ResponseStreamEvent]]:
        stream = ResponseStream("resp_1").reasoning(tokens(reasoning_deltas, salt=3000))
        stream.message(*tokens(text_deltas))
        return [stream.completed(usage=response_usage(100, reasoning_deltas + text_deltas))]

    return Scenario(
        name=f"reasoning_{reasoning_deltas}",
        build=build,
        text_deltas=text_deltas,
        reasoning_deltas=reasoning_deltas,
    )
