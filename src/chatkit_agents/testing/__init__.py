"""Testing kit: script model output, run agents offline and render ChatKit event streams for snapshots.

`run_scripted` runs an agent against `ResponseStream` / ``ModelStep`` steps and returns the ChatKit events;
`render_events` turns events into compact text for ``inline_snapshot``. The pytest plugin (loaded
automatically once the package is installed) provides the ``run_chatkit``, ``chatkit_thread``,
``chatkit_ids`` and ``chatkit_clock`` fixtures.

Names are imported on first use, so loading the pytest plugin imports none of these modules.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agents.testing import ModelStep, ScriptedModel

    from chatkit_agents.testing.render import EventLike, render_events, render_item, render_thread
    from chatkit_agents.testing.responses import (
        ResponseStream,
        file_citation,
        file_search_result,
        response_usage,
        stream_then_raise,
        url_citation,
    )
    from chatkit_agents.testing.scripted import (
        ScriptedRun,
        ScriptedRunner,
        ScriptStep,
        fixed_thread,
        run_scripted,
    )

_SOURCES: dict[str, str] = {
    "ModelStep": "agents.testing",
    "ScriptedModel": "agents.testing",
    "EventLike": "chatkit_agents.testing.render",
    "render_events": "chatkit_agents.testing.render",
    "render_item": "chatkit_agents.testing.render",
    "render_thread": "chatkit_agents.testing.render",
    "ResponseStream": "chatkit_agents.testing.responses",
    "file_citation": "chatkit_agents.testing.responses",
    "file_search_result": "chatkit_agents.testing.responses",
    "response_usage": "chatkit_agents.testing.responses",
    "stream_then_raise": "chatkit_agents.testing.responses",
    "url_citation": "chatkit_agents.testing.responses",
    "ScriptStep": "chatkit_agents.testing.scripted",
    "ScriptedRun": "chatkit_agents.testing.scripted",
    "ScriptedRunner": "chatkit_agents.testing.scripted",
    "fixed_thread": "chatkit_agents.testing.scripted",
    "run_scripted": "chatkit_agents.testing.scripted",
}

__all__ = [
    "EventLike",
    "ModelStep",
    "ResponseStream",
    "ScriptStep",
    "ScriptedModel",
    "ScriptedRun",
    "ScriptedRunner",
    "file_citation",
    "file_search_result",
    "fixed_thread",
    "render_events",
    "render_item",
    "render_thread",
    "response_usage",
    "run_scripted",
    "stream_then_raise",
    "url_citation",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'chatkit_agents.testing' has no attribute {name!r}")
    return getattr(import_module(source), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
