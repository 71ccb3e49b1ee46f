"""Assistant text: items, parts, deltas, annotations, refusals and ids."""

# ruff: noqa: E501 (event snapshots are long lines)

from __future__ import annotations

from typing import Any

from inline_snapshot import snapshot
from openai.types.responses import response_output_text

from agents import Agent, function_tool
from chatkit_agents.testing import render_events
from chatkit_agents.testing.responses import ResponseStream, file_citation, url_citation
from chatkit_agents.testing.scripted import run_scripted
from chatkit_agents.types import AssistantMessageItem, ThreadItemDoneEvent


def agent() -> Agent[Any]:
    return Agent(name="Assistant")


async def test_text_streams_as_parts_deltas_and_done(check_settled: Any) -> None:
    run = await run_scripted(agent(), "Hi", [ResponseStream("resp_1").message("Hello", " there", "!")])
    check_settled(run.events)
    assert run.rendered == snapshot("""\
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "Hello there!" (3 deltas)
  content_part.done     msg_1 [0] "Hello there!"
thread.item.done        msg_1 assistant_message "Hello there!"\
""")


async def test_annotations_are_streamed_with_their_indices_and_kept_on_part_done(check_settled: Any) -> None:
    container = response_output_text.AnnotationContainerFileCitation(
        type="container_file_citation",
        container_id="cntr_1",
        file_id="file_c",
        filename="chart.png",
        start_index=0,
        end_index=14,
    )
    file_path = response_output_text.AnnotationFilePath(type="file_path", file_id="file_p", index=3)
    stream = ResponseStream("resp_1").message(
        "ACME trades ",
        "at 123.45.",
        annotations=[
            url_citation("https://example.com/acme", "ACME quote", start_index=0, end_index=11),
            file_path,
            file_citation("report.pdf", index=22),
            container,
        ],
    )
    run = await run_scripted(agent(), "Price?", [stream])
    check_settled(run.events)
    assert run.rendered == snapshot("""\
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "ACME trades at 123.45." (2 deltas)
  annotation_added      msg_1 [0] #0 url:https://example.com/acme@11
  annotation_added      msg_1 [0] #1 file:report.pdf@22
  annotation_added      msg_1 [0] #2 file:chart.png@14
  content_part.done     msg_1 [0] "ACME trades at 123.45." [3 annotations: url:https://example.com/acme@11, file:report.pdf@22, file:chart.png@14]
thread.item.done        msg_1 assistant_message "ACME trades at 123.45." [3 annotations: url:https://example.com/acme@11, file:report.pdf@22, file:chart.png@14]\
""")
    done = [e.item for e in run.events if isinstance(e, ThreadItemDoneEvent)]
    assert isinstance(done[-1], AssistantMessageItem)
    assert [a.index for a in done[-1].content[0].annotations] == [11, 22, 14]


async def test_item_ids_come_from_the_id_factory_never_from_the_provider(check_settled: Any) -> None:
    steps = [
        ResponseStream("resp_1").message("one", item_id="__fake_id__").message("two", item_id="__fake_id__")
    ]
    run = await run_scripted(agent(), "Hi", steps)
    check_settled(run.events)
    ids = {e.item.id for e in run.events if isinstance(e, ThreadItemDoneEvent)}
    assert ids == {"msg_1", "msg_2"}
    assert run.rendered == snapshot("""\
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "one"
  content_part.done     msg_1 [0] "one"
thread.item.done        msg_1 assistant_message "one"
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "two"
  content_part.done     msg_2 [0] "two"
thread.item.done        msg_2 assistant_message "two"\
""")


async def test_refusal_streams_as_text_then_ends_with_a_retryable_error(check_settled: Any) -> None:
    run = await run_scripted(
        agent(), "Do it", [ResponseStream("resp_1").refusal("I can't ", "help with that.")]
    )
    check_settled(run.events)
    assert run.rendered == snapshot("""\
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "I can't help with that." (2 deltas)
  content_part.done     msg_1 [0] "I can't help with that."
thread.item.done        msg_1 assistant_message "I can't help with that."
error                   custom allow_retry=true "The model declined to answer this request."\
""")
    assert type(run.error).__name__ == "ModelRefusalError"


async def test_message_made_by_a_run_error_handler_is_rendered_from_the_run_item(
    check_settled: Any, run_agent: Any
) -> None:
    def on_max_turns(_data: Any) -> Any:
        return {"final_output": "I ran out of steps.", "include_in_history": True}

    @function_tool
    def lookup(q: str) -> str:
        """Look something up."""
        return "found"

    events, _, _ = await run_agent(
        Agent(name="Assistant", tools=[lookup]),
        "Hi",
        [ResponseStream("resp_1").function_call("lookup", {"q": "x"})],
        max_turns=1,
        error_handlers={"max_turns": on_max_turns},
    )
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Calling lookup" icon=bolt
  task.updated          wf_1 [0] custom loading "Calling lookup" icon=bolt content='Arguments: {"q": "x"}'
  task.updated          wf_1 [0] custom complete "Called lookup" icon=bolt content='Arguments: {"q": "x"}\\n\\nResult: found'
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom complete "Called lookup" icon=bolt content='Arguments: {"q": "x"}\\n\\nResult: found'
thread.item.added       msg_2 assistant_message "I ran out of steps."
thread.item.done        msg_2 assistant_message "I ran out of steps."\
""")


async def test_same_script_twice_gives_the_same_events() -> None:
    def script() -> list[ResponseStream]:
        return [
            ResponseStream("resp_1").reasoning(["Think", "ing"]).function_call("lookup", {"q": "x"}),
            ResponseStream("resp_2").message("Done", "."),
        ]

    @function_tool
    def lookup(q: str) -> str:
        """Look something up."""
        return "found"

    first = await run_scripted(Agent(name="A", tools=[lookup]), "Hi", script())
    second = await run_scripted(Agent(name="A", tools=[lookup]), "Hi", script())
    assert [e.model_dump() for e in first.events] == [e.model_dump() for e in second.events]


async def test_one_converter_instance_serves_concurrent_runs() -> None:
    import anyio

    from chatkit_agents.agents import StreamConverter

    converter = StreamConverter()

    def script(n: int) -> list[ResponseStream]:
        return [ResponseStream(f"resp_{n}").reasoning(f"Thinking {n}.").message("Answer ", f"{n}.")]

    alone = [await run_scripted(agent(), "Hi", script(n), converter=converter) for n in range(3)]
    together: dict[int, Any] = {}

    async def run(n: int) -> None:
        together[n] = await run_scripted(agent(), "Hi", script(n), converter=converter)

    async with anyio.create_task_group() as group:
        for n in range(3):
            group.start_soon(run, n)
    for n in range(3):
        assert together[n].rendered == alone[n].rendered
