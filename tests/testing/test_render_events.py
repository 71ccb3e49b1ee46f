from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from inline_snapshot import snapshot
from pydantic import ValidationError

from chatkit_agents.testing import render_events, render_item, render_thread
from chatkit_agents.types import (
    ActiveStatus,
    Annotation,
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartAnnotationAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    ClientEffectEvent,
    ClientToolCallItem,
    ClosedStatus,
    CustomSummary,
    CustomTask,
    DurationSummary,
    EndOfTurnItem,
    EntitySource,
    ErrorEvent,
    FileAttachment,
    FileSource,
    FileTask,
    GeneratedImage,
    GeneratedImageItem,
    GeneratedImageUpdated,
    HiddenContextItem,
    ImageTask,
    InferenceOptions,
    LockedStatus,
    NoticeEvent,
    ProgressUpdateEvent,
    SDKHiddenContextItem,
    SearchTask,
    StreamOptions,
    StreamOptionsEvent,
    StructuredInputFreeform,
    StructuredInputItem,
    StructuredInputMultipleChoice,
    StructuredInputMultipleChoiceOption,
    TaskItem,
    ThoughtTask,
    Thread,
    ThreadCreatedEvent,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadUpdatedEvent,
    ToolChoice,
    URLSource,
    UserMessageItem,
    UserMessageTagContent,
    UserMessageTextContent,
    WidgetComponentUpdated,
    WidgetItem,
    WidgetRootUpdated,
    WidgetStreamingTextValueDelta,
    Workflow,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)

AT = datetime(2026, 1, 1, tzinfo=timezone.utc)
URL = Annotation(source=URLSource(url="https://example.com/a", title="A"), index=11)
FILE = Annotation(source=FileSource(filename="report.pdf", title="Report"), index=5)


def _updated(item_id: str, update: Any) -> ThreadItemUpdatedEvent:
    return ThreadItemUpdatedEvent(item_id=item_id, update=update)


def _message(item_id: str, *parts: AssistantMessageContent) -> Any:
    from chatkit_agents.types import AssistantMessageItem

    return AssistantMessageItem(id=item_id, thread_id="thr_1", created_at=AT, content=list(parts))


def _text_stream(item_id: str, *deltas: str, index: int = 0) -> list[ThreadItemUpdatedEvent]:
    return [
        _updated(item_id, AssistantMessageContentPartTextDelta(content_index=index, delta=d)) for d in deltas
    ]


def test_an_assistant_message_stream_renders_one_line_per_event_with_deltas_joined() -> None:
    events = [
        StreamOptionsEvent(stream_options=StreamOptions(allow_cancel=True)),
        ThreadItemAddedEvent(item=_message("msg_1")),
        _updated(
            "msg_1",
            AssistantMessageContentPartAdded(content_index=0, content=AssistantMessageContent(text="")),
        ),
        *_text_stream("msg_1", "Hel", "lo ", "world"),
        _updated(
            "msg_1",
            AssistantMessageContentPartAnnotationAdded(content_index=0, annotation_index=0, annotation=URL),
        ),
        _updated(
            "msg_1",
            AssistantMessageContentPartDone(
                content_index=0, content=AssistantMessageContent(text="Hello world", annotations=[URL])
            ),
        ),
        ThreadItemDoneEvent(
            item=_message("msg_1", AssistantMessageContent(text="Hello world", annotations=[URL]))
        ),
    ]
    assert render_events(events) == snapshot("""\
stream_options          allow_cancel=true
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "Hello world" (3 deltas)
  annotation_added      msg_1 [0] #0 url:https://example.com/a@11
  content_part.done     msg_1 [0] "Hello world" [1 annotation: url:https://example.com/a@11]
thread.item.done        msg_1 assistant_message "Hello world" [1 annotation: url:https://example.com/a@11]\
""")


def test_without_joining_every_text_delta_keeps_its_own_line() -> None:
    events = [ThreadItemAddedEvent(item=_message("msg_1")), *_text_stream("msg_1", "a", "b")]
    assert render_events(events, join_deltas=False) == snapshot("""\
thread.item.added       msg_1 assistant_message
  text_delta            msg_1 [0] "a"
  text_delta            msg_1 [0] "b"\
""")


def test_deltas_of_different_parts_or_items_are_not_joined_and_a_single_delta_has_no_count() -> None:
    events = [
        *_text_stream("msg_1", "a", "b"),
        *_text_stream("msg_1", "c", index=1),
        *_text_stream("msg_2", "d", "e"),
        ProgressUpdateEvent(text="between"),
        *_text_stream("msg_2", "f"),
    ]
    assert render_events(events) == snapshot("""\
  text_delta            msg_1 [0] "ab" (2 deltas)
  text_delta            msg_1 [1] "c"
  text_delta            msg_2 [0] "de" (2 deltas)
progress_update         "between"
  text_delta            msg_2 [0] "f"\
""")


def test_a_message_with_several_parts_renders_one_detail_line_per_part() -> None:
    item = _message(
        "msg_1",
        AssistantMessageContent(text="First", annotations=[URL, FILE]),
        AssistantMessageContent(
            text="Second",
            annotations=[Annotation(source=EntitySource(id="ent_1", title="Entity"))],
        ),
    )
    assert render_events([ThreadItemDoneEvent(item=item)]) == snapshot("""\
thread.item.done        msg_1 assistant_message
    [0] "First" [2 annotations: url:https://example.com/a@11, file:report.pdf@5]
    [1] "Second" [1 annotation: entity:ent_1]\
""")


def test_workflow_items_and_every_task_kind_render_with_type_status_title_and_content() -> None:
    tasks = [
        ThoughtTask(title="Planning", content="Let me think.\nThen answer.", status_indicator="complete"),
        SearchTask(
            title="Searching the web",
            title_query="weather paris",
            queries=["weather paris", "paris forecast"],
            sources=[URLSource(url="https://meteo.example/paris", title="Meteo")],
            status_indicator="complete",
        ),
        FileTask(
            title="Searching files",
            sources=[FileSource(filename="notes.md", title="Notes")],
            status_indicator="loading",
        ),
        CustomTask(title="Calling get_weather", icon="bolt", content='{"city": "Paris"}'),
        ImageTask(title="Generating image", status_indicator="loading"),
    ]
    workflow = WorkflowItem(
        id="wf_1",
        thread_id="thr_1",
        created_at=AT,
        workflow=Workflow(type="custom", tasks=tasks, summary=DurationSummary(duration=3), expanded=True),
    )
    custom = WorkflowItem(
        id="wf_2",
        thread_id="thr_1",
        created_at=AT,
        workflow=Workflow(
            type="reasoning", tasks=[], summary=CustomSummary(title="Thought it over", icon="atom")
        ),
    )
    events = [
        ThreadItemAddedEvent(
            item=WorkflowItem(
                id="wf_1", thread_id="thr_1", created_at=AT, workflow=Workflow(type="custom", tasks=[])
            )
        ),
        _updated(
            "wf_1",
            WorkflowTaskAdded(task_index=0, task=ThoughtTask(content="Let", status_indicator="loading")),
        ),
        _updated("wf_1", WorkflowTaskUpdated(task_index=0, task=tasks[0])),
        _updated("wf_1", WorkflowTaskAdded(task_index=1, task=tasks[1])),
        ThreadItemDoneEvent(item=workflow),
        ThreadItemDoneEvent(item=custom),
    ]
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
  task.added            wf_1 [0] thought loading content="Let"
  task.updated          wf_1 [0] thought complete "Planning" content="Let me think.\\nThen answer."
  task.added            wf_1 [1] web_search complete "Searching the web" query="weather paris" queries=["weather paris","paris forecast"] sources=[url:https://meteo.example/paris]
thread.item.done        wf_1 workflow custom summary=3s expanded
    [0] thought complete "Planning" content="Let me think.\\nThen answer."
    [1] web_search complete "Searching the web" query="weather paris" queries=["weather paris","paris forecast"] sources=[url:https://meteo.example/paris]
    [2] file loading "Searching files" sources=[file:notes.md]
    [3] custom none "Calling get_weather" icon=bolt content='{"city": "Paris"}'
    [4] image loading "Generating image"
thread.item.done        wf_2 workflow reasoning summary="Thought it over" icon=atom\
""")  # noqa: E501


def test_other_item_kinds_render_a_short_summary() -> None:
    items: list[Any] = [
        UserMessageItem(
            id="msg_1",
            thread_id="thr_1",
            created_at=AT,
            content=[
                UserMessageTextContent(text="Weather for "),
                UserMessageTagContent(id="city_1", text="Paris", data={"code": "PAR"}),
            ],
            attachments=[FileAttachment(id="atc_1", name="trip.pdf", mime_type="application/pdf")],
            quoted_text="earlier answer",
            inference_options=InferenceOptions(tool_choice=ToolChoice(id="weather"), model="gpt-x"),
        ),
        ClientToolCallItem(
            id="tc_2",
            thread_id="thr_1",
            created_at=AT,
            call_id="call_1",
            name="pick_color",
            arguments={"b": 1, "a": 2},
        ),
        ClientToolCallItem(
            id="tc_3",
            thread_id="thr_1",
            created_at=AT,
            status="completed",
            call_id="call_2",
            name="pick_color",
            arguments={},
            output={"color": "red"},
        ),
        GeneratedImageItem(id="img_4", thread_id="thr_1", created_at=AT),
        GeneratedImageItem(
            id="img_5",
            thread_id="thr_1",
            created_at=AT,
            image=GeneratedImage(id="ig_1", url="data:image/png;base64," + "A" * 200),
        ),
        TaskItem(
            id="tsk_6",
            thread_id="thr_1",
            created_at=AT,
            task=CustomTask(title="Booked", status_indicator="complete"),
        ),
        StructuredInputItem(
            id="si_7",
            thread_id="thr_1",
            created_at=AT,
            inputs=[
                StructuredInputMultipleChoice(
                    id="q1",
                    question="Which city?",
                    options=[StructuredInputMultipleChoiceOption(value="Paris", label="Paris")],
                ),
                StructuredInputFreeform(id="q2", question="Anything else?"),
            ],
        ),
        HiddenContextItem(id="hc_8", thread_id="thr_1", created_at=AT, content={"user_tier": "gold"}),
        SDKHiddenContextItem(id="shcx_9", thread_id="thr_1", created_at=AT, content="tool state"),
        EndOfTurnItem(id="eot_10", thread_id="thr_1", created_at=AT),
    ]
    assert render_events([ThreadItemDoneEvent(item=item) for item in items]) == snapshot("""\
thread.item.done        msg_1 user_message "Weather for @Paris" attachments=[file:trip.pdf] quoted="earlier answer" model=gpt-x tool_choice=weather
thread.item.done        tc_2 client_tool_call pick_color pending call_1 args={"a":2,"b":1}
thread.item.done        tc_3 client_tool_call pick_color completed call_2 args={} output={"color":"red"}
thread.item.done        img_4 generated_image (no image)
thread.item.done        img_5 generated_image ig_1 data:image/png;base64,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...(+162)
thread.item.done        tsk_6 task custom complete "Booked"
thread.item.done        si_7 structured_input pending
    q1 multiple_choice "Which city?"
    q2 freeform "Anything else?"
thread.item.done        hc_8 hidden_context_item {"user_tier":"gold"}
thread.item.done        shcx_9 sdk_hidden_context "tool state"
thread.item.done        eot_10 end_of_turn\
""")  # noqa: E501


def test_image_widget_removed_and_replaced_events_render() -> None:
    from chatkit_agents.widgets import Card, Text

    card = Card(children=[Text(id="t1", value="Hi"), Text(id="t2", value="there")])
    events = [
        ThreadItemAddedEvent(item=GeneratedImageItem(id="img_1", thread_id="thr_1", created_at=AT)),
        _updated(
            "img_1",
            GeneratedImageUpdated(
                image=GeneratedImage(id="ig_1", url="https://img.example/1.png"), progress=1 / 3
            ),
        ),
        ThreadItemRemovedEvent(item_id="img_1"),
        ThreadItemAddedEvent(
            item=WidgetItem(id="wdg_2", thread_id="thr_1", created_at=AT, widget=card, copy_text="Hi there")
        ),
        _updated("wdg_2", WidgetStreamingTextValueDelta(component_id="t1", delta="Hel", done=False)),
        _updated("wdg_2", WidgetStreamingTextValueDelta(component_id="t1", delta="lo", done=True)),
        _updated("wdg_2", WidgetStreamingTextValueDelta(component_id="t1", delta="!", done=False)),
        _updated("wdg_2", WidgetComponentUpdated(component_id="t2", component=Text(id="t2", value="you"))),
        _updated("wdg_2", WidgetRootUpdated(widget=Card(children=[Text(value="Bye")]))),
        ThreadItemReplacedEvent(item=WidgetItem(id="wdg_2", thread_id="thr_1", created_at=AT, widget=card)),
    ]
    assert render_events(events) == snapshot("""\
thread.item.added       img_1 generated_image (no image)
  image.updated         img_1 ig_1 https://img.example/1.png progress=0.33
thread.item.removed     img_1
thread.item.added       wdg_2 widget Card (2 children) copy_text="Hi there"
  widget.text_delta     wdg_2 t1 "Hello" (2 deltas) done
  widget.text_delta     wdg_2 t1 "!"
  component_updated     wdg_2 t2 Text {"id":"t2","type":"Text","value":"you"}
  widget.root_updated   wdg_2 Card (1 child)
thread.item.replaced    wdg_2 widget Card (2 children)\
""")


def test_thread_and_side_channel_events_render_their_fields() -> None:
    thread = Thread(id="thr_1", title="Trip", created_at=AT, items={"data": []})
    events = [
        ThreadCreatedEvent(thread=thread),
        ThreadUpdatedEvent(thread=thread.model_copy(update={"status": LockedStatus(reason="archived")})),
        ThreadUpdatedEvent(thread=thread.model_copy(update={"title": None, "status": ClosedStatus()})),
        ProgressUpdateEvent(icon="search", text="Searching..."),
        ProgressUpdateEvent(text="Thinking"),
        ClientEffectEvent(name="confetti", data={"count": 3, "colors": ["red"]}),
        ClientEffectEvent(name="refresh"),
        NoticeEvent(level="warning", title="Heads up", message="Output was filtered."),
        NoticeEvent(level="info", message="Saved."),
        ErrorEvent(code="stream.error", allow_retry=True, message="The model failed."),
        ErrorEvent(message="No retry"),
        StreamOptionsEvent(stream_options=StreamOptions(allow_cancel=False)),
    ]
    assert ActiveStatus().type == "active"
    assert render_events(events) == snapshot("""\
thread.created          thr_1 "Trip" active
thread.updated          thr_1 "Trip" locked "archived"
thread.updated          thr_1 closed
progress_update         search "Searching..."
progress_update         "Thinking"
client_effect           confetti {"colors":["red"],"count":3}
client_effect           refresh
notice                  warning "Heads up": "Output was filtered."
notice                  info "Saved."
error                   stream.error allow_retry=true "The model failed."
error                   custom allow_retry=false "No retry"
stream_options          allow_cancel=false\
""")


def test_long_strings_are_cut_to_the_width_and_say_how_much_was_left_out() -> None:
    events = [
        ProgressUpdateEvent(text="x" * 25),
        *_text_stream("msg_1", "a" * 8, "b" * 8),
        ClientEffectEvent(name="big", data={"payload": "y" * 30}),
    ]
    assert render_events(events, width=10) == snapshot("""\
progress_update         "xxxxxxxxxx"...(+15)
  text_delta            msg_1 [0] "aaaaaaaabb"...(+6) (2 deltas)
client_effect           big {"payload"...(+34)\
""")


def test_plain_dicts_decoded_from_sse_json_render_like_the_models() -> None:
    events = [
        ThreadItemAddedEvent(item=_message("msg_1")),
        *_text_stream("msg_1", "Hi", " there"),
        ErrorEvent(code="stream.error", allow_retry=True),
    ]
    decoded = [json.loads(e.model_dump_json(exclude_none=True)) for e in events]
    assert render_events(decoded) == render_events(events)
    assert render_events([e.model_dump_json() for e in events]) == render_events(events)


def test_without_joining_every_event_starts_exactly_one_line() -> None:
    events = [
        ThreadItemAddedEvent(item=_message("msg_1")),
        *_text_stream("msg_1", "a", "b\nc"),
        ThreadItemDoneEvent(
            item=WorkflowItem(
                id="wf_2",
                thread_id="thr_1",
                created_at=AT,
                workflow=Workflow(type="custom", tasks=[ThoughtTask(content="x"), ImageTask()]),
            )
        ),
        ThreadItemDoneEvent(
            item=_message("msg_3", AssistantMessageContent(text="p"), AssistantMessageContent(text="q"))
        ),
        NoticeEvent(level="danger", message="multi\nline"),
    ]
    lines = render_events(events, join_deltas=False).splitlines()
    assert len([line for line in lines if not line.startswith("    ")]) == len(events)


def test_a_dict_that_is_not_a_chatkit_event_is_rejected() -> None:
    with pytest.raises(ValidationError):
        render_events([{"type": "thread.item.added", "item": {"type": "assistant_message"}}])


def test_render_thread_lists_stored_items_one_per_line() -> None:
    items = [
        UserMessageItem(
            id="msg_1",
            thread_id="thr_1",
            created_at=AT,
            content=[UserMessageTextContent(text="Hi")],
            inference_options=InferenceOptions(),
        ),
        WorkflowItem(
            id="wf_2",
            thread_id="thr_1",
            created_at=AT,
            workflow=Workflow(
                type="reasoning", tasks=[ThoughtTask(content="Greet back.", status_indicator="complete")]
            ),
        ),
        _message("msg_3", AssistantMessageContent(text="Hello!")),
    ]
    rendered = render_thread(items)
    assert rendered == snapshot("""\
msg_1 user_message "Hi"
wf_2 workflow reasoning
    [0] thought complete content="Greet back."
msg_3 assistant_message "Hello!"\
""")
    assert render_thread([item.model_dump(mode="json") for item in items]) == rendered
    assert render_thread(Thread(id="thr_1", created_at=AT, items={"data": items})) == rendered
    assert render_item(items[2]) == rendered.splitlines()[-1]
    with pytest.raises(TypeError):
        render_thread(items[2])
