"""Overriding a text handler still takes effect, and handlers always read the message's current text."""

from __future__ import annotations

from typing import Any

from agents import Agent
from chatkit_agents.agents import StreamConverter, StreamState
from chatkit_agents.agents.stream import Events
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.types import (
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
)


class ShoutingConverter(StreamConverter):
    """Upper-cases every text delta and records the message text a handler sees after each one."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    async def on_text_delta(self, state: StreamState, event: Any) -> Events:
        for out in self._text_delta(state, event.output_index, event.content_index, event.delta.upper()):
            yield out
        message = state.messages[(state.turn, event.output_index)]
        self.seen.append(message.item.content[event.content_index].text)


async def test_an_overridden_text_delta_handler_is_used_and_sees_the_text_so_far(run_agent: Any) -> None:
    converter = ShoutingConverter()
    steps = [ResponseStream("resp_1").message("Hel", "lo ", "world")]
    events, _, _ = await run_agent(Agent(name="A"), "hi", steps, converter=converter)
    deltas = [
        e.update.delta
        for e in events
        if isinstance(e, ThreadItemUpdatedEvent)
        and isinstance(e.update, AssistantMessageContentPartTextDelta)
    ]
    assert deltas == ["HEL", "LO ", "WORLD"]
    assert converter.seen == ["HEL", "HELLO ", "HELLO WORLD"]
    done = [e.item for e in events if isinstance(e, ThreadItemDoneEvent)]
    assert isinstance(done[-1], AssistantMessageItem)
    assert [part.text for part in done[-1].content] == ["Hello world"]  # the final text comes from the model


async def test_many_deltas_join_into_the_finished_message(run_agent: Any) -> None:
    chunks = [f"{n} " for n in range(500)]
    events, _, _ = await run_agent(Agent(name="A"), "count", [ResponseStream("resp_1").message(*chunks)])
    deltas = [e for e in events if isinstance(e, ThreadItemUpdatedEvent)]
    assert len(deltas) == 502  # part added, 500 deltas, part done
    done = [e.item for e in events if isinstance(e, ThreadItemDoneEvent)]
    assert isinstance(done[-1], AssistantMessageItem)
    assert done[-1].content[0].text == "".join(chunks)


class RecordingConverter(StreamConverter):
    """Overrides every handler a plain text reply goes through, recording each call, then delegates."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    async def on_agent_updated(self, state: StreamState, event: Any) -> Events:
        self.calls.append("agent_updated")
        async for out in super().on_agent_updated(state, event):
            yield out

    async def on_response_created(self, state: StreamState, event: Any) -> Events:
        self.calls.append("response_created")
        async for out in super().on_response_created(state, event):
            yield out

    async def on_message_added(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        self.calls.append("message_added")
        async for out in super().on_message_added(state, output_index, item):
            yield out

    async def on_content_part_added(self, state: StreamState, event: Any) -> Events:
        self.calls.append("content_part_added")
        async for out in super().on_content_part_added(state, event):
            yield out

    async def on_content_part_done(self, state: StreamState, event: Any) -> Events:
        self.calls.append("content_part_done")
        async for out in super().on_content_part_done(state, event):
            yield out

    async def on_message_done(self, state: StreamState, output_index: int, item: dict[str, Any]) -> Events:
        self.calls.append("message_done")
        async for out in super().on_message_done(state, output_index, item):
            yield out

    async def on_message_output_created(self, state: StreamState, item: Any) -> Events:
        self.calls.append("message_output_created")
        async for out in super().on_message_output_created(state, item):
            yield out


async def test_overridden_handlers_of_a_text_reply_are_each_called_and_give_the_same_events(
    run_agent: Any,
) -> None:
    steps = [ResponseStream("resp_1").message("Hel", "lo")]
    plain, _, _ = await run_agent(Agent(name="A"), "hi", steps)
    converter = RecordingConverter()
    steps = [ResponseStream("resp_1").message("Hel", "lo")]
    recorded, _, _ = await run_agent(Agent(name="A"), "hi", steps, converter=converter)
    assert converter.calls == [
        "agent_updated",
        "response_created",
        "message_added",
        "content_part_added",
        "content_part_done",
        "message_done",
        "message_output_created",
    ]
    assert [type(e).__name__ for e in recorded] == [type(e).__name__ for e in plain]
    assert [e.model_dump(exclude={"item": {"id", "created_at"}, "item_id": True}) for e in recorded] == [
        e.model_dump(exclude={"item": {"id", "created_at"}, "item_id": True}) for e in plain
    ]


class RenamedMessageHandlers(StreamConverter):
    """Routes message items to differently named handlers through the routing tables."""

    ITEM_ADDED_HANDLERS = {**StreamConverter.ITEM_ADDED_HANDLERS, "message": "on_my_message_added"}

    def __init__(self) -> None:
        super().__init__()
        self.added: list[str | None] = []

    async def on_my_message_added(
        self, state: StreamState, output_index: int, item: dict[str, Any]
    ) -> Events:
        self.added.append(item.get("id"))
        async for out in self.on_message_added(state, output_index, item):
            yield out


async def test_a_message_routed_to_another_handler_by_the_table_reaches_it(run_agent: Any) -> None:
    converter = RenamedMessageHandlers()
    steps = [ResponseStream("resp_1").message("Hi")]
    events, _, _ = await run_agent(Agent(name="A"), "hi", steps, converter=converter)
    assert len(converter.added) == 1
    assert converter.added[0]
    done = [e.item for e in events if isinstance(e, ThreadItemDoneEvent)]
    assert isinstance(done[-1], AssistantMessageItem)
    assert done[-1].content[0].text == "Hi"
