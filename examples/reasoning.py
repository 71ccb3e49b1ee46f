"""Reasoning workflows: the model's thoughts and a tool's own steps, shown as one collapsible workflow.

A reasoning model streams summaries of its thinking; each summary part becomes a thought task in a
workflow, and the workflow closes with "Worked for N seconds" when the answer starts. Tools can add their
own tasks to the same open workflow through the run context (``add_workflow_task`` /
``update_workflow_task``) and show a transient status line with ``progress``.

    python examples/reasoning.py            # one question, printed as ChatKit events
    python examples/reasoning.py --serve    # http://127.0.0.1:8000/
"""

from __future__ import annotations

from typing import Any

from _shared import ChatClient, OfflineModel, done_items, run_example, tool_output, user_message
from agents.testing import ModelCall
from openai.types.shared import Reasoning
from starlette.applications import Starlette

from agents import Agent, ModelSettings, RunContextWrapper, function_tool
from chatkit_agents import AgentContext, AgentServer, create_app
from chatkit_agents.testing import ResponseStream
from chatkit_agents.types import CustomTask

FARES = {"Air France": 129, "Transavia": 74, "Vueling": 88}


# --8<-- [start:tool]
@function_tool
async def compare_fares(ctx: RunContextWrapper[AgentContext], origin: str, destination: str) -> str:
    """Compare today's fares from ``origin`` to ``destination`` across airlines."""
    await ctx.context.progress(f"Comparing fares {origin} → {destination}", icon="search")
    for airline, price in FARES.items():
        task = CustomTask(title=f"Checking {airline}", icon="search", status_indicator="loading")
        await ctx.context.add_workflow_task(task)  # appears in the open (reasoning) workflow
        task.title, task.content, task.status_indicator = f"{airline}: €{price}", "Direct flight", "complete"
        await ctx.context.update_workflow_task(task)  # the same task object: found by identity
    cheapest = min(FARES, key=FARES.__getitem__)
    return f"Cheapest: {cheapest} at €{FARES[cheapest]}. All fares: {FARES}"


# --8<-- [end:tool]


# --8<-- [start:agent]
def build_agent(offline: bool) -> Agent[Any]:
    """A trip planner on a reasoning model that streams reasoning summaries."""
    return Agent(
        name="Trip planner",
        instructions="Find the best flight for the user. Compare fares before answering.",
        tools=[compare_fares],
        model=OfflineModel(script) if offline else "gpt-5-mini",
        model_settings=ModelSettings(reasoning=Reasoning(effort="low", summary="auto")),
    )


# --8<-- [end:agent]


def build_app(offline: bool) -> Starlette:
    """The ChatKit app with the chat page."""
    return create_app(AgentServer(build_agent(offline)), ui=True)


# --8<-- [start:script]
def script(call: ModelCall) -> Any:
    """Think, compare fares; then think again and answer."""
    result = tool_output(call)
    if result is None:
        return (
            ResponseStream("resp_1")
            .reasoning(
                [
                    "**Planning** The user wants ",
                    "a cheap flight from Paris to Lisbon; ",
                    "I'll compare fares.",
                ]
            )
            .function_call("compare_fares", {"origin": "Paris", "destination": "Lisbon"})
            .step()
        )
    return (
        ResponseStream("resp_2")
        .reasoning("**Choosing** Transavia is cheapest and direct.")
        .message("Take Transavia: €74, direct. ", "Vueling is €88 if you prefer its schedule.")
        .step()
    )


# --8<-- [end:script]


async def conversation(client: ChatClient) -> None:
    """Ask for a flight and show the workflow that was stored."""
    events = await client.send(
        {
            "type": "threads.create",
            "params": {"input": user_message("Cheapest flight Paris to Lisbon today?")},
        }
    )
    for workflow in done_items(events, "workflow")[-1:]:
        tasks = workflow["workflow"]["tasks"]
        print(
            f"stored workflow: {workflow['workflow']['type']}, "
            f"{len(tasks)} tasks: {[t['type'] for t in tasks]}"
        )


if __name__ == "__main__":
    run_example(build_app, conversation, description=__doc__)
