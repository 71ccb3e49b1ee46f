"""Shared fixtures for the forward-converter tests.

Every ChatKit event produced through `stream_agent_response` during a test (directly or via
``run_scripted``) is recorded and, at teardown, validated against openai-chatkit's ``ThreadStreamEvent``
(the wire oracle). ``check_settled`` asserts that every added item is later done or removed.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import pytest
from agents.testing import ScriptedModel
from pydantic import TypeAdapter

import chatkit_agents.agents.run_events as run_events_module
import chatkit_agents.agents.stream as stream_module
import chatkit_agents.testing.scripted as scripted_module
from agents import Agent, RunConfig, Runner, RunResultStreaming, set_tracing_disabled
from chatkit_agents._ids import FixedClock, SequentialIds
from chatkit_agents.agents import AgentContext, StreamConverter
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.testing.scripted import fixed_thread
from chatkit_agents.types import ThreadStreamEvent, to_client_json

set_tracing_disabled(True)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # openai-chatkit warns about its own widget classes
    import chatkit.types as oracle

ORACLE: TypeAdapter[Any] = TypeAdapter(oracle.ThreadStreamEvent)


def settle_problems(events: list[ThreadStreamEvent], previous: Iterable[str] = ()) -> list[str]:
    """Items added but never done/removed, updates of unknown items, done after removal.

    ``previous`` names items of earlier turns that this stream may update (a continued workflow).
    """
    problems: list[str] = []
    open_items: dict[str, str] = {}
    known: set[str] = set(previous)
    removed: set[str] = set()
    for event in events:
        if event.type == "thread.item.added":
            open_items[event.item.id] = event.item.type
            known.add(event.item.id)
        elif event.type == "thread.item.done":
            if event.item.id in removed:
                problems.append(f"done after removal: {event.item.id}")
            open_items.pop(event.item.id, None)
            known.add(event.item.id)
        elif event.type == "thread.item.removed":
            open_items.pop(event.item_id, None)
            removed.add(event.item_id)
        elif event.type == "thread.item.updated" and event.item_id not in known:
            problems.append(f"update of unknown item {event.item_id}")
    problems.extend(f"never finished: {item_id} ({kind})" for item_id, kind in open_items.items())
    return problems


@pytest.fixture(params=["run_queue", "pump"])
def event_source_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with each way of merging tool requests into the run's events (same results expected).

    ``run_queue`` is what openai-agents runs get; ``pump`` is the fallback for run objects without an
    event queue.
    """
    if request.param == "pump":
        monkeypatch.setattr(run_events_module, "run_event_queue", lambda result: None)
    return str(request.param)


@pytest.fixture
def check_settled() -> Callable[..., None]:
    """Assert that a finished stream left no item open and updated only known items."""

    def check(events: list[ThreadStreamEvent], previous: Iterable[str] = ()) -> None:
        assert settle_problems(events, previous) == []

    return check


@pytest.fixture(autouse=True)
def _validate_with_oracle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Record every event the converter streams in this test and validate each with openai-chatkit."""
    recorded: list[ThreadStreamEvent] = []
    original = stream_module.stream_agent_response

    async def recording(*args: Any, **kwargs: Any) -> AsyncIterator[ThreadStreamEvent]:
        async for event in original(*args, **kwargs):
            recorded.append(event)
            yield event

    monkeypatch.setattr(scripted_module, "stream_agent_response", recording)
    monkeypatch.setattr(stream_module, "stream_agent_response", recording)
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the oracle's own widget deprecation notice
        for event in recorded:
            ORACLE.validate_json(to_client_json(event))


@pytest.fixture
def make_context() -> Callable[..., AgentContext[Any]]:
    """Build an AgentContext with sequential ids and a fixed clock (step ``clock_step`` seconds)."""

    def make(*, clock_step: float = 0.0, **kwargs: Any) -> AgentContext[Any]:
        clock = FixedClock(step_seconds=clock_step)
        return AgentContext(fixed_thread(clock), id_factory=SequentialIds(), clock=clock, **kwargs)

    return make


@pytest.fixture
def run_agent(make_context: Callable[..., AgentContext[Any]]) -> Callable[..., Any]:
    """Run ``agent`` with a ScriptedModel answering from ``steps``, any ``Runner.run_streamed`` kwargs."""

    async def run(
        agent: Agent[Any],
        input: Any,
        steps: list[Any],
        *,
        context: AgentContext[Any] | None = None,
        converter: StreamConverter | None = None,
        **runner_kwargs: Any,
    ) -> tuple[list[ThreadStreamEvent], AgentContext[Any], RunResultStreaming]:
        model = ScriptedModel([s.step() if isinstance(s, ResponseStream) else s for s in steps])
        context = context or make_context()
        config = RunConfig(tracing_disabled=True, model=model)
        result = Runner.run_streamed(agent, input, context=context, run_config=config, **runner_kwargs)
        events = [e async for e in stream_module.stream_agent_response(context, result, converter=converter)]
        return events, context, result

    return run
