"""Hand-written instances of every wire model, shared by the conformance tests."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel

from chatkit_agents import types as t
from chatkit_agents.widgets import Basic, Card, ListView, ListViewItem, Text, Title

with warnings.catch_warnings():
    # openai-chatkit (the test-only oracle) warns about its own widget classes when it is imported.
    warnings.simplefilter("ignore", DeprecationWarning)
    import chatkit.types as oracle  # noqa: F401  # pyright: ignore[reportUnusedImport] - used by the tests

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
T_OFFSET = datetime(2026, 1, 1, 14, 30, 15, 250000, tzinfo=timezone(timedelta(hours=2)))

URL = t.URLSource(title="Docs", url="https://example.com/docs", attribution="example.com", group="web")
FILE = t.FileSource(title="Report", filename="report.pdf", description="Q3", timestamp="2026-01-01")
ENTITY = t.EntitySource(
    title="Ada",
    id="cust_1",
    icon="user",
    label="Customer",
    inline_label="@ada",
    interactive=True,
    data={"tier": "gold", "n": 3},
)
ENTITY_LUCIDE = t.EntitySource(title="Bolt", id="e2", icon="lucide:zap", preview="lazy")

TASKS: list[t.Task] = [
    t.CustomTask(title="Plan", icon="vendor:acme", content="**step**", status_indicator="loading"),
    t.SearchTask(title="Searching", title_query="pydantic", queries=["a", "b"], sources=[URL]),
    t.ThoughtTask(title="Thinking", content="hmm", status_indicator="complete"),
    t.FileTask(title="Reading", sources=[FILE]),
    t.ImageTask(title="Drawing"),
    t.CustomTask(),
]

CARD = Card(children=[Title(value="Order", id="title"), Text(value="Ready", id="status", streaming=True)])
LIST_VIEW = ListView(children=[ListViewItem(children=[Text(value="one")])])
BASIC = Basic(children=[Text(value="hi")])

ATTACH_FILE = t.FileAttachment(id="atc_1", name="a.txt", mime_type="text/plain", thread_id="thr_1")
ATTACH_IMAGE = t.ImageAttachment(
    id="atc_2",
    name="cat.png",
    mime_type="image/png",
    preview_url="https://cdn.example.com/cat.png",
    upload_descriptor=t.AttachmentUploadDescriptor(
        url="https://upload.example.com/u/1", method="PUT", headers={"x-token": "abc"}
    ),
)

ANSWERED_INPUT = t.StructuredInputFreeform(
    id="q2", question="Why?", description="Tell us", answer=t.StructuredInputAnswer(values=["because"])
)

USER_MESSAGE = t.UserMessageItem(
    id="msg_1",
    thread_id="thr_1",
    created_at=T0,
    content=[
        t.UserMessageTextContent(text="Hello "),
        t.UserMessageTagContent(
            id="tag_1", text="@ada", data={"k": [1, 2]}, group="people", interactive=True
        ),
    ],
    attachments=[ATTACH_FILE, ATTACH_IMAGE],
    quoted_text="earlier",
    inference_options=t.InferenceOptions(tool_choice=t.ToolChoice(id="search"), model="gpt-5"),
)

ITEMS: dict[str, t.ThreadItem] = {
    "user_message": USER_MESSAGE,
    "user_message_minimal": t.UserMessageItem(
        id="msg_0", thread_id="thr_1", created_at=T_OFFSET, content=[t.UserMessageTextContent(text="x")]
    ),
    "assistant_message": t.AssistantMessageItem(
        id="msg_2",
        thread_id="thr_1",
        created_at=T0,
        content=[
            t.AssistantMessageContent(
                text="See [1] and [2].",
                annotations=[
                    t.Annotation(source=URL, index=7),
                    t.Annotation(source=FILE),
                    t.Annotation(source=ENTITY, index=15),
                ],
            ),
            t.AssistantMessageContent(text=""),
        ],
    ),
    "client_tool_call_pending": t.ClientToolCallItem(
        id="tc_1", thread_id="thr_1", created_at=T0, call_id="call_1", name="get_loc", arguments={}
    ),
    "client_tool_call_completed": t.ClientToolCallItem(
        id="tc_2",
        thread_id="thr_1",
        created_at=T0,
        status="completed",
        call_id="call_2",
        name="get_loc",
        arguments={"precise": True, "nested": {"a": [1, 2.5, "x"]}},
        output={"lat": 1.5, "lon": -2},
    ),
    "widget_card": t.WidgetItem(id="wdg_1", thread_id="thr_1", created_at=T0, widget=CARD, copy_text="Order"),
    "widget_list_view": t.WidgetItem(id="wdg_2", thread_id="thr_1", created_at=T0, widget=LIST_VIEW),
    "widget_basic": t.WidgetItem(id="wdg_3", thread_id="thr_1", created_at=T0, widget=BASIC),
    "generated_image_pending": t.GeneratedImageItem(id="img_1", thread_id="thr_1", created_at=T0),
    "generated_image": t.GeneratedImageItem(
        id="img_2",
        thread_id="thr_1",
        created_at=T0,
        image=t.GeneratedImage(id="gi_1", url="data:image/png;base64,iVBORw0KGgo="),
    ),
    "structured_input": t.StructuredInputItem(
        id="si_1",
        thread_id="thr_1",
        created_at=T0,
        inputs=[
            t.StructuredInputMultipleChoice(
                id="q1",
                question="Which?",
                options=[t.StructuredInputMultipleChoiceOption(value="A")],
                multiple=True,
            ),
            ANSWERED_INPUT,
        ],
    ),
    "structured_input_skipped": t.StructuredInputItem(
        id="si_2",
        thread_id="thr_1",
        created_at=T0,
        status="skipped",
        inputs=[
            t.StructuredInputFreeform(id="q", question="?", answer=t.StructuredInputAnswer(skipped=True))
        ],
    ),
    "workflow_reasoning": t.WorkflowItem(
        id="wf_1",
        thread_id="thr_1",
        created_at=T0,
        workflow=t.Workflow(type="reasoning", tasks=TASKS, summary=t.DurationSummary(duration=12)),
    ),
    "workflow_custom": t.WorkflowItem(
        id="wf_2",
        thread_id="thr_1",
        created_at=T0,
        workflow=t.Workflow(
            type="custom", tasks=[], summary=t.CustomSummary(title="Done", icon="check"), expanded=True
        ),
    ),
    "workflow_no_summary": t.WorkflowItem(
        id="wf_3", thread_id="thr_1", created_at=T0, workflow=t.Workflow(type="custom", tasks=TASKS[:1])
    ),
    "task": t.TaskItem(id="tsk_1", thread_id="thr_1", created_at=T0, task=TASKS[1]),
    "hidden_context": t.HiddenContextItem(
        id="hc_1", thread_id="thr_1", created_at=T0, content={"note": "secret", "list": [1, None]}
    ),
    "hidden_context_text": t.HiddenContextItem(id="hc_2", thread_id="thr_1", created_at=T0, content="plain"),
    "sdk_hidden_context": t.SDKHiddenContextItem(
        id="shcx_1", thread_id="thr_1", created_at=T0, content="previous response was cut"
    ),
    "end_of_turn": t.EndOfTurnItem(id="eot_1", thread_id="thr_1", created_at=T0),
}

THREAD = t.Thread(
    id="thr_1",
    title="Greetings",
    created_at=T0,
    status=t.LockedStatus(reason="Waiting for approval"),
    allowed_image_domains=["cdn.example.com"],
    metadata={"owner": "u1"},
    items=t.Page[t.ThreadItem](data=[USER_MESSAGE, ITEMS["assistant_message"]], has_more=True, after="msg_2"),
)
THREAD_CLOSED = t.Thread(id="thr_2", created_at=T_OFFSET, status=t.ClosedStatus(), items=t.Page())
THREAD_ACTIVE = t.Thread(id="thr_3", created_at=T0)

CONTENT = t.AssistantMessageContent(text="Hi", annotations=[t.Annotation(source=URL, index=0)])

UPDATES: dict[str, t.ThreadItemUpdate] = {
    "content_part_added": t.AssistantMessageContentPartAdded(
        content_index=0, content=t.AssistantMessageContent(text="")
    ),
    "text_delta": t.AssistantMessageContentPartTextDelta(content_index=1, delta="Hel"),
    "annotation_added": t.AssistantMessageContentPartAnnotationAdded(
        content_index=0, annotation_index=2, annotation=t.Annotation(source=ENTITY_LUCIDE, index=3)
    ),
    "content_part_done": t.AssistantMessageContentPartDone(content_index=0, content=CONTENT),
    "widget_text_delta": t.WidgetStreamingTextValueDelta(component_id="status", delta="...", done=False),
    "widget_text_done": t.WidgetStreamingTextValueDelta(component_id="status", delta="", done=True),
    "widget_root_updated": t.WidgetRootUpdated(widget=CARD),
    "widget_component_updated": t.WidgetComponentUpdated(
        component_id="status", component=Text(value="Shipped")
    ),
    "workflow_task_added": t.WorkflowTaskAdded(task_index=0, task=TASKS[2]),
    "workflow_task_updated": t.WorkflowTaskUpdated(task_index=3, task=TASKS[3]),
    "generated_image_updated": t.GeneratedImageUpdated(
        image=t.GeneratedImage(id="gi_1", url="https://img.example.com/1.png"), progress=0.5
    ),
    "generated_image_final": t.GeneratedImageUpdated(image=t.GeneratedImage(id="gi_1", url="data:,x")),
}

EVENTS: dict[str, t.ThreadStreamEvent] = {
    "thread_created": t.ThreadCreatedEvent(thread=THREAD),
    "thread_updated": t.ThreadUpdatedEvent(thread=THREAD_CLOSED),
    "thread_updated_active": t.ThreadUpdatedEvent(thread=THREAD_ACTIVE),
    "item_added": t.ThreadItemAddedEvent(item=ITEMS["assistant_message"]),
    "item_done": t.ThreadItemDoneEvent(item=USER_MESSAGE),
    "item_removed": t.ThreadItemRemovedEvent(item_id="msg_2"),
    "item_replaced": t.ThreadItemReplacedEvent(item=ITEMS["widget_card"]),
    "stream_options": t.StreamOptionsEvent(stream_options=t.StreamOptions(allow_cancel=True)),
    "progress_update": t.ProgressUpdateEvent(icon="search", text="Searching..."),
    "progress_update_plain": t.ProgressUpdateEvent(text="Working"),
    "client_effect": t.ClientEffectEvent(name="confetti", data={"count": 3}),
    "client_effect_no_data": t.ClientEffectEvent(name="reload"),
    "error_code": t.ErrorEvent(code="stream.error", allow_retry=True),
    "error_custom": t.ErrorEvent(message="Quota exceeded"),
    "notice": t.NoticeEvent(level="warning", message="[Upgrade](https://x.example)", title="Limit"),
    "notice_plain": t.NoticeEvent(level="info", message="fyi"),
}
for _name, _update in UPDATES.items():
    EVENTS[f"item_updated_{_name}"] = t.ThreadItemUpdatedEvent(item_id="msg_2", update=_update)
for _name, _item in ITEMS.items():
    EVENTS[f"item_done_{_name}"] = t.ThreadItemDoneEvent(item=_item)

USER_INPUT = t.UserMessageInput(
    content=[t.UserMessageTextContent(text="Hi"), t.UserMessageTagContent(id="x", text="@x", data={})],
    attachments=["atc_1"],
    quoted_text="q",
    inference_options=t.InferenceOptions(model="m"),
)
USER_INPUT_MINIMAL = t.UserMessageInput(content=[t.UserMessageTextContent(text="Hi")])

REQUESTS: dict[str, t.ChatKitReq] = {
    "threads.create": t.ThreadsCreateReq(
        params=t.ThreadCreateParams(input=USER_INPUT), metadata={"page": "home"}
    ),
    "threads.create_minimal": t.ThreadsCreateReq(params=t.ThreadCreateParams(input=USER_INPUT_MINIMAL)),
    "threads.add_user_message": t.ThreadsAddUserMessageReq(
        params=t.ThreadAddUserMessageParams(input=USER_INPUT, thread_id="thr_1")
    ),
    "threads.add_client_tool_output": t.ThreadsAddClientToolOutputReq(
        params=t.ThreadAddClientToolOutputParams(thread_id="thr_1", result={"ok": True})
    ),
    "threads.add_client_tool_output_text": t.ThreadsAddClientToolOutputReq(
        params=t.ThreadAddClientToolOutputParams(thread_id="thr_1", result="done")
    ),
    "threads.retry_after_item": t.ThreadsRetryAfterItemReq(
        params=t.ThreadRetryAfterItemParams(thread_id="thr_1", item_id="msg_1")
    ),
    "threads.custom_action": t.ThreadsCustomActionReq(
        params=t.ThreadCustomActionParams(
            thread_id="thr_1", item_id="wdg_1", action=t.Action(type="cart.add", payload={"sku": "A1"})
        )
    ),
    "threads.custom_action_no_item": t.ThreadsCustomActionReq(
        params=t.ThreadCustomActionParams(thread_id="thr_1", action=t.Action(type="refresh"))
    ),
    "threads.add_structured_input": t.ThreadsAddStructuredInputReq(
        params=t.ThreadAddStructuredInputParams(
            thread_id="thr_1",
            item_id="si_1",
            input=t.StructuredInputSubmission(
                answers={
                    "q1": t.StructuredInputAnswerSubmission(values=["A", "custom"]),
                    "q2": t.StructuredInputAnswerSubmission(skipped=True),
                }
            ),
        )
    ),
    "threads.add_structured_input_skipped": t.ThreadsAddStructuredInputReq(
        params=t.ThreadAddStructuredInputParams(
            thread_id="thr_1", item_id="si_1", input=t.StructuredInputSubmission(status="skipped")
        )
    ),
    "threads.sync_custom_action": t.ThreadsSyncCustomActionReq(
        params=t.ThreadCustomActionParams(thread_id="thr_1", item_id="wdg_1", action=t.Action(type="toggle"))
    ),
    "threads.get_by_id": t.ThreadsGetByIdReq(params=t.ThreadGetByIdParams(thread_id="thr_1")),
    "threads.list": t.ThreadsListReq(params=t.ThreadListParams(limit=20, order="asc", after="thr_0")),
    "threads.list_defaults": t.ThreadsListReq(params=t.ThreadListParams()),
    "threads.update": t.ThreadsUpdateReq(params=t.ThreadUpdateParams(thread_id="thr_1", title="New")),
    "threads.delete": t.ThreadsDeleteReq(params=t.ThreadDeleteParams(thread_id="thr_1")),
    "items.list": t.ItemsListReq(
        params=t.ItemsListParams(thread_id="thr_1", limit=5, order="desc", after="m")
    ),
    "items.feedback": t.ItemsFeedbackReq(
        params=t.ItemFeedbackParams(thread_id="thr_1", item_ids=["msg_2", "msg_3"], kind="negative")
    ),
    "attachments.create": t.AttachmentsCreateReq(
        params=t.AttachmentCreateParams(name="cat.png", size=1024, mime_type="image/png")
    ),
    "attachments.delete": t.AttachmentsDeleteReq(params=t.AttachmentDeleteParams(attachment_id="atc_1")),
    "input.transcribe": t.InputTranscribeReq(
        params=t.InputTranscribeParams(audio_base64="AAAA", mime_type="audio/webm;codecs=opus")
    ),
}

OTHERS: dict[str, BaseModel] = {
    "thread_metadata": t.ThreadMetadata(id="thr_1", created_at=T0, title="x", metadata={"a": 1}),
    "thread": THREAD,
    "page_of_threads": t.Page[t.ThreadMetadata](data=[t.ThreadMetadata(id="thr_1", created_at=T0)]),
    "page_of_items": t.Page[t.ThreadItem](data=list(ITEMS.values()), has_more=False),
    "sync_custom_action_response": t.SyncCustomActionResponse(updated_item=ITEMS["widget_card"]),
    "sync_custom_action_response_empty": t.SyncCustomActionResponse(),
    "file_attachment": ATTACH_FILE,
    "image_attachment": ATTACH_IMAGE,
    "transcription_result": t.TranscriptionResult(text="hello"),
    "stream_options": t.StreamOptions(allow_cancel=False),
}


def wire(model: BaseModel) -> dict[str, Any]:
    """The JSON object a model puts on the wire (the serialisation the project uses everywhere)."""
    return model.model_dump(mode="json", exclude_none=True)
