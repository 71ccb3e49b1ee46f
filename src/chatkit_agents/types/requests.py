"""Requests a ChatKit client POSTs to the server, and the non-event values some of them return."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import Field, TypeAdapter
from typing_extensions import TypeIs

from chatkit_agents.types.actions import Action
from chatkit_agents.types.base import ChatKitModel
from chatkit_agents.types.items import InferenceOptions, ThreadItem, UserMessageContent

__all__ = [
    "CHATKIT_REQ_ADAPTER",
    "STREAMING_REQ_TYPES",
    "AttachmentCreateParams",
    "AttachmentDeleteParams",
    "AttachmentsCreateReq",
    "AttachmentsDeleteReq",
    "AudioInput",
    "BaseReq",
    "ChatKitReq",
    "FeedbackKind",
    "InputTranscribeParams",
    "InputTranscribeReq",
    "ItemFeedbackParams",
    "ItemsFeedbackReq",
    "ItemsListParams",
    "ItemsListReq",
    "NonStreamingReq",
    "SortOrder",
    "StreamingReq",
    "StructuredInputAnswerSubmission",
    "StructuredInputSubmission",
    "SyncCustomActionResponse",
    "ThreadAddClientToolOutputParams",
    "ThreadAddStructuredInputParams",
    "ThreadAddUserMessageParams",
    "ThreadCreateParams",
    "ThreadCustomActionParams",
    "ThreadDeleteParams",
    "ThreadGetByIdParams",
    "ThreadListParams",
    "ThreadRetryAfterItemParams",
    "ThreadUpdateParams",
    "ThreadsAddClientToolOutputReq",
    "ThreadsAddStructuredInputReq",
    "ThreadsAddUserMessageReq",
    "ThreadsCreateReq",
    "ThreadsCustomActionReq",
    "ThreadsDeleteReq",
    "ThreadsGetByIdReq",
    "ThreadsListReq",
    "ThreadsRetryAfterItemReq",
    "ThreadsSyncCustomActionReq",
    "ThreadsUpdateReq",
    "TranscriptionResult",
    "UserMessageInput",
    "is_streaming_req",
    "parse_request",
]

FeedbackKind = Literal["positive", "negative"]
"""Thumbs up or thumbs down."""

SortOrder = Literal["asc", "desc"]
"""Order of a listing by creation time."""


class BaseReq(ChatKitModel):
    """Fields of every request; ``metadata`` is whatever the page passed to ChatKit for this request."""

    metadata: dict[str, Any] = Field(default_factory=dict)


# --- parameters ----------------------------------------------------------------------------------------


class UserMessageInput(ChatKitModel):
    """What the user submitted from the composer; ``attachments`` are ids from ``attachments.create``."""

    content: list[UserMessageContent]
    attachments: list[str] = Field(default_factory=list)
    quoted_text: str | None = None
    inference_options: InferenceOptions = Field(default_factory=InferenceOptions)


class ThreadCreateParams(ChatKitModel):
    """Start a thread with a first user message."""

    input: UserMessageInput


class ThreadAddUserMessageParams(ChatKitModel):
    """Send a user message to an existing thread."""

    input: UserMessageInput
    thread_id: str


class ThreadAddClientToolOutputParams(ChatKitModel):
    """The result of the pending client tool call of ``thread_id``."""

    thread_id: str
    result: Any = None


class StructuredInputAnswerSubmission(ChatKitModel):
    """The user's answer to one structured input."""

    values: list[str] = Field(default_factory=list)
    skipped: bool = False


class StructuredInputSubmission(ChatKitModel):
    """The user's answers to a structured input item, keyed by structured input id."""

    status: Literal["answered", "skipped"] = "answered"
    answers: dict[str, StructuredInputAnswerSubmission] = Field(default_factory=dict)


class ThreadAddStructuredInputParams(ChatKitModel):
    """Answers for the pending structured input item ``item_id``."""

    thread_id: str
    item_id: str
    input: StructuredInputSubmission


class ThreadCustomActionParams(ChatKitModel):
    """A widget action; ``item_id`` is the widget item it came from, if any."""

    thread_id: str
    item_id: str | None = None
    action: Action[str, Any]


class ThreadRetryAfterItemParams(ChatKitModel):
    """Drop everything after ``item_id`` (a user message) and answer it again."""

    thread_id: str
    item_id: str


class ThreadGetByIdParams(ChatKitModel):
    """Which thread to load."""

    thread_id: str


class ThreadListParams(ChatKitModel):
    """Page through the user's threads."""

    limit: int | None = None
    order: SortOrder = "desc"
    after: str | None = None


class ItemsListParams(ChatKitModel):
    """Page through the items of ``thread_id``."""

    thread_id: str
    limit: int | None = None
    order: SortOrder = "desc"
    after: str | None = None


class ItemFeedbackParams(ChatKitModel):
    """Feedback of ``kind`` on the items ``item_ids`` of ``thread_id``."""

    thread_id: str
    item_ids: list[str]
    kind: FeedbackKind


class AttachmentCreateParams(ChatKitModel):
    """Announce a file the user is about to attach."""

    name: str
    size: int
    mime_type: str


class AttachmentDeleteParams(ChatKitModel):
    """Which attachment to delete."""

    attachment_id: str


class ThreadUpdateParams(ChatKitModel):
    """Rename a thread."""

    thread_id: str
    title: str


class ThreadDeleteParams(ChatKitModel):
    """Which thread to delete."""

    thread_id: str


class InputTranscribeParams(ChatKitModel):
    """Recorded speech to turn into composer text."""

    audio_base64: str
    mime_type: str
    """Full MIME type with parameters, e.g. ``audio/webm;codecs=opus``."""


# --- requests ------------------------------------------------------------------------------------------


class ThreadsCreateReq(BaseReq):
    """``threads.create`` (streams): create a thread from a first message and answer it."""

    type: Literal["threads.create"] = "threads.create"
    params: ThreadCreateParams


class ThreadsAddUserMessageReq(BaseReq):
    """``threads.add_user_message`` (streams): add a user message and answer it."""

    type: Literal["threads.add_user_message"] = "threads.add_user_message"
    params: ThreadAddUserMessageParams


class ThreadsAddClientToolOutputReq(BaseReq):
    """``threads.add_client_tool_output`` (streams): record a client tool result and continue."""

    type: Literal["threads.add_client_tool_output"] = "threads.add_client_tool_output"
    params: ThreadAddClientToolOutputParams


class ThreadsRetryAfterItemReq(BaseReq):
    """``threads.retry_after_item`` (streams): regenerate the answer to a user message."""

    type: Literal["threads.retry_after_item"] = "threads.retry_after_item"
    params: ThreadRetryAfterItemParams


class ThreadsCustomActionReq(BaseReq):
    """``threads.custom_action`` (streams): run a widget action on the server."""

    type: Literal["threads.custom_action"] = "threads.custom_action"
    params: ThreadCustomActionParams


class ThreadsAddStructuredInputReq(BaseReq):
    """``threads.add_structured_input`` (streams): submit answers to a structured input item."""

    type: Literal["threads.add_structured_input"] = "threads.add_structured_input"
    params: ThreadAddStructuredInputParams


class ThreadsSyncCustomActionReq(BaseReq):
    """``threads.sync_custom_action`` (JSON): run a widget action and return the updated item at once."""

    type: Literal["threads.sync_custom_action"] = "threads.sync_custom_action"
    params: ThreadCustomActionParams


class ThreadsGetByIdReq(BaseReq):
    """``threads.get_by_id`` (JSON): a thread with its first page of items."""

    type: Literal["threads.get_by_id"] = "threads.get_by_id"
    params: ThreadGetByIdParams


class ThreadsListReq(BaseReq):
    """``threads.list`` (JSON): a page of thread metadata."""

    type: Literal["threads.list"] = "threads.list"
    params: ThreadListParams = Field(default_factory=ThreadListParams)


class ThreadsUpdateReq(BaseReq):
    """``threads.update`` (JSON): rename a thread."""

    type: Literal["threads.update"] = "threads.update"
    params: ThreadUpdateParams


class ThreadsDeleteReq(BaseReq):
    """``threads.delete`` (JSON): delete a thread and its items."""

    type: Literal["threads.delete"] = "threads.delete"
    params: ThreadDeleteParams


class ItemsListReq(BaseReq):
    """``items.list`` (JSON): a page of a thread's items."""

    type: Literal["items.list"] = "items.list"
    params: ItemsListParams


class ItemsFeedbackReq(BaseReq):
    """``items.feedback`` (JSON): thumbs up/down on items."""

    type: Literal["items.feedback"] = "items.feedback"
    params: ItemFeedbackParams


class AttachmentsCreateReq(BaseReq):
    """``attachments.create`` (JSON): register an attachment, possibly returning upload instructions."""

    type: Literal["attachments.create"] = "attachments.create"
    params: AttachmentCreateParams


class AttachmentsDeleteReq(BaseReq):
    """``attachments.delete`` (JSON): delete an attachment."""

    type: Literal["attachments.delete"] = "attachments.delete"
    params: AttachmentDeleteParams


class InputTranscribeReq(BaseReq):
    """``input.transcribe`` (JSON): speech to text for the composer."""

    type: Literal["input.transcribe"] = "input.transcribe"
    params: InputTranscribeParams


StreamingReq = (
    ThreadsCreateReq
    | ThreadsAddUserMessageReq
    | ThreadsAddClientToolOutputReq
    | ThreadsAddStructuredInputReq
    | ThreadsRetryAfterItemReq
    | ThreadsCustomActionReq
)
"""Requests answered with an SSE stream of `ThreadStreamEvent`."""

NonStreamingReq = (
    ThreadsGetByIdReq
    | ThreadsListReq
    | ItemsListReq
    | ItemsFeedbackReq
    | AttachmentsCreateReq
    | AttachmentsDeleteReq
    | ThreadsUpdateReq
    | ThreadsDeleteReq
    | InputTranscribeReq
    | ThreadsSyncCustomActionReq
)
"""Requests answered with a single JSON body."""

ChatKitReq = Annotated[StreamingReq | NonStreamingReq, Field(discriminator="type")]
"""Any request, told apart by ``type``."""

STREAMING_REQ_TYPES: Final = (
    ThreadsCreateReq,
    ThreadsAddUserMessageReq,
    ThreadsAddClientToolOutputReq,
    ThreadsAddStructuredInputReq,
    ThreadsRetryAfterItemReq,
    ThreadsCustomActionReq,
)
"""The request classes of `StreamingReq`, for ``isinstance`` checks."""

CHATKIT_REQ_ADAPTER: Final[TypeAdapter[ChatKitReq]] = TypeAdapter(ChatKitReq)
"""Shared adapter for `ChatKitReq` (build once: adapters are costly to create)."""


def is_streaming_req(request: ChatKitReq) -> TypeIs[StreamingReq]:
    """True if ``request`` is answered with an event stream rather than a JSON body."""
    return isinstance(request, STREAMING_REQ_TYPES)


def parse_request(body: bytes | str) -> ChatKitReq:
    """Parse a request body (JSON); raises ``pydantic.ValidationError`` naming what is wrong."""
    return CHATKIT_REQ_ADAPTER.validate_json(body)


# --- non-event responses -------------------------------------------------------------------------------


class SyncCustomActionResponse(ChatKitModel):
    """Reply to ``threads.sync_custom_action``: the item the action changed, if any."""

    updated_item: ThreadItem | None = None


class AudioInput(ChatKitModel):
    """Decoded audio of an ``input.transcribe`` request, as handed to a transcriber."""

    data: bytes
    mime_type: str
    """Full MIME type with parameters, e.g. ``audio/webm;codecs=opus``."""

    @property
    def media_type(self) -> str:
        """The MIME type without parameters, e.g. ``audio/webm``."""
        return self.mime_type.split(";", 1)[0].strip()


class TranscriptionResult(ChatKitModel):
    """Text recognised in an ``input.transcribe`` request."""

    text: str
