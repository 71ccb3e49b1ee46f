"""The ChatKit server layer: request routing, persistence while streaming, and the agent server."""

from __future__ import annotations

from chatkit_agents.server.agent_server import AgentServer
from chatkit_agents.server.attachments import AttachmentStore
from chatkit_agents.server.memory import (
    ConversationMemory,
    ModelMemory,
    SessionMemory,
    ThreadMemory,
)
from chatkit_agents.server.results import ErrorResult, NonStreamingResult, StreamingResult, error_result
from chatkit_agents.server.server import CANCELLED_NOTE, ChatKitServer

__all__ = [
    "CANCELLED_NOTE",
    "AgentServer",
    "AttachmentStore",
    "ChatKitServer",
    "ConversationMemory",
    "ErrorResult",
    "ModelMemory",
    "NonStreamingResult",
    "SessionMemory",
    "StreamingResult",
    "ThreadMemory",
    "error_result",
]
