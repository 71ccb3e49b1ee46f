"""The icon names a widget may use (Icon, Button icons, status icons).

Exactly the ``WidgetIcon`` union of the ChatKit web component's types: the wider composer icon set
(``clock``, ``lucide:*``) is not accepted inside widgets, so it is rejected here too.
"""

from __future__ import annotations

from typing import Literal, get_args

WidgetIcon = Literal[
    "agent",
    "analytics",
    "atom",
    "batch",
    "bolt",
    "book-open",
    "book-closed",
    "book-clock",
    "bug",
    "calendar",
    "chart",
    "check",
    "check-circle",
    "check-circle-filled",
    "chevron-left",
    "chevron-right",
    "circle-question",
    "compass",
    "confetti",
    "cube",
    "desktop",
    "document",
    "dot",
    "dots-horizontal",
    "dots-vertical",
    "empty-circle",
    "external-link",
    "globe",
    "keys",
    "lab",
    "images",
    "info",
    "lifesaver",
    "lightbulb",
    "mail",
    "map-pin",
    "maps",
    "mobile",
    "name",
    "notebook",
    "notebook-pencil",
    "page-blank",
    "phone",
    "play",
    "plus",
    "profile",
    "profile-card",
    "reload",
    "star",
    "star-filled",
    "search",
    "sparkle",
    "sparkle-double",
    "square-code",
    "square-image",
    "square-text",
    "suitcase",
    "settings-slider",
    "user",
    "wreath",
    "write",
    "write-alt",
    "write-alt2",
]
"""Name of a built-in widget icon."""

WIDGET_ICONS: frozenset[str] = frozenset(get_args(WidgetIcon))
"""Every accepted `WidgetIcon` name, for lookups and docs."""
