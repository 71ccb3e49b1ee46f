"""Client tools and human-in-the-loop approvals.

* `client_tool` declares a tool the ChatKit client runs: when the model calls it, the turn ends with a
  pending ``client_tool_call`` item carrying that call's own ``call_id`` (parallel calls included).
* Approvals: a run that pauses on ``needs_approval`` tools ends with an approval widget (buttons send a
  ``chatkit_agents.approval`` action naming the call ids) and ``context.run_state``. Store it with
  `dump_run_state`, and when the user decides: `load_run_state`, `apply_approval_decisions`, then
  ``Runner.run_streamed(agent, state, context=...)`` resumes the run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, cast, overload

from agents.function_schema import function_schema
from agents.items import ToolApprovalItem
from agents.strict_schema import ensure_strict_json_schema
from agents.tool_context import ToolContext
from pydantic import BaseModel

from agents import FunctionTool, RunState
from chatkit_agents.agents.context import AgentContext, ClientToolCall
from chatkit_agents.agents.tasks import format_arguments, truncate
from chatkit_agents.errors import ConfigurationError, UnknownToolCallError
from chatkit_agents.widgets import ActionConfig, Button, Caption, Card, Row, Text, Title

if TYPE_CHECKING:
    from agents import Agent

__all__ = [
    "APPROVAL_ACTION_TYPE",
    "RUN_STATE_METADATA_KEY",
    "ApprovalDecision",
    "ClientFunctionTool",
    "apply_approval_decisions",
    "approval_widget",
    "client_tool",
    "dump_run_state",
    "load_run_state",
    "parse_approval_action",
]

APPROVAL_ACTION_TYPE: Final = "chatkit_agents.approval"
"""``type`` of the action sent by the approval widget's buttons."""

RUN_STATE_METADATA_KEY: Final = "chatkit_agents.run_state"
"""Key of ``thread.metadata`` under which a server keeps a paused run's serialized state."""

ApprovalDecision = Literal["approve", "reject"]
"""What the user decided for an interrupted tool call."""

CLIENT_TOOL_PLACEHOLDER = "The client is running this tool; its result comes in the next message."


@dataclass
class ClientFunctionTool(FunctionTool):
    """A function tool run by the ChatKit client; the stream converter draws no task for its calls."""

    client_name: str = ""
    """Name of the client-side handler (defaults to the tool name)."""


def _client_invoker(client_name: str) -> Callable[[ToolContext[Any], str], Any]:
    """The tool body: record the client tool call under the model's call id and stop after this turn."""

    async def invoke(ctx: ToolContext[Any], raw_arguments: str) -> str:
        context: Any = ctx.context
        if not isinstance(context, AgentContext):
            raise ConfigurationError(
                "client tools need the run context to be an AgentContext: "
                "Runner.run_streamed(agent, input, context=AgentContext(thread, ...))"
            )
        try:
            parsed = json.loads(raw_arguments) if raw_arguments.strip() else {}
        except ValueError:
            parsed = {"input": raw_arguments}
        arguments = cast(dict[str, Any], parsed) if isinstance(parsed, dict) else {"input": parsed}
        cast(AgentContext[Any], context).set_client_tool_call(
            ClientToolCall(client_name, arguments), ctx.tool_call_id
        )
        return CLIENT_TOOL_PLACEHOLDER

    return invoke


def _schema_of(parameters: Mapping[str, Any] | type[BaseModel] | None, strict: bool) -> dict[str, Any]:
    """JSON schema of a client tool's parameters (strict mode applied when asked)."""
    if parameters is None:
        schema: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    elif isinstance(parameters, type):
        schema = parameters.model_json_schema()
    else:
        schema = dict(parameters)
    return ensure_strict_json_schema(schema) if strict else schema


@overload
def client_tool(func: Callable[..., Any], /) -> ClientFunctionTool: ...


@overload
def client_tool(
    *,
    name: str,
    description: str = "",
    parameters: Mapping[str, Any] | type[BaseModel] | None = None,
    client_name: str | None = None,
    strict: bool = True,
) -> ClientFunctionTool: ...


def client_tool(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str = "",
    parameters: Mapping[str, Any] | type[BaseModel] | None = None,
    client_name: str | None = None,
    strict: bool = True,
) -> ClientFunctionTool:
    """Declare a tool that the ChatKit client executes.

    Use it as a decorator on a signature-only function (name, docstring and typed parameters make the
    schema; the body never runs) or call it with ``name``/``description``/``parameters``. When the model
    calls it, the turn ends (other tools of that turn still finish) with a pending client tool call.
    """
    if func is not None:
        schema = function_schema(func, strict_json_schema=strict)
        tool_name = schema.name
        return ClientFunctionTool(
            name=tool_name,
            description=schema.description or "",
            params_json_schema=schema.params_json_schema,
            on_invoke_tool=_client_invoker(client_name or tool_name),
            strict_json_schema=strict,
            client_name=client_name or tool_name,
        )
    if not name:
        raise ConfigurationError("client_tool() needs a function to decorate or a name=...")
    return ClientFunctionTool(
        name=name,
        description=description,
        params_json_schema=_schema_of(parameters, strict),
        on_invoke_tool=_client_invoker(client_name or name),
        strict_json_schema=strict,
        client_name=client_name or name,
    )


# --- approvals ---------------------------------------------------------------------------------------------


def approval_widget(interruptions: Sequence[ToolApprovalItem], *, max_argument_chars: int = 300) -> Card:
    """A card listing the tool calls waiting for approval, with Approve and Reject buttons.

    Each button sends ``{"type": "chatkit_agents.approval", "payload": {"decision": ..., "call_ids":
    [...]}}`` as a custom action; `parse_approval_action` reads it back.
    """
    call_ids = [str(item.call_id) for item in interruptions if item.call_id]
    children: list[Any] = [Title(value="Approval needed", size="sm")]
    for item in interruptions:
        name = item.name or item.tool_name or "tool"
        children.append(Text(value=f"Run {name}?", weight="semibold"))
        arguments = format_arguments(item.arguments)
        if arguments:
            children.append(Caption(value=truncate(arguments, max_argument_chars)))
    buttons: list[Any] = [
        Button(
            label="Approve",
            style="primary",
            on_click_action=ActionConfig(
                type=APPROVAL_ACTION_TYPE, payload={"decision": "approve", "call_ids": call_ids}
            ),
        ),
        Button(
            label="Reject",
            style="secondary",
            on_click_action=ActionConfig(
                type=APPROVAL_ACTION_TYPE, payload={"decision": "reject", "call_ids": call_ids}
            ),
        ),
    ]
    children.append(Row(children=buttons, gap=2))
    return Card(key=APPROVAL_ACTION_TYPE, children=children)


def parse_approval_action(action: Any) -> dict[str, ApprovalDecision] | None:
    """The decisions of an approval widget action (call id -> decision); ``None`` for other actions."""
    if isinstance(action, Mapping):
        data = cast(Mapping[str, Any], action)
        kind, payload = data.get("type"), data.get("payload")
    else:
        kind, payload = getattr(action, "type", None), getattr(action, "payload", None)
    if kind != APPROVAL_ACTION_TYPE or not isinstance(payload, Mapping):
        return None
    body = cast(Mapping[str, Any], payload)
    decision = body.get("decision")
    call_ids = body.get("call_ids")
    if decision not in ("approve", "reject") or not isinstance(call_ids, list):
        return None
    return {str(call_id): decision for call_id in cast(list[Any], call_ids)}


def apply_approval_decisions(
    state: RunState[Any],
    decisions: Mapping[str, ApprovalDecision | bool],
    *,
    rejection_message: str | None = None,
) -> list[str]:
    """Approve or reject the paused tool calls of ``state`` by call id; returns the call ids left undecided.

    Afterwards ``Runner.run_streamed(agent, state, context=...)`` resumes the run (rejected calls get
    ``rejection_message``, or the SDK default, as their output). Unknown call ids raise.
    """
    interruptions = state.get_interruptions()
    known = {str(item.call_id): item for item in interruptions if item.call_id}
    unknown = [call_id for call_id in decisions if call_id not in known]
    if unknown:
        raise UnknownToolCallError(
            f"no paused tool call has id {', '.join(sorted(unknown))}; "
            f"the run is waiting on: {', '.join(known) or 'nothing'}"
        )
    undecided: list[str] = []
    for call_id, item in known.items():
        decision = decisions.get(call_id)
        if decision is None:
            undecided.append(call_id)
        elif decision is True or decision == "approve":
            state.approve(item)
        else:
            state.reject(item, rejection_message=rejection_message)
    return undecided


def dump_run_state(state: RunState[Any]) -> str:
    """Serialize a paused run for server-side storage (the AgentContext itself is not stored)."""
    return state.to_string(context_serializer=lambda _context: {})


async def load_run_state(agent: Agent[Any], data: str, context: AgentContext[Any]) -> RunState[Any]:
    """Restore a paused run saved with `dump_run_state`, attached to ``context``. Trusted storage only."""
    return await RunState.from_string(agent, data, context_deserializer=lambda _data: context)
