"""Conversation mode: each turn chains on OpenAI's stored state and sends only what is new."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import httpx2
import openai
import pytest
from _memory_helpers import Chat, brief, errors, make_server, reply, send_and_stop, stalled_reply
from agents.testing import ModelStep, ScriptedModel, function_call
from inline_snapshot import snapshot

from chatkit_agents.server.memory import ConversationMemory, is_server_state_gone
from chatkit_agents.store import Store
from chatkit_agents.types import AssistantMessageItem, HiddenContextItem, UserMessageItem


def sent(model: ScriptedModel, index: int) -> tuple[str | None, list[str]]:
    """The response id a model call chained on and a brief of its input."""
    call = model.calls[index]
    return call.previous_response_id, brief(call.input)


def user_ids(items: list[Any]) -> list[str]:
    return [item.id for item in items if isinstance(item, UserMessageItem)]


def response_gone() -> openai.NotFoundError:
    request = httpx2.Request("POST", "https://api.openai.com/v1/responses")
    return openai.NotFoundError(
        "Previous response with id 'resp_1' not found.",
        response=httpx2.Response(404, request=request),
        body={"code": "previous_response_not_found"},
    )


async def test_each_turn_sends_only_the_new_message_and_the_last_response_id(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "conversation",
        reply("Hello!", "resp_1"),
        reply("You said hi.", "resp_2"),
        reply("Three messages.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("what did I say?")
    await chat.send("how many messages?")

    assert sent(model, 0) == snapshot((None, ["user: hi"]))
    assert sent(model, 1) == snapshot(("resp_1", ["user: what did I say?"]))
    assert sent(model, 2) == snapshot(("resp_2", ["user: how many messages?"]))


async def test_retrying_a_message_chains_on_the_response_before_it(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "conversation",
        reply("Hello!", "resp_1"),
        reply("Noon.", "resp_2"),
        reply("12:00.", "resp_3"),
        reply("You asked the time.", "resp_4"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("time?")
    second = user_ids(await chat.items())[1]

    assert errors(await chat.retry(second)) == []
    await chat.send("what did I ask?")

    assert sent(model, 2) == snapshot(("resp_1", ["user: time?"]))
    assert sent(model, 3) == snapshot(("resp_3", ["user: what did I ask?"]))


async def test_a_client_tool_output_is_sent_as_the_calls_output(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "conversation",
        ModelStep(output=[function_call("get_location", {}, call_id="call_loc")], response_id="resp_1"),
        reply("You are in Paris.", "resp_2"),
        reply("Still Paris.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("where am I?")
    assert errors(await chat.tool_output({"city": "Paris"})) == []
    await chat.send("and now?")

    assert sent(model, 1) == snapshot(("resp_1", ['function_call_output call_loc: {"city": "Paris"}']))
    assert sent(model, 2) == snapshot(("resp_2", ["user: and now?"]))


async def test_a_client_tool_call_left_unanswered_gets_an_output_before_the_next_message(
    store: Store[Any],
) -> None:
    server, model = make_server(
        store,
        "conversation",
        ModelStep(output=[function_call("get_location", {}, call_id="call_loc")], response_id="resp_1"),
        reply("Never mind then.", "resp_2"),
    )
    chat = Chat(server)
    await chat.send("where am I?")
    await chat.send("forget it")

    assert sent(model, 1) == snapshot(
        (
            "resp_1",
            [
                "function_call_output call_loc: Not run: the user sent a new message instead.",
                "user: forget it",
            ],
        )
    )


async def test_an_approval_resumes_on_the_paused_response(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "conversation",
        ModelStep(
            output=[function_call("delete_file", {"path": "a.txt"}, call_id="call_del")], response_id="resp_1"
        ),
        reply("Deleted a.txt.", "resp_2"),
        reply("You are welcome.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("delete a.txt")
    assert errors(await chat.approve(["call_del"])) == []
    await chat.send("thanks")

    assert sent(model, 1) == snapshot(
        (
            "resp_1",
            ["function_call_output call_del: deleted a.txt"],
        )
    )
    assert sent(model, 2) == snapshot(("resp_2", ["user: thanks"]))


async def test_an_approval_left_undecided_gets_an_output_before_the_next_message(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "conversation",
        ModelStep(
            output=[function_call("delete_file", {"path": "a.txt"}, call_id="call_del")], response_id="resp_1"
        ),
        reply("Fine, I will not.", "resp_2"),
    )
    chat = Chat(server)
    await chat.send("delete a.txt")
    await chat.send("actually, keep it")

    assert sent(model, 1) == snapshot(
        (
            "resp_1",
            [
                "function_call_output call_del: Not run: the user sent a new message instead.",
                "user: actually, keep it",
            ],
        )
    )


async def test_gone_server_state_falls_back_to_the_thread_with_a_notice(
    store: Store[Any], caplog: pytest.LogCaptureFixture
) -> None:
    server, model = make_server(
        store,
        "conversation",
        reply("Hello!", "resp_1"),
        ModelStep.raise_error(response_gone()),
        reply("You said hi.", "resp_2b"),
        reply("Two questions.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    with caplog.at_level(logging.WARNING, logger="chatkit_agents.memory"):
        events = await chat.send("what did I say?")
    await chat.send("how many questions?")

    assert [e["type"] for e in events] == snapshot(
        [
            "thread.item.done",
            "stream_options",
            "notice",
            "thread.updated",
            "thread.item.added",
            "thread.item.updated",
            "thread.item.updated",
            "thread.item.updated",
            "thread.item.done",
            "thread.updated",
        ]
    )
    assert [e for e in events if e["type"] == "notice"] == snapshot(
        [
            {
                "type": "notice",
                "level": "info",
                "message": "The saved conversation state expired; answered from this thread's messages.",
            }
        ]
    )
    assert [r.getMessage() for r in caplog.records] == snapshot(
        ["server-side state of thread thr_1 is gone (resp_1); answering from the stored thread items"]
    )
    assert sent(model, 1) == snapshot(("resp_1", ["user: what did I say?"]))
    assert sent(model, 2) == snapshot((None, ["user: hi", "assistant: Hello!", "user: what did I say?"]))
    assert sent(model, 3) == snapshot(("resp_2b", ["user: how many questions?"]))


async def test_other_errors_are_shown_and_the_turn_is_resent_next_time(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "conversation",
        reply("Hello!", "resp_1"),
        ModelStep.raise_error(RuntimeError("model down")),
        reply("I am back.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    assert len(errors(await chat.send("are you there?"))) == 1
    await chat.send("hello?")

    assert len(model.calls) == 3
    assert sent(model, 2) == snapshot(("resp_1", ["user: are you there?", "user: hello?"]))


async def test_removing_an_item_restarts_from_the_response_before_its_turn(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "conversation",
        reply("Hello!", "resp_1"),
        reply("Noon.", "resp_2"),
        reply("You asked the time.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("time?")
    noon = [item for item in await chat.items() if isinstance(item, AssistantMessageItem)][1]

    await server.delete_item(chat.thread_id, noon.id, None)
    await chat.send("what did I ask?")

    assert sent(model, 2) == snapshot(("resp_1", ["user: time?", "user: what did I ask?"]))


async def test_context_only_items_are_sent_once(store: Store[Any]) -> None:
    server, model = make_server(
        store, "conversation", reply("Hello!", "resp_1"), reply("Noted.", "resp_2"), reply("Bye.", "resp_3")
    )
    chat = Chat(server)
    await chat.send("hi")
    thread = await chat.thread()
    note = HiddenContextItem(
        id="hidden_1", thread_id=thread.id, created_at=thread.created_at, content="The user is on a phone."
    )
    await store.add_thread_item(thread.id, note, None)
    await chat.send("remember that")
    await chat.send("bye")

    assert sent(model, 1) == snapshot(
        (
            "resp_1",
            [
                """\
user: <hidden_context>
The user is on a phone.
</hidden_context>\
""",
                "user: remember that",
            ],
        )
    )
    assert sent(model, 2) == snapshot(("resp_2", ["user: bye"]))


async def test_switching_from_thread_mode_sends_the_history_once(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "thread",
        reply("Hello!", "resp_1"),
        reply("Hi again!", "resp_2"),
        reply("Two greetings.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    server.memory = ConversationMemory()
    await chat.send("hi again")
    await chat.send("count the greetings")

    assert sent(model, 1) == snapshot((None, ["user: hi", "assistant: Hello!", "user: hi again"]))
    assert sent(model, 2) == snapshot(("resp_2", ["user: count the greetings"]))


async def test_a_conversation_factory_gives_each_thread_a_server_side_conversation(
    store: Store[Any],
) -> None:
    made: list[str] = []

    async def conversation_for(thread: Any, context: Any) -> str:
        made.append(f"conv_{len(made) + 1}")
        return made[-1]

    server, model = make_server(
        store,
        ConversationMemory(conversation_for=conversation_for),
        reply("Hello!", "resp_1"),
        reply("Noon.", "resp_2"),
        reply("12:00.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("time?")
    second = user_ids(await chat.items())[1]
    await chat.retry(second)

    calls = [(call.conversation_id, call.previous_response_id, brief(call.input)) for call in model.calls]
    assert calls == snapshot(
        [
            ("conv_1", None, ["user: hi"]),
            ("conv_1", None, ["user: time?"]),
            ("conv_2", None, ["user: hi", "assistant: Hello!", "user: time?"]),
        ]
    )
    assert made == ["conv_1", "conv_2"]


def test_only_missing_server_state_counts_as_gone() -> None:
    request = httpx2.Request("POST", "https://api.openai.com/v1/responses")
    bad = openai.BadRequestError(
        "Previous response with id 'resp_x' not found.",
        response=httpx2.Response(400, request=request),
        body={"code": "previous_response_not_found"},
    )
    assert is_server_state_gone(response_gone())
    assert is_server_state_gone(bad)
    assert not is_server_state_gone(RuntimeError("not found"))


async def test_a_stopped_reply_is_resent_from_what_the_user_saw(store: Store[Any]) -> None:
    started = anyio.Event()
    server, model = make_server(
        store,
        "conversation",
        reply("Hello!", "resp_1"),
        stalled_reply("The answer is", "resp_2", started),
        reply("Sorry, go on.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await send_and_stop(chat, "long question", started)
    await chat.send("never mind")

    assert sent(model, 2) == snapshot(
        (
            "resp_1",
            [
                "user: long question",
                "assistant: The answer is",
                """\
user: <hidden_context>
The user stopped the previous response before it finished. Do not continue it.
</hidden_context>\
""",
                "user: never mind",
            ],
        )
    )


async def test_a_widget_a_tool_showed_is_sent_with_the_next_message(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "conversation",
        ModelStep(
            output=[function_call("show_weather", {"city": "Oslo"}, call_id="call_w")], response_id="r1"
        ),
        reply("Here is the weather.", "resp_2"),
        reply("It said sunny.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("weather in Oslo?")
    await chat.send("what did the card say?")

    assert sent(model, 1) == snapshot(("r1", ["function_call_output call_w: The card is on screen."]))
    assert sent(model, 2) == snapshot(
        (
            "resp_2",
            [
                """\
user: <widget>
Oslo: sunny, 24°C
</widget>\
""",
                "user: what did the card say?",
            ],
        )
    )
