"""Pure functions that build ChatKit workflow tasks, sources and annotations from Responses items.

Every function takes plain mappings (``model_dump()`` of a Responses item, or the dict the Agents SDK
passes for shell and apply_patch calls), so they work across openai versions and are easy to test and to
reuse in an overridden `StreamConverter` method.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

from pydantic import BaseModel

from chatkit_agents.types import (
    Annotation,
    CustomTask,
    FileSource,
    FileTask,
    IconName,
    ImageTask,
    SearchTask,
    URLSource,
)

__all__ = [
    "APPROVAL_WAITING_PREFIX",
    "annotation_from_responses",
    "as_mapping",
    "code_interpreter_task",
    "file_search_task",
    "format_arguments",
    "function_tool_task",
    "handoff_task",
    "hosted_tool_task",
    "image_task",
    "mcp_call_task",
    "summarize_output",
    "truncate",
    "waiting_for_approval_task",
    "web_search_task",
]

APPROVAL_WAITING_PREFIX = "Waiting for approval: "
"""Title prefix of a tool task paused for a human decision (the resumed run completes it)."""


def as_mapping(value: Any) -> dict[str, Any]:
    """``value`` as a plain dict: pydantic models are dumped (JSON mode), mappings copied, others empty."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return dict(cast(Mapping[str, Any], value))
    return {}


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut."""
    if limit <= 0 or len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def format_arguments(arguments: str | Mapping[str, Any] | None) -> str:
    """Tool arguments as compact JSON text (unparseable argument strings are kept as they are)."""
    if arguments is None:
        return ""
    if isinstance(arguments, str):
        if not arguments.strip():
            return ""
        try:
            parsed = json.loads(arguments)
        except ValueError:
            return arguments
        if parsed == {}:
            return ""
        return json.dumps(parsed, ensure_ascii=False, separators=(", ", ": "))
    if not arguments:
        return ""
    return json.dumps(dict(arguments), ensure_ascii=False, separators=(", ", ": "), default=str)


def summarize_output(output: Any, limit: int) -> str:
    """A short text rendering of a tool's return value, cut to ``limit`` characters."""
    if output is None:
        return ""
    if isinstance(output, str):
        text = output
    elif isinstance(output, BaseModel):
        text = output.model_dump_json()
    else:
        try:
            text = json.dumps(output, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = str(output)
    return truncate(text.strip(), limit)


def function_tool_task(
    name: str,
    arguments: str | Mapping[str, Any] | None,
    *,
    output: Any = None,
    done: bool = False,
    title: str | None = None,
    max_output_chars: int = 300,
    icon: IconName = "bolt",
) -> CustomTask:
    """A task for a function tool call: its name, arguments and (when done) a short output.

    The content is plain text so that both a reader and the reverse converter (which replays task title
    and content to the model as context) can see what happened.
    """
    lines: list[str] = []
    args_text = format_arguments(arguments)
    if args_text:
        lines.append(f"Arguments: {args_text}")
    if done:
        result = summarize_output(output, max_output_chars)
        if result:
            lines.append(f"Result: {result}")
    return CustomTask(
        title=title or (f"Called {name}" if done else f"Calling {name}"),
        icon=icon,
        content="\n\n".join(lines) or None,
        status_indicator="complete" if done else "loading",
    )


def waiting_for_approval_task(name: str, arguments: str | Mapping[str, Any] | None) -> CustomTask:
    """A tool task paused until the user approves or rejects the call."""
    args_text = format_arguments(arguments)
    return CustomTask(
        title=f"{APPROVAL_WAITING_PREFIX}{name}",
        icon="keys",
        content=f"Arguments: {args_text}" if args_text else None,
        status_indicator="none",
    )


def handoff_task(agent_name: str, *, done: bool) -> CustomTask:
    """A task showing the conversation being handed to another agent."""
    return CustomTask(
        title=f"Transferred to {agent_name}" if done else f"Transferring to {agent_name}",
        icon="agent",
        status_indicator="complete" if done else "loading",
    )


def web_search_task(item: Mapping[str, Any], *, done: bool) -> SearchTask:
    """A web search task from a ``web_search_call`` item: queries and (when included) the sources found."""
    action = as_mapping(item.get("action"))
    kind = action.get("type")
    query = action.get("query") if isinstance(action.get("query"), str) else None
    queries = [q for q in action.get("queries") or [] if isinstance(q, str)]
    if query and query not in queries:
        queries.insert(0, query)
    sources: list[URLSource] = []
    for raw in action.get("sources") or []:
        source = as_mapping(raw)
        url = source.get("url")
        if isinstance(url, str) and url:
            sources.append(URLSource(url=url, title=str(source.get("title") or url)))
    if kind in ("open_page", "find_in_page") and isinstance(action.get("url"), str):
        url = str(action["url"])
        sources.append(URLSource(url=url, title=url))
        title = "Reading a page" if kind == "open_page" else "Searching a page"
        if kind == "find_in_page" and isinstance(action.get("pattern"), str):
            queries = [str(action["pattern"])]
    else:
        title = "Searched the web" if done else "Searching the web"
    failed = item.get("status") in ("failed", "incomplete")
    return SearchTask(
        title=title if not failed else "Web search failed",
        title_query=query or (queries[0] if queries else None),
        queries=queries,
        sources=sources,
        status_indicator="complete" if done else "loading",
    )


def file_search_task(item: Mapping[str, Any], *, done: bool, snippet_chars: int = 200) -> FileTask:
    """A file search task from a ``file_search_call`` item, listing the files found (when included)."""
    sources: list[FileSource] = []
    seen: set[tuple[str, str]] = set()
    for raw in item.get("results") or []:
        result = as_mapping(raw)
        filename = result.get("filename") or result.get("file_id")
        if not isinstance(filename, str) or not filename:
            continue
        text = result.get("text")
        description = truncate(" ".join(text.split()), snippet_chars) if isinstance(text, str) else None
        key = (filename, description or "")
        if key in seen:
            continue
        seen.add(key)
        sources.append(FileSource(filename=filename, title=filename, description=description or None))
    queries = [q for q in item.get("queries") or [] if isinstance(q, str)]
    verb = "Searched" if done else "Searching"
    title = f"{verb} files for “{queries[0]}”" if len(queries) == 1 else f"{verb} files"
    if item.get("status") in ("failed", "incomplete"):
        title = "File search failed"
    return FileTask(title=title, sources=sources, status_indicator="complete" if done else "loading")


def code_interpreter_task(item: Mapping[str, Any], *, done: bool, max_output_chars: int = 500) -> CustomTask:
    """A task for a ``code_interpreter_call``: the code and (when done) its logs."""
    parts: list[str] = []
    code = item.get("code")
    if isinstance(code, str) and code.strip():
        parts.append(f"```python\n{code.rstrip()}\n```")
    if done:
        logs = [
            str(out.get("logs"))
            for out in (as_mapping(o) for o in item.get("outputs") or [])
            if out.get("type") == "logs" and out.get("logs")
        ]
        if logs:
            parts.append(f"```\n{truncate(''.join(logs).rstrip(), max_output_chars)}\n```")
    failed = item.get("status") in ("failed", "incomplete")
    return CustomTask(
        title="Code failed" if failed else ("Ran code" if done else "Running code"),
        icon="square-code",
        content="\n\n".join(parts) or None,
        status_indicator="complete" if done else "loading",
    )


def mcp_call_task(item: Mapping[str, Any], *, done: bool, max_output_chars: int = 300) -> CustomTask:
    """A task for a hosted MCP ``mcp_call``: server, tool, arguments and (when done) output or error."""
    server = item.get("server_label") or "MCP"
    name = item.get("name") or "tool"
    lines: list[str] = []
    args_text = format_arguments(item.get("arguments"))
    if args_text:
        lines.append(f"Arguments: {args_text}")
    error = _error_text(item.get("error"))
    if done and error:
        lines.append(f"Error: {truncate(error, max_output_chars)}")
    elif done and item.get("output"):
        lines.append(f"Result: {summarize_output(item.get('output'), max_output_chars)}")
    verb = "Called" if done else "Calling"
    return CustomTask(
        title=f"{verb} {server}: {name}" if not (done and error) else f"{server}: {name} failed",
        icon="bolt",
        content="\n\n".join(lines) or None,
        status_indicator="complete" if done else "loading",
    )


def _error_text(error: Any) -> str:
    """Readable text of a tool error: a string, or the ``message``/``content`` of an error object."""
    if not error:
        return ""
    if isinstance(error, str):
        return error
    details = as_mapping(error)
    text = details.get("message") or details.get("content")
    return text if isinstance(text, str) else summarize_output(text if text is not None else error, 10_000)


_HOSTED_TOOLS: dict[str, tuple[str, str, IconName]] = {
    # item type: (title while running, title when done, icon)
    "computer_call": ("Using the computer", "Used the computer", "desktop"),
    "local_shell_call": ("Running a command", "Ran a command", "square-code"),
    "shell_call": ("Running a command", "Ran a command", "square-code"),
    "apply_patch_call": ("Editing files", "Edited files", "write"),
    "custom_tool_call": ("Calling {name}", "Called {name}", "bolt"),
    "mcp_approval_request": (
        "Approval requested: {server}: {name}",
        "Approval requested: {server}: {name}",
        "keys",
    ),
    "program": ("Running a program", "Ran a program", "square-code"),
}


def _hosted_tool_details(item: Mapping[str, Any]) -> list[str]:
    """Short lines describing what a hosted/local tool call does (command, file, action, input)."""
    kind = item.get("type")
    lines: list[str] = []
    action = as_mapping(item.get("action"))
    if kind in ("local_shell_call", "shell_call"):
        commands: Sequence[Any] = action.get("commands") or []
        argv = action.get("command")
        if not commands and argv:
            commands = [" ".join(map(str, argv)) if isinstance(argv, list) else str(argv)]
        text = "\n".join(str(c) for c in commands)
        if text:
            lines.append(f"```\n{text}\n```")
    elif kind == "apply_patch_call":
        operation = as_mapping(item.get("operation"))
        if operation.get("path"):
            lines.append(f"{operation.get('type', 'edit')}: {operation['path']}")
    elif kind == "computer_call" and action.get("type"):
        lines.append(f"Action: {action['type']}")
    elif kind == "custom_tool_call" and item.get("input"):
        lines.append(f"Input: {truncate(str(item['input']), 300)}")
    elif kind == "mcp_approval_request":
        args_text = format_arguments(item.get("arguments"))
        if args_text:
            lines.append(f"Arguments: {args_text}")
    return lines


def hosted_tool_task(
    item: Mapping[str, Any], *, done: bool, output: Any = None, max_output_chars: int = 300
) -> CustomTask:
    """A task for computer, shell, apply_patch, custom-tool and other calls without a richer task type."""
    kind = str(item.get("type") or "tool_call")
    running, finished, icon = _HOSTED_TOOLS.get(kind, ("Using a tool", "Used a tool", "bolt"))
    fields = {"name": item.get("name") or kind, "server": item.get("server_label") or "MCP"}
    lines = _hosted_tool_details(item)
    if done:
        result = summarize_output(output, max_output_chars)
        if result:
            lines.append(f"Result: {result}")
    return CustomTask(
        title=(finished if done else running).format(**fields),
        icon=icon,
        content="\n\n".join(lines) or None,
        status_indicator="complete" if done else "loading",
    )


def image_task(*, done: bool, failed: bool = False) -> ImageTask:
    """The workflow step of an image generation."""
    if failed:
        return ImageTask(title="Image generation failed", status_indicator="complete")
    return ImageTask(
        title="Generated an image" if done else "Generating an image",
        status_indicator="complete" if done else "loading",
    )


def annotation_from_responses(annotation: Mapping[str, Any]) -> Annotation | None:
    """The ChatKit annotation for a Responses output-text annotation, or ``None`` to drop it.

    ``url_citation`` -> URL source at ``end_index``; ``file_citation`` -> file source at ``index``;
    ``container_file_citation`` -> file source at ``end_index``; ``file_path`` and unknown kinds -> dropped.
    """
    kind = annotation.get("type")
    if kind == "url_citation" and annotation.get("url"):
        url = str(annotation["url"])
        return Annotation(
            source=URLSource(url=url, title=str(annotation.get("title") or url)),
            index=_int_or_none(annotation.get("end_index")),
        )
    if kind == "file_citation":
        filename = annotation.get("filename") or annotation.get("file_id")
        if not filename:
            return None
        return Annotation(
            source=FileSource(filename=str(filename), title=str(filename)),
            index=_int_or_none(annotation.get("index")),
        )
    if kind == "container_file_citation":
        filename = annotation.get("filename") or annotation.get("file_id")
        if not filename:
            return None
        return Annotation(
            source=FileSource(filename=str(filename), title=str(filename)),
            index=_int_or_none(annotation.get("end_index")),
        )
    return None


def _int_or_none(value: Any) -> int | None:
    """``value`` if it is an int (not a bool), else ``None``."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
