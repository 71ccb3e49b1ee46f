"""Function tools, handoffs, client tools and the AgentContext helpers tools use while the run streams."""

# ruff: noqa: E501 (event snapshots are long lines)

from __future__ import annotations

import json
from typing import Any

import pytest
from agents.tool_context import ToolContext
from inline_snapshot import snapshot

from agents import Agent, RunContextWrapper, function_tool, handoff
from chatkit_agents.agents import AgentContext, ClientToolCall, client_tool
from chatkit_agents.testing import render_events
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.types import ClientToolCallItem, CustomTask, ThreadItemDoneEvent
from chatkit_agents.widgets import Card, Text

pytestmark = pytest.mark.usefixtures("event_source_kind")


@function_tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    return f"Sunny in {city}, 21°C"


@function_tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return "14:00"


async def test_function_tools_become_tasks_completed_by_their_output(
    check_settled: Any, run_agent: Any
) -> None:
    steps = [
        ResponseStream("resp_1")
        .function_call("get_weather", {"city": "Paris"}, chunk_size=4)
        .function_call("get_time", {"city": "Paris"}),
        ResponseStream("resp_2").message("Sunny, 14:00."),
    ]
    events, _, _ = await run_agent(Agent(name="A", tools=[get_weather, get_time]), "?", steps)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Calling get_weather" icon=bolt
  task.updated          wf_1 [0] custom loading "Calling get_weather" icon=bolt content='Arguments: {"city": "Paris"}'
  task.added            wf_1 [1] custom loading "Calling get_time" icon=bolt
  task.updated          wf_1 [1] custom loading "Calling get_time" icon=bolt content='Arguments: {"city": "Paris"}'
  task.updated          wf_1 [0] custom complete "Called get_weather" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny in Paris, 21°C'
  task.updated          wf_1 [1] custom complete "Called get_time" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: 14:00'
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom complete "Called get_weather" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny in Paris, 21°C'
    [1] custom complete "Called get_time" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: 14:00'
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Sunny, 14:00."
  content_part.done     msg_2 [0] "Sunny, 14:00."
thread.item.done        msg_2 assistant_message "Sunny, 14:00."\
""")


async def test_long_tool_output_is_cut_in_the_task(run_agent: Any) -> None:
    @function_tool
    def dump() -> str:
        """Dump everything."""
        return "x" * 5000

    steps = [ResponseStream("resp_1").function_call("dump", {}), ResponseStream("resp_2").message("Done.")]
    events, _, _ = await run_agent(Agent(name="A", tools=[dump]), "?", steps)
    done = [e.item for e in events if isinstance(e, ThreadItemDoneEvent) and e.item.type == "workflow"]
    task = done[0].workflow.tasks[0]  # type: ignore[union-attr]
    assert isinstance(task, CustomTask)
    assert task.content is not None
    assert len(task.content) < 400
    assert task.content.endswith("…")


async def test_handoff_shows_a_task_naming_the_new_agent(check_settled: Any, run_agent: Any) -> None:
    billing = Agent(name="Billing")
    triage = Agent(name="Triage", handoffs=[handoff(billing)])
    steps = [
        ResponseStream("resp_1").function_call("transfer_to_billing", {}),
        ResponseStream("resp_2").message("Billing here."),
    ]
    events, _, result = await run_agent(triage, "Refund please", steps)
    check_settled(events)
    assert result.last_agent.name == "Billing"
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Transferring to Billing" icon=agent
  task.updated          wf_1 [0] custom complete "Transferred to Billing" icon=agent
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom complete "Transferred to Billing" icon=agent
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Billing here."
  content_part.done     msg_2 [0] "Billing here."
thread.item.done        msg_2 assistant_message "Billing here."\
""")


async def test_client_tool_ends_the_turn_with_a_pending_call_carrying_its_own_call_id(
    check_settled: Any, run_agent: Any
) -> None:
    @client_tool
    def read_selection(max_chars: int) -> None:
        """Read the text the user selected on the page."""

    steps = [
        ResponseStream("resp_1")
        .function_call("get_weather", {"city": "Paris"}, call_id="call_weather")
        .function_call("read_selection", {"max_chars": 100}, call_id="call_client"),
        ResponseStream("resp_2").message("never used"),
    ]
    agent = Agent(name="A", tools=[get_weather, read_selection])
    events, _, result = await run_agent(agent, "?", steps)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Calling get_weather" icon=bolt
  task.updated          wf_1 [0] custom loading "Calling get_weather" icon=bolt content='Arguments: {"city": "Paris"}'
  task.updated          wf_1 [0] custom complete "Called get_weather" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny in Paris, 21°C'
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom complete "Called get_weather" icon=bolt content='Arguments: {"city": "Paris"}\\n\\nResult: Sunny in Paris, 21°C'
thread.item.done        tc_2 client_tool_call read_selection pending call_client args={"max_chars":100}\
""")
    pending = [
        e.item for e in events if isinstance(e, ThreadItemDoneEvent) and e.item.type == "client_tool_call"
    ]
    assert len(pending) == 1
    assert isinstance(pending[0], ClientToolCallItem)
    assert pending[0].call_id == "call_client"
    assert pending[0].arguments == {"max_chars": 100}
    assert len(result.raw_responses) == 1  # the run stopped before a second model call


async def test_client_tool_call_set_by_a_plain_tool_uses_that_tools_call_id(run_agent: Any) -> None:
    @function_tool
    async def open_map(ctx: ToolContext[AgentContext[Any]], place: str) -> str:
        """Open the map on the page."""
        ctx.context.set_client_tool_call(ClientToolCall("map.open", {"place": place}), ctx.tool_call_id)
        return "opening"

    steps = [
        ResponseStream("resp_1")
        .function_call("get_time", {"city": "Rome"}, call_id="c_time")
        .function_call("open_map", {"place": "Rome"}, call_id="c_map")
        .function_call("get_weather", {"city": "Rome"}, call_id="c_weather"),
    ]
    events, _, _ = await run_agent(Agent(name="A", tools=[get_time, open_map, get_weather]), "?", steps)
    calls = [e.item for e in events if isinstance(e, ThreadItemDoneEvent)]
    pending = [(c.call_id, c.name) for c in calls if isinstance(c, ClientToolCallItem)]
    assert pending == [("c_map", "map.open")]


async def test_tools_stream_progress_tasks_notices_and_widgets_in_order(
    check_settled: Any, run_agent: Any
) -> None:
    @function_tool
    async def research(ctx: RunContextWrapper[AgentContext[Any]], topic: str) -> str:
        """Research a topic."""
        context = ctx.context
        await context.progress("Reading sources…", icon="book-open")
        task = CustomTask(title="Reading sources", status_indicator="loading")
        await context.add_workflow_task(task)
        task.status_indicator = "complete"
        task.content = "3 sources read"
        await context.update_workflow_task(task)
        await context.notice("Sources may be outdated.", level="warning")
        await context.stream_widget(Card(children=[Text(value=f"Summary of {topic}")]), copy_text=topic)
        return "done"

    steps = [
        ResponseStream("resp_1").function_call("research", {"topic": "otters"}),
        ResponseStream("resp_2").message("Here you go."),
    ]
    events, _, _ = await run_agent(Agent(name="A", tools=[research]), "?", steps)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Calling research" icon=bolt
  task.updated          wf_1 [0] custom loading "Calling research" icon=bolt content='Arguments: {"topic": "otters"}'
progress_update         book-open "Reading sources…"
  task.added            wf_1 [1] custom loading "Reading sources"
  task.updated          wf_1 [1] custom complete "Reading sources" content="3 sources read"
notice                  warning "Sources may be outdated."
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom loading "Calling research" icon=bolt content='Arguments: {"topic": "otters"}'
    [1] custom complete "Reading sources" content="3 sources read"
thread.item.done        wdg_2 widget Card (1 child) copy_text="otters"
  task.updated          wf_1 [0] custom complete "Called research" icon=bolt content='Arguments: {"topic": "otters"}\\n\\nResult: done'
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom complete "Called research" icon=bolt content='Arguments: {"topic": "otters"}\\n\\nResult: done'
    [1] custom complete "Reading sources" content="3 sources read"
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Here you go."
  content_part.done     msg_3 [0] "Here you go."
thread.item.done        msg_3 assistant_message "Here you go."\
""")


async def test_tool_workflow_helpers_start_and_end_their_own_workflow(
    check_settled: Any, run_agent: Any
) -> None:
    from chatkit_agents.types import CustomSummary, Workflow

    @function_tool
    async def plan(ctx: RunContextWrapper[AgentContext[Any]]) -> str:
        """Make a plan."""
        await ctx.context.start_workflow(Workflow(type="custom", tasks=[]))
        await ctx.context.add_workflow_task(CustomTask(title="Step 1", status_indicator="complete"))
        await ctx.context.update_workflow_task(CustomTask(title="Step 1 (checked)"), 0)
        await ctx.context.end_workflow(CustomSummary(title="Planned", icon="check"), expanded=True)
        return "planned"

    steps = [ResponseStream("resp_1").function_call("plan", {}), ResponseStream("resp_2").message("Ok.")]
    events, _, _ = await run_agent(Agent(name="A", tools=[plan]), "?", steps)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Calling plan" icon=bolt
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom loading "Calling plan" icon=bolt
thread.item.added       wf_2 workflow custom
    [0] custom complete "Step 1"
  task.updated          wf_2 [0] custom none "Step 1 (checked)"
thread.item.done        wf_2 workflow custom summary="Planned" icon=check expanded
    [0] custom none "Step 1 (checked)"
  task.updated          wf_1 [0] custom complete "Called plan" icon=bolt content="Result: planned"
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom complete "Called plan" icon=bolt content="Result: planned"
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Ok."
  content_part.done     msg_3 [0] "Ok."
thread.item.done        msg_3 assistant_message "Ok."\
""")


async def test_a_bad_helper_call_fails_the_tool_not_the_stream(run_agent: Any) -> None:
    @function_tool
    async def broken(ctx: RunContextWrapper[AgentContext[Any]]) -> str:
        """Update a task that was never added."""
        await ctx.context.update_workflow_task(CustomTask(title="ghost"))
        return "unreachable"

    steps = [ResponseStream("resp_1").function_call("broken", {}), ResponseStream("resp_2").message("Ok.")]
    events, context, _ = await run_agent(Agent(name="A", tools=[broken]), "?", steps)
    assert context.error is None
    assert "An error occurred while running the tool" in json.dumps(
        [e.model_dump(mode="json") for e in events]
    )


async def test_helpers_called_before_streaming_starts_are_sent_first(make_context: Any) -> None:
    from agents.testing import ScriptedModel

    from agents import RunConfig, Runner
    from chatkit_agents.agents import stream_agent_response

    context = make_context()
    await context.progress("Warming up")
    model = ScriptedModel([ResponseStream("resp_1").message("Hi.").step()])
    result = Runner.run_streamed(
        Agent(name="A"), "Hi", context=context, run_config=RunConfig(model=model, tracing_disabled=True)
    )
    events = [e async for e in stream_agent_response(context, result)]
    assert render_events(events).splitlines()[0] == snapshot('progress_update         "Warming up"')


async def test_mcp_tools_are_labelled_with_their_server_and_title(make_context: Any) -> None:
    from agents.items import ToolCallItem
    from agents.tool import ToolOrigin, ToolOriginType
    from openai.types.responses import ResponseFunctionToolCall

    from agents import RunItemStreamEvent
    from chatkit_agents.agents import StreamConverter

    converter = StreamConverter()
    state = converter.create_state(make_context())
    raw = ResponseFunctionToolCall(
        type="function_call", call_id="c1", name="search_docs", arguments='{"q": "refunds"}'
    )
    item = ToolCallItem(
        agent=Agent(name="A"),
        raw_item=raw,
        title="Search the docs",
        tool_origin=ToolOrigin(type=ToolOriginType.MCP, mcp_server_name="docs"),
    )
    events = [e async for e in converter.convert(state, RunItemStreamEvent(name="tool_called", item=item))]
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Calling docs: Search the docs" icon=bolt content='Arguments: {"q": "refunds"}'\
""")


async def test_one_context_cannot_feed_two_streams_at_once(make_context: Any) -> None:
    import pytest
    from agents.testing import ScriptedModel

    from agents import RunConfig, Runner
    from chatkit_agents.agents import stream_agent_response
    from chatkit_agents.errors import ConfigurationError

    context = make_context()

    def start() -> Any:
        model = ScriptedModel([ResponseStream("resp_1").message("Hi.").step()])
        config = RunConfig(model=model, tracing_disabled=True)
        return Runner.run_streamed(Agent(name="A"), "Hi", context=context, run_config=config)

    first = stream_agent_response(context, start())
    assert (await anext(first)).type == "thread.item.added"
    second_result = start()
    with pytest.raises(ConfigurationError):
        await anext(stream_agent_response(context, second_result))
    assert second_result.is_complete  # the refused run was cancelled, not left running
    rest = [event async for event in first]
    assert rest[-1].type == "thread.item.done"
