"""`AgentServer(memory=...)` through ``server.process``: requests that delete keep the memory consistent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from _memory_helpers import Chat, brief, drain, reply, req, thinking_reply
from agents.testing import ScriptedModel
from inline_snapshot import snapshot

from agents import Agent, RunConfig
from chatkit_agents._ids import FixedClock
from chatkit_agents.server.agent_server import AgentServer
from chatkit_agents.server.memory import SessionMemory, ThreadMemory
from chatkit_agents.store import Store
from chatkit_agents.types import (
    Action,
    AssistantMessageItem,
    ThreadItemRemovedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    WidgetItem,
)


async def test_the_memory_option_takes_the_mode_names(store: Store[Any]) -> None:
    agent = Agent(name="A")
    assert isinstance(AgentServer(agent, store).memory, ThreadMemory)
    assert isinstance(AgentServer(agent, store, memory="session").memory, SessionMemory)


class ForgetfulServer(AgentServer[Any]):
    """Its ``forget`` action removes the thread's first assistant message with ``thread.item.removed``."""

    async def action(
        self, thread: ThreadMetadata, action: Action, sender: WidgetItem | None, context: Any
    ) -> AsyncIterator[ThreadStreamEvent]:
        page = await self.store.load_thread_items(thread.id, None, 100, "asc", context)
        first = next(item for item in page.data if isinstance(item, AssistantMessageItem))
        yield ThreadItemRemovedEvent(item_id=first.id)


async def test_an_item_removed_by_a_stream_is_rebuilt_in_the_session(store: Store[Any]) -> None:
    model = ScriptedModel(
        [
            thinking_reply("A greeting.", "Hello!", "resp_1"),
            thinking_reply("A time question.", "Noon.", "resp_2"),
            reply("You asked the time.", "resp_3"),
        ]
    )
    server = ForgetfulServer(
        Agent(name="A", model=model),
        store,
        run_config=RunConfig(tracing_disabled=True),
        clock=FixedClock(),
        memory="session",
    )
    chat = Chat(server)
    await chat.send("hi")
    await chat.send("time?")
    action = {"type": "forget"}
    await drain(
        await server.process(
            req("threads.custom_action", thread_id=chat.thread_id, item_id=None, action=action), None
        )
    )
    await chat.send("what did I ask?")

    assert brief(model.calls[2].input) == snapshot(
        [
            "user: hi",
            """\
user: <reasoning>
- A greeting.
</reasoning>\
""",
            "user: time?",
            "reasoning rs_resp_2: A time question. [ENCRYPTED<A time question.>]",
            "assistant: Noon.",
            "user: what did I ask?",
        ]
    )
    await server.memory.aclose()


async def test_the_app_closes_the_memory_with_the_store(store: Store[Any]) -> None:
    from chatkit_agents.asgi import create_app

    class Recording(ThreadMemory):
        closed = False

        async def aclose(self) -> None:
            self.closed = True

    memory = Recording()
    app = create_app(AgentServer(Agent(name="A"), store, memory=memory))
    async with app.router.lifespan_context(app):
        assert not memory.closed
    assert memory.closed
