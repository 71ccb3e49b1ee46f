"""Serve an OpenAI Agents SDK agent as a ChatKit backend.

``create_app(AgentServer(agent))`` is a complete backend. `create_app` needs the ``server`` extra
(Starlette) and `PostgresStore` the ``postgres`` extra; both are imported on first use, so
``import chatkit_agents`` works without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatkit_agents.agents import (
        AgentContext,
        ClientToolCall,
        StreamConverter,
        ThreadItemConverter,
        client_tool,
        stream_agent_response,
        to_agent_input,
    )
    from chatkit_agents.asgi import create_app
    from chatkit_agents.server import (
        AgentServer,
        AttachmentStore,
        ChatKitServer,
        NonStreamingResult,
        StreamingResult,
        error_result,
    )
    from chatkit_agents.store import MemoryStore, SQLiteStore, Store
    from chatkit_agents.store.postgres import PostgresStore

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "AgentContext": "chatkit_agents.agents",
    "ClientToolCall": "chatkit_agents.agents",
    "StreamConverter": "chatkit_agents.agents",
    "ThreadItemConverter": "chatkit_agents.agents",
    "client_tool": "chatkit_agents.agents",
    "stream_agent_response": "chatkit_agents.agents",
    "to_agent_input": "chatkit_agents.agents",
    "AgentServer": "chatkit_agents.server",
    "AttachmentStore": "chatkit_agents.server",
    "ChatKitServer": "chatkit_agents.server",
    "NonStreamingResult": "chatkit_agents.server",
    "StreamingResult": "chatkit_agents.server",
    "error_result": "chatkit_agents.server",
    "MemoryStore": "chatkit_agents.store",
    "SQLiteStore": "chatkit_agents.store",
    "Store": "chatkit_agents.store",
    "PostgresStore": "chatkit_agents.store.postgres",
    "create_app": "chatkit_agents.asgi",
}
"""Public name -> module that defines it; imported on first use so `import chatkit_agents` stays cheap."""

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
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
