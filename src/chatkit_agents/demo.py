"""The built-in demo agent behind ``chatkit-agents demo``.

Without ``OPENAI_API_KEY`` it runs offline on `DemoModel`, a scripted model that answers every message
plausibly: a reasoning summary, a call to the ``text_stats`` tool, then a reply that uses the tool's
result. With a key, the same agent talks to the real default model.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, cast

from agents.items import TResponseInputItem, TResponseStreamEvent
from agents.models.interface import ModelTracing
from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call
from openai.types.responses import ResponseReasoningItem
from openai.types.responses.response_prompt_param import ResponsePromptParam
from openai.types.responses.response_reasoning_item import Summary

from agents import (
    Agent,
    AgentOutputSchemaBase,
    Handoff,
    Model,
    ModelResponse,
    ModelSettings,
    Tool,
    function_tool,
)

__all__ = ["DemoModel", "demo_agent", "text_stats"]

INSTRUCTIONS = (
    "You are the chatkit-agents demo assistant. Be brief and friendly. When the user sends text, call "
    "text_stats on it and mention one fact from the result."
)


@function_tool
def text_stats(text: str) -> str:
    """Count the words, characters and sentences of ``text`` (answered as JSON)."""
    sentences = sum(text.count(mark) for mark in ".!?") or (1 if text.strip() else 0)
    return json.dumps({"words": len(text.split()), "characters": len(text), "sentences": sentences})


def demo_agent(*, offline: bool | None = None) -> Agent[Any]:
    """The demo agent: offline (`DemoModel`) when ``offline`` is true or no ``OPENAI_API_KEY`` is set."""
    if offline is None:
        offline = not os.environ.get("OPENAI_API_KEY")
    if offline:
        return Agent(name="Demo assistant", instructions=INSTRUCTIONS, model=DemoModel(), tools=[text_stats])
    return Agent(name="Demo assistant", instructions=INSTRUCTIONS, tools=[text_stats])


class DemoModel(Model):
    """An offline model that never runs out of answers; each call is scripted from the input it gets."""

    def next_step(self, items: str | list[TResponseInputItem]) -> ModelStep:
        """After a tool result: a reply that uses it; after a user message: reasoning and a tool call."""
        last = _last(items)
        if last.get("type") == "function_call_output":
            return ModelStep(output=[assistant_message(_reply(_latest_user_text(items), last.get("output")))])
        text = _latest_user_text(items)
        reasoning = ResponseReasoningItem(
            id="rs_demo",
            type="reasoning",
            summary=[
                Summary(
                    type="summary_text",
                    text=f"**Reading the message** It has {len(text)} characters; counting with text_stats.",
                )
            ],
        )
        call = function_call("text_stats", {"text": text}, call_id=f"call_{secrets.token_hex(8)}")
        return ModelStep(output=[reasoning, call])

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> ModelResponse:
        """One scripted response (the SDK uses this for non-streamed runs)."""
        return await ScriptedModel([self.next_step(input)]).get_response(
            system_instructions,
            input,
            model_settings,
            tools,
            output_schema,
            handoffs,
            tracing,
            previous_response_id=previous_response_id,
            conversation_id=conversation_id,
            prompt=prompt,
        )

    def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> AsyncIterator[TResponseStreamEvent]:
        """The same scripted response as Responses stream events."""
        return ScriptedModel([self.next_step(input)]).stream_response(
            system_instructions,
            input,
            model_settings,
            tools,
            output_schema,
            handoffs,
            tracing,
            previous_response_id=previous_response_id,
            conversation_id=conversation_id,
            prompt=prompt,
        )


def _as_dict(item: object) -> Mapping[str, Any]:
    if isinstance(item, Mapping):
        return cast(Mapping[str, Any], item)
    dump = getattr(item, "model_dump", None)
    return cast(Mapping[str, Any], dump()) if callable(dump) else {}


def _last(items: str | Sequence[object]) -> Mapping[str, Any]:
    if isinstance(items, str) or not items:
        return {}
    return _as_dict(items[-1])


def _latest_user_text(items: str | Sequence[object]) -> str:
    if isinstance(items, str):
        return items
    for raw in reversed(items):
        item = _as_dict(raw)
        if item.get("role") != "user" or item.get("type", "message") != "message":
            continue
        content = item.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            parts = [_as_dict(part) for part in cast(list[object], content)]
            text = " ".join(str(p.get("text", "")) for p in parts if p.get("type") == "input_text")
            if not text.startswith("<"):  # context messages (<widget>...) are not what the user typed
                return text
    return ""


def _reply(text: str, output: object) -> str:
    try:
        stats = json.loads(output) if isinstance(output, str) else output
    except ValueError:
        stats = None
    if not isinstance(stats, Mapping):
        return f"You said: {text}"
    counts = cast(Mapping[str, Any], stats)
    words = counts.get("words", 0)
    return (
        f"You wrote {words} word{'s' if words != 1 else ''} ({counts.get('characters', 0)} characters). "
        f'I am the offline demo, so I can only echo: "{text}". Set OPENAI_API_KEY to chat with a real model.'
    )
