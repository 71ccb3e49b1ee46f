"""Run an agent offline against scripted model output and collect the ChatKit events it streams.

``run_scripted`` drives the real ``Runner.run_streamed`` with an ``agents.testing.ScriptedModel`` (set as
the run's model, so handoff targets use it too) and converts the run with `stream_agent_response`, using
deterministic ids and a fixed clock, so the result can be compared with a snapshot::

    run = await run_scripted(agent, "Weather in Paris?", [
        ResponseStream("resp_1").function_call("get_weather", {"city": "Paris"}),
        ResponseStream("resp_2").message("Sunny."),
    ])
    assert run.rendered == snapshot()
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from agents.testing import ModelCall, ModelStep, ScriptedModel
from agents.testing.model import ModelScriptItem
from openai.types.responses import ResponseStreamEvent
from pydantic import BaseModel

from agents import Agent, RunConfig, Runner, RunResultStreaming, TResponseInputItem
from chatkit_agents._ids import Clock, FixedClock, IdFactory, SequentialIds
from chatkit_agents.agents.context import AgentContext
from chatkit_agents.agents.stream import StreamConverter, stream_agent_response
from chatkit_agents.testing.render import render_events
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.types import ThreadMetadata, ThreadStreamEvent

__all__ = ["ScriptStep", "ScriptedRun", "ScriptedRunner", "fixed_thread", "run_scripted"]

ScriptStep = ModelScriptItem | ResponseStream | list[ResponseStreamEvent]
"""One model call's scripted result: anything ``ScriptedModel`` takes, a `ResponseStream` (streamed with
``response.completed``), or a list of Responses stream events such as ``ResponseStream(...).failed()``."""


@dataclass
class ScriptedRun:
    """What a scripted run produced: the ChatKit events, the SDK result and what the model was sent."""

    events: list[ThreadStreamEvent]
    """Every ChatKit event, in order."""
    result: RunResultStreaming
    """The Agents SDK result (``final_output``, ``new_items``, ``interruptions``, ...)."""
    context: AgentContext[Any]
    """The run's context (``error``, ``run_state``, ``client_tool_calls``)."""
    model: ScriptedModel
    """The scripted model (``remaining_steps``, ``assert_complete()``)."""
    join_deltas: bool = field(default=True, repr=False)

    @property
    def rendered(self) -> str:
        """``render_events(events)``: the compact text form to compare with a snapshot."""
        return render_events(self.events, join_deltas=self.join_deltas)

    @property
    def model_calls(self) -> tuple[ModelCall, ...]:
        """What the model received on each call (``input``, ``tools``, ``system_instructions``, ...)."""
        return self.model.calls

    @property
    def error(self) -> BaseException | None:
        """The exception that ended the run (it was already turned into events), or ``None``."""
        return self.context.error


def fixed_thread(clock: Clock | None = None, *, thread_id: str = "thr_1") -> ThreadMetadata:
    """A thread for tests: fixed id, created at ``clock()`` (2026-01-01 UTC by default)."""
    return ThreadMetadata(id=thread_id, created_at=(clock or FixedClock())())


async def run_scripted(
    agent: Agent[Any],
    input: str | list[TResponseInputItem],
    steps: Iterable[ScriptStep],
    *,
    context: AgentContext[Any] | None = None,
    thread: ThreadMetadata | None = None,
    request_context: Any = None,
    id_factory: IdFactory | None = None,
    clock: Clock | None = None,
    converter: StreamConverter | None = None,
    run_config: RunConfig | None = None,
    max_turns: int | None = None,
    join_deltas: bool = True,
    require_all_steps: bool = True,
) -> ScriptedRun:
    """Run ``agent`` on ``input`` with the model answering from ``steps``; return the events and result.

    Ids come from ``SequentialIds()`` and time from ``FixedClock()`` unless given (or unless ``context`` is
    given, which is used as is). With ``require_all_steps`` a run that ends without error must have
    used every step (``UnconsumedModelSteps`` otherwise), which catches scripts that no longer match.
    """
    model = ScriptedModel([_as_step(step) for step in steps])
    if context is None:
        clock = clock or FixedClock()
        context = AgentContext(
            thread or fixed_thread(clock),
            request_context=request_context,
            id_factory=id_factory or SequentialIds(),
            clock=clock,
        )
    config = dataclasses.replace(run_config or RunConfig(tracing_disabled=True), model=model)
    options: dict[str, Any] = {} if max_turns is None else {"max_turns": max_turns}
    result = Runner.run_streamed(agent, input, context=context, run_config=config, **options)
    events: list[ThreadStreamEvent] = []
    async for event in stream_agent_response(context, result, converter=converter):
        events.append(event)
    if require_all_steps and context.error is None:
        model.assert_complete()
    return ScriptedRun(events=events, result=result, context=context, model=model, join_deltas=join_deltas)


class ScriptedRunner:
    """``run_scripted`` bound to one thread, id factory and clock, so several runs in a test share them.

    This is what the ``run_chatkit`` pytest fixture returns: ``await run_chatkit(agent, "Hi", steps)``.
    """

    def __init__(self, thread: ThreadMetadata, id_factory: IdFactory, clock: Clock) -> None:
        self.thread = thread
        self.id_factory = id_factory
        self.clock = clock

    async def __call__(
        self,
        agent: Agent[Any],
        input: str | list[TResponseInputItem],
        steps: Iterable[ScriptStep],
        *,
        request_context: Any = None,
        converter: StreamConverter | None = None,
        run_config: RunConfig | None = None,
        max_turns: int | None = None,
        join_deltas: bool = True,
        require_all_steps: bool = True,
    ) -> ScriptedRun:
        """Run ``agent`` like `run_scripted`, on this runner's thread, ids and clock."""
        context = AgentContext(
            self.thread, request_context=request_context, id_factory=self.id_factory, clock=self.clock
        )
        return await run_scripted(
            agent,
            input,
            steps,
            context=context,
            converter=converter,
            run_config=run_config,
            max_turns=max_turns,
            join_deltas=join_deltas,
            require_all_steps=require_all_steps,
        )


def _as_step(step: ScriptStep) -> ModelScriptItem:
    if isinstance(step, ResponseStream):
        return step.step()
    if isinstance(step, list) and step and all(_is_stream_event(e) for e in step):
        return ModelStep.stream(cast(list[ResponseStreamEvent], step))
    return cast(ModelScriptItem, step)


def _is_stream_event(value: object) -> bool:
    return isinstance(value, BaseModel) and hasattr(value, "sequence_number")
