"""`ChatKitServer.process` for every ChatKit request type, against a scripted responder and a memory store."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from _server_helpers import (
    ALICE,
    FakeAttachmentStore,
    MinimalServer,
    ScriptedServer,
    answer,
    message,
    req,
    stored,
    stream,
)
from inline_snapshot import snapshot

from chatkit_agents._ids import FixedClock
from chatkit_agents.errors import (
    ConflictError,
    FeatureNotConfiguredError,
    NotFoundError,
    RequestError,
    RequestValidationError,
)
from chatkit_agents.server import CANCELLED_NOTE
from chatkit_agents.store import MemoryStore
from chatkit_agents.testing import render_events, render_thread
from chatkit_agents.types import (
    ClientToolCallItem,
    HiddenContextItem,
    SDKHiddenContextItem,
    StructuredInputAnswer,
    StructuredInputFreeform,
    StructuredInputItem,
    StructuredInputMultipleChoice,
    StructuredInputMultipleChoiceOption,
    ThreadItemDoneEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    WidgetItem,
)
from chatkit_agents.widgets import Card

NOW = FixedClock()()


async def new_thread(server: ScriptedServer, text: str = "hi", context: Any = None) -> str:
    events = await stream(await server.process(req("threads.create", input=message(text)), context))
    return events[0]["thread"]["id"]


# -- threads.create / add_user_message ----------------------------------------------------------------


async def test_create_saves_the_thread_and_message_then_streams_the_reply(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    events = await stream(await server.process(req("threads.create", input=message("hi")), None))

    assert render_events(events) == snapshot("""\
thread.created          thr_1 active
thread.item.done        msg_2 user_message "hi"
stream_options          allow_cancel=true
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "You said: hi" (2 deltas)
  content_part.done     msg_3 [0] "You said: hi"
thread.item.done        msg_3 assistant_message "You said: hi"\
""")
    assert await stored(store, "thr_1") == snapshot("""\
msg_2 user_message "hi"
msg_3 assistant_message "You said: hi"\
""")
    assert events[0]["thread"] == snapshot(
        {
            "id": "thr_1",
            "created_at": "2026-01-01T00:00:00Z",
            "status": {"type": "active"},
            "metadata": {},
            "items": {"data": [], "has_more": False},
        }
    )


async def test_add_user_message_appends_to_an_existing_thread(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    thread_id = await new_thread(server)

    events = await stream(
        await server.process(
            req("threads.add_user_message", thread_id=thread_id, input=message("more")), None
        )
    )

    assert render_events(events) == snapshot("""\
thread.item.done        msg_4 user_message "more"
stream_options          allow_cancel=true
thread.item.added       msg_5 assistant_message
  content_part.added    msg_5 [0] ""
  text_delta            msg_5 [0] "You said: more" (2 deltas)
  content_part.done     msg_5 [0] "You said: more"
thread.item.done        msg_5 assistant_message "You said: more"\
""")
    assert await stored(store, thread_id) == snapshot("""\
msg_2 user_message "hi"
msg_3 assistant_message "You said: hi"
msg_4 user_message "more"
msg_5 assistant_message "You said: more"\
""")


async def test_add_user_message_to_an_unknown_thread_is_refused_before_streaming(
    server: ScriptedServer,
) -> None:
    with pytest.raises(NotFoundError):
        await server.process(req("threads.add_user_message", thread_id="thr_nope", input=message("x")), None)


async def test_thread_changes_made_while_responding_are_saved_and_announced(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    async def titled(
        thread: ThreadMetadata, item: UserMessageItem | None, context: Any
    ) -> AsyncIterator[Any]:
        thread.title = "Greetings"
        thread.metadata["secret"] = "server only"
        async for event in server.reply(thread, "Hello!", context):
            yield event

    server.script = titled
    events = await stream(await server.process(req("threads.create", input=message("hi")), None))

    assert render_events(events) == snapshot("""\
thread.created          thr_1 active
thread.item.done        msg_2 user_message "hi"
stream_options          allow_cancel=true
thread.item.added       msg_3 assistant_message
thread.updated          thr_1 "Greetings" active
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Hello!" (2 deltas)
  content_part.done     msg_3 [0] "Hello!"
thread.item.done        msg_3 assistant_message "Hello!"\
""")
    updated = next(event for event in events if event["type"] == "thread.updated")
    assert updated["thread"].get("metadata", {}) == {}
    saved = await store.load_thread("thr_1", None)
    assert (saved.title, saved.metadata) == ("Greetings", {"secret": "server only"})


# -- reading, renaming, deleting ----------------------------------------------------------------------


async def test_get_by_id_returns_visible_items_without_server_metadata(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    thread_id = await new_thread(server)
    thread = await store.load_thread(thread_id, None)
    thread.metadata["run_state"] = "private"
    await store.save_thread(thread, None)
    hidden = HiddenContextItem(id="hid_1", thread_id=thread_id, created_at=thread.created_at, content="x")
    await store.add_thread_item(thread_id, hidden, None)

    got = answer(await server.process(req("threads.get_by_id", thread_id=thread_id), None))

    assert got.get("metadata", {}) == {}
    assert render_thread(got["items"]["data"]) == snapshot("""\
msg_2 user_message "hi"
msg_3 assistant_message "You said: hi"\
""")


async def test_list_pages_threads_newest_first(server: ScriptedServer) -> None:
    for text in ("one", "two", "three"):
        await new_thread(server, text)

    first = answer(await server.process(req("threads.list", limit=2), None))
    rest = answer(await server.process(req("threads.list", limit=2, after=first["after"]), None))

    assert [t["id"] for t in first["data"]] + [t["id"] for t in rest["data"]] == snapshot(
        ["thr_7", "thr_4", "thr_1"]
    )
    assert (first["has_more"], rest["has_more"]) == (True, False)


async def test_list_with_a_zero_limit_is_a_validation_error(server: ScriptedServer) -> None:
    with pytest.raises(RequestValidationError, match="limit"):
        await server.process(req("threads.list", limit=0), None)


async def test_update_renames_and_delete_removes(server: ScriptedServer) -> None:
    thread_id = await new_thread(server)

    renamed = answer(await server.process(req("threads.update", thread_id=thread_id, title="Renamed"), None))
    assert renamed["title"] == "Renamed"
    assert answer(await server.process(req("threads.delete", thread_id=thread_id), None)) == {}

    with pytest.raises(NotFoundError):
        await server.process(req("threads.get_by_id", thread_id=thread_id), None)
    with pytest.raises(NotFoundError):
        await server.process(req("threads.delete", thread_id=thread_id), None)


async def test_items_list_hides_hidden_context_and_pages(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    thread_id = await new_thread(server)
    note = SDKHiddenContextItem(id="note_1", thread_id=thread_id, created_at=server.clock(), content="x")
    await store.add_thread_item(thread_id, note, None)

    newest = answer(await server.process(req("items.list", thread_id=thread_id, limit=2), None))

    assert render_thread(newest["data"]) == snapshot('msg_3 assistant_message "You said: hi"')
    assert newest["has_more"] is True


async def test_items_list_of_an_unknown_thread_is_not_found(server: ScriptedServer) -> None:
    with pytest.raises(NotFoundError):
        await server.process(req("items.list", thread_id="thr_nope"), None)


async def test_feedback_reaches_the_hook_for_existing_items_only(server: ScriptedServer) -> None:
    thread_id = await new_thread(server)

    result = await server.process(
        req("items.feedback", thread_id=thread_id, item_ids=["msg_3"], kind="positive"), None
    )

    assert answer(result) == {}
    assert server.calls[-1] == ("feedback", (thread_id, ["msg_3"], "positive"))
    with pytest.raises(NotFoundError):
        await server.process(
            req("items.feedback", thread_id=thread_id, item_ids=["msg_9"], kind="negative"), None
        )


# -- attachments and transcription --------------------------------------------------------------------


async def test_attachments_are_created_attached_to_a_message_and_deleted(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    created = answer(
        await server.process(
            req("attachments.create", name="notes.txt", size=12, mime_type="text/plain"), None
        )
    )
    assert created == snapshot(
        {"id": "atc_1", "name": "notes.txt", "mime_type": "text/plain", "type": "file"}
    )

    events = await stream(
        await server.process(
            req("threads.create", input=message("see file", attachments=[created["id"]])), None
        )
    )
    user_message = events[1]["item"]
    assert user_message["attachments"] == snapshot(
        [
            {
                "id": "atc_1",
                "name": "notes.txt",
                "mime_type": "text/plain",
                "thread_id": "thr_2",
                "type": "file",
            }
        ]
    )
    assert (await store.load_attachment(created["id"], None)).thread_id == events[0]["thread"]["id"]

    assert answer(await server.process(req("attachments.delete", attachment_id=created["id"]), None)) == {}
    assert isinstance(server.attachment_store, FakeAttachmentStore)
    assert server.attachment_store.deleted == [created["id"]]
    with pytest.raises(NotFoundError):
        await store.load_attachment(created["id"], None)


async def test_a_message_with_an_unknown_attachment_is_refused_before_streaming(
    server: ScriptedServer,
) -> None:
    with pytest.raises(NotFoundError):
        await server.process(req("threads.create", input=message("x", attachments=["atc_nope"])), None)


async def test_transcribe_passes_decoded_audio_to_the_hook(server: ScriptedServer) -> None:
    audio = base64.b64encode(b"\x00\x01\x02").decode()

    result = await server.process(
        req("input.transcribe", audio_base64=audio, mime_type="audio/webm;codecs=opus"), None
    )

    assert answer(result) == {"text": "3 bytes of audio/webm"}
    with pytest.raises(RequestValidationError, match="base64"):
        await server.process(
            req("input.transcribe", audio_base64="not base64!", mime_type="audio/webm"), None
        )


@pytest.mark.parametrize(
    ("body", "names"),
    [
        (req("attachments.create", name="a", size=1, mime_type="text/plain"), "attachment_store="),
        (req("attachments.delete", attachment_id="atc_1"), "attachment_store="),
        (req("input.transcribe", audio_base64="", mime_type="audio/webm"), "override transcribe()"),
        (req("threads.custom_action", thread_id="thr_1", action={"type": "x"}), "override action()"),
        (
            req("threads.sync_custom_action", thread_id="thr_1", action={"type": "x"}),
            "override sync_action()",
        ),
    ],
)
async def test_unconfigured_features_are_refused_with_what_to_configure(body: bytes, names: str) -> None:
    server = MinimalServer(MemoryStore())
    with pytest.raises(
        FeatureNotConfiguredError, match=names.replace("(", r"\(").replace(")", r"\)")
    ) as caught:
        await server.process(body, None)
    assert caught.value.status_code == 400


# -- client tool output -------------------------------------------------------------------------------


def tool_call(thread_id: str, item_id: str, status: str = "pending") -> ClientToolCallItem:
    return ClientToolCallItem(
        id=item_id,
        thread_id=thread_id,
        created_at=NOW,
        status=status,  # type: ignore[arg-type]
        call_id=f"call_{item_id}",
        name="get_location",
        arguments={"precise": True},
    )


async def test_client_tool_output_completes_the_newest_pending_call_even_behind_hidden_items(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    thread_id = await new_thread(server)
    await store.add_thread_item(thread_id, tool_call(thread_id, "tc_old", "completed"), None)
    await store.add_thread_item(thread_id, tool_call(thread_id, "tc_new"), None)
    note = SDKHiddenContextItem(id="note_1", thread_id=thread_id, created_at=server.clock(), content="later")
    await store.add_thread_item(thread_id, note, None)
    server.page_size = 1  # the search pages through the thread, newest first

    events = await stream(
        await server.process(
            req("threads.add_client_tool_output", thread_id=thread_id, result={"city": "Oslo"}), None
        )
    )

    assert render_events(events) == snapshot("""\
stream_options          allow_cancel=true
thread.item.added       msg_4 assistant_message
  content_part.added    msg_4 [0] ""
  text_delta            msg_4 [0] "You said: (resumed)" (2 deltas)
  content_part.done     msg_4 [0] "You said: (resumed)"
thread.item.done        msg_4 assistant_message "You said: (resumed)"\
""")
    assert await stored(store, thread_id) == snapshot("""\
msg_2 user_message "hi"
msg_3 assistant_message "You said: hi"
tc_old client_tool_call get_location completed call_tc_old args={"precise":true}
tc_new client_tool_call get_location completed call_tc_new args={"precise":true} output={"city":"Oslo"}
note_1 sdk_hidden_context "later"
msg_4 assistant_message "You said: (resumed)"\
""")
    assert server.calls[-1] == ("respond", None)


async def test_client_tool_output_without_a_pending_call_is_a_conflict(server: ScriptedServer) -> None:
    thread_id = await new_thread(server)
    with pytest.raises(ConflictError, match="no pending client tool call") as caught:
        await server.process(req("threads.add_client_tool_output", thread_id=thread_id, result=1), None)
    assert caught.value.status_code == 409


async def test_a_pending_call_before_the_latest_user_message_is_not_answered(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    thread_id = await new_thread(server)
    await store.add_thread_item(thread_id, tool_call(thread_id, "tc_stale"), None)
    await stream(
        await server.process(req("threads.add_user_message", thread_id=thread_id, input=message("new")), None)
    )
    with pytest.raises(ConflictError):
        await server.process(req("threads.add_client_tool_output", thread_id=thread_id, result=1), None)


# -- retry --------------------------------------------------------------------------------------------


async def test_retry_after_item_drops_later_items_and_answers_again(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    thread_id = await new_thread(server, "first")
    await stream(
        await server.process(
            req("threads.add_user_message", thread_id=thread_id, input=message("second")), None
        )
    )

    events = await stream(
        await server.process(req("threads.retry_after_item", thread_id=thread_id, item_id="msg_2"), None)
    )

    assert render_events(events) == snapshot("""\
stream_options          allow_cancel=true
thread.item.added       msg_6 assistant_message
  content_part.added    msg_6 [0] ""
  text_delta            msg_6 [0] "You said: first" (2 deltas)
  content_part.done     msg_6 [0] "You said: first"
thread.item.done        msg_6 assistant_message "You said: first"\
""")
    assert await stored(store, thread_id) == snapshot("""\
msg_2 user_message "first"
msg_6 assistant_message "You said: first"\
""")


async def test_retry_needs_a_user_message_that_exists(server: ScriptedServer) -> None:
    thread_id = await new_thread(server)
    with pytest.raises(RequestValidationError, match="user message"):
        await server.process(req("threads.retry_after_item", thread_id=thread_id, item_id="msg_3"), None)
    with pytest.raises(NotFoundError):
        await server.process(req("threads.retry_after_item", thread_id=thread_id, item_id="msg_99"), None)


# -- actions ------------------------------------------------------------------------------------------


async def add_widget(store: MemoryStore[Any], thread_id: str) -> WidgetItem:
    widget = WidgetItem(
        id="wdg_1",
        thread_id=thread_id,
        created_at=NOW,
        widget=Card(children=[]),
    )
    await store.add_thread_item(thread_id, widget, None)
    return widget


async def test_custom_action_streams_the_action_reply_with_its_sender(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    thread_id = await new_thread(server)
    await add_widget(store, thread_id)

    events = await stream(
        await server.process(
            req("threads.custom_action", thread_id=thread_id, item_id="wdg_1", action={"type": "confirm"}),
            None,
        )
    )

    assert render_events(events) == snapshot("""\
stream_options          allow_cancel=true
thread.item.added       msg_4 assistant_message
  content_part.added    msg_4 [0] ""
  text_delta            msg_4 [0] "Action confirm done" (2 deltas)
  content_part.done     msg_4 [0] "Action confirm done"
thread.item.done        msg_4 assistant_message "Action confirm done"\
""")
    assert server.calls[-1] == ("action", ("confirm", "wdg_1"))


async def test_custom_action_from_a_non_widget_item_is_a_validation_error(server: ScriptedServer) -> None:
    thread_id = await new_thread(server)
    with pytest.raises(RequestValidationError, match="widget"):
        await server.process(
            req("threads.custom_action", thread_id=thread_id, item_id="msg_2", action={"type": "x"}), None
        )


async def test_sync_custom_action_returns_and_saves_the_updated_item(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    thread_id = await new_thread(server)
    await add_widget(store, thread_id)

    got = answer(
        await server.process(
            req(
                "threads.sync_custom_action", thread_id=thread_id, item_id="wdg_1", action={"type": "toggle"}
            ),
            None,
        )
    )

    assert got["updated_item"]["copy_text"] == "clicked"
    saved = await store.load_item(thread_id, "wdg_1", None)
    assert isinstance(saved, WidgetItem)
    assert saved.copy_text == "clicked"


# -- structured input ---------------------------------------------------------------------------------


async def test_structured_input_answers_replace_the_item_then_the_server_responds(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    thread_id = await new_thread(server)
    question = StructuredInputItem(
        id="si_1",
        thread_id=thread_id,
        created_at=server.clock(),
        inputs=[
            StructuredInputMultipleChoice(
                id="size",
                question="Size?",
                options=[StructuredInputMultipleChoiceOption(value=v) for v in ("S", "M")],
            ),
            StructuredInputFreeform(id="note", question="Anything else?"),
        ],
    )
    await store.add_thread_item(thread_id, question, None)
    submission = {
        "status": "answered",
        "answers": {"size": {"values": ["M", "S"]}, "ghost": {"values": ["x"]}},
    }

    events = await stream(
        await server.process(
            req("threads.add_structured_input", thread_id=thread_id, item_id="si_1", input=submission), None
        )
    )

    assert render_events(events) == snapshot("""\
stream_options          allow_cancel=true
thread.item.replaced    si_1 structured_input answered
    size multiple_choice "Size?"
    note freeform "Anything else?"
thread.item.added       msg_4 assistant_message
  content_part.added    msg_4 [0] ""
  text_delta            msg_4 [0] "You said: (resumed)" (2 deltas)
  content_part.done     msg_4 [0] "You said: (resumed)"
thread.item.done        msg_4 assistant_message "You said: (resumed)"\
""")
    saved = await store.load_item(thread_id, "si_1", None)
    assert isinstance(saved, StructuredInputItem)
    assert [(i.id, i.answer) for i in saved.inputs] == snapshot(
        [("size", StructuredInputAnswer(values=["M"])), ("note", StructuredInputAnswer(skipped=True))]
    )
    with pytest.raises(ConflictError, match="already answered"):
        await server.process(
            req("threads.add_structured_input", thread_id=thread_id, item_id="si_1", input=submission), None
        )


# -- streaming failures -------------------------------------------------------------------------------


async def test_an_exception_in_respond_closes_open_items_and_ends_with_an_error(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    async def broken(
        thread: ThreadMetadata, item: UserMessageItem | None, context: Any
    ) -> AsyncIterator[Any]:
        replies = server.reply(thread, "Half an answer", context)
        for _ in range(4):  # added, part added, two deltas
            yield await anext(replies)
        empty = server.new_message(thread, context)
        from chatkit_agents.types import ThreadItemAddedEvent

        yield ThreadItemAddedEvent(item=empty)
        raise RuntimeError("tool exploded")

    server.script = broken
    events = await stream(await server.process(req("threads.create", input=message("hi")), None))

    assert render_events(events[:-1]) == snapshot("""\
thread.created          thr_1 active
thread.item.done        msg_2 user_message "hi"
stream_options          allow_cancel=true
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Half an answer" (2 deltas)
thread.item.added       msg_4 assistant_message
thread.item.done        msg_3 assistant_message "Half an answer"
thread.item.removed     msg_4\
""")
    assert events[-1] == snapshot(
        {
            "type": "error",
            "code": "stream.error",
            "message": "Something went wrong while generating the response. Please try again.",
            "allow_retry": True,
        }
    )
    assert "tool exploded" not in str(events)
    assert await stored(store, "thr_1") == snapshot("""\
msg_2 user_message "hi"
msg_3 assistant_message "Half an answer"\
""")

    server.script = None
    again = await stream(
        await server.process(req("threads.add_user_message", thread_id="thr_1", input=message("retry")), None)
    )
    assert again[-1]["type"] == "thread.item.done"


async def test_custom_stream_errors_show_their_message(server: ScriptedServer) -> None:
    from chatkit_agents.errors import CustomStreamError

    async def refuse(
        thread: ThreadMetadata, item: UserMessageItem | None, context: Any
    ) -> AsyncIterator[Any]:
        raise CustomStreamError("Daily limit reached", allow_retry=False)
        yield

    server.script = refuse
    events = await stream(await server.process(req("threads.create", input=message("hi")), None))

    assert render_events(events[-1:]) == snapshot(
        'error                   custom allow_retry=false "Daily limit reached"'
    )


async def test_hidden_items_are_stored_but_never_sent(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    async def with_hidden(
        thread: ThreadMetadata, item: UserMessageItem | None, context: Any
    ) -> AsyncIterator[ThreadStreamEvent]:
        hidden = SDKHiddenContextItem(
            id="note_1", thread_id=thread.id, created_at=server.clock(), content="memo"
        )
        yield ThreadItemDoneEvent(item=hidden)
        async for event in server.reply(thread, "ok", context):
            yield event

    server.script = with_hidden
    events = await stream(await server.process(req("threads.create", input=message("hi")), None))

    assert "note_1" not in str(events)
    assert await stored(store, "thr_1") == snapshot("""\
msg_2 user_message "hi"
note_1 sdk_hidden_context "memo"
msg_3 assistant_message "ok"\
""")


# -- cancellation -------------------------------------------------------------------------------------


async def test_closing_the_stream_saves_the_partial_reply_after_its_user_message(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    closed: list[str] = []

    async def endless(
        thread: ThreadMetadata, item: UserMessageItem | None, context: Any
    ) -> AsyncIterator[Any]:
        try:
            async for event in server.reply(thread, "Partial answer", context):
                yield event
                if getattr(event, "update", None) is not None and event.update.type.endswith("text_delta"):
                    break
            while True:
                yield await anext(server.reply(thread, "never", context))
        finally:
            closed.append("respond closed")

    server.script = endless
    result = await server.process(req("threads.create", input=message("hi")), None)
    seen: list[bytes] = []
    async for chunk in result:
        seen.append(chunk)
        if b"text_delta" in chunk:
            break
    await result.aclose()

    assert closed == ["respond closed"]
    assert await stored(store, "thr_1") == snapshot("""\
msg_2 user_message "hi"
msg_3 assistant_message "Partial"
shcx_4 sdk_hidden_context "The user stopped the previous response before it finished. D"...(+18)\
""")
    assert not server._locks.is_busy("thr_1")
    note = (await store.load_thread_items("thr_1", None, 1, "desc", None)).data[0]
    assert isinstance(note, SDKHiddenContextItem)
    assert note.content == CANCELLED_NOTE


# -- isolation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        req("threads.get_by_id", thread_id="thr_1"),
        req("threads.update", thread_id="thr_1", title="mine now"),
        req("threads.delete", thread_id="thr_1"),
        req("items.list", thread_id="thr_1"),
        req("items.feedback", thread_id="thr_1", item_ids=["msg_3"], kind="negative"),
        req("threads.add_user_message", thread_id="thr_1", input=message("hello?")),
        req("threads.retry_after_item", thread_id="thr_1", item_id="msg_2"),
        req("threads.custom_action", thread_id="thr_1", action={"type": "x"}),
        req("threads.sync_custom_action", thread_id="thr_1", action={"type": "x"}),
        req("threads.add_client_tool_output", thread_id="thr_1", result=1),
        req("threads.add_structured_input", thread_id="thr_1", item_id="si_1", input={}),
        req("attachments.delete", attachment_id="atc_4"),
        req("threads.create", input=message("steal", attachments=["atc_4"])),
    ],
)
async def test_another_user_cannot_touch_alices_thread_or_attachment(
    server: ScriptedServer, body: bytes
) -> None:
    await new_thread(server, "private", ALICE)
    answer(
        await server.process(req("attachments.create", name="a.txt", size=1, mime_type="text/plain"), ALICE)
    )

    with pytest.raises(NotFoundError):
        await server.process(body, {"user_id": "mallory"})

    still = answer(await server.process(req("threads.get_by_id", thread_id="thr_1"), ALICE))
    assert (still.get("title"), len(still["items"]["data"])) == (None, 2)


async def test_threads_list_shows_only_the_callers_threads(server: ScriptedServer) -> None:
    await new_thread(server, "alice's", ALICE)
    assert answer(await server.process(req("threads.list"), {"user_id": "bob"}))["data"] == []
    assert len(answer(await server.process(req("threads.list"), ALICE))["data"]) == 1


@pytest.mark.parametrize(
    ("size", "mime_type", "status", "code"),
    [
        (21 * 1024 * 1024, "application/pdf", 413, "attachment_too_large"),
        (10, "text/html", 415, "unsupported_attachment_type"),
        (10, "image/svg+xml", 415, "unsupported_attachment_type"),
        (-1, "image/png", 422, "validation_error"),
    ],
)
async def test_uploads_over_the_limits_are_refused_before_the_attachment_store_sees_them(
    server: ScriptedServer, size: int, mime_type: str, status: int, code: str
) -> None:
    with pytest.raises(RequestError) as caught:
        await server.process(req("attachments.create", name="f", size=size, mime_type=mime_type), None)
    assert (caught.value.status_code, caught.value.code) == (status, code)
    assert isinstance(server.attachment_store, FakeAttachmentStore)
    assert server.attachment_store.files == {}


async def test_upload_limits_are_set_on_the_attachment_store(server: ScriptedServer) -> None:
    assert isinstance(server.attachment_store, FakeAttachmentStore)
    server.attachment_store.max_size = 100
    server.attachment_store.allowed_mime_types = None
    body = req("attachments.create", name="page.html", size=100, mime_type="text/html; charset=utf-8")
    assert answer(await server.process(body, None))["name"] == "page.html"
    with pytest.raises(RequestError, match="at most 100 bytes"):
        await server.process(req("attachments.create", name="big", size=101, mime_type="text/plain"), None)
