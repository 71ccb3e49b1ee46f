"""A Hypothesis state machine sending random sequences of valid and invalid requests to one server.

Each step sends one request naming ids the client has seen (or made-up ones): messages, retries, renames,
deletes, feedback, listings, stopped streams. After every step no answer may be a 5xx or a cut-off stream,
and every thread must read as turns: a user message, then the reply items of that message.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from _fault_sweeps import BOUND
from _reliability_kit import check_complete_stream, check_store_consistent, drain, echo_server, message, req
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from chatkit_agents._ids import SequentialIds
from chatkit_agents.server import NonStreamingResult, error_result
from chatkit_agents.store import MemoryStore

TEXTS = st.sampled_from(["hello", "tool:shout hey", "tool:explode x", "fail:5 oops", "tool:explode_hard y"])


class ChatSessions(RuleBasedStateMachine):
    """A client that knows some thread and item ids and sends requests in any order."""

    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore[Any](id_factory=SequentialIds())
        self.server = echo_server(self.store)
        self.threads: list[str] = []
        self.items: list[tuple[str, str]] = []

    def send(self, body: bytes, stop_after: int | None = None) -> None:
        async def run() -> None:
            with anyio.fail_after(BOUND):
                try:
                    result = await self.server.process(body, None)
                except Exception as error:
                    if error_result(error) is None:
                        raise AssertionError(f"{body!r} caused a server error") from error
                    return
                if isinstance(result, NonStreamingResult):
                    json.loads(result.json)
                    return
                report = await drain(result, stop_after=stop_after)
                if stop_after is None:
                    check_complete_stream(report)
                thread_id = report.thread_id
                if thread_id is not None:
                    self.threads.append(thread_id)
                for event in report.events:
                    if event["type"] == "thread.item.done":
                        self.items.append((event["item"]["thread_id"], event["item"]["id"]))

        anyio.run(run)

    def thread_id(self, data: st.DataObject) -> str:
        choices = [*self.threads, "thr_unknown"]
        return data.draw(st.sampled_from(choices))

    def item(self, data: st.DataObject) -> tuple[str, str]:
        choices = [*self.items, ("thr_unknown", "msg_unknown")]
        return data.draw(st.sampled_from(choices))

    @rule(text=TEXTS)
    def create(self, text: str) -> None:
        self.send(req("threads.create", input=message(text)))

    @rule(data=st.data(), text=TEXTS, stop=st.none() | st.integers(1, 12))
    def add_message(self, data: st.DataObject, text: str, stop: int | None) -> None:
        thread_id = self.thread_id(data)
        self.send(req("threads.add_user_message", thread_id=thread_id, input=message(text)), stop)

    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        thread_id, item_id = self.item(data)
        self.send(req("threads.retry_after_item", thread_id=thread_id, item_id=item_id))

    @rule(data=st.data(), title=st.text(max_size=20))
    def rename(self, data: st.DataObject, title: str) -> None:
        self.send(req("threads.update", thread_id=self.thread_id(data), title=title))

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        self.send(req("threads.delete", thread_id=self.thread_id(data)))

    @rule(data=st.data(), kind=st.sampled_from(["positive", "negative"]))
    def feedback(self, data: st.DataObject, kind: str) -> None:
        thread_id, item_id = self.item(data)
        self.send(req("items.feedback", thread_id=thread_id, item_ids=[item_id], kind=kind))

    @rule(data=st.data(), order=st.sampled_from(["asc", "desc"]), limit=st.integers(1, 5))
    def list_items(self, data: st.DataObject, order: str, limit: int) -> None:
        thread_id, item_id = self.item(data)
        self.send(req("items.list", thread_id=thread_id, after=item_id, order=order, limit=limit))

    @rule()
    def list_threads(self) -> None:
        self.send(req("threads.list", limit=3, order="asc"))

    @invariant()
    def threads_read_as_turns(self) -> None:
        async def check() -> None:
            contents = await check_store_consistent(self.store, None)
            for items in contents.values():
                if items:
                    assert items[0].type == "user_message", [item.type for item in items]

        anyio.run(check)
