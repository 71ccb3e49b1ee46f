"""Hosted tools: web search and file search run by OpenAI, shown as search tasks with their sources.

Hosted tools run inside the model's response, so their progress and results come from the Responses
stream itself: each call becomes a task in the workflow (the query, then the sources it found), and the
answer's citations become numbered sources on the assistant message. Ask the API for the search
sources with ``response_include``; file search results need ``include_search_results=True``.

Offline, the response is scripted with the testing kit's `ResponseStream`, which writes exactly the
events the Responses API sends for these tools. With a key, set ``VECTOR_STORE_ID`` to add file search.

    python examples/hosted_tools.py            # one question, printed as ChatKit events
    python examples/hosted_tools.py --serve    # http://127.0.0.1:8000/
"""

from __future__ import annotations

import os
from typing import Any

from _shared import ChatClient, OfflineModel, done_items, run_example, user_message
from agents.testing import ModelCall
from starlette.applications import Starlette

from agents import Agent, FileSearchTool, ModelSettings, Tool, WebSearchTool
from chatkit_agents import AgentServer, create_app
from chatkit_agents.testing import ResponseStream, file_citation, file_search_result, url_citation

ANSWER = "Expect light rain in Paris tomorrow, 14 °C. Your travel policy covers taxis when it rains."


# --8<-- [start:agent]
def build_agent(offline: bool) -> Agent[Any]:
    """A travel assistant with web search (and file search over your own documents when configured)."""
    tools: list[Tool] = [WebSearchTool()]
    vector_store = "vs_offline" if offline else os.environ.get("VECTOR_STORE_ID")
    if vector_store:
        tools.append(FileSearchTool(vector_store_ids=[vector_store], include_search_results=True))
    return Agent(
        name="Travel assistant",
        instructions="Answer travel questions. Search the web for current facts and cite your sources.",
        tools=tools,
        model=OfflineModel(script) if offline else None,
        model_settings=ModelSettings(response_include=["web_search_call.action.sources"]),
    )


# --8<-- [end:agent]


def build_app(offline: bool) -> Starlette:
    """The ChatKit app with the chat page."""
    return create_app(AgentServer(build_agent(offline)), ui=True)


# --8<-- [start:script]
def script(call: ModelCall) -> Any:
    """One response: a web search with two sources, a file search with one hit, a cited answer."""
    weather_end = ANSWER.index(" Your")
    return (
        ResponseStream("resp_1")
        .web_search(
            "Paris weather tomorrow",
            sources=["https://weather.example/paris", "https://meteo.example/fr/paris"],
        )
        .file_search(
            "taxi rain policy",
            results=[file_search_result("travel-policy.pdf", "Taxis are reimbursed on rainy days.")],
        )
        .message(
            "Expect light rain in Paris tomorrow, 14 °C.",
            " Your travel policy covers taxis when it rains.",
            annotations=[
                url_citation("https://weather.example/paris", "Paris forecast", end_index=weather_end),
                file_citation("travel-policy.pdf", index=len(ANSWER)),
            ],
        )
        .step()
    )


# --8<-- [end:script]


async def conversation(client: ChatClient) -> None:
    """Ask one question and list the sources of the answer."""
    events = await client.send(
        {"type": "threads.create", "params": {"input": user_message("Will it rain in Paris tomorrow?")}}
    )
    [answer] = done_items(events, "assistant_message")
    for annotation in answer["content"][0]["annotations"]:
        source = annotation["source"]
        print(
            f"source at {annotation['index']}: {source['type']} {source.get('url') or source.get('filename')}"
        )


if __name__ == "__main__":
    run_example(build_app, conversation, description=__doc__)
