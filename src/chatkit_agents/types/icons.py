"""Icon names accepted by ChatKit for progress updates, custom tasks, summaries and entity sources."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

__all__ = ["BuiltinIconName", "IconName", "LucideIconName", "VendorIconName"]

BuiltinIconName = Literal[
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
    "clock",
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
"""Icons built into the ChatKit web component."""

VendorIconName = Annotated[str, StringConstraints(pattern=r"^vendor:")]
"""An icon registered by the integrating page, written ``vendor:<name>``."""

LucideIconName = Annotated[str, StringConstraints(pattern=r"^lucide:")]
"""A Lucide icon, written ``lucide:<name>``."""

IconName = BuiltinIconName | VendorIconName | LucideIconName
"""Any icon name ChatKit accepts outside widgets."""
