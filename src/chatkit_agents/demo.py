"""The built-in demo agent behind ``chatkit-agents demo``.

Without ``OPENAI_API_KEY`` it runs offline on `DemoModel`, a scripted model that answers every message
plausibly and streams its text word by word:

* by default: a reasoning summary, a call to the ``text_stats`` tool, then a reply that uses its result;
* a message mentioning "browser": the ``get_browser_info`` client tool (the page answers it);
* "delete": ``delete_demo_file``, which needs the user's approval (nothing is really deleted);
* "story": a long reply, to try the stop button.

With a key, the same agent and tools talk to the real default model.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, cast

import anyio
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
from chatkit_agents.agents.tools import client_tool

__all__ = ["DemoModel", "delete_demo_file", "demo_agent", "get_browser_info", "text_stats"]

INSTRUCTIONS = (
    "You are the chatkit-agents demo assistant. Be brief and friendly. When the user sends text, call "
    "text_stats on it and mention one fact from the result. Use get_browser_info for questions about "
    "the user's browser, and delete_demo_file when asked to delete a file."
)

STORY = " ".join(f"Once more the little robot walked one step further (step {n})." for n in range(1, 121))
"""The long reply to "tell me a story": long enough to press stop while it streams."""


@function_tool
def text_stats(text: str) -> str:
    """Count the words, characters and sentences of ``text`` (answered as JSON)."""
    sentences = sum(text.count(mark) for mark in ".!?") or (1 if text.strip() else 0)
    return json.dumps({"words": len(text.split()), "characters": len(text), "sentences": sentences})


@client_tool
def get_browser_info() -> dict[str, Any]:
    """Ask the user's browser for its language, time zone, local time and window size."""
    return {}  # never called here: the ChatKit client runs this tool and sends its output back


@function_tool(needs_approval=True)
def delete_demo_file(name: str) -> str:
    """Delete a file of the demo workspace (pretend: nothing is touched); asks the user first."""
    return f"Deleted {name} (pretend: the demo touches no real file)."


def demo_agent(*, offline: bool | None = None) -> Agent[Any]:
    """The demo agent: offline (`DemoModel`) when ``offline`` is true or no ``OPENAI_API_KEY`` is set."""
    if offline is None:
        offline = not os.environ.get("OPENAI_API_KEY")
    tools: list[Tool] = [text_stats, get_browser_info, delete_demo_file]
    if offline:
        return Agent(name="Demo assistant", instructions=INSTRUCTIONS, model=DemoModel(), tools=tools)
    return Agent(name="Demo assistant", instructions=INSTRUCTIONS, tools=tools)


class DemoModel(Model):
    """An offline model that never runs out of answers; each call is scripted from the input it gets.

    Text is streamed one word per delta with ``word_delay`` seconds between words (three times slower
    for the story), so replies visibly stream and can be stopped.
    """

    def __init__(self, *, word_delay: float = 0.01, call_ids: Callable[[str], str] | None = None) -> None:
        self.word_delay = word_delay
        self._call_ids = call_ids

    def call_id(self) -> str:
        """A new tool call id (random unless ``call_ids`` was given, e.g. ``SequentialIds()`` in tests)."""
        if self._call_ids is not None:
            return self._call_ids("call")
        return f"call_{secrets.token_hex(8)}"

    def next_step(self, items: str | list[TResponseInputItem]) -> ModelStep:
        """After a tool result: a reply that uses it; after a user message: a tool call or a reply."""
        last = _last(items)
        if last.get("type") == "function_call_output":
            output = last.get("output")
            tool = _called_tool(items, str(last.get("call_id", "")))
            if tool == "get_browser_info":
                return ModelStep(output=[assistant_message(_browser_reply(output))])
            if tool == "delete_demo_file":
                return ModelStep(output=[assistant_message(f"Done: {output}")])
            return ModelStep(output=[assistant_message(_reply(_latest_user_text(items), output))])
        text = _latest_user_text(items)
        lowered = text.lower()
        if "browser" in lowered:
            return ModelStep(output=[function_call("get_browser_info", {}, call_id=self.call_id())])
        if "delete" in lowered:
            return ModelStep(
                output=[function_call("delete_demo_file", {"name": "notes.txt"}, call_id=self.call_id())]
            )
        if "story" in lowered:
            return ModelStep(output=[assistant_message(STORY)])
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
        call = function_call("text_stats", {"text": text}, call_id=self.call_id())
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
        """The same scripted response as Responses stream events, text paced word by word."""
        slow = (
            "story" in _latest_user_text(input).lower() and _last(input).get("type") != "function_call_output"
        )
        stream = ScriptedModel([self.next_step(input)]).stream_response(
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
        return _paced(stream, self.word_delay * (3 if slow else 1))


async def _paced(
    stream: AsyncIterator[TResponseStreamEvent], delay: float
) -> AsyncIterator[TResponseStreamEvent]:
    """Split every text delta into words, with ``delay`` seconds between them."""
    async for event in stream:
        if event.type != "response.output_text.delta":
            yield event
            continue
        words = event.delta.split(" ")
        for index, word in enumerate(words):
            last = index == len(words) - 1
            yield event.model_copy(update={"delta": word if last else word + " "})
            if delay > 0:
                await anyio.sleep(delay)


def _called_tool(items: str | Sequence[object], call_id: str) -> str:
    """The name of the function call ``call_id`` in the input (empty if it is not there)."""
    if isinstance(items, str):
        return ""
    for raw in reversed(items):
        item = _as_dict(raw)
        if item.get("type") == "function_call" and item.get("call_id") == call_id:
            return str(item.get("name", ""))
    return ""


def _browser_reply(output: object) -> str:
    try:
        info = json.loads(output) if isinstance(output, str) else output
    except ValueError:
        info = None
    if not isinstance(info, Mapping):
        return f"The browser answered: {output}"
    data = cast(Mapping[str, Any], info)
    language, zone = data.get("language", "?"), data.get("time_zone", "?")
    return f"Your browser says its language is {language} and its time zone is {zone}."


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
