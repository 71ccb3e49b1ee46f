"""`ActionConfig`: what a widget sends when the user clicks, submits or changes something.

``type`` and ``payload`` are what the web component's types declare. ``handler``, ``loadingBehavior``
and ``streaming`` are documented ChatKit extensions; they are only sent when set, so a plain action
stays exactly ``{"type": ..., "payload": ...}``.
"""

from __future__ import annotations

from typing import Any, Literal

from chatkit_agents.widgets._base import WidgetModel

ActionHandler = Literal["client", "server"]
"""Who handles the action: the server (``threads.custom_action``, the default) or the page's ``onAction``."""

LoadingBehavior = Literal["auto", "none", "self", "container"]
"""Which part of the widget shows a loading state while the action runs (``auto`` by default)."""


class ActionConfig(WidgetModel):
    """A declarative action attached to a widget control; unset options fall back to ChatKit's defaults."""

    type: str
    payload: dict[str, Any] | None = None
    handler: ActionHandler | None = None
    loading_behavior: LoadingBehavior | None = None
    streaming: bool | None = None
