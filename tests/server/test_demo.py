"""The offline demo agent: every kind of turn it scripts, served by `AgentServer`."""

from __future__ import annotations

from typing import Any

import anyio
from _server_helpers import decode_sse, message, req, stored, stream
from inline_snapshot import snapshot

from agents import RunConfig
from chatkit_agents._ids import SequentialIds
from chatkit_agents.demo import DemoModel, demo_agent
from chatkit_agents.server.agent_server import AgentServer
from chatkit_agents.store import MemoryStore
from chatkit_agents.types import AssistantMessageItem


def demo_server() -> tuple[AgentServer[Any], MemoryStore[Any]]:
    store = MemoryStore[Any](id_factory=SequentialIds())
    agent = demo_agent(offline=True)
    agent.model = DemoModel(word_delay=0, call_ids=SequentialIds())
    return AgentServer(agent, store, run_config=RunConfig(tracing_disabled=True)), store


async def last_text(store: MemoryStore[Any]) -> str:
    item = (await store.load_thread_items("thr_1", None, 1, "desc", None)).data[0]
    assert isinstance(item, AssistantMessageItem)
    return item.content[0].text


def test_without_a_key_the_demo_runs_offline(monkeypatch: Any) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert isinstance(demo_agent().model, DemoModel)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert demo_agent().model is None


async def test_a_plain_message_gets_reasoning_a_tool_call_and_a_reply() -> None:
    server, store = demo_server()
    events = await stream(
        await server.process(req("threads.create", input=message("Hello there friend")), None)
    )

    assert sum(e["type"] == "thread.item.updated" and "text_delta" in e["update"]["type"] for e in events) > 5
    assert await stored(store, width=24) == snapshot("""\
msg_2 user_message "Hello there friend"
wf_3 workflow reasoning summary=0s
    [0] thought complete content="**Reading the message** "...(+47)
    [1] custom complete "Called text_stats" icon=bolt content='Arguments: {"text": "Hel'...(+73)
msg_4 assistant_message "You wrote 3 words (18 ch"...(+121)\
""")


async def test_browser_questions_use_the_client_tool() -> None:
    server, store = demo_server()
    await stream(
        await server.process(req("threads.create", input=message("What is my browser language?")), None)
    )
    output = {"language": "nb-NO", "time_zone": "Europe/Oslo"}
    await stream(
        await server.process(req("threads.add_client_tool_output", thread_id="thr_1", result=output), None)
    )

    assert await stored(store, width=24) == snapshot("""\
msg_2 user_message "What is my browser langu"...(+4)
tc_3 client_tool_call get_browser_info completed call_1 args={} output={"language":"nb-NO","tim...(+22)
msg_4 assistant_message "Your browser says its la"...(+49)\
""")
    assert (
        await last_text(store) == "Your browser says its language is nb-NO and its time zone is Europe/Oslo."
    )


async def test_deleting_asks_for_approval_first() -> None:
    server, store = demo_server()
    events = await stream(
        await server.process(req("threads.create", input=message("Please delete my notes")), None)
    )
    widget = next(
        e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "widget"
    )
    button = widget["widget"]["children"][-1]["children"][0]
    action = button["onClickAction"]

    await stream(
        await server.process(
            req("threads.custom_action", thread_id="thr_1", item_id=widget["id"], action=action), None
        )
    )

    assert await stored(store, width=24) == snapshot("""\
msg_2 user_message "Please delete my notes"
wf_3 workflow custom summary=0s
    [0] custom complete "Called delete_demo_file" icon=bolt content='Arguments: {"name": "not'...(+77)
wdg_4 widget Card (2 children)
msg_5 assistant_message "Done: Deleted notes.txt "...(+41)\
""")
    assert await last_text(store) == "Done: Deleted notes.txt (pretend: the demo touches no real file)."


async def test_the_story_can_be_stopped_halfway() -> None:
    server, store = demo_server()
    result = await server.process(req("threads.create", input=message("Tell me a long story")), None)
    text = ""
    async for chunk in result:
        (event,) = decode_sse(chunk)
        if event["type"] == "thread.item.updated" and "delta" in event["update"]:
            text += event["update"]["delta"]
            if "(step 3)" in text:
                break
    await result.aclose()

    page = await store.load_thread_items("thr_1", None, 100, "asc", None)
    story = page.data[1]
    assert story.type == "assistant_message"
    assert "(step 3)" in story.content[0].text  # type: ignore[union-attr]
    assert "(step 120)" not in story.content[0].text  # type: ignore[union-attr]
    with anyio.fail_after(10):
        await stream(
            await server.process(
                req("threads.add_user_message", thread_id="thr_1", input=message("hi")), None
            )
        )
