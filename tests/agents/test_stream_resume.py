"""Turns that continue: approvals (pause, decide, resume) and a workflow left by the previous turn."""

# ruff: noqa: E501 (event snapshots are long lines)

from __future__ import annotations

from typing import Any

import pytest
from agents.testing import ScriptedModel
from inline_snapshot import snapshot

from agents import Agent, RunConfig, Runner, function_tool
from chatkit_agents._ids import FixedClock, SequentialIds
from chatkit_agents.agents import (
    APPROVAL_ACTION_TYPE,
    AgentContext,
    apply_approval_decisions,
    client_tool,
    dump_run_state,
    load_run_state,
    parse_approval_action,
    stream_agent_response,
)
from chatkit_agents.errors import UnknownToolCallError
from chatkit_agents.store import MemoryStore
from chatkit_agents.testing import render_events
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.testing.scripted import fixed_thread
from chatkit_agents.types import (
    ThreadItemDoneEvent,
    ThreadStreamEvent,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
    WorkflowItem,
)

pytestmark = pytest.mark.usefixtures("event_source_kind")


@function_tool(needs_approval=True)
def send_email(to: str, body: str) -> str:
    """Send an email."""
    return f"sent to {to}"


@function_tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    return f"deleted {path}"


class Server:
    """The bits of a ChatKit server these tests need: persist done items, run turns on one thread."""

    def __init__(self) -> None:
        self.ids = SequentialIds()
        self.clock = FixedClock()
        self.store: MemoryStore[Any] = MemoryStore(id_factory=self.ids)
        self.thread = fixed_thread(self.clock)

    async def setup(self) -> None:
        await self.store.save_thread(self.thread, None)
        message = UserMessageItem(
            id="msg_user",
            thread_id=self.thread.id,
            created_at=self.clock(),
            content=[UserMessageTextContent(text="Hi")],
        )
        await self.store.add_thread_item(self.thread.id, message, None)

    def context(self) -> AgentContext[Any]:
        return AgentContext(self.thread, self.store, None, clock=self.clock)

    async def run(
        self, agent: Agent[Any], input: Any, steps: list[Any], context: AgentContext[Any]
    ) -> list[ThreadStreamEvent]:
        model = ScriptedModel([s.step() if isinstance(s, ResponseStream) else s for s in steps])
        result = Runner.run_streamed(
            agent, input, context=context, run_config=RunConfig(model=model, tracing_disabled=True)
        )
        events: list[ThreadStreamEvent] = []
        async for event in stream_agent_response(context, result):
            events.append(event)
            if isinstance(event, ThreadItemDoneEvent):
                await self.store.add_thread_item(self.thread.id, event.item, None)
        return events

    async def items(self) -> list[Any]:
        page = await self.store.load_thread_items(self.thread.id, None, 50, "asc", None)
        return page.data


async def test_approvals_pause_with_a_widget_and_resume_after_the_decision(check_settled: Any) -> None:
    server = Server()
    await server.setup()
    agent = Agent(name="A", tools=[send_email, delete_file])
    first = await server.run(
        agent,
        "Email bob and delete /tmp/x",
        [
            ResponseStream("resp_1")
            .function_call("send_email", {"to": "bob@example.com", "body": "hi"}, call_id="call_mail")
            .function_call("delete_file", {"path": "/tmp/x"}, call_id="call_del"),
            ResponseStream("resp_2").message("Email sent; file kept."),
        ],
        context := server.context(),
    )
    check_settled(first)
    assert render_events(first) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Calling send_email" icon=bolt
  task.updated          wf_1 [0] custom loading "Calling send_email" icon=bolt content='Arguments: {"to": "bob@example.com", "body": "hi"}'
  task.added            wf_1 [1] custom loading "Calling delete_file" icon=bolt
  task.updated          wf_1 [1] custom loading "Calling delete_file" icon=bolt content='Arguments: {"path": "/tmp/x"}'
  task.updated          wf_1 [0] custom none "Waiting for approval: send_email" icon=keys content='Arguments: {"to": "bob@example.com", "body": "hi"}'
  task.updated          wf_1 [1] custom none "Waiting for approval: delete_file" icon=keys content='Arguments: {"path": "/tmp/x"}'
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom none "Waiting for approval: send_email" icon=keys content='Arguments: {"to": "bob@example.com", "body": "hi"}'
    [1] custom none "Waiting for approval: delete_file" icon=keys content='Arguments: {"path": "/tmp/x"}'
thread.item.done        wdg_2 widget Card (6 children)\
""")
    assert context.run_state is not None
    saved = dump_run_state(context.run_state)

    widget = next(i for i in await server.items() if isinstance(i, WidgetItem))
    buttons = widget.widget.model_dump(mode="json", exclude_none=True, by_alias=True)["children"][-1][
        "children"
    ]
    approve, _ = (b["onClickAction"] for b in buttons)
    assert approve == {
        "type": APPROVAL_ACTION_TYPE,
        "payload": {"decision": "approve", "call_ids": ["call_mail", "call_del"]},
    }
    decisions = {**parse_approval_action(approve), "call_del": "reject"}  # type: ignore[dict-item]
    assert parse_approval_action({"type": "other"}) is None

    resumed_context = server.context()
    state = await load_run_state(agent, saved, resumed_context)
    assert apply_approval_decisions(state, decisions, rejection_message="The user kept the file.") == []
    model = ScriptedModel([ResponseStream("resp_2").message("Email sent; file kept.").step()])
    result = Runner.run_streamed(
        agent, state, context=resumed_context, run_config=RunConfig(model=model, tracing_disabled=True)
    )
    second: list[ThreadStreamEvent] = []
    async for event in stream_agent_response(resumed_context, result):
        second.append(event)
        if isinstance(event, ThreadItemDoneEvent):
            await server.store.add_thread_item(server.thread.id, event.item, None)
    assert render_events(second) == snapshot("""\
  task.updated          wf_1 [0] custom complete "Called send_email" icon=bolt content='Arguments: {"to": "bob@example.com", "body": "hi"}\\n\\nResult: '...(+23)
  task.updated          wf_1 [1] custom complete "Called delete_file" icon=bolt content='Arguments: {"path": "/tmp/x"}\\n\\nResult: The user kept the fil'...(+2)
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom complete "Called send_email" icon=bolt content='Arguments: {"to": "bob@example.com", "body": "hi"}\\n\\nResult: '...(+23)
    [1] custom complete "Called delete_file" icon=bolt content='Arguments: {"path": "/tmp/x"}\\n\\nResult: The user kept the fil'...(+2)
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Email sent; file kept."
  content_part.done     msg_3 [0] "Email sent; file kept."
thread.item.done        msg_3 assistant_message "Email sent; file kept."\
""")
    assert model.calls[0].input[-1] == {
        "call_id": "call_del",
        "output": "The user kept the file.",
        "type": "function_call_output",
    }
    workflows = [i for i in await server.items() if isinstance(i, WorkflowItem)]
    assert len(workflows) == 1  # continued, never inserted twice


async def test_unknown_call_ids_in_decisions_are_rejected() -> None:
    server = Server()
    await server.setup()
    agent = Agent(name="A", tools=[delete_file])
    context = server.context()
    await server.run(
        agent,
        "Delete",
        [ResponseStream("resp_1").function_call("delete_file", {"path": "/x"}, call_id="c1")],
        context,
    )
    assert context.run_state is not None
    with pytest.raises(UnknownToolCallError):
        apply_approval_decisions(context.run_state, {"nope": "approve"})
    assert apply_approval_decisions(context.run_state, {}) == ["c1"]


async def test_workflow_before_a_client_tool_call_continues_on_the_next_turn(check_settled: Any) -> None:
    @client_tool
    def pick_color() -> None:
        """Ask the user to pick a color on the page."""

    @function_tool
    def paint(color: str) -> str:
        """Paint the wall."""
        return f"painted {color}"

    server = Server()
    await server.setup()
    agent = Agent(name="A", tools=[pick_color, paint])
    first = await server.run(
        agent,
        "Paint it",
        [
            ResponseStream("resp_1")
            .reasoning("I need a color.")
            .function_call("pick_color", {}, call_id="call_pick")
        ],
        server.context(),
    )
    check_settled(first)
    second = await server.run(
        agent,
        [
            {"role": "user", "content": "Paint it"},
            {"type": "function_call", "call_id": "call_pick", "name": "pick_color", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_pick", "output": "blue"},
        ],
        [
            ResponseStream("resp_2").function_call("paint", {"color": "blue"}),
            ResponseStream("resp_3").message("Painted blue."),
        ],
        server.context(),
    )
    check_settled(second, previous=["wf_1"])
    assert render_events(first) + "\n---\n" + render_events(second) == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="I need a color."
  task.updated          wf_1 [0] thought complete content="I need a color."
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="I need a color."
thread.item.done        tc_2 client_tool_call pick_color pending call_pick args={}
---
  task.added            wf_1 [1] custom loading "Calling paint" icon=bolt
  task.updated          wf_1 [1] custom loading "Calling paint" icon=bolt content='Arguments: {"color": "blue"}'
  task.updated          wf_1 [1] custom complete "Called paint" icon=bolt content='Arguments: {"color": "blue"}\\n\\nResult: painted blue'
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="I need a color."
    [1] custom complete "Called paint" icon=bolt content='Arguments: {"color": "blue"}\\n\\nResult: painted blue'
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Painted blue."
  content_part.done     msg_3 [0] "Painted blue."
thread.item.done        msg_3 assistant_message "Painted blue."\
""")
    kinds = [i.type for i in await server.items()]
    assert kinds == snapshot(["user_message", "workflow", "client_tool_call", "assistant_message"])


async def test_a_new_user_message_starts_a_new_workflow(check_settled: Any) -> None:
    server = Server()
    await server.setup()
    agent = Agent(name="A")
    await server.run(
        agent, "Hi", [ResponseStream("resp_1").reasoning("Hm.").message("Hello.")], server.context()
    )
    events = await server.run(
        agent, "Again", [ResponseStream("resp_2").reasoning("Hm again.").message("Hi.")], server.context()
    )
    check_settled(events)
    added = [e.item.id for e in events if e.type == "thread.item.added"]
    assert len(added) == 2
    assert added[0] != "wf_1"


async def test_hosted_mcp_approval_request_pauses_with_a_widget(run_agent: Any) -> None:
    from agents import HostedMCPTool

    tool = HostedMCPTool(
        tool_config={
            "type": "mcp",
            "server_label": "docs",
            "server_url": "https://mcp.example",
            "require_approval": "always",
        }
    )
    stream = ResponseStream("resp_1").mcp_approval_request("docs", "delete_page", {"id": 3})
    events, context, _ = await run_agent(Agent(name="A", tools=[tool]), "?", [stream])
    assert context.run_state is not None
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Approval requested: docs: delete_page" icon=keys content='Arguments: {"id": 3}'
  task.updated          wf_1 [0] custom none "Waiting for approval: delete_page" icon=keys content='Arguments: {"id": 3}'
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom none "Waiting for approval: delete_page" icon=keys content='Arguments: {"id": 3}'
thread.item.done        wdg_2 widget Card (4 children)\
""")


async def test_a_tripwire_never_retracts_items_of_earlier_turns() -> None:
    from agents import GuardrailFunctionOutput, output_guardrail
    from chatkit_agents.types import ThreadItemRemovedEvent

    @client_tool
    def pick_color() -> None:
        """Ask the user to pick a color on the page."""

    @output_guardrail
    async def block(ctx: Any, agent: Any, output: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=True)

    server = Server()
    await server.setup()
    first_agent = Agent(name="A", tools=[pick_color])
    await server.run(
        first_agent,
        "Paint it",
        [ResponseStream("resp_1").reasoning("Need a color.").function_call("pick_color", {}, call_id="c1")],
        server.context(),
    )
    second = await server.run(
        Agent(name="A", tools=[pick_color], output_guardrails=[block]),
        [
            {"role": "user", "content": "Paint it"},
            {"type": "function_call", "call_id": "c1", "name": "pick_color", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "blue"},
        ],
        [ResponseStream("resp_2").reasoning("Blue it is.").message("Painted.")],
        server.context(),
    )
    removed = [e.item_id for e in second if isinstance(e, ThreadItemRemovedEvent)]
    assert removed == ["msg_3"]
    assert render_events(second) == snapshot("""\
  task.added            wf_1 [1] thought loading content="Blue it is."
  task.updated          wf_1 [1] thought complete content="Blue it is."
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Need a color."
    [1] thought complete content="Blue it is."
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Painted."
  content_part.done     msg_3 [0] "Painted."
thread.item.done        msg_3 assistant_message "Painted."
thread.item.removed     msg_3
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Need a color."
notice                  danger "The reply was withheld by a safety check."\
""")
