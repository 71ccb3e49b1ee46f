"""Libraries under test: ours (`benchmarks.adapters.ours`) and openai-chatkit when installed."""

from __future__ import annotations

import importlib.util

from benchmarks.harness import Adapter

__all__ = ["available_adapters"]


def available_adapters(tool_mode: str = "plain") -> dict[str, Adapter]:
    """Our adapter, plus the openai-chatkit reference adapter if ``chatkit`` can be imported."""
    from benchmarks.adapters.ours import OursAdapter

    adapters: dict[str, Adapter] = {"ours": OursAdapter(tool_mode)}
    if importlib.util.find_spec("chatkit") is not None:
        from benchmarks.adapters.chatkit_ref import ChatKitRefAdapter

        adapters["chatkit"] = ChatKitRefAdapter(tool_mode)
    return adapters
