"""Serve an OpenAI Agents SDK agent as a ChatKit backend.

``create_app(AgentServer(agent))`` is a complete backend. `create_app` needs the ``server`` extra
(Starlette) and `PostgresStore` the ``postgres`` extra; both are imported on first use, so
``import chatkit_agents`` works without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatkit_agents.agents import (
    AgentContext,
    ClientToolCall,
    StreamConverter,
    ThreadItemConverter,
    client_tool,
    stream_agent_response,
    to_agent_input,
)
from chatkit_agents.server import (
    AgentServer,
    AttachmentStore,
    ChatKitServer,
    NonStreamingResult,
    StreamingResult,
    error_result,
)
from chatkit_agents.store import MemoryStore, SQLiteStore, Store

if TYPE_CHECKING:
    from chatkit_agents.asgi import create_app
    from chatkit_agents.store.postgres import PostgresStore

__version__ = "0.1.0"

__all__ = [
    "AgentContext",
    "AgentServer",
    "AttachmentStore",
    "ChatKitServer",
    "ClientToolCall",
    "MemoryStore",
    "NonStreamingResult",
    "PostgresStore",
    "SQLiteStore",
    "Store",
    "StreamConverter",
    "StreamingResult",
    "ThreadItemConverter",
    "__version__",
    "client_tool",
    "create_app",
    "error_result",
    "stream_agent_response",
    "to_agent_input",
]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from chatkit_agents.asgi import create_app

        return create_app
    if name == "PostgresStore":
        from chatkit_agents.store.postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
