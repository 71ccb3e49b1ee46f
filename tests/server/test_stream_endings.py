"""How a stream ends when something fails late: nothing raises, nothing unreadable is kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from _server_helpers import Script, ScriptedServer, message, req, stored, stream
from inline_snapshot import snapshot

from chatkit_agents.server import StreamingResult
from chatkit_agents.store import MemoryStore
from chatkit_agents.types import (
    AssistantMessageContent,
    ThreadItemAddedEvent,
    ThreadMetadata,
    UserMessageItem,
)


async def test_an_item_that_cannot_be_encoded_ends_the_stream_with_an_error_and_is_not_kept(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    async def unreadable(
        thread: ThreadMetadata, item: UserMessageItem | None, context: Any
    ) -> AsyncIterator[Any]:
        reply = server.new_message(thread, context)
        reply.content = [AssistantMessageContent(text="lone \ud800 surrogate")]
        yield ThreadItemAddedEvent(item=reply)

    server.script = unreadable
    events = await stream(await server.process(req("threads.create", input=message("hi")), None))
    assert [event["type"] for event in events] == snapshot(
        ["thread.created", "thread.item.done", "stream_options", "thread.item.removed", "error"]
    )
    assert events[-1]["allow_retry"] is True
    assert await stored(store) == snapshot('msg_2 user_message "hi"')


def _reply_then_rename(server: ScriptedServer, text: str) -> Script:
    """A responder that replies ``text`` and then renames the thread (its last frame: ``thread.updated``)."""

    async def script(
        thread: ThreadMetadata, item: UserMessageItem | None, context: Any
    ) -> AsyncIterator[Any]:
        async for event in server.reply(thread, text, context):
            yield event
        thread.title = "Renamed at the end"

    return script


class _FailingThreadSaves(MemoryStore[Any]):
    """Saves the thread once (when it is created); every later save fails."""

    def __init__(self) -> None:
        super().__init__()
        self.saves = 0

    async def save_thread(self, thread: ThreadMetadata, context: Any) -> None:
        self.saves += 1
        if self.saves > 1:
            raise OSError("disk full")
        await super().save_thread(thread, context)


async def test_a_failure_saving_the_threads_changes_after_the_reply_ends_the_stream_with_an_error() -> None:
    store = _FailingThreadSaves()
    server = ScriptedServer(store)
    server.script = _reply_then_rename(server, "done")
    events = await stream(await server.process(req("threads.create", input=message("hi")), None))
    assert [event["type"] for event in events][-2:] == ["thread.item.done", "error"]
    assert store.saves == 3  # after the reply, then once more on the way out with the error
    page = await store.load_threads(10, None, "asc", None)
    assert [thread.title for thread in page.data] == [None]


async def test_a_client_leaving_after_the_whole_reply_gets_no_cancelled_note(
    server: ScriptedServer, store: MemoryStore[Any]
) -> None:
    server.script = _reply_then_rename(server, "all of it")
    result = await server.process(req("threads.create", input=message("hi")), None)
    assert isinstance(result, StreamingResult)
    chunks = aiter(result)
    seen: list[bytes] = []
    while not seen or b'"thread.updated"' not in seen[-1]:
        seen.append(await anext(chunks))
    await chunks.aclose()  # type: ignore[attr-defined]  # the client goes away after the last frame
    assert await stored(store) == snapshot("""\
msg_2 user_message "hi"
msg_3 assistant_message "all of it"\
""")
    thread = await store.load_thread("thr_1", None)
    assert thread.title == "Renamed at the end"
