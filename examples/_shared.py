"""Plumbing shared by the examples: the offline model, the command line, and a small in-process client.

Every example runs the same way:

* ``python examples/<name>.py`` (or ``--once``) sends one scripted conversation to the example's ASGI app
  in-process (httpx ``ASGITransport``, no port, no network) and prints the ChatKit events it gets back in
  the testing kit's compact format, then exits;
* ``python examples/<name>.py --serve`` serves the app with uvicorn: the bundled chat page at ``/`` and
  the ChatKit endpoint at ``/chatkit``.

Without ``OPENAI_API_KEY`` (or with ``--offline``) the agents answer from `OfflineModel`, a scripted
model; with a key they use the real OpenAI model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, cast

import httpx
from agents.testing import ModelCall, ModelStep, ScriptedModel
from agents.testing.model import ModelStepResult

from agents import set_tracing_disabled
from chatkit_agents.testing import render_events

Script = Callable[[ModelCall], ModelStepResult]
"""Decides one model response from what the model was sent (``call.input``, ``call.tools``, ...)."""


class OfflineModel(ScriptedModel):
    """A ``ScriptedModel`` asking ``script(call)`` for every response, so a server never runs out of steps."""

    def __init__(self, script: Script) -> None:
        super().__init__()
        self._script = script

    async def get_response(self, *args: Any, **kwargs: Any) -> Any:
        """One response decided by the script (non-streamed runs)."""
        self.enqueue(ModelStep.respond(self._script))
        return await super().get_response(*args, **kwargs)

    def stream_response(self, *args: Any, **kwargs: Any) -> Any:
        """One response decided by the script, streamed as Responses events."""
        self.enqueue(ModelStep.respond(self._script))
        return super().stream_response(*args, **kwargs)


def as_dict(item: object) -> dict[str, Any]:
    """A model input item as a plain dict (the SDK passes dicts, sometimes pydantic models)."""
    if isinstance(item, Mapping):
        return dict(cast(Mapping[str, Any], item))
    dump = getattr(item, "model_dump", None)
    return cast(dict[str, Any], dump(exclude_none=True)) if callable(dump) else {}


def input_items(call: ModelCall) -> list[dict[str, Any]]:
    """Everything the model was sent, as dicts."""
    if isinstance(call.input, str):
        return [{"type": "message", "role": "user", "content": call.input}]
    return [as_dict(item) for item in call.input]


def text_of(item: Mapping[str, Any]) -> str:
    """The text of a message input item (its ``input_text`` / ``output_text`` parts joined)."""
    content = item.get("content")
    if isinstance(content, str):
        return content
    parts = [as_dict(part) for part in cast(list[object], content or [])]
    return "\n".join(str(part.get("text", "")) for part in parts if "text" in part)


def latest_user_text(call: ModelCall) -> str:
    """What the user typed last (context messages such as ``<workflow>`` are skipped)."""
    for item in reversed(input_items(call)):
        if item.get("role") == "user" and not text_of(item).startswith("<"):
            return text_of(item)
    return ""


def tool_output(call: ModelCall) -> tuple[str, Any] | None:
    """``(tool name, output)`` when the model's last input is a tool result, else ``None``."""
    items = input_items(call)
    if not items or items[-1].get("type") != "function_call_output":
        return None
    call_id = items[-1].get("call_id")
    name = next(
        (
            str(i.get("name"))
            for i in items
            if i.get("type") == "function_call" and i.get("call_id") == call_id
        ),
        "",
    )
    output = items[-1].get("output")
    try:
        return name, json.loads(output) if isinstance(output, str) else output
    except ValueError:
        return name, output


# --- an in-process ChatKit client -----------------------------------------------------------------


class ChatClient:
    """Posts ChatKit requests to an ASGI app in-process and prints what comes back."""

    def __init__(
        self, http: httpx.AsyncClient, path: str = "/chatkit", options: argparse.Namespace | None = None
    ) -> None:
        self.http = http
        self.path = path
        self.options = options or argparse.Namespace()
        """The parsed command line (an example's own flags included)."""

    async def send(self, request: dict[str, Any], *, headers: Mapping[str, str] | None = None) -> Any:
        """Post one request; print and return its events (a streamed answer) or its JSON."""
        print(f">>> {request['type']}", flush=True)
        response = await self.http.post(self.path, json=request, headers=dict(headers or {}))
        if response.status_code >= 400:
            print(f"HTTP {response.status_code} {response.text}", flush=True)
            response.raise_for_status()
        if not response.headers["content-type"].startswith("text/event-stream"):
            answer = response.json()
            text = json.dumps(answer)
            print(text if len(text) <= 300 else f"{text[:300]}... ({len(text)} bytes)", flush=True)
            return answer
        events = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]
        print(render_events(events, width=100), flush=True)
        return events


def thread_id(events: Sequence[Mapping[str, Any]]) -> str:
    """The id of the thread a ``threads.create`` stream created."""
    return next(e["thread"]["id"] for e in events if e["type"] == "thread.created")


def done_items(events: Sequence[Mapping[str, Any]], item_type: str) -> list[dict[str, Any]]:
    """The items of ``item_type`` a stream finished (``thread.item.done``), in order."""
    return [e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == item_type]


def user_message(
    text: str, *extra_content: dict[str, Any], attachments: Sequence[str] = ()
) -> dict[str, Any]:
    """The ``input`` of ``threads.create`` / ``threads.add_user_message``."""
    return {
        "content": [{"type": "input_text", "text": text}, *extra_content],
        "attachments": list(attachments),
        "inference_options": {},
    }


# --- the command line -----------------------------------------------------------------------------

Conversation = Callable[[ChatClient], Awaitable[None]]


def run_example(
    build_app: Callable[[bool], Any],
    conversation: Conversation,
    *,
    description: str | None = None,
    flags: Mapping[str, str] | None = None,
) -> None:
    """Parse the command line, build the app (offline or not) and run the conversation or the server.

    ``flags`` adds the example's own boolean options (``{"--reject": "help"}``), read back from
    ``client.options``.
    """
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for flag, help_text in (flags or {}).items():
        parser.add_argument(flag, action="store_true", help=help_text)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--once", action="store_true", help="send one conversation in-process and print it (default)"
    )
    mode.add_argument("--serve", action="store_true", help="serve the chat page and the ChatKit endpoint")
    parser.add_argument("--offline", action="store_true", help="use the scripted model even with a key")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on with --serve")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (0 picks a free one)")
    args = parser.parse_args()

    offline = args.offline or not os.environ.get("OPENAI_API_KEY")
    if offline:
        set_tracing_disabled(True)  # nothing to export traces to
    print(f"model: {'scripted (offline)' if offline else 'OpenAI'}", flush=True)
    app = build_app(offline)
    if args.serve:
        serve(app, args.host, args.port)
    else:
        asyncio.run(converse(app, conversation, args))


async def converse(app: Any, conversation: Conversation, options: argparse.Namespace | None = None) -> None:
    """Run ``conversation`` against ``app`` through httpx's ASGI transport."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://example.test", timeout=120) as http:
        await conversation(ChatClient(http, options=options))


def serve(app: Any, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn; the port is bound before the URL is printed."""
    import uvicorn

    sock = socket.create_server((host, port))
    bound = sock.getsockname()[1]
    print(f"chat page: http://{host}:{bound}/", flush=True)
    print(f"ChatKit endpoint: http://{host}:{bound}/chatkit", flush=True)
    try:
        uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on")).run(sockets=[sock])
    finally:
        sock.close()
