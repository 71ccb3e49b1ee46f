"""`ChatKitServer`: routes every ChatKit request and persists streamed items as they are announced.

Guarantees (see ``docs/server.md``): a thread is saved before ``thread.created`` is sent and every item is
committed before its ``thread.item.done``; requests on one thread run one after another in arrival order;
bad input is refused with a typed `RequestError` before any stream starts; a stream never breaks off
without an ``error`` event; a cancelled stream keeps the partial reply right after its user message.
"""

from __future__ import annotations

import base64
import binascii
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import suppress
from typing import Any, Generic, Literal

import anyio
from typing_extensions import TypeVar

from chatkit_agents._ids import Clock, utc_now
from chatkit_agents.errors import (
    ConflictError,
    CustomStreamError,
    FeatureNotConfiguredError,
    NotFoundError,
    RequestError,
    RequestValidationError,
    StreamError,
)
from chatkit_agents.server._closing import closing
from chatkit_agents.server._locks import ThreadLocks
from chatkit_agents.server._parse import parse_request
from chatkit_agents.server._pending import PendingItems, is_worth_keeping
from chatkit_agents.server._snapshot import SavedThread
from chatkit_agents.server.attachments import AttachmentStore
from chatkit_agents.server.results import NonStreamingResult, StreamingResult
from chatkit_agents.server.sse import dump_json, encode_event
from chatkit_agents.store import Store
from chatkit_agents.types import (
    Action,
    AttachmentsCreateReq,
    AttachmentsDeleteReq,
    AudioInput,
    ClientToolCallItem,
    ErrorCode,
    ErrorEvent,
    FeedbackKind,
    HiddenContextItem,
    InputTranscribeReq,
    ItemsFeedbackReq,
    ItemsListReq,
    NonStreamingReq,
    Page,
    SDKHiddenContextItem,
    StreamingReq,
    StreamOptions,
    StreamOptionsEvent,
    StructuredInputAnswer,
    StructuredInputItem,
    StructuredInputMultipleChoice,
    StructuredInputSubmission,
    SyncCustomActionResponse,
    Thread,
    ThreadCreatedEvent,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadsAddClientToolOutputReq,
    ThreadsAddStructuredInputReq,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsCustomActionReq,
    ThreadsDeleteReq,
    ThreadsGetByIdReq,
    ThreadsListReq,
    ThreadsRetryAfterItemReq,
    ThreadsSyncCustomActionReq,
    ThreadStreamEvent,
    ThreadsUpdateReq,
    ThreadUpdatedEvent,
    TranscriptionResult,
    UserMessageInput,
    UserMessageItem,
    WidgetItem,
    is_streaming_req,
)

__all__ = ["CANCELLED_NOTE", "ChatKitServer"]

logger = logging.getLogger("chatkit_agents.server")

TContext = TypeVar("TContext", default=Any)

CANCELLED_NOTE = "The user stopped the previous response before it finished. Do not continue it."
"""Hidden note saved after a cancelled reply, so the next model turn does not resume the stopped answer."""

_HIDDEN_ITEMS = (HiddenContextItem, SDKHiddenContextItem)
_THREAD_FIELDS = ("title", "status", "allowed_image_domains")
"""Thread fields a responder may change; merged field by field with changes made meanwhile."""
_DEFAULT_STREAM_OPTIONS = StreamOptions(allow_cancel=True)
"""What the default `ChatKitServer.get_stream_options` returns (as a copy)."""
_DEFAULT_STREAM_OPTIONS_FRAME = encode_event(StreamOptionsEvent(stream_options=_DEFAULT_STREAM_OPTIONS))
"""The default options' SSE frame, encoded once."""
_MAX_PAGE_SIZE = 100
_Turn = tuple[ThreadMetadata, Callable[[], AsyncIterator[ThreadStreamEvent]]]
"""A streaming request made ready to answer: its thread, and what starts the response."""
_ItemPage = Page[ThreadItem]
"""Parametrised once here: looking the class up on every response costs as much as building the page."""
_GENERIC_ERROR = "Something went wrong while generating the response. Please try again."


class ChatKitServer(ABC, Generic[TContext]):
    """A ChatKit backend: subclass it, implement `respond`, and serve `process` over HTTP.

    ``context`` is whatever the web layer builds per request (see `create_app`'s ``context_factory``); the
    store scopes all data by it, so one user can never see another user's threads.
    """

    def __init__(
        self,
        store: Store[TContext],
        attachment_store: AttachmentStore[TContext] | None = None,
        *,
        clock: Clock = utc_now,
        page_size: int = 20,
    ) -> None:
        self.store = store
        self.attachment_store = attachment_store
        self.clock = clock
        self.page_size = page_size
        self._locks = ThreadLocks()

    # -- hooks ---------------------------------------------------------------------------------------

    @abstractmethod
    def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: TContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Stream the reply to the thread; ``input_user_message`` is ``None`` when resuming (tool output...).

        The user message is already stored when this runs. Mutating ``thread`` (title, metadata) is saved
        and announced with ``thread.updated``.
        """

    def action(
        self, thread: ThreadMetadata, action: Action, sender: WidgetItem | None, context: TContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Stream the reaction to a widget action (``threads.custom_action``); override to support actions."""
        raise FeatureNotConfiguredError(
            f"{type(self).__name__} does not handle widget actions; override action() to support "
            "threads.custom_action."
        )

    async def sync_action(
        self, thread: ThreadMetadata, action: Action, sender: WidgetItem | None, context: TContext
    ) -> SyncCustomActionResponse:
        """Answer a widget action at once (``threads.sync_custom_action``); a returned item is saved."""
        raise FeatureNotConfiguredError(
            f"{type(self).__name__} does not handle synchronous widget actions; override sync_action() to "
            "support threads.sync_custom_action."
        )

    async def add_feedback(
        self, thread_id: str, item_ids: list[str], feedback: FeedbackKind, context: TContext
    ) -> None:
        """Record thumbs up/down on items (already checked to exist); the default only logs it."""
        logger.info("feedback %s on %s in thread %s", feedback, item_ids, thread_id)

    async def transcribe(self, audio_input: AudioInput, context: TContext) -> TranscriptionResult:
        """Turn dictated audio into composer text (``input.transcribe``); override to support dictation."""
        raise FeatureNotConfiguredError(
            f"{type(self).__name__} does not transcribe audio; override transcribe() to support "
            "input.transcribe (dictation)."
        )

    def get_stream_options(self, thread: ThreadMetadata, context: TContext) -> StreamOptions:
        """Options sent at the start of every response stream; by default the user may stop a reply."""
        return _DEFAULT_STREAM_OPTIONS.model_copy()

    async def before_item_removed(self, thread: ThreadMetadata, item_id: str, context: TContext) -> None:
        """Called before a stored item named by a ``thread.item.removed`` event is deleted (no-op here)."""
        return None

    async def on_thread_deleted(self, thread: ThreadMetadata, context: TContext) -> None:
        """Called after ``threads.delete`` removed the thread and its items (no-op here)."""
        return None

    async def handle_stream_cancelled(
        self, thread: ThreadMetadata, pending_items: list[ThreadItem], context: TContext
    ) -> None:
        """Save what the user saw of a stopped reply, then a hidden note that it was stopped.

        Runs shielded from cancellation, right after the client went away or pressed stop. Unfinished
        messages with text, workflows with tasks, widgets and images are kept, in announcement order.
        """
        for item in pending_items:
            if is_worth_keeping(item):
                await self.store.add_thread_item(thread.id, item, context)
        note = SDKHiddenContextItem(
            id=self.store.generate_item_id("sdk_hidden_context", thread, context),
            thread_id=thread.id,
            created_at=self.clock(),
            content=CANCELLED_NOTE,
        )
        await self.store.add_thread_item(thread.id, note, context)

    def error_event(self, error: Exception) -> ErrorEvent:
        """The ``error`` event shown for an exception raised while streaming; unknown errors are logged."""
        if isinstance(error, CustomStreamError):
            return ErrorEvent(code="custom", message=error.message, allow_retry=error.allow_retry)
        if isinstance(error, StreamError):
            code: ErrorCode | Literal["custom"] = "stream.error" if error.code == "stream.error" else "custom"
            message = None if code == "stream.error" else error.code
            return ErrorEvent(code=code, message=message, allow_retry=error.allow_retry)
        if isinstance(error, (RequestError, NotFoundError)):
            message = error.message if isinstance(error, RequestError) else str(error)
            return ErrorEvent(code="custom", message=message, allow_retry=False)
        logger.error("error while streaming a response", exc_info=error)
        return ErrorEvent(code="stream.error", message=_GENERIC_ERROR, allow_retry=True)

    # -- entry point ---------------------------------------------------------------------------------

    async def process(
        self, body: bytes | bytearray | memoryview | str, context: TContext
    ) -> StreamingResult | NonStreamingResult:
        """Handle one ChatKit request body.

        Raises a `RequestError` subclass (400/409/413/422) or `NotFoundError` (404) before any stream
        starts; `error_result` turns either into the HTTP answer. Streaming results never raise while
        iterated: failures end the stream with an ``error`` event.
        """
        request = parse_request(body)
        logger.debug("chatkit request %s", request.type)
        if is_streaming_req(request):
            await self._check_streaming(request, context)
            return StreamingResult(self._stream(request, context))
        return NonStreamingResult(await self._answer(request, context))

    # -- non-streaming requests ----------------------------------------------------------------------

    async def _answer(self, request: NonStreamingReq, context: TContext) -> bytes:
        if isinstance(request, ThreadsGetByIdReq):
            thread = await self.store.load_thread(request.params.thread_id, context)
            items = await self.store.load_thread_items(thread.id, None, self.page_size, "asc", context)
            return dump_json(self.thread_response(thread, items))
        if isinstance(request, ThreadsListReq):
            limit = self._limit(request.params.limit)
            page = await self.store.load_threads(limit, request.params.after, request.params.order, context)
            threads = [self.thread_response(thread) for thread in page.data]
            return dump_json(Page[Thread](data=threads, has_more=page.has_more, after=page.after))
        if isinstance(request, ItemsListReq):
            params = request.params
            await self.store.load_thread(params.thread_id, context)
            limit = self._limit(params.limit)
            items = await self.store.load_thread_items(
                params.thread_id, params.after, limit, params.order, context
            )
            return dump_json(_visible(items))
        if isinstance(request, ItemsFeedbackReq):
            params = request.params
            await self.store.load_thread(params.thread_id, context)
            item_ids = list(dict.fromkeys(params.item_ids))  # a repeated id is checked (and reported) once
            for item_id in item_ids:
                await self.store.load_item(params.thread_id, item_id, context)
            await self.add_feedback(params.thread_id, item_ids, params.kind, context)
            return b"{}"
        if isinstance(request, ThreadsUpdateReq):
            thread = await self.store.load_thread(request.params.thread_id, context)
            thread.title = request.params.title
            await self.store.save_thread(thread, context)
            return dump_json(self.thread_response(thread))
        if isinstance(request, ThreadsDeleteReq):
            thread = await self.store.load_thread(request.params.thread_id, context)
            await self.store.delete_thread(request.params.thread_id, context)
            await self.on_thread_deleted(thread, context)
            return b"{}"
        if isinstance(request, AttachmentsCreateReq):
            attachment_store = self._attachment_store()
            attachment_store.check_upload(request.params)
            attachment = await attachment_store.create_attachment(request.params, context)
            await self.store.save_attachment(attachment, context)
            return dump_json(attachment)
        if isinstance(request, AttachmentsDeleteReq):
            attachment_store = self._attachment_store()
            attachment_id = request.params.attachment_id
            await self.store.load_attachment(attachment_id, context)
            await attachment_store.delete_attachment(attachment_id, context)
            await self.store.delete_attachment(attachment_id, context)
            return b"{}"
        if isinstance(request, InputTranscribeReq):
            self._require_override("transcribe", "input.transcribe")
            audio = _decode_base64(request.params.audio_base64)
            result = await self.transcribe(
                AudioInput(data=audio, mime_type=request.params.mime_type), context
            )
            return dump_json(result)
        return await self._sync_custom_action(request, context)

    async def _sync_custom_action(self, request: ThreadsSyncCustomActionReq, context: TContext) -> bytes:
        self._require_override("sync_action", "threads.sync_custom_action")
        params = request.params
        thread = await self.store.load_thread(params.thread_id, context)
        sender = await self._load_sender(thread.id, params.item_id, context)
        response = await self.sync_action(thread, params.action, sender, context)
        if response.updated_item is not None:
            await self.store.save_item(thread.id, response.updated_item, context)
        return dump_json(response)

    # -- streaming requests: checks before the stream starts -----------------------------------------

    async def _check_streaming(self, request: StreamingReq, context: TContext) -> None:
        """Refuse unknown ids and impossible requests with an HTTP error instead of a stream."""
        if isinstance(request, ThreadsCreateReq):
            await self._check_attachments(request.params.input, context)
        elif isinstance(request, ThreadsAddUserMessageReq):
            await self.store.load_thread(request.params.thread_id, context)
            await self._check_attachments(request.params.input, context)
        elif isinstance(request, ThreadsAddClientToolOutputReq):
            thread = await self.store.load_thread(request.params.thread_id, context)
            await self._pending_client_tool_call(thread, context)
        elif isinstance(request, ThreadsAddStructuredInputReq):
            await self.store.load_thread(request.params.thread_id, context)
            await self._load_structured_input(request.params.thread_id, request.params.item_id, context)
        elif isinstance(request, ThreadsRetryAfterItemReq):
            await self.store.load_thread(request.params.thread_id, context)
            await self._load_retry_target(request.params.thread_id, request.params.item_id, context)
        else:
            self._require_override("action", "threads.custom_action")
            await self.store.load_thread(request.params.thread_id, context)
            await self._load_sender(request.params.thread_id, request.params.item_id, context)

    async def _check_attachments(self, message: UserMessageInput, context: TContext) -> None:
        for attachment_id in dict.fromkeys(message.attachments):
            await self.store.load_attachment(attachment_id, context)

    async def _pending_client_tool_call(
        self, thread: ThreadMetadata, context: TContext
    ) -> ClientToolCallItem:
        """The newest pending client tool call of the current turn (after the last user message)."""
        after: str | None = None
        while True:
            page = await self.store.load_thread_items(thread.id, after, self.page_size, "desc", context)
            for item in page.data:
                if isinstance(item, ClientToolCallItem) and item.status == "pending":
                    return item
                if isinstance(item, UserMessageItem):
                    break  # calls before the latest user message were abandoned
            else:
                if page.has_more and page.after is not None:
                    after = page.after
                    continue
            raise ConflictError(
                f"Thread {thread.id!r} has no pending client tool call to receive this output.",
                code="no_pending_client_tool_call",
            )

    async def _load_structured_input(
        self, thread_id: str, item_id: str, context: TContext
    ) -> StructuredInputItem:
        item = await self.store.load_item(thread_id, item_id, context)
        if not isinstance(item, StructuredInputItem):
            raise RequestValidationError(f"Item {item_id!r} is a {item.type}, not a structured_input item.")
        if item.status != "pending":
            raise ConflictError(
                f"Structured input {item_id!r} was already {item.status}.", code="structured_input_closed"
            )
        return item

    async def _load_retry_target(self, thread_id: str, item_id: str, context: TContext) -> UserMessageItem:
        item = await self.store.load_item(thread_id, item_id, context)
        if not isinstance(item, UserMessageItem):
            raise RequestValidationError(f"Item {item_id!r} is a {item.type}; retry needs a user message.")
        return item

    async def _load_sender(self, thread_id: str, item_id: str | None, context: TContext) -> WidgetItem | None:
        if item_id is None:
            return None
        item = await self.store.load_item(thread_id, item_id, context)
        if not isinstance(item, WidgetItem):
            raise RequestValidationError(
                f"Item {item_id!r} is a {item.type}; actions must come from a widget."
            )
        return item

    # -- streaming requests: the stream itself --------------------------------------------------------

    async def _stream(self, request: StreamingReq, context: TContext) -> AsyncGenerator[bytes, None]:
        """A streaming request from start to end as SSE bytes, holding the thread's lock throughout.

        The responder's events are committed (each finished item stored before it is announced) and
        encoded in this one generator, so every event passes through a single layer of ours.
        """
        if isinstance(request, ThreadsCreateReq):
            thread_id = self.store.generate_thread_id(context)
        else:
            thread_id = request.params.thread_id
        async with self._locks.hold(thread_id):
            first: list[ThreadStreamEvent] = []
            try:
                thread, make_stream = await self._prepare(request, thread_id, first, context)
            except Exception as error:
                for event in first:
                    yield encode_event(event)
                yield encode_event(self.error_event(error))
                return
            for event in first:
                yield encode_event(event)
            try:
                options = self._stream_options_frame(thread, context)
            except Exception as error:
                yield encode_event(self.error_event(error))
                return
            yield options  # a client gone here left before the responder ran: nothing to save
            pending = PendingItems()
            hidden: set[str] = set()
            saved = SavedThread(thread)
            finished = False
            try:
                stream = make_stream()
                async with closing(stream):
                    async for event in stream:
                        if type(event) is ThreadItemUpdatedEvent:  # the hot path (deltas): nothing to store
                            pending.apply(event.item_id, event.update)
                            if event.item_id not in hidden:
                                yield encode_event(event)
                            continue
                        if await self._persist(thread, event, pending, hidden, context):
                            yield encode_event(event)
                        if not isinstance(event, ThreadItemUpdatedEvent) and saved.differs(thread):
                            changed = await self._save_thread_changes(thread, saved, context)
                            saved = SavedThread(thread)
                            if changed:
                                yield encode_event(ThreadUpdatedEvent(thread=self.thread_response(thread)))
                finished = True  # a client gone after this point missed nothing of the reply
                if await self._save_thread_changes(thread, saved, context):
                    yield encode_event(ThreadUpdatedEvent(thread=self.thread_response(thread)))
            except Exception as error:
                frames = self._after_failure(error, thread, pending, saved, context)
                async with closing(frames):  # closed at once even if the client leaves meanwhile
                    async for chunk in frames:
                        yield chunk
                return
            except BaseException as stop:  # the cancellation class is looked up only when something stops
                if not finished and isinstance(stop, GeneratorExit | anyio.get_cancelled_exc_class()):
                    with anyio.CancelScope(shield=True):
                        try:
                            await self._save_thread_changes(thread, saved, context)
                            await self.handle_stream_cancelled(thread, pending.items(), context)
                        except Exception:
                            logger.exception("could not save the partial reply of a cancelled stream")
                raise

    def _stream_options_frame(self, thread: ThreadMetadata, context: TContext) -> bytes:
        """The ``stream_options`` frame that opens every response (the default one is encoded once)."""
        if type(self).get_stream_options is ChatKitServer.get_stream_options:
            return _DEFAULT_STREAM_OPTIONS_FRAME
        options = self.get_stream_options(thread, context)
        return encode_event(StreamOptionsEvent(stream_options=options))

    async def _prepare(
        self, request: StreamingReq, thread_id: str, first: list[ThreadStreamEvent], context: TContext
    ) -> _Turn:
        """Do a streaming request's work up to its response, run while holding the thread's lock.

        Events that go out before the response (thread created, the user's message) are appended to
        ``first``. Returns the thread and a callable that starts the response; `_stream` relays it.
        """
        if isinstance(request, ThreadsCreateReq):
            thread = ThreadMetadata(id=thread_id, created_at=self.clock())
            await self.store.save_thread(thread, context)
            first.append(ThreadCreatedEvent(thread=self.thread_response(thread)))
            message = await self._new_user_message(request.params.input, thread, context)
            return await self._add_message(thread, message, first, context, new_thread=True)
        thread = await self.store.load_thread(thread_id, context)
        if isinstance(request, ThreadsAddUserMessageReq):
            message = await self._new_user_message(request.params.input, thread, context)
            return await self._add_message(thread, message, first, context, new_thread=False)
        if isinstance(request, ThreadsAddClientToolOutputReq):
            call = await self._pending_client_tool_call(thread, context)
            call.output = request.params.result
            call.status = "completed"
            await self.store.save_item(thread.id, call, context)
            return thread, lambda: self.respond(thread, None, context)
        if isinstance(request, ThreadsAddStructuredInputReq):
            item = await self._load_structured_input(thread.id, request.params.item_id, context)
            answered = _apply_submission(item, request.params.input)
            return thread, lambda: self._answered_then_respond(thread, answered, context)
        if isinstance(request, ThreadsRetryAfterItemReq):
            target = await self._load_retry_target(thread.id, request.params.item_id, context)
            await self.store.delete_thread_items_after(thread.id, target.id, context)
            return thread, lambda: self.respond(thread, target, context)
        assert isinstance(request, ThreadsCustomActionReq)
        sender = await self._load_sender(thread.id, request.params.item_id, context)
        action = request.params.action
        return thread, lambda: self.action(thread, action, sender, context)

    async def _add_message(
        self,
        thread: ThreadMetadata,
        message: UserMessageItem,
        first: list[ThreadStreamEvent],
        context: TContext,
        *,
        new_thread: bool,
    ) -> _Turn:
        """Store the user's message (announced in ``first``); the response to it comes next."""
        for attachment in message.attachments:
            await self.store.save_attachment(attachment, context)
        await self.store.add_thread_item(thread.id, message, context)
        first.append(ThreadItemDoneEvent(item=message))
        return thread, lambda: self._respond_to_message(thread, message, context, new_thread)

    def _respond_to_message(
        self, thread: ThreadMetadata, message: UserMessageItem, context: TContext, new_thread: bool
    ) -> AsyncIterator[ThreadStreamEvent]:
        """`respond` to a message just stored; ``new_thread``: the thread holds nothing but that message."""
        return self.respond(thread, message, context)

    async def _answered_then_respond(
        self, thread: ThreadMetadata, answered: StructuredInputItem, context: TContext
    ) -> AsyncGenerator[ThreadStreamEvent, None]:
        yield ThreadItemReplacedEvent(item=answered)
        stream = self.respond(thread, None, context)
        async with closing(stream):
            async for event in stream:
                yield event

    async def _new_user_message(
        self, message: UserMessageInput, thread: ThreadMetadata, context: TContext
    ) -> UserMessageItem:
        attachments = [
            (await self.store.load_attachment(attachment_id, context)).model_copy(
                update={"thread_id": thread.id}
            )
            for attachment_id in dict.fromkeys(message.attachments)  # the same file attached once
        ]
        return UserMessageItem(
            id=self.store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=self.clock(),
            content=message.content,
            attachments=attachments,
            quoted_text=message.quoted_text,
            inference_options=message.inference_options,
        )

    async def _after_failure(
        self,
        error: Exception,
        thread: ThreadMetadata,
        pending: PendingItems,
        saved: SavedThread,
        context: TContext,
    ) -> AsyncGenerator[bytes, None]:
        """End a failed stream: settle its unfinished items, keep the thread's changes, then the error.

        An item whose closing event cannot be encoded (the likely cause of the failure) is removed from
        the store rather than announced, so the thread stays loadable.
        """
        error_event = self.error_event(error)
        for item in pending.items():
            if isinstance(item, _HIDDEN_ITEMS):
                continue
            closed = await self._close_unfinished(thread, item, context)
            try:
                yield encode_event(closed)
            except Exception:
                logger.warning("could not encode unfinished item %s; removing it", item.id, exc_info=True)
                with suppress(Exception):
                    await self.store.delete_thread_item(thread.id, item.id, context)
                yield encode_event(ThreadItemRemovedEvent(item_id=item.id))
        with suppress(Exception):
            await self._save_thread_changes(thread, saved, context)
        yield encode_event(error_event)

    async def _save_thread_changes(
        self, thread: ThreadMetadata, saved: SavedThread, context: TContext
    ) -> bool:
        """Save what the responder changed since ``saved`` onto the stored thread; ``False`` if it changed
        nothing (the store is not touched then) or the thread is gone.

        Only changed fields and metadata keys are written, over a fresh copy, so a rename or a delete made
        by another request while the turn ran is kept; ``thread`` is updated to the merged result.
        """
        if not saved.differs(thread):
            return False
        before = saved.thread()
        try:
            stored = await self.store.load_thread(thread.id, context)
        except NotFoundError:
            return False  # deleted meanwhile: never bring it back
        for field in _THREAD_FIELDS:
            if getattr(thread, field) != getattr(before, field):
                setattr(stored, field, getattr(thread, field))
        for key in before.metadata.keys() - thread.metadata.keys():
            stored.metadata.pop(key, None)
        for key, value in thread.metadata.items():
            if key not in before.metadata or before.metadata[key] != value:
                stored.metadata[key] = value
        await self.store.save_thread(stored, context)
        for field in (*_THREAD_FIELDS, "metadata"):
            setattr(thread, field, getattr(stored, field))
        return True

    async def _close_unfinished(
        self, thread: ThreadMetadata, item: ThreadItem, context: TContext
    ) -> ThreadItemDoneEvent | ThreadItemRemovedEvent:
        """After a failure: keep an announced item that has content, else (or if saving fails) remove it."""
        if is_worth_keeping(item):
            try:
                await self.store.add_thread_item(thread.id, item, context)
                return ThreadItemDoneEvent(item=item)
            except Exception:
                logger.warning("could not save unfinished item %s; removing it", item.id, exc_info=True)
                with suppress(Exception):  # the write may have landed even though it reported a failure
                    await self.store.delete_thread_item(thread.id, item.id, context)
        return ThreadItemRemovedEvent(item_id=item.id)

    async def _persist(
        self,
        thread: ThreadMetadata,
        event: ThreadStreamEvent,
        pending: PendingItems,
        hidden: set[str],
        context: TContext,
    ) -> bool:
        """Store what the event finishes; return whether the client should see it."""
        if isinstance(event, ThreadItemUpdatedEvent):
            pending.apply(event.item_id, event.update)
            return event.item_id not in hidden
        if isinstance(event, ThreadItemAddedEvent):
            pending.add(event.item)
            if isinstance(event.item, _HIDDEN_ITEMS):
                hidden.add(event.item.id)
                return False
            return True
        if isinstance(event, ThreadItemDoneEvent):
            await self.store.add_thread_item(thread.id, event.item, context)
            pending.discard(event.item.id)
            if isinstance(event.item, _HIDDEN_ITEMS):
                hidden.add(event.item.id)
                return False
            return True
        if isinstance(event, ThreadItemReplacedEvent):
            await self.store.save_item(thread.id, event.item, context)
            pending.discard(event.item.id)
            return not isinstance(event.item, _HIDDEN_ITEMS)
        if isinstance(event, ThreadItemRemovedEvent):
            if all(item.id != event.item_id for item in pending.items()):
                await self.before_item_removed(thread, event.item_id, context)
            await self.store.delete_thread_item(thread.id, event.item_id, context)
            pending.discard(event.item_id)
            return event.item_id not in hidden
        return True

    # -- helpers -------------------------------------------------------------------------------------

    def thread_response(self, thread: ThreadMetadata, items: Page[ThreadItem] | None = None) -> Thread:
        """The client's view of a thread: integration metadata and hidden items left out."""
        return Thread(
            id=thread.id,
            title=thread.title,
            created_at=thread.created_at,
            status=thread.status,
            allowed_image_domains=thread.allowed_image_domains,
            items=_visible(items) if items is not None else _ItemPage(),
        )

    def _limit(self, requested: int | None) -> int:
        if requested is None:
            return self.page_size
        if requested < 1:
            raise RequestValidationError(f"limit must be at least 1, got {requested}.")
        return min(requested, _MAX_PAGE_SIZE)

    def _attachment_store(self) -> AttachmentStore[TContext]:
        if self.attachment_store is None:
            raise FeatureNotConfiguredError(
                "Attachments are not enabled: pass attachment_store=<an AttachmentStore> to the server.",
            )
        return self.attachment_store

    def _require_override(self, hook: str, request_type: str) -> None:
        if getattr(type(self), hook) is getattr(ChatKitServer, hook):
            raise FeatureNotConfiguredError(
                f"{type(self).__name__} does not support {request_type}; override {hook}() to enable it."
            )


def _visible(items: Page[ThreadItem]) -> Page[ThreadItem]:
    data: list[ThreadItem] = [item for item in items.data if not isinstance(item, _HIDDEN_ITEMS)]
    return _ItemPage(data=data, has_more=items.has_more, after=items.after)


def _decode_base64(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise RequestValidationError("audio_base64 is not valid base64.") from None


def _apply_submission(
    item: StructuredInputItem, submission: StructuredInputSubmission
) -> StructuredInputItem:
    """The item with the user's answers filled in; unanswered, empty or skipped questions count as skipped."""
    answered = item.model_copy(deep=True)
    for question in answered.inputs:
        answer = submission.answers.get(question.id)
        if submission.status == "skipped" or answer is None or answer.skipped or not answer.values:
            question.answer = StructuredInputAnswer(skipped=True)
            continue
        values = list(answer.values)
        if isinstance(question, StructuredInputMultipleChoice) and not question.multiple:
            values = values[:1]
        question.answer = StructuredInputAnswer(values=values)
    answered.status = submission.status
    return answered
