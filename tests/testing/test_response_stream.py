from __future__ import annotations

import typing
from typing import Any

import pytest
from agents.exceptions import ModelBehaviorError, ModelRefusalError
from agents.result import RunResultStreaming
from agents.testing import ModelStep, ScriptedModel
from inline_snapshot import snapshot
from openai.types.responses import ResponseCompletedEvent, ResponseStreamEvent
from openai.types.responses.response_computer_tool_call import ActionClick
from pydantic import BaseModel

from agents import Agent, Runner, function_tool, set_tracing_disabled
from chatkit_agents.testing.responses import (
    ResponseStream,
    file_citation,
    file_search_result,
    response_usage,
    stream_then_raise,
    url_citation,
)

EVENT_CLASSES: dict[str, type[BaseModel]] = {
    typing.get_args(cls.model_fields["type"].annotation)[0]: cls
    for cls in typing.get_args(typing.get_args(ResponseStreamEvent)[0])
}


@pytest.fixture(autouse=True)
def _no_tracing() -> None:
    set_tracing_disabled(True)


@function_tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"Sunny in {city}"


def _everything() -> ResponseStream:
    return (
        ResponseStream("resp_1", usage=response_usage(12, 34))
        .reasoning(["Let me ", "check."], "Second thought.", content=["raw"])
        .message(
            "Hel",
            "lo",
            annotations=[url_citation("https://a.example", "A", end_index=5), file_citation("a.md")],
        )
        .refusal("No", "pe")
        .function_call("get_weather", {"city": "Paris"}, chunk_size=6)
        .custom_tool_call("patcher", "*** Begin", chunk_size=4)
        .computer_call(ActionClick(type="click", x=1, y=2, button="left"))
        .shell_call("ls", "pwd", timeout_ms=100)
        .apply_patch_call("a.txt", "+x", operation="create_file")
        .web_search("weather", sources=["https://a.example"])
        .web_open_page("https://a.example")
        .web_find_in_page("https://a.example", "sun")
        .file_search("q", results=[file_search_result("a.md", "hello")])
        .image_generation("AAAA", partial_images=["A", "AA"], revised_prompt="a sun")
        .image_generation(error="blocked")
        .code_interpreter("print(", "1)", logs="1", images=["https://img.example/1.png"])
        .mcp_list_tools("srv", ["lookup"])
        .mcp_list_tools("broken", error="unreachable")
        .mcp_call("srv", "lookup", {"q": 1}, output="found")
        .mcp_call("srv", "lookup", error="boom")
        .mcp_approval_request("srv", "delete", {"id": 3})
    )


async def _collect_raw(result: RunResultStreaming, into: list[ResponseStreamEvent]) -> None:
    async for event in result.stream_events():
        if event.type == "raw_response_event":
            into.append(event.data)


def _outline(events: list[ResponseStreamEvent]) -> list[str]:
    lines: list[str] = []
    for event in events:
        where = getattr(event, "output_index", None)
        item = getattr(event, "item", None)
        item_id = f"{item.type} {item.id}" if item is not None else getattr(event, "item_id", None)
        lines.append(
            " ".join(str(p) for p in (event.sequence_number, event.type, where, item_id) if p is not None)
        )
    return lines


def test_every_builder_method_yields_members_of_the_responses_event_union_that_round_trip() -> None:
    events = _everything().completed()
    for event in events:
        cls = EVENT_CLASSES[event.type]
        assert type(event) is cls
        wire = event.model_dump(mode="json")
        assert cls.model_validate(wire).model_dump(mode="json") == wire


def test_sequence_numbers_output_indexes_and_item_ids_are_consistent() -> None:
    stream = _everything()
    events = stream.completed()
    assert [e.sequence_number for e in events] == list(range(len(events)))
    added = {e.output_index: e.item for e in events if e.type == "response.output_item.added"}
    done = {e.output_index: e.item for e in events if e.type == "response.output_item.done"}
    assert list(added) == list(done) == list(range(len(stream.output)))
    for index, item in done.items():
        assert added[index].id == item.id
        scoped = [e for e in events if getattr(e, "output_index", None) == index and hasattr(e, "item_id")]
        assert {e.item_id for e in scoped} <= {item.id}
    last = events[-1]
    assert isinstance(last, ResponseCompletedEvent)
    assert last.response.output == stream.output == list(done.values())
    assert last.response.usage == response_usage(12, 34)
    assert len({item.id for item in stream.output}) == len(stream.output)


def test_the_event_outline_of_each_item_kind_matches_the_responses_api() -> None:
    stream = (
        ResponseStream("resp_7")
        .message("Hi", " there", annotations=[url_citation("https://a.example", "A")])
        .reasoning("Hmm")
        .function_call("f", '{"x": 1}', chunk_size=4)
        .web_search("q")
        .image_generation("AAA", partial_images=["A"])
        .shell_call("ls")
    )
    assert _outline(stream.completed()) == snapshot(
        [
            "0 response.created",
            "1 response.in_progress",
            "2 response.output_item.added 0 message msg_7_0",
            "3 response.content_part.added 0 msg_7_0",
            "4 response.output_text.delta 0 msg_7_0",
            "5 response.output_text.delta 0 msg_7_0",
            "6 response.output_text.annotation.added 0 msg_7_0",
            "7 response.output_text.done 0 msg_7_0",
            "8 response.content_part.done 0 msg_7_0",
            "9 response.output_item.done 0 message msg_7_0",
            "10 response.output_item.added 1 reasoning rs_7_1",
            "11 response.reasoning_summary_part.added 1 rs_7_1",
            "12 response.reasoning_summary_text.delta 1 rs_7_1",
            "13 response.reasoning_summary_text.done 1 rs_7_1",
            "14 response.reasoning_summary_part.done 1 rs_7_1",
            "15 response.output_item.done 1 reasoning rs_7_1",
            "16 response.output_item.added 2 function_call fc_7_2",
            "17 response.function_call_arguments.delta 2 fc_7_2",
            "18 response.function_call_arguments.delta 2 fc_7_2",
            "19 response.function_call_arguments.done 2 fc_7_2",
            "20 response.output_item.done 2 function_call fc_7_2",
            "21 response.output_item.added 3 web_search_call ws_7_3",
            "22 response.web_search_call.in_progress 3 ws_7_3",
            "23 response.web_search_call.searching 3 ws_7_3",
            "24 response.web_search_call.completed 3 ws_7_3",
            "25 response.output_item.done 3 web_search_call ws_7_3",
            "26 response.output_item.added 4 image_generation_call ig_7_4",
            "27 response.image_generation_call.in_progress 4 ig_7_4",
            "28 response.image_generation_call.generating 4 ig_7_4",
            "29 response.image_generation_call.partial_image 4 ig_7_4",
            "30 response.image_generation_call.completed 4 ig_7_4",
            "31 response.output_item.done 4 image_generation_call ig_7_4",
            "32 response.output_item.added 5 shell_call sh_7_5",
            "33 response.shell_call_command.added 5",
            "34 response.shell_call_command.delta 5",
            "35 response.shell_call_command.done 5",
            "36 response.output_item.done 5 shell_call sh_7_5",
            "37 response.completed",
        ]
    )


def test_terminal_variants_end_with_their_own_event_and_leave_the_builder_unchanged() -> None:
    stream = ResponseStream("resp_2").message("partial")
    before = stream.unfinished()
    assert [e.type for e in before][-1] == "response.output_item.done"
    assert stream.failed("nope").pop().type == "response.failed"
    assert stream.incomplete().pop().type == "response.incomplete"
    assert stream.error("bad").pop().type == "error"
    assert stream.completed().pop().type == "response.completed"
    assert stream.unfinished() == before
    failed = stream.failed("nope")[-1]
    assert failed.type == "response.failed"
    assert failed.response.error is not None
    assert failed.response.error.message == "nope"
    assert failed.sequence_number == len(before)


def test_a_scripted_run_turns_built_events_into_the_sdk_stream_and_run_items() -> None:
    first = (
        ResponseStream("resp_1")
        .reasoning(["Let me ", "check."])
        .web_search("weather paris", sources=["https://meteo.example"])
        .mcp_call("srv", "lookup", {"q": "paris"}, output="ok")
        .function_call("get_weather", {"city": "Paris"})
    )
    second = ResponseStream("resp_2").message("Sunny", " in Paris.")
    model = ScriptedModel([first.step(), second.step()])
    agent = Agent(name="weather", model=model, tools=[get_weather])

    async def run() -> list[str]:
        result = Runner.run_streamed(agent, "Weather in Paris?")
        seen: list[str] = []
        async for event in result.stream_events():
            if event.type == "raw_response_event":
                seen.append(f"raw {event.data.type}")
            elif event.type == "run_item_stream_event":
                seen.append(f"item {event.name} {type(event.item).__name__}")
            else:
                seen.append(event.type)
        seen.append(f"final {result.final_output}")
        return seen

    import anyio

    assert anyio.run(run) == snapshot(
        [
            "agent_updated_stream_event",
            "raw response.created",
            "raw response.in_progress",
            "raw response.output_item.added",
            "raw response.reasoning_summary_part.added",
            "raw response.reasoning_summary_text.delta",
            "raw response.reasoning_summary_text.delta",
            "raw response.reasoning_summary_text.done",
            "raw response.reasoning_summary_part.done",
            "raw response.output_item.done",
            "raw response.output_item.added",
            "raw response.web_search_call.in_progress",
            "raw response.web_search_call.searching",
            "raw response.web_search_call.completed",
            "raw response.output_item.done",
            "raw response.output_item.added",
            "raw response.mcp_call.in_progress",
            "raw response.mcp_call_arguments.delta",
            "raw response.mcp_call_arguments.done",
            "raw response.mcp_call.completed",
            "raw response.output_item.done",
            "raw response.output_item.added",
            "raw response.function_call_arguments.delta",
            "raw response.function_call_arguments.done",
            "raw response.output_item.done",
            "raw response.completed",
            "item reasoning_item_created ReasoningItem",
            "item tool_called ToolCallItem",
            "item tool_called ToolCallItem",
            "item tool_called ToolCallItem",
            "item tool_output ToolCallOutputItem",
            "raw response.created",
            "raw response.in_progress",
            "raw response.output_item.added",
            "raw response.content_part.added",
            "raw response.output_text.delta",
            "raw response.output_text.delta",
            "raw response.output_text.done",
            "raw response.content_part.done",
            "raw response.output_item.done",
            "raw response.completed",
            "item message_output_created MessageOutputItem",
            "final Sunny in Paris.",
        ]
    )
    model.assert_complete()
    second_input: Any = model.calls[1].input
    assert second_input[-1] == {
        "call_id": "call_1_3",
        "output": "Sunny in Paris",
        "type": "function_call_output",
    }


@pytest.mark.parametrize("ending", ["failed", "incomplete", "error"])
async def test_failed_incomplete_and_error_endings_raise_model_behavior_error_after_their_events(
    ending: str,
) -> None:
    stream = ResponseStream("resp_1").message("partial")
    events = {"failed": stream.failed, "incomplete": stream.incomplete, "error": stream.error}[ending]()
    agent = Agent(name="a", model=ScriptedModel([ModelStep.stream(events)]))
    result = Runner.run_streamed(agent, "hi")
    seen: list[ResponseStreamEvent] = []
    with pytest.raises(ModelBehaviorError):
        await _collect_raw(result, seen)
    assert seen[-1].type == events[-1].type


async def test_stream_then_raise_breaks_the_stream_after_the_given_events() -> None:
    class TransportDown(RuntimeError):
        pass

    events = ResponseStream("resp_1").message("par", "tial").unfinished()
    agent = Agent(
        name="a", model=ScriptedModel([ModelStep.stream(stream_then_raise(events, TransportDown()))])
    )
    result = Runner.run_streamed(agent, "hi")
    seen: list[ResponseStreamEvent] = []
    with pytest.raises(TransportDown):
        await _collect_raw(result, seen)
    # the SDK drops events still queued when a transport error ends the run, so only a prefix arrives
    assert [e.type for e in seen] == [e.type for e in events][: len(seen)]


async def test_a_refusal_reaches_the_sdk_as_a_refusal_message() -> None:
    agent = Agent(
        name="a", model=ScriptedModel([ResponseStream("resp_1").refusal("I can't", " help.").step()])
    )
    result = Runner.run_streamed(agent, "hi")
    seen: list[ResponseStreamEvent] = []
    with pytest.raises(ModelRefusalError):
        await _collect_raw(result, seen)
    assert [e.delta for e in seen if e.type == "response.refusal.delta"] == ["I can't", " help."]


async def test_step_output_also_serves_non_streamed_runs() -> None:
    agent = Agent(name="a", model=ScriptedModel([ResponseStream("resp_1").message("Hello", " world").step()]))
    result = await Runner.run(agent, "hi")
    assert result.final_output == "Hello world"


def test_function_arguments_stream_in_chunks_and_explicit_ids_are_kept() -> None:
    stream = ResponseStream("resp_3").function_call(
        "f", {"a": "xyz"}, chunk_size=3, call_id="c1", item_id="fc_x"
    )
    deltas = [e.delta for e in stream.completed() if e.type == "response.function_call_arguments.delta"]
    assert deltas == ['{"a', '":"', "xyz", '"}']
    item = stream.output[0]
    assert (item.type, item.id, getattr(item, "call_id", None)) == ("function_call", "fc_x", "c1")


async def test_hosted_tool_items_reach_the_sdk_as_run_items() -> None:
    stream = (
        ResponseStream("resp_1")
        .web_search("q", sources=["https://a.example"])
        .file_search("q", results=[file_search_result("a.md", "hit")])
        .image_generation("AAAA", partial_images=["A"])
        .code_interpreter("print(1)", logs="1")
        .mcp_list_tools("srv", ["lookup"])
        .mcp_call("srv", "lookup", {"q": 1}, output="ok")
        .message("Done.")
    )
    result = Runner.run_streamed(Agent(name="a", model=ScriptedModel([stream.step()])), "hi")
    items: list[str] = []
    async for event in result.stream_events():
        if event.type == "run_item_stream_event":
            items.append(f"{event.name} {type(event.item).__name__} {event.item.raw_item.type}")
    assert items == snapshot(
        [
            "tool_called ToolCallItem web_search_call",
            "tool_called ToolCallItem file_search_call",
            "tool_called ToolCallItem image_generation_call",
            "tool_called ToolCallItem code_interpreter_call",
            "mcp_list_tools MCPListToolsItem mcp_list_tools",
            "tool_called ToolCallItem mcp_call",
            "message_output_created MessageOutputItem message",
        ]
    )
    assert result.final_output == "Done."
