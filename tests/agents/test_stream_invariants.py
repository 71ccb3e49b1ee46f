"""Generated scripts: whatever the model emits and however the response ends, every item added is done or
removed, every event validates against the oracle, and the same script always gives the same events."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import openai
from agents.testing import ModelCall, ModelStep
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import Agent, ImageGenerationTool, WebSearchTool, function_tool
from chatkit_agents.testing.responses import ResponseStream, url_citation
from chatkit_agents.testing.scripted import run_scripted


@function_tool
def lookup(q: str) -> str:
    """Look something up."""
    return f"result for {q}"


ITEMS = st.lists(
    st.sampled_from(["message", "reasoning", "function", "web", "image", "cited"]), min_size=1, max_size=5
)
ENDINGS = st.sampled_from(["completed", "failed", "error", "cut", "transport"])


def build(items: list[str], response_id: str) -> ResponseStream:
    stream = ResponseStream(response_id)
    for index, kind in enumerate(items):
        if kind == "message":
            stream.message("Hello ", f"number {index}.")
        elif kind == "reasoning":
            stream.reasoning(["Think", "ing ", f"{index}"], "Second part.")
        elif kind == "function":
            stream.function_call("lookup", {"q": str(index)})
        elif kind == "web":
            stream.web_search("q", sources=["https://example.com"])
        elif kind == "image":
            stream.image_generation("RklOQUw=", partial_images=["UDA="])
        else:
            stream.message("Cited.", annotations=[url_citation("https://e.com", "E", end_index=6)])
    return stream


def paced(events: list[Any], error: BaseException | None) -> Any:
    async def factory(call: ModelCall) -> Any:
        for event in events:
            yield event
            await asyncio.sleep(0)
        if error is not None:
            raise error

    return factory


def first_step(items: list[str], ending: str) -> Any:
    stream = build(items, "resp_1")
    if ending == "completed":
        return stream.step()
    if ending == "failed":
        return ModelStep.stream(paced(stream.failed(), None))
    if ending == "error":
        return ModelStep.stream(paced(stream.error(), None))
    cut = stream.unfinished()[:-2]
    if ending == "cut":
        return ModelStep.stream(paced(cut, None))
    request = httpx.Request("POST", "https://api.openai.com/v1/responses")
    return ModelStep.stream(paced(cut, openai.APIConnectionError(message="reset", request=request)))


async def scripted(items: list[str], ending: str) -> list[Any]:
    agent = Agent(
        name="A",
        tools=[lookup, WebSearchTool(), ImageGenerationTool(tool_config={"type": "image_generation"})],
    )
    steps = [
        first_step(items, ending),
        ResponseStream("resp_2").message("Final."),
        ResponseStream("resp_3").message("Again."),
    ]
    run = await run_scripted(agent, "Hi", steps, require_all_steps=False)
    return run.events


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=ITEMS, ending=ENDINGS)
def test_every_item_added_is_settled_whatever_the_script(
    check_settled: Any, items: list[str], ending: str
) -> None:
    events = asyncio.run(scripted(items, ending))
    check_settled(events)
    assert [e.type for e in events].count("error") <= 1


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=ITEMS, ending=ENDINGS)
def test_the_same_script_gives_the_same_events(items: list[str], ending: str) -> None:
    first = asyncio.run(scripted(items, ending))
    second = asyncio.run(scripted(items, ending))
    assert [e.model_dump() for e in first] == [e.model_dump() for e in second]
