"""Session mode: the model sees exactly what it produced before, and the session follows the thread."""

from __future__ import annotations

import sqlite3
from typing import Any

import anyio
import pytest
from _memory_helpers import (
    Chat,
    brief,
    drain,
    errors,
    make_server,
    reply,
    req,
    send_and_stop,
    stalled_reply,
    thinking_reply,
)
from agents.testing import ModelStep, function_call
from inline_snapshot import snapshot

from chatkit_agents.server.memory import MEMORY_METADATA_KEY, SessionMemory, ThreadMemory
from chatkit_agents.store import SQLiteStore, Store
from chatkit_agents.types import (
    AssistantMessageItem,
    HiddenContextItem,
    StructuredInputFreeform,
    StructuredInputItem,
    UserMessageItem,
)


def user_ids(items: list[Any]) -> list[str]:
    return [item.id for item in items if isinstance(item, UserMessageItem)]


async def session_items(chat: Chat) -> list[str]:
    server = chat.server
    assert isinstance(server.memory, SessionMemory)
    session, close = await server.memory.open_session(await chat.thread(), chat.context, server.store)
    try:
        return brief(await session.get_items())
    finally:
        if close is not None:
            await close()


async def test_the_model_sees_its_reasoning_verbatim_on_later_turns(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        thinking_reply("The user greets me.", "Hello!", "resp_1"),
        reply("You said hi.", "resp_2"),
        reply("Three messages so far.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("what did I say?")
    await chat.send("how many messages?")

    assert brief(model.calls[1].input) == snapshot(
        [
            "user: hi",
            "reasoning rs_resp_1: The user greets me. [ENCRYPTED<The user greets me.>]",
            "assistant: Hello!",
            "user: what did I say?",
        ]
    )
    assert model.calls[1].input[1] == snapshot(
        {
            "id": "rs_resp_1",
            "summary": [{"text": "The user greets me.", "type": "summary_text"}],
            "type": "reasoning",
            "encrypted_content": "ENCRYPTED<The user greets me.>",
        }
    )
    assert brief(model.calls[2].input) == snapshot(
        [
            "user: hi",
            "reasoning rs_resp_1: The user greets me. [ENCRYPTED<The user greets me.>]",
            "assistant: Hello!",
            "user: what did I say?",
            "assistant: You said hi.",
            "user: how many messages?",
        ]
    )
    await server.memory.aclose()


async def test_retrying_a_message_cuts_the_session_back_to_before_it(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        thinking_reply("A greeting.", "Hello!", "resp_1"),
        reply("It is noon.", "resp_2"),
        reply("It is 12:00.", "resp_3"),
        reply("You asked twice.", "resp_4"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("what time is it?")
    second = user_ids(await chat.items())[1]

    assert errors(await chat.retry(second)) == []
    await chat.send("what did I ask?")

    assert brief(model.calls[2].input) == snapshot(
        [
            "user: hi",
            "reasoning rs_resp_1: A greeting. [ENCRYPTED<A greeting.>]",
            "assistant: Hello!",
            "user: what time is it?",
        ]
    )
    assert brief(model.calls[3].input) == snapshot(
        [
            "user: hi",
            "reasoning rs_resp_1: A greeting. [ENCRYPTED<A greeting.>]",
            "assistant: Hello!",
            "user: what time is it?",
            "assistant: It is 12:00.",
            "user: what did I ask?",
        ]
    )
    assert await session_items(chat) == snapshot(
        [
            "user: hi",
            "reasoning rs_resp_1: A greeting. [ENCRYPTED<A greeting.>]",
            "assistant: Hello!",
            "user: what time is it?",
            "assistant: It is 12:00.",
            "user: what did I ask?",
            "assistant: You asked twice.",
        ]
    )
    await server.memory.aclose()


async def test_a_client_tool_output_replaces_the_placeholder_in_the_session(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        ModelStep(output=[function_call("get_location", {}, call_id="call_loc")], response_id="resp_1"),
        reply("You are in Paris.", "resp_2"),
        reply("Still Paris.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("where am I?")
    assert errors(await chat.tool_output({"city": "Paris"})) == []
    await chat.send("and now?")

    assert brief(model.calls[1].input) == snapshot(
        [
            "user: where am I?",
            "function_call call_loc get_location({})",
            'function_call_output call_loc: {"city": "Paris"}',
        ]
    )
    assert brief(model.calls[2].input) == snapshot(
        [
            "user: where am I?",
            "function_call call_loc get_location({})",
            'function_call_output call_loc: {"city": "Paris"}',
            "assistant: You are in Paris.",
            "user: and now?",
        ]
    )
    assert await session_items(chat) == snapshot(
        [
            "user: where am I?",
            "function_call call_loc get_location({})",
            'function_call_output call_loc: {"city": "Paris"}',
            "assistant: You are in Paris.",
            "user: and now?",
            "assistant: Still Paris.",
        ]
    )
    await server.memory.aclose()


async def test_an_approved_tool_call_resumes_in_the_session(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        ModelStep(
            output=[function_call("delete_file", {"path": "a.txt"}, call_id="call_del")], response_id="r1"
        ),
        reply("Deleted a.txt.", "resp_2"),
        reply("You are welcome.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("delete a.txt")
    assert errors(await chat.approve(["call_del"])) == []
    await chat.send("thanks")

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
            'function_call call_del delete_file({"path":"a.txt"})',
            "function_call_output call_del: deleted a.txt",
            "assistant: Deleted a.txt.",
            "user: thanks",
        ]
    )
    await server.memory.aclose()


async def test_a_rejected_tool_call_reaches_the_model_as_rejected(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        ModelStep(
            output=[function_call("delete_file", {"path": "a.txt"}, call_id="call_del")], response_id="r1"
        ),
        reply("I left a.txt alone.", "resp_2"),
    )
    chat = Chat(server)
    await chat.send("delete a.txt")
    assert errors(await chat.approve(["call_del"], "reject")) == []

    assert brief(model.calls[1].input)[-1] == snapshot(
        "function_call_output call_del: Tool execution was not approved."
    )
    await server.memory.aclose()


async def test_removing_an_item_rebuilds_only_its_turn_from_the_thread(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        thinking_reply("A greeting.", "Hello!", "resp_1"),
        thinking_reply("A time question.", "Noon.", "resp_2"),
        reply("You asked for the time.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("what time is it?")
    hello = next(item for item in await chat.items() if isinstance(item, AssistantMessageItem))

    await server.delete_item(chat.thread_id, hello.id, None)
    await chat.send("what did I ask?")

    assert brief(model.calls[2].input) == snapshot(
        [
            "user: hi",
            """\
user: <reasoning>
- A greeting.
</reasoning>\
""",
            "user: what time is it?",
            "reasoning rs_resp_2: A time question. [ENCRYPTED<A time question.>]",
            "assistant: Noon.",
            "user: what did I ask?",
        ]
    )
    assert await session_items(chat) == snapshot(
        [
            "user: hi",
            """\
user: <reasoning>
- A greeting.
</reasoning>\
""",
            "user: what time is it?",
            "reasoning rs_resp_2: A time question. [ENCRYPTED<A time question.>]",
            "assistant: Noon.",
            "user: what did I ask?",
            "assistant: You asked for the time.",
        ]
    )
    await server.memory.aclose()


async def test_removing_a_user_message_rebuilds_the_turns_from_there(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        thinking_reply("A greeting.", "Hello!", "resp_1"),
        thinking_reply("A time question.", "Noon.", "resp_2"),
        reply("You asked nothing else.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("what time is it?")
    first_question = user_ids(await chat.items())[0]

    await server.delete_item(chat.thread_id, first_question, None)
    await chat.send("what did I ask?")

    assert brief(model.calls[2].input) == snapshot(
        [
            """\
user: <reasoning>
- A greeting.
</reasoning>\
""",
            "assistant: Hello!",
            "user: what time is it?",
            """\
user: <reasoning>
- A time question.
</reasoning>\
""",
            "assistant: Noon.",
            "user: what did I ask?",
        ]
    )
    await server.memory.aclose()


async def test_context_only_items_reach_the_model_once(store: Store[Any]) -> None:
    server, model = make_server(
        store, "session", reply("Hello!", "resp_1"), reply("Noted.", "resp_2"), reply("Bye.", "resp_3")
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

    assert brief(model.calls[1].input) == snapshot(
        [
            "user: hi",
            "assistant: Hello!",
            """\
user: <hidden_context>
The user is on a phone.
</hidden_context>\
""",
            "user: remember that",
        ]
    )
    assert brief(model.calls[2].input) == snapshot(
        [
            "user: hi",
            "assistant: Hello!",
            """\
user: <hidden_context>
The user is on a phone.
</hidden_context>\
""",
            "user: remember that",
            "assistant: Noted.",
            "user: bye",
        ]
    )
    await server.memory.aclose()


async def test_a_failed_turn_is_rebuilt_from_the_thread_on_the_next_one(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        reply("Hello!", "resp_1"),
        ModelStep.raise_error(RuntimeError("model down")),
        reply("Sorry, I am back.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    assert errors(await chat.send("are you there?")) != []
    await chat.send("hello?")

    assert brief(model.calls[2].input) == snapshot(
        ["user: hi", "assistant: Hello!", "user: are you there?", "user: hello?"]
    )
    assert await session_items(chat) == snapshot(
        [
            "user: hi",
            "assistant: Hello!",
            "user: are you there?",
            "user: hello?",
            "assistant: Sorry, I am back.",
        ]
    )
    await server.memory.aclose()


async def test_switching_from_thread_mode_seeds_the_session_once(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "thread",
        reply("Hello!", "resp_1"),
        thinking_reply("Still greeting.", "Hi again!", "resp_2"),
        reply("Two greetings.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    server.memory = SessionMemory()
    await chat.send("hi again")
    await chat.send("count the greetings")

    assert brief(model.calls[1].input) == snapshot(["user: hi", "assistant: Hello!", "user: hi again"])
    assert brief(model.calls[2].input) == snapshot(
        [
            "user: hi",
            "assistant: Hello!",
            "user: hi again",
            "reasoning rs_resp_2: Still greeting. [ENCRYPTED<Still greeting.>]",
            "assistant: Hi again!",
            "user: count the greetings",
        ]
    )
    assert await session_items(chat) == snapshot(
        [
            "user: hi",
            "assistant: Hello!",
            "user: hi again",
            "reasoning rs_resp_2: Still greeting. [ENCRYPTED<Still greeting.>]",
            "assistant: Hi again!",
            "user: count the greetings",
            "assistant: Two greetings.",
        ]
    )
    await server.memory.aclose()


async def test_turns_answered_in_thread_mode_join_the_session_when_it_comes_back(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        thinking_reply("A greeting.", "Hello!", "resp_1"),
        reply("Noon.", "resp_2"),
        reply("You asked the time.", "resp_3"),
    )
    chat = Chat(server)
    session_memory = server.memory
    await chat.send("hi")
    server.memory = ThreadMemory()
    await chat.send("time?")
    server.memory = session_memory
    await chat.send("what did I ask?")

    assert brief(model.calls[2].input) == snapshot(
        [
            "user: hi",
            "reasoning rs_resp_1: A greeting. [ENCRYPTED<A greeting.>]",
            "assistant: Hello!",
            "user: time?",
            "assistant: Noon.",
            "user: what did I ask?",
        ]
    )
    await server.memory.aclose()


async def test_a_threads_delete_request_clears_its_session(store: Store[Any]) -> None:
    server, _ = make_server(store, "session", reply("Hello!", "resp_1"))
    chat = Chat(server)
    await chat.send("hi")
    thread = await chat.thread()
    assert await session_items(chat) == ["user: hi", "assistant: Hello!"]

    await server.process(req("threads.delete", thread_id=chat.thread_id), None)

    assert isinstance(server.memory, SessionMemory)
    session, close = await server.memory.open_session(thread, None, store)
    assert await session.get_items() == []
    if close is not None:
        await close()
    await server.memory.aclose()


async def test_the_default_session_lives_in_the_stores_database(durable_store: Store[Any]) -> None:
    server, _ = make_server(durable_store, "session", reply("Hello!", "resp_1"))
    chat = Chat(server)
    await chat.send("hi")
    thread = await chat.thread()

    assert thread.metadata[MEMORY_METADATA_KEY] == snapshot(
        {
            "mode": "session",
            "turns": [{"item": "msg_2", "start": 0, "prev": None, "open": [], "sent": [], "done": True}],
        }
    )
    if isinstance(durable_store, SQLiteStore):
        with sqlite3.connect(durable_store.path) as conn:
            rows = conn.execute("SELECT session_id, message_data FROM agent_messages").fetchall()
        assert [row[0] for row in rows] == [chat.thread_id, chat.thread_id]
    else:
        import psycopg

        from chatkit_agents.store.postgres import PostgresStore

        assert isinstance(durable_store, PostgresStore)
        async with await psycopg.AsyncConnection.connect(durable_store.dsn) as conn:
            cursor = await conn.execute(
                f'SELECT session_id FROM "{durable_store.schema}".agent_session_items ORDER BY seq'  # type: ignore[arg-type]
            )
            assert [row[0] for row in await cursor.fetchall()] == [chat.thread_id, chat.thread_id]
    await server.memory.aclose()


async def test_a_user_session_factory_is_used_for_every_turn(store: Store[Any]) -> None:
    from agents import SQLiteSession

    sessions: dict[str, SQLiteSession] = {}

    def session_for(thread: Any, context: Any) -> SQLiteSession:
        return sessions.setdefault(thread.id, SQLiteSession(f"custom-{thread.id}"))

    server, model = make_server(
        store, SessionMemory(session_for=session_for), reply("Hello!", "resp_1"), reply("Hi.", "resp_2")
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("again")

    assert list(sessions) == [chat.thread_id]
    assert brief(await sessions[chat.thread_id].get_items()) == snapshot(
        ["user: hi", "assistant: Hello!", "user: again", "assistant: Hi."]
    )
    assert len(model.calls[1].input) == 3


def test_unknown_memory_names_are_refused() -> None:
    from chatkit_agents.errors import ConfigurationError
    from chatkit_agents.server.memory import resolve_memory

    with pytest.raises(ConfigurationError, match="'thread', 'session', 'conversation'"):
        resolve_memory("forever")  # type: ignore[arg-type]


async def test_a_stopped_reply_is_rebuilt_from_what_the_user_saw(store: Store[Any]) -> None:
    started = anyio.Event()
    server, model = make_server(
        store,
        "session",
        thinking_reply("A greeting.", "Hello!", "resp_1"),
        stalled_reply("The answer is", "resp_2", started),
        reply("Sorry, go on.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("hi")
    await send_and_stop(chat, "long question", started)
    await chat.send("never mind")

    assert brief(model.calls[2].input) == snapshot(
        [
            "user: hi",
            "reasoning rs_resp_1: A greeting. [ENCRYPTED<A greeting.>]",
            "assistant: Hello!",
            "user: long question",
            "assistant: The answer is",
            """\
user: <hidden_context>
The user stopped the previous response before it finished. Do not continue it.
</hidden_context>\
""",
            "user: never mind",
        ]
    )
    assert await session_items(chat) == snapshot(
        [
            "user: hi",
            "reasoning rs_resp_1: A greeting. [ENCRYPTED<A greeting.>]",
            "assistant: Hello!",
            "user: long question",
            "assistant: The answer is",
            """\
user: <hidden_context>
The user stopped the previous response before it finished. Do not continue it.
</hidden_context>\
""",
            "user: never mind",
            "assistant: Sorry, go on.",
        ]
    )
    await server.memory.aclose()


async def test_an_approval_left_undecided_gets_an_output_before_the_next_message(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        ModelStep(
            output=[function_call("delete_file", {"path": "a.txt"}, call_id="call_del")], response_id="r1"
        ),
        reply("Fine, I will not.", "resp_2"),
    )
    chat = Chat(server)
    await chat.send("delete a.txt")
    await chat.send("actually, keep it")

    assert brief(model.calls[1].input) == snapshot(
        [
            "user: delete a.txt",
            'function_call call_del delete_file({"path":"a.txt"})',
            "function_call_output call_del: Not run: the user sent a new message instead.",
            "user: actually, keep it",
        ]
    )
    await server.memory.aclose()


async def test_session_ids_carry_the_users_scope(tmp_path: Any) -> None:
    store = SQLiteStore[Any](tmp_path / "chat.db")
    server, _ = make_server(store, "session", reply("Hello!", "resp_1"))
    chat = Chat(server, context={"user_id": "alice"})
    await chat.send("hi")

    with sqlite3.connect(store.path) as conn:
        ids = {row[0] for row in conn.execute("SELECT session_id FROM agent_messages")}
    assert ids == {f"alice/{chat.thread_id}"}
    await store.close()


async def test_a_widget_a_tool_showed_reaches_the_model_on_the_next_turn(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        ModelStep(
            output=[function_call("show_weather", {"city": "Oslo"}, call_id="call_w")], response_id="r1"
        ),
        reply("Here is the weather.", "resp_2"),
        reply("It said sunny.", "resp_3"),
        reply("Yes, 24°C.", "resp_4"),
    )
    chat = Chat(server)
    await chat.send("weather in Oslo?")
    await chat.send("what did the card say?")
    await chat.send("and the temperature?")

    assert brief(model.calls[2].input) == snapshot(
        [
            "user: weather in Oslo?",
            'function_call call_w show_weather({"city":"Oslo"})',
            "function_call_output call_w: The card is on screen.",
            "assistant: Here is the weather.",
            """\
user: <widget>
Oslo: sunny, 24°C
</widget>\
""",
            "user: what did the card say?",
        ]
    )
    assert brief(model.calls[3].input).count("user: <widget>\nOslo: sunny, 24°C\n</widget>") == 1
    await server.memory.aclose()


async def test_a_structured_input_answered_later_reaches_the_model_again(store: Store[Any]) -> None:
    server, model = make_server(
        store,
        "session",
        reply("Which size?", "resp_1"),
        reply("Take your time.", "resp_2"),
        reply("Large it is.", "resp_3"),
    )
    chat = Chat(server)
    await chat.send("I want a shirt")
    thread = await chat.thread()
    form = StructuredInputItem(
        id="form_1",
        thread_id=thread.id,
        created_at=thread.created_at,
        inputs=[StructuredInputFreeform(id="size", question="Which size?")],
    )
    await store.add_thread_item(thread.id, form, None)
    await chat.send("let me think")
    answer = {"status": "answered", "answers": {"size": {"values": ["L"]}}}
    await drain(
        await server.process(
            req("threads.add_structured_input", thread_id=thread.id, item_id="form_1", input=answer), None
        )
    )

    assert brief(model.calls[1].input)[-2:] == snapshot(
        [
            """\
user: <structured_input>
status: pending
Q: Which size?
A: (not answered)
</structured_input>\
""",
            "user: let me think",
        ]
    )
    assert brief(model.calls[2].input)[-2:] == snapshot(
        [
            "assistant: Take your time.",
            """\
user: <structured_input>
status: answered
Q: Which size?
A: L
</structured_input>\
""",
        ]
    )
    await server.memory.aclose()
