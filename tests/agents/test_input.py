"""Reverse conversion of every thread item kind: what the model sees on the next turn."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

import pytest
from inline_snapshot import snapshot
from openai.types.responses import ResponseInputContentParam
from test_input_validation import assert_valid_input

from chatkit_agents.agents.input import (
    ThreadItemConverter,
    attachment_bytes_to_content,
    to_agent_input,
)
from chatkit_agents.errors import AttachmentNotResolvedError, ConfigurationError
from chatkit_agents.types.attachments import Attachment, FileAttachment, ImageAttachment
from chatkit_agents.types.items import (
    AssistantMessageContent,
    AssistantMessageItem,
    ClientToolCallItem,
    EndOfTurnItem,
    GeneratedImage,
    GeneratedImageItem,
    HiddenContextItem,
    SDKHiddenContextItem,
    StructuredInputAnswer,
    StructuredInputFreeform,
    StructuredInputItem,
    StructuredInputMultipleChoice,
    StructuredInputMultipleChoiceOption,
    TaskItem,
    ThreadItem,
    UserMessageItem,
    UserMessageTagContent,
    UserMessageTextContent,
    WidgetItem,
    WorkflowItem,
)
from chatkit_agents.types.workflow import (
    Annotation,
    CustomSummary,
    CustomTask,
    DurationSummary,
    EntitySource,
    FileSource,
    FileTask,
    ImageTask,
    SearchTask,
    ThoughtTask,
    URLSource,
    Workflow,
)
from chatkit_agents.widgets import ActionConfig, Badge, Button, Card, CardAction, Row, Text, Title

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def base(item_id: str) -> dict[str, Any]:
    return {"id": item_id, "thread_id": "thr_1", "created_at": T0}


def user(text: str, item_id: str = "msg_u", **fields: Any) -> UserMessageItem:
    return UserMessageItem(**base(item_id), content=[UserMessageTextContent(text=text)], **fields)


def assistant(
    text: str, item_id: str = "msg_a", annotations: list[Annotation] | None = None
) -> AssistantMessageItem:
    return AssistantMessageItem(
        **base(item_id), content=[AssistantMessageContent(text=text, annotations=annotations or [])]
    )


async def convert(items: ThreadItem | list[ThreadItem], **kwargs: Any) -> list[Any]:
    """Convert and check that every produced item is a valid Responses input item."""
    return assert_valid_input(await to_agent_input(items, **kwargs))


# --- user messages -------------------------------------------------------------------------------------


async def test_plain_text_user_message_becomes_a_user_message_with_string_content() -> None:
    assert await convert(user("Hello there")) == snapshot(
        [{"type": "message", "role": "user", "content": "Hello there"}]
    )


async def test_tags_render_inline_and_add_a_mentions_context_message() -> None:
    item = UserMessageItem(
        **base("msg_u"),
        content=[
            UserMessageTextContent(text="Ask "),
            UserMessageTagContent(
                id="u_1", text="Alice", data={"email": "alice@example.com"}, group="People"
            ),
            UserMessageTextContent(text=" and "),
            UserMessageTagContent(id="doc_9", text="Q3 report", data={}),
            UserMessageTextContent(text=" again, "),
            UserMessageTagContent(
                id="u_1", text="Alice", data={"email": "alice@example.com"}, group="People"
            ),
        ],
    )
    assert await convert(item) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": "Ask @Alice and @Q3 report again, @Alice",
            },
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<mentions>
@Alice (id: u_1, group: People): {"email": "alice@example.com"}
@Q3 report (id: doc_9)
</mentions>\
""",
                    }
                ],
            },
        ]
    )


async def test_quoted_text_comes_first_inside_the_user_message() -> None:
    item = user("Why is that?", quoted_text="The sky is blue because of Rayleigh scattering.")
    assert await convert(item) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<quoted_text>
The sky is blue because of Rayleigh scattering.
</quoted_text>\
""",
                    },
                    {"type": "input_text", "text": "Why is that?"},
                ],
            }
        ]
    )


IMAGE = ImageAttachment(
    id="atc_img", name="cat.png", mime_type="image/png", preview_url="https://cdn.test/cat.png"
)
PDF = FileAttachment(id="atc_pdf", name="report.pdf", mime_type="application/pdf")


async def test_image_attachments_fall_back_to_their_preview_url() -> None:
    assert await convert(user("What is this?", attachments=[IMAGE])) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "What is this?"},
                    {"type": "input_image", "image_url": "https://cdn.test/cat.png", "detail": "auto"},
                ],
            }
        ]
    )


async def test_file_attachment_without_a_resolver_raises_an_error_naming_the_hooks() -> None:
    with pytest.raises(AttachmentNotResolvedError) as caught:
        await to_agent_input([user("Summarise", attachments=[PDF])])
    assert isinstance(caught.value, ConfigurationError)
    assert str(caught.value) == snapshot(
        "Cannot send attachment 'atc_pdf' (file, 'report.pdf', application/pdf) to the model: pass "
        "attachment_resolver= to ThreadItemConverter (see attachment_bytes_to_content) or override "
        "ThreadItemConverter.attachment_to_input."
    )


async def test_attachment_resolver_inlines_bytes_and_can_defer_to_the_default() -> None:
    stored = {"atc_pdf": b"%PDF-1.7 tiny"}
    seen: list[str] = []

    async def resolver(attachment: Attachment) -> ResponseInputContentParam | None:
        seen.append(attachment.id)
        data = stored.get(attachment.id)
        return attachment_bytes_to_content(attachment, data) if data is not None else None

    converter = ThreadItemConverter(attachment_resolver=resolver)
    result = await convert(user("Compare", attachments=[PDF, IMAGE]), converter=converter)
    assert seen == ["atc_pdf", "atc_img"]
    assert result == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Compare"},
                    {
                        "type": "input_file",
                        "file_data": "data:application/pdf;base64,JVBERi0xLjcgdGlueQ==",
                        "filename": "report.pdf",
                    },
                    {"type": "input_image", "image_url": "https://cdn.test/cat.png", "detail": "auto"},
                ],
            }
        ]
    )


def test_attachment_bytes_become_an_image_data_url_for_images() -> None:
    assert attachment_bytes_to_content(IMAGE, b"\x89PNG") == snapshot(
        {"type": "input_image", "image_url": "data:image/png;base64,iVBORw==", "detail": "auto"}
    )


# --- assistant messages --------------------------------------------------------------------------------


async def test_assistant_message_is_plain_text_with_a_numbered_source_list() -> None:
    annotations = [
        Annotation(source=URLSource(url="https://w.test/paris", title="Paris weather"), index=12),
        Annotation(source=FileSource(filename="notes.md", title="notes.md"), index=20),
        Annotation(source=URLSource(url="https://w.test/paris", title="Paris weather"), index=30),
        Annotation(source=EntitySource(id="cust_7", title="ACME Corp"), index=None),
    ]
    item = AssistantMessageItem(
        **base("msg_a"),
        content=[
            AssistantMessageContent(text="It is sunny in Paris.", annotations=annotations[:2]),
            AssistantMessageContent(text="ACME agrees.", annotations=annotations[2:]),
        ],
    )
    assert await convert(item) == snapshot(
        [
            {
                "type": "message",
                "role": "assistant",
                "content": """\
It is sunny in Paris.

ACME agrees.

Sources:
[1] Paris weather - https://w.test/paris
[2] notes.md
[3] ACME Corp - entity cust_7\
""",
            }
        ]
    )


async def test_empty_assistant_message_is_left_out() -> None:
    assert await convert(assistant("")) == snapshot([])


# --- client tool calls ---------------------------------------------------------------------------------


async def test_completed_client_tool_call_becomes_a_call_and_output_pair_and_pending_is_skipped() -> None:
    done = ClientToolCallItem(
        **base("tc_1"),
        status="completed",
        call_id="call_1",
        name="get_location",
        arguments={"precise": True},
        output={"city": "Paris"},
    )
    text_output = done.model_copy(update={"id": "tc_2", "call_id": "call_2", "output": "Lyon"})
    dotted = done.model_copy(update={"id": "tc_4", "call_id": "call_4", "name": "map.open", "output": None})
    pending = ClientToolCallItem(**base("tc_3"), call_id="call_3", name="get_location", arguments={})
    assert await convert([done, text_output, dotted, pending]) == snapshot(
        [
            {
                "type": "function_call",
                "call_id": "call_1",
                "name": "get_location",
                "arguments": '{"precise": true}',
            },
            {"type": "function_call_output", "call_id": "call_1", "output": '{"city": "Paris"}'},
            {
                "type": "function_call",
                "call_id": "call_2",
                "name": "get_location",
                "arguments": '{"precise": true}',
            },
            {"type": "function_call_output", "call_id": "call_2", "output": "Lyon"},
            {
                "type": "function_call",
                "call_id": "call_4",
                "name": "map_open",
                "arguments": '{"precise": true}',
            },
            {"type": "function_call_output", "call_id": "call_4", "output": "null"},
        ]
    )


# --- widgets -------------------------------------------------------------------------------------------

WEATHER_CARD = Card(
    children=[
        Title(value="Paris"),
        Row(children=[Text(value="Sunny"), Badge(label="21°C")]),
        Button(label="Refresh", on_click_action=ActionConfig(type="refresh", payload={"value": "not shown"})),
    ],
    confirm=CardAction(label="OK", action=ActionConfig(type="ok")),
)


async def test_widget_becomes_its_visible_text_not_a_json_dump() -> None:
    item = WidgetItem(**base("wdg_1"), widget=WEATHER_CARD)
    assert await convert(item) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<widget>
Paris
Sunny
21°C
Refresh
</widget>\
""",
                    }
                ],
            }
        ]
    )


async def test_widget_copy_text_wins_over_the_widget_tree() -> None:
    item = WidgetItem(**base("wdg_1"), widget=WEATHER_CARD, copy_text="Paris: sunny, 21°C")
    assert await convert(item) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "<widget>\nParis: sunny, 21°C\n</widget>"}],
            }
        ]
    )


# --- workflows and tasks -------------------------------------------------------------------------------


async def test_reasoning_workflow_becomes_a_reasoning_context_message() -> None:
    item = WorkflowItem(
        **base("wf_1"),
        workflow=Workflow(
            type="reasoning",
            tasks=[
                ThoughtTask(title="Planning", content="I should call the weather tool."),
                ThoughtTask(content="Paris is in France.\nUse metric units."),
            ],
            summary=DurationSummary(duration=3),
        ),
    )
    assert await convert(item) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<reasoning>
- Planning
  I should call the weather tool.
- Paris is in France.
  Use metric units.
</reasoning>\
""",
                    }
                ],
            }
        ]
    )


async def test_tool_workflow_renders_custom_search_file_and_image_tasks_compactly() -> None:
    item = WorkflowItem(
        **base("wf_2"),
        workflow=Workflow(
            type="custom",
            summary=CustomSummary(title="Researched the weather"),
            tasks=[
                CustomTask(
                    title="Called get_weather",
                    content='Arguments: {"city": "Paris"}\n\nResult: Sunny, 21°C',
                    status_indicator="complete",
                ),
                SearchTask(
                    title_query="paris weather",
                    queries=["paris weather", "paris forecast"],
                    sources=[
                        URLSource(url="https://w.test/paris", title="Paris weather"),
                        URLSource(url="https://m.test", title="https://m.test"),
                    ],
                ),
                FileTask(
                    title="Searched files",
                    sources=[
                        FileSource(filename="a.md", title="Notes"),
                        FileSource(filename="b.md", title="b.md"),
                    ],
                ),
                ImageTask(title="Drew a sun"),
                CustomTask(),
            ],
        ),
    )
    assert await convert(item) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<workflow>
Researched the weather
- Called get_weather
  Arguments: {"city": "Paris"}
  Result: Sunny, 21°C
- Web search
  queries: paris weather; paris forecast
  sources: Paris weather <https://w.test/paris>; https://m.test
- File search: Searched files
  sources: a.md (Notes); b.md
- Image: Drew a sun
</workflow>\
""",
                    }
                ],
            }
        ]
    )


async def test_workflow_without_renderable_tasks_is_left_out() -> None:
    empty = WorkflowItem(
        **base("wf_3"),
        workflow=Workflow(type="custom", tasks=[CustomTask()], summary=CustomSummary(title="Done")),
    )
    assert await convert(empty) == snapshot([])


async def test_standalone_task_item_becomes_a_task_context_message() -> None:
    item = TaskItem(**base("tsk_1"), task=SearchTask(title="Looked it up", title_query="eiffel tower height"))
    assert await convert(item) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<task>
- Web search: Looked it up
  queries: eiffel tower height
</task>\
""",
                    }
                ],
            }
        ]
    )


# --- images, hidden context, structured input, end of turn --------------------------------------------


async def test_generated_image_is_shown_back_to_the_model_and_a_pending_one_is_skipped() -> None:
    done = GeneratedImageItem(
        **base("img_1"), image=GeneratedImage(id="ig_1", url="https://cdn.test/sun.png")
    )
    pending = GeneratedImageItem(**base("img_2"))
    assert await convert([done, pending]) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<generated_image>
Image ig_1 generated by the assistant.
</generated_image>\
""",
                    },
                    {"type": "input_image", "image_url": "https://cdn.test/sun.png", "detail": "auto"},
                ],
            }
        ]
    )


async def test_both_kinds_of_hidden_context_become_hidden_context_messages() -> None:
    items: list[ThreadItem] = [
        HiddenContextItem(**base("hc_1"), content="The user opened the pricing page."),
        HiddenContextItem(**base("hc_2"), content={"plan": "pro", "seats": 3}),
        HiddenContextItem(**base("hc_3"), content=None),
        SDKHiddenContextItem(**base("shcx_1"), content="The previous reply was cancelled by the user."),
    ]
    assert await convert(items) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": "<hidden_context>\nThe user opened the pricing page.\n</hidden_context>",
                    }
                ],
            },
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": '<hidden_context>\n{"plan": "pro", "seats": 3}\n</hidden_context>',
                    }
                ],
            },
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<hidden_context>
The previous reply was cancelled by the user.
</hidden_context>\
""",
                    }
                ],
            },
        ]
    )


async def test_structured_input_lists_questions_with_answers() -> None:
    item = StructuredInputItem(
        **base("si_1"),
        status="answered",
        inputs=[
            StructuredInputMultipleChoice(
                id="size",
                question="Which size?",
                options=[
                    StructuredInputMultipleChoiceOption(value="S"),
                    StructuredInputMultipleChoiceOption(value="M"),
                ],
                multiple=True,
                answer=StructuredInputAnswer(values=["S", "M"]),
            ),
            StructuredInputFreeform(
                id="note", question="Anything else?", answer=StructuredInputAnswer(skipped=True)
            ),
            StructuredInputFreeform(id="gift", question="Gift wrap?"),
        ],
    )
    assert await convert(item) == snapshot(
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {
                        "type": "input_text",
                        "text": """\
<structured_input>
status: answered
Q: Which size?
A: S, M
Q: Anything else?
A: (skipped)
Q: Gift wrap?
A: (no answer)
</structured_input>\
""",
                    }
                ],
            }
        ]
    )


async def test_end_of_turn_is_ignored() -> None:
    assert await convert([EndOfTurnItem(**base("eot_1"))]) == snapshot([])


async def test_unknown_item_kinds_are_skipped_with_a_debug_log(caplog: pytest.LogCaptureFixture) -> None:
    class FutureItem:
        type = "voice_note"

    with caplog.at_level(logging.DEBUG, logger="chatkit_agents.agents.input"):
        result = await convert([user("hi"), FutureItem()])  # type: ignore[list-item]
    assert result == snapshot([{"type": "message", "role": "user", "content": "hi"}])
    assert "skipping thread item of unknown type 'voice_note'" in caplog.text


# --- overriding ----------------------------------------------------------------------------------------


async def test_overriding_one_hook_changes_only_that_kind() -> None:
    class NoWidgets(ThreadItemConverter):
        async def widget_to_input(self, item: WidgetItem) -> None:
            return None

        def context_message(self, kind: str, text: str) -> Any:
            return {"type": "message", "role": "user", "content": f"[{kind}] {text}"}

    items: list[ThreadItem] = [
        user("Weather?"),
        WidgetItem(**base("wdg_1"), widget=WEATHER_CARD),
        HiddenContextItem(**base("hc_1"), content="tz=Europe/Paris"),
        assistant("Sunny."),
    ]
    assert await convert(items, converter=NoWidgets()) == snapshot(
        [
            {"type": "message", "role": "user", "content": "Weather?"},
            {"type": "message", "role": "user", "content": "[hidden_context] tz=Europe/Paris"},
            {"type": "message", "role": "assistant", "content": "Sunny."},
        ]
    )


# --- providers -----------------------------------------------------------------------------------------


async def test_a_whole_thread_also_converts_to_chat_completions_messages() -> None:
    from agents.models.chatcmpl_converter import Converter

    thread: list[ThreadItem] = [
        user("Weather in @Paris?", quoted_text="Plan a trip"),
        WorkflowItem(
            **base("wf_1"), workflow=Workflow(type="reasoning", tasks=[ThoughtTask(content="Check it.")])
        ),
        ClientToolCallItem(
            **base("tc_1"), status="completed", call_id="call_1", name="locate", arguments={}, output="Paris"
        ),
        WidgetItem(**base("wdg_1"), widget=WEATHER_CARD),
        assistant("Sunny.", annotations=[Annotation(source=URLSource(url="https://w.test", title="W"))]),
        GeneratedImageItem(**base("img_1"), image=GeneratedImage(id="ig_1", url="https://cdn.test/sun.png")),
        StructuredInputItem(**base("si_1"), inputs=[StructuredInputFreeform(id="q", question="Dates?")]),
        HiddenContextItem(**base("hc_1"), content="tz=Europe/Paris"),
        user("Thanks", item_id="msg_u2", attachments=[IMAGE]),
    ]
    messages = Converter.items_to_messages(await convert(thread))
    assert [(m["role"], "tool_calls" in m) for m in messages] == snapshot(
        [
            ("user", False),
            ("user", False),
            ("assistant", True),
            ("tool", False),
            ("user", False),
            ("assistant", False),
            ("user", False),
            ("user", False),
            ("user", False),
            ("user", False),
        ]
    )
