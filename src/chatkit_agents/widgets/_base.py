"""The pydantic base every widget model shares, plus the small value types several components use.

Python attributes are snake_case; the wire (and the ``@openai/chatkit`` TypeScript types) is camelCase,
so every model validates either spelling and always serialises by alias with ``None`` fields left out.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer
from pydantic.alias_generators import to_camel

from chatkit_agents.widgets.icons import WidgetIcon

Number = int | float
"""A TypeScript ``number``."""

Size = int | float | str
"""A TypeScript ``number | string``: a spacing/size unit or a CSS length."""


class WidgetModel(BaseModel):
    """Base of every widget model: strict types, unknown props rejected, camelCase on the wire."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    @model_serializer(mode="wrap")
    def _drop_none(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Leave out unset (``None``) props at every level and keep ``type`` first and always present."""
        dumped = handler(self)
        if not isinstance(dumped, dict):
            return dumped
        fields: dict[str, Any] = {key: value for key, value in dumped.items() if value is not None}
        kind: object = getattr(self, "type", None)
        if "type" in type(self).model_fields and isinstance(kind, str):
            fields.pop("type", None)
            return {"type": kind, **fields}
        return fields


class ThemeColor(WidgetModel):
    """A colour that differs between the dark and the light theme."""

    dark: str
    light: str


class Spacing(WidgetModel):
    """Per-side spacing (padding or margin); ``x``/``y`` set both horizontal/vertical sides."""

    top: Size | None = None
    right: Size | None = None
    bottom: Size | None = None
    left: Size | None = None
    x: Size | None = None
    y: Size | None = None


class Border(WidgetModel):
    """One border: width in px, optional colour and line style."""

    size: Number
    color: str | ThemeColor | None = None
    style: Literal["solid", "dashed", "dotted", "double", "groove", "ridge", "inset", "outset"] | None = None


class Borders(WidgetModel):
    """Per-side borders; each side is a width in px or a full `Border`."""

    top: Number | Border | None = None
    right: Number | Border | None = None
    bottom: Number | Border | None = None
    left: Number | Border | None = None
    x: Number | Border | None = None
    y: Number | Border | None = None


class WidgetStatusWithFavicon(WidgetModel):
    """A status line shown above a Card/ListView, led by a favicon image."""

    text: str
    favicon: str | None = None
    frame: bool | None = None


class WidgetStatusWithIcon(WidgetModel):
    """A status line shown above a Card/ListView, led by a built-in icon."""

    text: str
    icon: WidgetIcon | None = None


WidgetStatus = WidgetStatusWithIcon | WidgetStatusWithFavicon
"""Status header of a Card or ListView."""

RadiusValue = Literal["2xs", "xs", "sm", "md", "lg", "xl", "2xl", "3xl", "4xl", "full", "100%", "none"]
Alignment = Literal["start", "center", "end", "baseline", "stretch"]
Justification = Literal["start", "center", "end", "between", "around", "evenly", "stretch"]
ControlVariant = Literal["solid", "soft", "outline", "ghost"]
ControlSize = Literal["3xs", "2xs", "xs", "sm", "md", "lg", "xl", "2xl", "3xl"]
GutterSize = Literal["2xs", "xs", "sm", "md", "lg", "xl"]
TextAlign = Literal["start", "center", "end"]
TextSize = Literal["xs", "sm", "md", "lg", "xl"]
TitleSize = Literal["sm", "md", "lg", "xl", "2xl", "3xl", "4xl", "5xl"]
CaptionSize = Literal["sm", "md", "lg"]
IconSize = Literal["xs", "sm", "md", "lg", "xl", "2xl", "3xl"]
FontWeight = Literal["normal", "medium", "semibold", "bold"]
Theme = Literal["light", "dark"]
Direction = Literal["row", "col"]
