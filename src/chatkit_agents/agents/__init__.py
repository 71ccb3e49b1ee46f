"""The Agents SDK side: run context and tool helpers, the forward and reverse converters, client tools
and approvals, and hosted ChatKit interop."""

from chatkit_agents.agents.context import AgentContext, AgentStore, ClientToolCall
from chatkit_agents.agents.hosted import (
    create_hosted_session,
    hosted_item_to_thread_item,
    hosted_items_to_agent_input,
    hosted_thread_to_agent_input,
)
from chatkit_agents.agents.input import (
    AttachmentResolver,
    ThreadItemConverter,
    approximate_tokens,
    attachment_bytes_to_content,
    to_agent_input,
)
from chatkit_agents.agents.stream import StreamConverter, StreamState, stream_agent_response
from chatkit_agents.agents.tools import (
    APPROVAL_ACTION_TYPE,
    RUN_STATE_METADATA_KEY,
    ApprovalDecision,
    ClientFunctionTool,
    apply_approval_decisions,
    approval_widget,
    client_tool,
    dump_run_state,
    load_run_state,
    parse_approval_action,
)

__all__ = [
    "APPROVAL_ACTION_TYPE",
    "RUN_STATE_METADATA_KEY",
    "AgentContext",
    "AgentStore",
    "ApprovalDecision",
    "AttachmentResolver",
    "ClientFunctionTool",
    "ClientToolCall",
    "StreamConverter",
    "StreamState",
    "ThreadItemConverter",
    "apply_approval_decisions",
    "approval_widget",
    "approximate_tokens",
    "attachment_bytes_to_content",
    "client_tool",
    "create_hosted_session",
    "dump_run_state",
    "hosted_item_to_thread_item",
    "hosted_items_to_agent_input",
    "hosted_thread_to_agent_input",
    "load_run_state",
    "parse_approval_action",
    "stream_agent_response",
    "to_agent_input",
]
