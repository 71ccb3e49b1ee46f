"""A typed builder for explicit Responses API event streams, to script models with ``ModelStep.stream``.

``agents.testing.ScriptedModel`` streams only messages, reasoning, function calls and apply_patch calls by
itself, one delta each. ``ResponseStream`` writes the events a Responses model sends for every output item
kind (hosted tools included), with chunked deltas, consistent sequence numbers, output indexes and item ids,
and a terminal ``response.completed`` / ``response.failed`` / ``response.incomplete`` / ``error`` event::

    stream = ResponseStream("resp_1").reasoning("Checking the weather.").message("Sunny", " today.")
    model = ScriptedModel([stream.step()])

Item ids are ``<kind>_<n>_<output index>`` (``msg_1_0``, ``rs_1_1``, ...), ``n`` coming from the response
id (``resp_1`` -> ``1``), so the builders of one run never share an id; call ids are
``call_<n>_<output index>``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar, cast, get_args

from agents.testing import ModelCall, ModelStep
from agents.usage import Usage
from openai.types.responses import (
    Response,
    ResponseApplyPatchToolCall,
    ResponseCodeInterpreterCallCodeDeltaEvent,
    ResponseCodeInterpreterCallCodeDoneEvent,
    ResponseCodeInterpreterCallCompletedEvent,
    ResponseCodeInterpreterCallInProgressEvent,
    ResponseCodeInterpreterCallInterpretingEvent,
    ResponseCodeInterpreterToolCall,
    ResponseCompletedEvent,
    ResponseComputerToolCall,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseCreatedEvent,
    ResponseCustomToolCall,
    ResponseCustomToolCallInputDeltaEvent,
    ResponseCustomToolCallInputDoneEvent,
    ResponseError,
    ResponseErrorEvent,
    ResponseFailedEvent,
    ResponseFileSearchCallCompletedEvent,
    ResponseFileSearchCallInProgressEvent,
    ResponseFileSearchCallSearchingEvent,
    ResponseFileSearchToolCall,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionShellToolCall,
    ResponseFunctionToolCall,
    ResponseFunctionWebSearch,
    ResponseImageGenCallCompletedEvent,
    ResponseImageGenCallGeneratingEvent,
    ResponseImageGenCallInProgressEvent,
    ResponseImageGenCallPartialImageEvent,
    ResponseIncompleteEvent,
    ResponseInProgressEvent,
    ResponseMcpCallArgumentsDeltaEvent,
    ResponseMcpCallArgumentsDoneEvent,
    ResponseMcpCallCompletedEvent,
    ResponseMcpCallFailedEvent,
    ResponseMcpCallInProgressEvent,
    ResponseMcpListToolsCompletedEvent,
    ResponseMcpListToolsFailedEvent,
    ResponseMcpListToolsInProgressEvent,
    ResponseOutputItem,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputRefusal,
    ResponseOutputText,
    ResponseOutputTextAnnotationAddedEvent,
    ResponseReasoningItem,
    ResponseReasoningSummaryPartAddedEvent,
    ResponseReasoningSummaryPartDoneEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningSummaryTextDoneEvent,
    ResponseReasoningTextDeltaEvent,
    ResponseReasoningTextDoneEvent,
    ResponseRefusalDeltaEvent,
    ResponseRefusalDoneEvent,
    ResponseShellCallCommandAddedEvent,
    ResponseShellCallCommandDeltaEvent,
    ResponseShellCallCommandDoneEvent,
    ResponseStreamEvent,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
    ResponseUsage,
    ResponseWebSearchCallCompletedEvent,
    ResponseWebSearchCallInProgressEvent,
    ResponseWebSearchCallSearchingEvent,
    response_apply_patch_tool_call,
    response_code_interpreter_tool_call,
    response_computer_tool_call,
    response_content_part_added_event,
    response_content_part_done_event,
    response_file_search_tool_call,
    response_function_shell_tool_call,
    response_function_web_search,
    response_output_text,
    response_output_text_annotation_added_event,
    response_reasoning_item,
    response_reasoning_summary_part_added_event,
    response_reasoning_summary_part_done_event,
)
from openai.types.responses.mcp_tool_call_error import McpToolExecutionError
from openai.types.responses.response import IncompleteDetails
from openai.types.responses.response_output_item import (
    ImageGenerationCall,
    ImageGenerationCallError,
    McpApprovalRequest,
    McpCall,
    McpListTools,
    McpListToolsTool,
)
from openai.types.responses.response_usage import InputTokensDetails, OutputTokensDetails
from pydantic import BaseModel
from typing_extensions import Self

__all__ = [
    "ComputerAction",
    "FileSearchResult",
    "OutputAnnotation",
    "ResponseStream",
    "file_citation",
    "file_search_result",
    "response_usage",
    "stream_then_raise",
    "url_citation",
]

OutputAnnotation = (
    response_output_text.AnnotationFileCitation
    | response_output_text.AnnotationURLCitation
    | response_output_text.AnnotationContainerFileCitation
    | response_output_text.AnnotationFilePath
)
"""An annotation on an output text part, as the finished message carries it."""

ComputerAction = (
    response_computer_tool_call.ActionClick
    | response_computer_tool_call.ActionDoubleClick
    | response_computer_tool_call.ActionDrag
    | response_computer_tool_call.ActionKeypress
    | response_computer_tool_call.ActionMove
    | response_computer_tool_call.ActionScreenshot
    | response_computer_tool_call.ActionScroll
    | response_computer_tool_call.ActionType
    | response_computer_tool_call.ActionWait
)
"""One action of a ``computer_call``."""

FileSearchResult = response_file_search_tool_call.Result
"""One hit of a ``file_search_call``."""

IncompleteReason = Literal["max_output_tokens", "max_messages", "content_filter", "steered"]

ModelStreamFactory = Callable[[ModelCall], AsyncIterator[ResponseStreamEvent]]
"""What ``ModelStep.stream`` accepts besides a list: a function of the call returning an async iterator."""

_AddedAnnotation = (
    response_output_text_annotation_added_event.AnnotationFileCitation
    | response_output_text_annotation_added_event.AnnotationURLCitation
    | response_output_text_annotation_added_event.AnnotationContainerFileCitation
    | response_output_text_annotation_added_event.AnnotationFilePath
)
# The annotation.added event types its annotation with its own classes (same fields, other names).
_ADDED_ANNOTATION: dict[str, type[_AddedAnnotation]] = {
    "file_citation": response_output_text_annotation_added_event.AnnotationFileCitation,
    "url_citation": response_output_text_annotation_added_event.AnnotationURLCitation,
    "container_file_citation": response_output_text_annotation_added_event.AnnotationContainerFileCitation,
    "file_path": response_output_text_annotation_added_event.AnnotationFilePath,
}

_Event = TypeVar("_Event", bound=BaseModel)


def url_citation(url: str, title: str, *, start_index: int = 0, end_index: int = 0) -> OutputAnnotation:
    """A ``url_citation`` annotation (what web search puts on message text)."""
    return response_output_text.AnnotationURLCitation(
        type="url_citation", url=url, title=title, start_index=start_index, end_index=end_index
    )


def file_citation(filename: str, *, file_id: str | None = None, index: int = 0) -> OutputAnnotation:
    """A ``file_citation`` annotation (what file search puts on message text)."""
    return response_output_text.AnnotationFileCitation(
        type="file_citation", file_id=file_id or f"file_{filename}", filename=filename, index=index
    )


def file_search_result(
    filename: str, text: str = "", *, file_id: str | None = None, score: float = 1.0
) -> FileSearchResult:
    """One file search hit; ``file_id`` defaults to ``file_<filename>``."""
    return FileSearchResult(filename=filename, text=text, file_id=file_id or f"file_{filename}", score=score)


def stream_then_raise(events: Sequence[ResponseStreamEvent], error: BaseException) -> ModelStreamFactory:
    """A ``ModelStep.stream`` factory yielding ``events`` then raising ``error``, like a broken transport."""

    async def factory(call: ModelCall) -> AsyncIterator[ResponseStreamEvent]:
        for event in events:
            yield event
        raise error

    return factory


class ResponseStream:
    """Builds the event stream of one model response, output item by output item, from real openai types.

    Item methods append one output item's events and return the builder. ``completed()``, ``failed()``,
    ``incomplete()``, ``error()`` and ``unfinished()`` return the event list without changing the builder;
    ``step()`` wraps the completed stream in a ``ModelStep``.
    """

    def __init__(
        self,
        response_id: str = "resp_1",
        *,
        model: str = "scripted-model",
        usage: ResponseUsage | None = None,
    ) -> None:
        self.response_id = response_id
        self.model = model
        self.usage = usage or response_usage(0, 0)
        self._suffix = response_id.removeprefix("resp_").removeprefix("resp-") or "0"
        self._events: list[ResponseStreamEvent] = []
        self._output: list[ResponseOutputItem] = []
        started = self._response("in_progress")
        self._emit(ResponseCreatedEvent, response=started)
        self._emit(ResponseInProgressEvent, response=started)

    # -- results -----------------------------------------------------------------------------------------

    @property
    def output(self) -> list[ResponseOutputItem]:
        """The finished output items so far, in output-index order."""
        return list(self._output)

    def unfinished(self) -> list[ResponseStreamEvent]:
        """The events so far with no terminal event, for a stream cut off by a transport error."""
        return list(self._events)

    def completed(self, *, usage: ResponseUsage | None = None) -> list[ResponseStreamEvent]:
        """The events ending with ``response.completed``, which carries every output item and the usage."""
        response = self._response("completed", output=self._output, usage=usage or self.usage)
        return self._ending(ResponseCompletedEvent, response=response)

    def failed(
        self, message: str = "The model failed.", *, code: str = "server_error"
    ) -> list[ResponseStreamEvent]:
        """The events ending with ``response.failed`` (``code`` is a Responses error code such as
        ``rate_limit_exceeded``); the SDK raises ``ModelBehaviorError``."""
        error = ResponseError.model_validate({"code": code, "message": message})
        return self._ending(
            ResponseFailedEvent, response=self._response("failed", output=self._output, error=error)
        )

    def incomplete(self, reason: IncompleteReason = "max_output_tokens") -> list[ResponseStreamEvent]:
        """The events ending with ``response.incomplete``; the SDK raises ``ModelBehaviorError``."""
        details = IncompleteDetails(reason=reason)
        response = self._response("incomplete", output=self._output, incomplete_details=details)
        return self._ending(ResponseIncompleteEvent, response=response)

    def error(
        self, message: str = "The server had an error.", *, code: str | None = "server_error"
    ) -> list[ResponseStreamEvent]:
        """The events ending with a stream ``error`` event; the SDK raises ``ModelBehaviorError``."""
        return self._ending(ResponseErrorEvent, message=message, code=code, param=None)

    def step(self, *, usage: ResponseUsage | None = None) -> ModelStep:
        """A ``ModelStep`` streaming ``completed()``; its ``output`` is set too, for non-streamed runs."""
        final_usage = usage or self.usage
        return ModelStep.stream(
            self.completed(usage=final_usage),
            output=self.output,
            usage=Usage(
                requests=1,
                input_tokens=final_usage.input_tokens,
                output_tokens=final_usage.output_tokens,
                total_tokens=final_usage.total_tokens,
            ),
            response_id=self.response_id,
        )

    # -- assistant messages ------------------------------------------------------------------------------

    def message(
        self, *chunks: str, annotations: Sequence[OutputAnnotation] = (), item_id: str | None = None
    ) -> Self:
        """An assistant message whose text arrives as ``chunks`` (one delta each), then its annotations."""
        item = self._open("msg", item_id)
        self._added(
            item,
            ResponseOutputMessage(
                id=item.id, type="message", role="assistant", status="in_progress", content=[]
            ),
        )
        part = ResponseOutputText(type="output_text", text="", annotations=[])
        self._on(item, ResponseContentPartAddedEvent, content_index=0, part=part)
        for chunk in chunks:
            self._on(item, ResponseTextDeltaEvent, content_index=0, delta=chunk, logprobs=[])
        for annotation_index, annotation in enumerate(annotations):
            added = _ADDED_ANNOTATION[annotation.type].model_validate(annotation.model_dump())
            self._on(
                item,
                ResponseOutputTextAnnotationAddedEvent,
                content_index=0,
                annotation_index=annotation_index,
                annotation=added,
            )
        text = "".join(chunks)
        self._on(item, ResponseTextDoneEvent, content_index=0, text=text, logprobs=[])
        part = ResponseOutputText(type="output_text", text=text, annotations=list(annotations))
        self._on(item, ResponseContentPartDoneEvent, content_index=0, part=part)
        return self._done(
            item,
            ResponseOutputMessage(
                id=item.id, type="message", role="assistant", status="completed", content=[part]
            ),
        )

    def refusal(self, *chunks: str, item_id: str | None = None) -> Self:
        """An assistant message holding a refusal; the SDK then raises ``ModelRefusalError`` by default."""
        item = self._open("msg", item_id)
        self._added(
            item,
            ResponseOutputMessage(
                id=item.id, type="message", role="assistant", status="in_progress", content=[]
            ),
        )
        self._on(
            item,
            ResponseContentPartAddedEvent,
            content_index=0,
            part=ResponseOutputRefusal(type="refusal", refusal=""),
        )
        for chunk in chunks:
            self._on(item, ResponseRefusalDeltaEvent, content_index=0, delta=chunk)
        text = "".join(chunks)
        self._on(item, ResponseRefusalDoneEvent, content_index=0, refusal=text)
        part = ResponseOutputRefusal(type="refusal", refusal=text)
        self._on(item, ResponseContentPartDoneEvent, content_index=0, part=part)
        return self._done(
            item,
            ResponseOutputMessage(
                id=item.id, type="message", role="assistant", status="completed", content=[part]
            ),
        )

    # -- reasoning ---------------------------------------------------------------------------------------

    def reasoning(
        self,
        *summaries: str | Sequence[str],
        content: Sequence[str | Sequence[str]] = (),
        item_id: str | None = None,
    ) -> Self:
        """A reasoning item: each summary (a string, or its chunks) streams as a summary part, then the raw
        reasoning ``content`` parts stream as ``reasoning_text`` deltas."""
        item = self._open("rs", item_id)
        self._added(item, ResponseReasoningItem(id=item.id, type="reasoning", summary=[]))
        summary_parts: list[response_reasoning_item.Summary] = []
        for summary_index, summary in enumerate(summaries):
            pieces = _pieces(summary)
            added = response_reasoning_summary_part_added_event.Part(type="summary_text", text="")
            self._on(item, ResponseReasoningSummaryPartAddedEvent, summary_index=summary_index, part=added)
            for piece in pieces:
                self._on(
                    item, ResponseReasoningSummaryTextDeltaEvent, summary_index=summary_index, delta=piece
                )
            text = "".join(pieces)
            self._on(item, ResponseReasoningSummaryTextDoneEvent, summary_index=summary_index, text=text)
            done = response_reasoning_summary_part_done_event.Part(type="summary_text", text=text)
            self._on(item, ResponseReasoningSummaryPartDoneEvent, summary_index=summary_index, part=done)
            summary_parts.append(response_reasoning_item.Summary(type="summary_text", text=text))
        content_parts: list[response_reasoning_item.Content] = []
        for content_index, part in enumerate(content):
            pieces = _pieces(part)
            started = response_content_part_added_event.PartReasoningText(type="reasoning_text", text="")
            self._on(item, ResponseContentPartAddedEvent, content_index=content_index, part=started)
            for piece in pieces:
                self._on(item, ResponseReasoningTextDeltaEvent, content_index=content_index, delta=piece)
            text = "".join(pieces)
            self._on(item, ResponseReasoningTextDoneEvent, content_index=content_index, text=text)
            finished = response_content_part_done_event.PartReasoningText(type="reasoning_text", text=text)
            self._on(item, ResponseContentPartDoneEvent, content_index=content_index, part=finished)
            content_parts.append(response_reasoning_item.Content(type="reasoning_text", text=text))
        return self._done(
            item,
            ResponseReasoningItem(
                id=item.id,
                type="reasoning",
                summary=summary_parts,
                content=content_parts or None,
                status="completed",
            ),
        )

    # -- tools the SDK runs ------------------------------------------------------------------------------

    def function_call(
        self,
        name: str,
        arguments: Mapping[str, Any] | str | None = None,
        *,
        chunk_size: int | None = None,
        call_id: str | None = None,
        item_id: str | None = None,
    ) -> Self:
        """A function tool call; ``arguments`` (a dict is JSON-encoded) stream in ``chunk_size`` pieces."""
        item = self._open("fc", item_id)
        call_id = call_id or item.call_id
        args = _json_text(arguments)
        self._added(
            item,
            ResponseFunctionToolCall(
                type="function_call",
                id=item.id,
                call_id=call_id,
                name=name,
                arguments="",
                status="in_progress",
            ),
        )
        for piece in _split(args, chunk_size):
            self._on(item, ResponseFunctionCallArgumentsDeltaEvent, delta=piece)
        self._on(item, ResponseFunctionCallArgumentsDoneEvent, arguments=args)
        return self._done(
            item,
            ResponseFunctionToolCall(
                type="function_call",
                id=item.id,
                call_id=call_id,
                name=name,
                arguments=args,
                status="completed",
            ),
        )

    def custom_tool_call(
        self,
        name: str,
        input: str,
        *,
        chunk_size: int | None = None,
        call_id: str | None = None,
        item_id: str | None = None,
    ) -> Self:
        """A custom (free-form input) tool call whose ``input`` streams in ``chunk_size`` pieces."""
        item = self._open("ctc", item_id)
        call_id = call_id or item.call_id
        self._added(
            item,
            ResponseCustomToolCall(type="custom_tool_call", id=item.id, call_id=call_id, name=name, input=""),
        )
        for piece in _split(input, chunk_size):
            self._on(item, ResponseCustomToolCallInputDeltaEvent, delta=piece)
        self._on(item, ResponseCustomToolCallInputDoneEvent, input=input)
        return self._done(
            item,
            ResponseCustomToolCall(
                type="custom_tool_call", id=item.id, call_id=call_id, name=name, input=input
            ),
        )

    def computer_call(
        self, action: ComputerAction | None = None, *, call_id: str | None = None, item_id: str | None = None
    ) -> Self:
        """A computer-use call (by default: take a screenshot), which the SDK runs with a ComputerTool."""
        item = self._open("cu", item_id)
        call_id = call_id or item.call_id
        action = action or response_computer_tool_call.ActionScreenshot(type="screenshot")

        def call(status: Literal["in_progress", "completed"]) -> ResponseComputerToolCall:
            return ResponseComputerToolCall(
                type="computer_call",
                id=item.id,
                call_id=call_id,
                action=action,
                pending_safety_checks=[],
                status=status,
            )

        self._added(item, call("in_progress"))
        return self._done(item, call("completed"))

    def shell_call(
        self,
        *commands: str,
        timeout_ms: int | None = None,
        call_id: str | None = None,
        item_id: str | None = None,
    ) -> Self:
        """A shell tool call; each command streams as ``shell_call_command.added/delta/done``."""
        item = self._open("sh", item_id)
        call_id = call_id or item.call_id

        def call(
            status: Literal["in_progress", "completed"], listed: list[str]
        ) -> ResponseFunctionShellToolCall:
            action = response_function_shell_tool_call.Action(commands=listed, timeout_ms=timeout_ms)
            return ResponseFunctionShellToolCall(
                type="shell_call", id=item.id, call_id=call_id, status=status, action=action
            )

        self._added(item, call("in_progress", []))
        for command_index, command in enumerate(commands):
            where = {"output_index": item.index, "command_index": command_index}
            self._emit(ResponseShellCallCommandAddedEvent, command="", **where)
            self._emit(ResponseShellCallCommandDeltaEvent, delta=command, **where)
            self._emit(ResponseShellCallCommandDoneEvent, command=command, **where)
        return self._done(item, call("completed", list(commands)))

    def apply_patch_call(
        self,
        path: str,
        diff: str = "",
        *,
        operation: Literal["create_file", "update_file", "delete_file"] = "update_file",
        call_id: str | None = None,
        item_id: str | None = None,
    ) -> Self:
        """An apply_patch tool call that creates, updates or deletes the file at ``path``."""
        item = self._open("apc", item_id)
        call_id = call_id or item.call_id
        op: (
            response_apply_patch_tool_call.OperationCreateFile
            | response_apply_patch_tool_call.OperationUpdateFile
            | response_apply_patch_tool_call.OperationDeleteFile
        )
        if operation == "create_file":
            op = response_apply_patch_tool_call.OperationCreateFile(type="create_file", path=path, diff=diff)
        elif operation == "update_file":
            op = response_apply_patch_tool_call.OperationUpdateFile(type="update_file", path=path, diff=diff)
        else:
            op = response_apply_patch_tool_call.OperationDeleteFile(type="delete_file", path=path)

        def call(status: Literal["in_progress", "completed"]) -> ResponseApplyPatchToolCall:
            return ResponseApplyPatchToolCall(
                type="apply_patch_call", id=item.id, call_id=call_id, operation=op, status=status
            )

        self._added(item, call("in_progress"))
        return self._done(item, call("completed"))

    # -- hosted tools ------------------------------------------------------------------------------------

    def web_search(
        self,
        query: str,
        *,
        sources: Sequence[str] = (),
        queries: Sequence[str] | None = None,
        item_id: str | None = None,
    ) -> Self:
        """A hosted web search for ``query``; ``sources`` are result URLs (the API sends them when the agent
        asks for ``web_search_call.action.sources``)."""
        found = [response_function_web_search.ActionSearchSource(type="url", url=url) for url in sources]
        action = response_function_web_search.ActionSearch(
            type="search", query=query, queries=list(queries or [query]), sources=found or None
        )
        return self._web_call(
            response_function_web_search.ActionSearch(type="search", query=query), action, item_id
        )

    def web_open_page(self, url: str, *, item_id: str | None = None) -> Self:
        """A hosted web search call opening the page at ``url``."""
        action = response_function_web_search.ActionOpenPage(type="open_page", url=url)
        return self._web_call(action, action, item_id)

    def web_find_in_page(self, url: str, pattern: str, *, item_id: str | None = None) -> Self:
        """A hosted web search call looking for ``pattern`` in the page at ``url``."""
        action = response_function_web_search.ActionFind(type="find_in_page", url=url, pattern=pattern)
        return self._web_call(action, action, item_id)

    def file_search(
        self, *queries: str, results: Sequence[FileSearchResult] | None = None, item_id: str | None = None
    ) -> Self:
        """A hosted file search; ``results`` are sent when the tool has ``include_search_results``."""
        item = self._open("fs", item_id)
        self._added(
            item,
            ResponseFileSearchToolCall(type="file_search_call", id=item.id, queries=[], status="in_progress"),
        )
        self._on(item, ResponseFileSearchCallInProgressEvent)
        self._on(item, ResponseFileSearchCallSearchingEvent)
        self._on(item, ResponseFileSearchCallCompletedEvent)
        done = ResponseFileSearchToolCall(
            type="file_search_call",
            id=item.id,
            queries=list(queries),
            status="completed",
            results=list(results) if results is not None else None,
        )
        return self._done(item, done)

    def image_generation(
        self,
        result: str | None = None,
        *,
        partial_images: Sequence[str] = (),
        revised_prompt: str | None = None,
        output_format: Literal["png", "webp", "jpeg"] = "png",
        size: str = "1024x1024",
        error: str | None = None,
        item_id: str | None = None,
    ) -> Self:
        """A hosted image generation: ``partial_images`` (base64 each) then the base64 ``result``; with
        ``error`` the call fails instead."""
        item = self._open("ig", item_id)
        self._added(item, ImageGenerationCall(type="image_generation_call", id=item.id, status="in_progress"))
        self._on(item, ResponseImageGenCallInProgressEvent)
        self._on(item, ResponseImageGenCallGeneratingEvent)
        for partial_index, partial in enumerate(partial_images):
            self._on(
                item,
                ResponseImageGenCallPartialImageEvent,
                partial_image_index=partial_index,
                partial_image_b64=partial,
                output_format=output_format,
                size=size,
            )
        if error is None:
            self._on(item, ResponseImageGenCallCompletedEvent)
        done = ImageGenerationCall(
            type="image_generation_call",
            id=item.id,
            status="completed" if error is None else "failed",
            result=result if error is None else None,
            revised_prompt=revised_prompt,
            output_format=output_format,
            size=size,
            error=None
            if error is None
            else ImageGenerationCallError(type="image_generation_error", message=error),
        )
        return self._done(item, done)

    def code_interpreter(
        self,
        *code: str,
        logs: str | None = None,
        images: Sequence[str] = (),
        container_id: str = "cntr_1",
        item_id: str | None = None,
    ) -> Self:
        """A hosted code interpreter run: ``code`` chunks stream as code deltas; ``logs`` and image URLs
        become its outputs."""
        item = self._open("ci", item_id)
        self._added(
            item,
            ResponseCodeInterpreterToolCall(
                type="code_interpreter_call",
                id=item.id,
                container_id=container_id,
                code="",
                status="in_progress",
            ),
        )
        self._on(item, ResponseCodeInterpreterCallInProgressEvent)
        for chunk in code:
            self._on(item, ResponseCodeInterpreterCallCodeDeltaEvent, delta=chunk)
        source = "".join(code)
        self._on(item, ResponseCodeInterpreterCallCodeDoneEvent, code=source)
        self._on(item, ResponseCodeInterpreterCallInterpretingEvent)
        self._on(item, ResponseCodeInterpreterCallCompletedEvent)
        outputs: list[response_code_interpreter_tool_call.Output] = []
        if logs is not None:
            outputs.append(response_code_interpreter_tool_call.OutputLogs(type="logs", logs=logs))
        outputs.extend(
            response_code_interpreter_tool_call.OutputImage(type="image", url=url) for url in images
        )
        done = ResponseCodeInterpreterToolCall(
            type="code_interpreter_call",
            id=item.id,
            container_id=container_id,
            code=source,
            outputs=outputs or None,
            status="completed",
        )
        return self._done(item, done)

    def mcp_list_tools(
        self,
        server_label: str,
        tools: Iterable[str | McpListToolsTool] = (),
        *,
        error: str | None = None,
        item_id: str | None = None,
    ) -> Self:
        """A hosted MCP server listing its ``tools`` (names or full entries); ``error`` makes it fail."""
        item = self._open("mcpl", item_id)
        listed = [
            tool
            if isinstance(tool, McpListToolsTool)
            else McpListToolsTool(name=tool, input_schema={"type": "object"})
            for tool in tools
        ]
        self._added(
            item, McpListTools(type="mcp_list_tools", id=item.id, server_label=server_label, tools=[])
        )
        self._on(item, ResponseMcpListToolsInProgressEvent)
        self._on(
            item, ResponseMcpListToolsCompletedEvent if error is None else ResponseMcpListToolsFailedEvent
        )
        done = McpListTools(
            type="mcp_list_tools",
            id=item.id,
            server_label=server_label,
            tools=listed if error is None else [],
            error=error,
        )
        return self._done(item, done)

    def mcp_call(
        self,
        server_label: str,
        name: str,
        arguments: Mapping[str, Any] | str | None = None,
        *,
        output: str | None = None,
        error: str | None = None,
        approval_request_id: str | None = None,
        item_id: str | None = None,
    ) -> Self:
        """A hosted MCP tool call returning ``output``, or failing with ``error``."""
        item = self._open("mcp", item_id)
        args = _json_text(arguments)
        self._added(
            item,
            McpCall(
                type="mcp_call",
                id=item.id,
                server_label=server_label,
                name=name,
                arguments="",
                status="in_progress",
                approval_request_id=approval_request_id,
            ),
        )
        self._on(item, ResponseMcpCallInProgressEvent)
        self._on(item, ResponseMcpCallArgumentsDeltaEvent, delta=args)
        self._on(item, ResponseMcpCallArgumentsDoneEvent, arguments=args)
        self._on(item, ResponseMcpCallCompletedEvent if error is None else ResponseMcpCallFailedEvent)
        failure = (
            None if error is None else McpToolExecutionError(type="mcp_tool_execution_error", content=error)
        )
        done = McpCall(
            type="mcp_call",
            id=item.id,
            server_label=server_label,
            name=name,
            arguments=args,
            status="completed" if error is None else "failed",
            output=output,
            error=failure,
            approval_request_id=approval_request_id,
        )
        return self._done(item, done)

    def mcp_approval_request(
        self,
        server_label: str,
        name: str,
        arguments: Mapping[str, Any] | str | None = None,
        *,
        item_id: str | None = None,
    ) -> Self:
        """A hosted MCP server asking for approval before calling ``name``."""
        item = self._open("mcpr", item_id)
        request = McpApprovalRequest(
            type="mcp_approval_request",
            id=item.id,
            server_label=server_label,
            name=name,
            arguments=_json_text(arguments),
        )
        self._added(item, request)
        return self._done(item, request)

    # -- escape hatch ------------------------------------------------------------------------------------

    def event(self, event: ResponseStreamEvent) -> Self:
        """Append any other event as is, renumbering only its ``sequence_number``."""
        self._events.append(event.model_copy(update={"sequence_number": len(self._events)}))
        return self

    # -- internals ---------------------------------------------------------------------------------------

    def _web_call(
        self,
        started: response_function_web_search.Action,
        finished: response_function_web_search.Action,
        item_id: str | None,
    ) -> Self:
        item = self._open("ws", item_id)
        self._added(
            item,
            ResponseFunctionWebSearch(
                type="web_search_call", id=item.id, action=started, status="in_progress"
            ),
        )
        self._on(item, ResponseWebSearchCallInProgressEvent)
        self._on(item, ResponseWebSearchCallSearchingEvent)
        self._on(item, ResponseWebSearchCallCompletedEvent)
        return self._done(
            item,
            ResponseFunctionWebSearch(
                type="web_search_call", id=item.id, action=finished, status="completed"
            ),
        )

    def _open(self, prefix: str, item_id: str | None) -> _OpenItem:
        index = len(self._output)
        return _OpenItem(
            index=index,
            id=item_id or f"{prefix}_{self._suffix}_{index}",
            call_id=f"call_{self._suffix}_{index}",
        )

    def _make(self, cls: type[_Event], fields: dict[str, Any]) -> _Event:
        kind = get_args(cls.model_fields["type"].annotation)[0]
        return cls(type=kind, sequence_number=len(self._events), **fields)

    def _emit(self, cls: type[_Event], **fields: Any) -> None:
        self._events.append(cast(ResponseStreamEvent, self._make(cls, fields)))

    def _on(self, item: _OpenItem, cls: type[_Event], **fields: Any) -> None:
        self._emit(cls, item_id=item.id, output_index=item.index, **fields)

    def _added(self, item: _OpenItem, output: ResponseOutputItem) -> None:
        self._emit(ResponseOutputItemAddedEvent, output_index=item.index, item=output)

    def _done(self, item: _OpenItem, output: ResponseOutputItem) -> Self:
        self._emit(ResponseOutputItemDoneEvent, output_index=item.index, item=output)
        self._output.append(output)
        return self

    def _ending(self, cls: type[_Event], **fields: Any) -> list[ResponseStreamEvent]:
        return [*self._events, cast(ResponseStreamEvent, self._make(cls, fields))]

    def _response(
        self,
        status: Literal["in_progress", "completed", "failed", "incomplete"],
        *,
        output: Sequence[ResponseOutputItem] = (),
        **fields: Any,
    ) -> Response:
        return Response(
            id=self.response_id,
            object="response",
            created_at=0,
            model=self.model,
            output=list(output),
            parallel_tool_calls=True,
            tool_choice="auto",
            tools=[],
            status=status,
            **fields,
        )


class _OpenItem:
    """Where the output item being written sits: its output index, item id and default call id."""

    __slots__ = ("call_id", "id", "index")

    def __init__(self, *, index: int, id: str, call_id: str) -> None:
        self.index = index
        self.id = id
        self.call_id = call_id


def response_usage(input_tokens: int, output_tokens: int, *, reasoning_tokens: int = 0) -> ResponseUsage:
    """A ``ResponseUsage`` for ``completed(usage=...)`` with the given token counts."""
    return ResponseUsage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens,
        input_tokens_details=InputTokensDetails(cached_tokens=0, cache_write_tokens=0),
        output_tokens_details=OutputTokensDetails(reasoning_tokens=reasoning_tokens),
    )


def _pieces(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _split(text: str, size: int | None) -> list[str]:
    if not size or size >= len(text):
        return [text]
    return [text[start : start + size] for start in range(0, len(text), size)]


def _json_text(value: Mapping[str, Any] | str | None) -> str:
    if value is None:
        return "{}"
    if isinstance(value, str):
        return value
    return json.dumps(dict(value), separators=(",", ":"))
