"""Thread mode (the default): every turn rebuilds the model input from the stored thread items."""

from __future__ import annotations

from typing import Any

from _memory_helpers import Chat, brief, errors, make_server, reply, thinking_reply
from agents.testing import ModelStep, function_call
from inline_snapshot import snapshot

from chatkit_agents.server.memory import ThreadMemory, resolve_memory
from chatkit_agents.store import Store
from chatkit_agents.types import AssistantMessageItem, UserMessageItem


async def test_each_turn_sends_the_converted_thread(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "thread",
        thinking_reply("The user greets me.", "Hello!", "resp_1"),
        reply("You said hi.", "resp_2"),
        reply("Three messages.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("what did I say?")
    await chat.send("how many messages?")

    assert brief(model.calls[1].input) == snapshot(
        [
            "user: hi",
            """\
user: <reasoning>
- The user greets me.
</reasoning>\
""",
            "assistant: Hello!",
            "user: what did I say?",
        ]
    )
    assert brief(model.calls[2].input) == snapshot(
        [
            "user: hi",
            """\
user: <reasoning>
- The user greets me.
</reasoning>\
""",
            "assistant: Hello!",
            "user: what did I say?",
            "assistant: You said hi.",
            "user: how many messages?",
        ]
    )
    assert [call.previous_response_id for call in model.calls] == [None, None, None]


async def test_retry_and_client_tool_output_need_nothing_but_the_thread(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "thread",
        ModelStep(output=[function_call("get_location", {}, call_id="call_loc")], response_id="resp_1"),
        reply("You are in Paris.", "resp_2"),
        reply("Paris, France.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("where am I?")
    assert errors(await chat.tool_output({"city": "Paris"})) == []
    question = next(item.id for item in await chat.items() if isinstance(item, UserMessageItem))
    assert errors(await chat.retry(question)) == []

    assert brief(model.calls[1].input) == snapshot(
        [
            "user: where am I?",
            "function_call call_loc get_location({})",
            'function_call_output call_loc: {"city": "Paris"}',
        ]
    )
    assert brief(model.calls[2].input) == snapshot(["user: where am I?"])


def test_thread_memory_is_the_default() -> None:
    assert isinstance(resolve_memory(None), ThreadMemory)
    assert isinstance(resolve_memory("thread"), ThreadMemory)


async def test_approvals_and_removed_items_need_nothing_but_the_thread(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "thread",
        ModelStep(
            output=[function_call("delete_file", {"path": "a.txt"}, call_id="call_del")], response_id="r1"
        ),
        reply("Deleted a.txt.", "resp_2"),
        reply("You asked me to delete a file.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("delete a.txt")
    assert errors(await chat.approve(["call_del"])) == []
    done = [item for item in await chat.items() if isinstance(item, AssistantMessageItem)][-1]
    await server.delete_item(chat.thread_id, done.id, None)
    await chat.send("what did I ask?")

    assert brief(model.calls[1].input) == snapshot(
        [
            "user: delete a.txt",
            'function_call call_del delete_file({"path":"a.txt"})',
            "function_call_output call_del: deleted a.txt",
        ]
    )
    assert brief(model.calls[2].input) == snapshot(
        [
            "user: delete a.txt",
            """\
user: <workflow>
- Called delete_file
  Arguments: {"path": "a.txt"}
  Result: deleted a.txt
</workflow>\
""",
            """\
user: <widget>
Approval needed
Run delete_file?
{"path": "a.txt"}
Approve
Reject
</widget>\
""",
            "user: what did I ask?",
        ]
    )
