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
