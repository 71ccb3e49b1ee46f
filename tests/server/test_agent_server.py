"""`AgentServer`: history in, reply out, client tools, retries, approvals, errors and cancellation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
from _server_helpers import message, req, stored, stream
from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call
from inline_snapshot import snapshot

from agents import Agent, RunConfig, function_tool
from chatkit_agents._ids import FixedClock, SequentialIds
from chatkit_agents.agents.tools import RUN_STATE_METADATA_KEY, client_tool
from chatkit_agents.server.agent_server import AgentServer
from chatkit_agents.store import MemoryStore
from chatkit_agents.testing import render_events, render_thread
from chatkit_agents.types import UserMessageTextContent


@function_tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    return f"deleted {path}"


@client_tool
def get_location() -> dict[str, str]:
    """The user's current city, read by the browser."""
    return {}


def make_server(*steps: Any) -> tuple[AgentServer[Any], ScriptedModel, MemoryStore[Any]]:
    model = ScriptedModel(list(steps))
    agent = Agent(name="Assistant", model=model, tools=[delete_file, get_location])
    store = MemoryStore[Any](id_factory=SequentialIds())
    server = AgentServer(agent, store, run_config=RunConfig(tracing_disabled=True), clock=FixedClock())
    return server, model, store


def reply(text: str) -> ModelStep:
    return ModelStep(output=[assistant_message(text)])


async def test_each_turn_sends_the_whole_history_to_the_agent() -> None:
    server, model, store = make_server(reply("Hello!"), reply("You said hi before."))

    first = await stream(await server.process(req("threads.create", input=message("hi")), None))
    second = await stream(
        await server.process(
            req("threads.add_user_message", thread_id="thr_1", input=message("what did I say?")), None
        )
    )

    assert render_events(first) == snapshot("""\
thread.created          thr_1 active
thread.item.done        msg_2 user_message "hi"
stream_options          allow_cancel=true
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Hello!"
  content_part.done     msg_3 [0] "Hello!"
thread.item.done        msg_3 assistant_message "Hello!"\
""")
    assert render_events(second) == snapshot("""\
thread.item.done        msg_4 user_message "what did I say?"
stream_options          allow_cancel=true
thread.item.added       msg_5 assistant_message
  content_part.added    msg_5 [0] ""
  text_delta            msg_5 [0] "You said hi before."
  content_part.done     msg_5 [0] "You said hi before."
thread.item.done        msg_5 assistant_message "You said hi before."\
""")
    assert model.calls[1].input == snapshot(
        [
            {"type": "message", "role": "user", "content": "hi"},
            {"type": "message", "role": "assistant", "content": "Hello!"},
            {
                "type": "message",
                "role": "user",
                "content": "what did I say?",
            },
        ]
    )
    assert await stored(store) == snapshot("""\
msg_2 user_message "hi"
msg_3 assistant_message "Hello!"
msg_4 user_message "what did I say?"
msg_5 assistant_message "You said hi before."\
""")


async def test_a_client_tool_call_ends_the_turn_and_its_output_resumes_the_agent() -> None:
    server, model, store = make_server(
        ModelStep(output=[function_call("get_location", {}, call_id="call_loc")]), reply("You are in Oslo.")
    )

    asked = await stream(await server.process(req("threads.create", input=message("where am I?")), None))
    answered = await stream(
        await server.process(
            req("threads.add_client_tool_output", thread_id="thr_1", result={"city": "Oslo"}), None
        )
    )

    assert render_events(asked) == snapshot("""\
thread.created          thr_1 active
thread.item.done        msg_2 user_message "where am I?"
stream_options          allow_cancel=true
thread.item.done        tc_3 client_tool_call get_location pending call_loc args={}\
""")
    assert render_events(answered) == snapshot("""\
stream_options          allow_cancel=true
thread.item.added       msg_4 assistant_message
  content_part.added    msg_4 [0] ""
  text_delta            msg_4 [0] "You are in Oslo."
  content_part.done     msg_4 [0] "You are in Oslo."
thread.item.done        msg_4 assistant_message "You are in Oslo."\
""")
    assert model.calls[1].input[-2:] == snapshot(
        [
            {"type": "function_call", "call_id": "call_loc", "name": "get_location", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_loc", "output": '{"city": "Oslo"}'},
        ]
    )
    assert await stored(store) == snapshot("""\
msg_2 user_message "where am I?"
tc_3 client_tool_call get_location completed call_loc args={} output={"city":"Oslo"}
msg_4 assistant_message "You are in Oslo."\
""")


async def test_an_approval_pauses_the_run_and_the_widget_action_resumes_it() -> None:
    server, _model, store = make_server(
        ModelStep(output=[function_call("delete_file", {"path": "/tmp/x"}, call_id="call_del")]),
        reply("Deleted it."),
    )

    paused = await stream(await server.process(req("threads.create", input=message("delete /tmp/x")), None))
    thread = await store.load_thread("thr_1", None)
    assert RUN_STATE_METADATA_KEY in thread.metadata
    widget_id = next(e["item"]["id"] for e in paused if e.get("item", {}).get("type") == "widget")
    action = {"type": "chatkit_agents.approval", "payload": {"decision": "approve", "call_ids": ["call_del"]}}

    resumed = await stream(
        await server.process(
            req("threads.custom_action", thread_id="thr_1", item_id=widget_id, action=action), None
        )
    )

    assert render_events(paused, width=10) == snapshot("""\
thread.created          thr_1 active
thread.item.done        msg_2 user_message "delete /tm"...(+3)
stream_options          allow_cancel=true
thread.item.added       wf_3 workflow custom
    [0] custom loading "Calling de"...(+9) icon=bolt
  task.updated          wf_3 [0] custom loading "Calling de"...(+9) icon=bolt content="Arguments:"...(+19)
  task.updated          wf_3 [0] custom none "Waiting fo"...(+23) icon=keys content="Arguments:"...(+19)
thread.item.done        wf_3 workflow custom summary=0s
    [0] custom none "Waiting fo"...(+23) icon=keys content="Arguments:"...(+19)
thread.item.done        wdg_4 widget Card (4 children)
thread.updated          thr_1 active\
""")
    assert render_events(resumed, width=10) == snapshot("""\
stream_options          allow_cancel=true
thread.item.replaced    wdg_4 widget Card (2 children)
thread.updated          thr_1 active
  task.updated          wf_3 [0] custom complete "Called del"...(+8) icon=bolt content="Arguments:"...(+43)
thread.item.done        wf_3 workflow custom summary=0s
    [0] custom complete "Called del"...(+8) icon=bolt content="Arguments:"...(+43)
thread.item.added       msg_5 assistant_message
  content_part.added    msg_5 [0] ""
  text_delta            msg_5 [0] "Deleted it"...(+1)
  content_part.done     msg_5 [0] "Deleted it"...(+1)
thread.item.done        msg_5 assistant_message "Deleted it"...(+1)\
""")
    replaced = next(event for event in resumed if event["type"] == "thread.item.replaced")
    assert replaced["item"]["widget"]["children"][0]["value"] == "Approved"
    page = await store.load_thread_items("thr_1", None, 100, "asc", None)
    assert render_thread(page.data, width=10) == snapshot("""\
msg_2 user_message "delete /tm"...(+3)
wf_3 workflow custom summary=0s
    [0] custom complete "Called del"...(+8) icon=bolt content="Arguments:"...(+43)
wdg_4 widget Card (2 children)
msg_5 assistant_message "Deleted it"...(+1)\
""")
    assert RUN_STATE_METADATA_KEY not in (await store.load_thread("thr_1", None)).metadata

    again = await stream(
        await server.process(
            req("threads.custom_action", thread_id="thr_1", item_id=widget_id, action=action), None
        )
    )
    assert render_events(again, width=40) == snapshot("""\
stream_options          allow_cancel=true
error                   custom allow_retry=false "Nothing in this thread is waiting for ap"...(+7)\
""")


async def test_other_actions_need_an_override() -> None:
    server, _, _store = make_server(reply("Hello!"))
    await stream(await server.process(req("threads.create", input=message("hi")), None))

    events = await stream(
        await server.process(req("threads.custom_action", thread_id="thr_1", action={"type": "buy"}), None)
    )

    assert render_events(events, width=40) == snapshot("""\
stream_options          allow_cancel=true
error                   custom allow_retry=false "AgentServer handles only 'chatkit_agents"...(+96)\
""")


async def test_retry_runs_the_agent_again_on_the_same_user_message() -> None:
    server, model, store = make_server(reply("First try."), reply("Second try."))
    await stream(await server.process(req("threads.create", input=message("hi")), None))

    await stream(
        await server.process(req("threads.retry_after_item", thread_id="thr_1", item_id="msg_2"), None)
    )

    assert await stored(store) == snapshot("""\
msg_2 user_message "hi"
msg_4 assistant_message "Second try."\
""")
    assert model.calls[1].input == model.calls[0].input


async def test_a_model_error_ends_with_an_error_event_and_the_thread_stays_usable() -> None:
    server, _, store = make_server(ModelStep.raise_error(RuntimeError("provider down")), reply("Back again."))

    failed = await stream(await server.process(req("threads.create", input=message("hi")), None))
    recovered = await stream(
        await server.process(req("threads.add_user_message", thread_id="thr_1", input=message("retry")), None)
    )

    assert render_events(failed) == snapshot("""\
thread.created          thr_1 active
thread.item.done        msg_2 user_message "hi"
stream_options          allow_cancel=true
error                   stream.error allow_retry=true\
""")
    assert recovered[-1]["type"] == "thread.item.done"
    assert await stored(store) == snapshot("""\
msg_2 user_message "hi"
msg_3 user_message "retry"
msg_4 assistant_message "Back again."\
""")


async def test_closing_the_stream_cancels_the_agent_run() -> None:
    started, stopped = anyio.Event(), anyio.Event()

    async def stalled(call: Any) -> AsyncIterator[Any]:
        started.set()
        try:
            await anyio.Event().wait()
        finally:
            stopped.set()
        yield  # pragma: no cover

    server, _, store = make_server(ModelStep.stream(stalled))
    result = await server.process(req("threads.create", input=message("hi")), None)

    async with anyio.create_task_group() as group:

        async def consume() -> None:
            async for _ in result:
                pass

        group.start_soon(consume)
        await started.wait()
        group.cancel_scope.cancel()

    assert stopped.is_set()
    assert await stored(store) == snapshot("""\
msg_2 user_message "hi"
shcx_3 sdk_hidden_context "The user stopped the previous response before it finished. D"...(+18)\
""")


def test_the_default_store_is_in_memory() -> None:
    server = AgentServer(Agent(name="A"))
    assert isinstance(server.store, MemoryStore)


async def test_history_can_be_windowed() -> None:
    model = ScriptedModel([reply("one"), reply("two")])
    store = MemoryStore[Any](id_factory=SequentialIds())
    server = AgentServer(
        Agent(name="A", model=model), store, max_history_items=1, run_config=RunConfig(tracing_disabled=True)
    )
    await stream(await server.process(req("threads.create", input=message("first")), None))
    await stream(
        await server.process(
            req("threads.add_user_message", thread_id="thr_1", input=message("second")), None
        )
    )

    assert model.calls[1].input == snapshot([{"type": "message", "role": "user", "content": "second"}])


async def test_a_new_thread_sends_its_message_without_reading_it_back_from_the_store() -> None:
    server, model, store = make_server(reply("Hello!"))
    reads: list[str] = []
    load_items = store.load_thread_items

    async def counting_load(*args: Any, **kwargs: Any) -> Any:
        reads.append(args[0])
        return await load_items(*args, **kwargs)

    store.load_thread_items = counting_load  # type: ignore[method-assign]
    await stream(await server.process(req("threads.create", input=message("hi")), None))
    assert reads == []
    assert model.calls[0].input == snapshot([{"type": "message", "role": "user", "content": "hi"}])


class PrefixedHistory(AgentServer[Any]):
    """Adds a note before the stored history (an override the new-thread path must honour)."""

    async def load_history(self, thread: Any, context: Any) -> list[Any]:
        history = await super().load_history(thread, context)
        note = history[0].model_copy(
            update={"id": "msg_note", "content": [UserMessageTextContent(text="note")]}
        )
        return [note, *history]


class LoggingRespond(AgentServer[Any]):
    """Overrides respond (the new-thread path must go through it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.responded: list[str] = []

    async def respond(self, thread: Any, input_user_message: Any, context: Any) -> AsyncIterator[Any]:
        self.responded.append(thread.id)
        async for event in super().respond(thread, input_user_message, context):
            yield event


async def test_a_new_thread_goes_through_overridden_history_and_respond() -> None:
    model = ScriptedModel([reply("one"), reply("two")])
    agent = Agent(name="Assistant", model=model)
    config = RunConfig(tracing_disabled=True)

    prefixed = PrefixedHistory(agent, MemoryStore[Any](id_factory=SequentialIds()), run_config=config)
    await stream(await prefixed.process(req("threads.create", input=message("hi")), None))
    assert [item["content"] for item in model.calls[0].input] == ["note", "hi"]

    logging = LoggingRespond(agent, MemoryStore[Any](id_factory=SequentialIds()), run_config=config)
    events = await stream(await logging.process(req("threads.create", input=message("hi")), None))
    assert logging.responded == ["thr_1"]
    assert render_events(events).splitlines()[-1] == snapshot(
        'thread.item.done        msg_3 assistant_message "two"'
    )
