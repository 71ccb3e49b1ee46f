"""Load widgets from JSON and from Widget Builder ``.widget`` files.

`load_widget` validates plain widget JSON. `WidgetTemplate` reads a ``.widget`` file (version ``1.0``:
``name``, a Jinja ``template`` producing widget JSON, a ``jsonSchema`` for its data) and renders it with
your data; rendering needs the optional ``jinja2`` package (``pip install 'chatkit-agents[templates]'``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from chatkit_agents.errors import ConfigurationError, WidgetTemplateError
from chatkit_agents.widgets.components import WIDGET_ROOT_ADAPTER, Basic, Card, ListView

SUPPORTED_TEMPLATE_VERSIONS = frozenset({"1.0"})


def load_widget(source: Mapping[str, Any] | str | bytes) -> Card | ListView | Basic:
    """Validate widget JSON (a parsed dict, or JSON text) into a typed widget root.

    Raises pydantic's ``ValidationError`` naming the path of every bad prop.
    """
    if isinstance(source, (str, bytes)):
        return WIDGET_ROOT_ADAPTER.validate_json(source)
    return WIDGET_ROOT_ADAPTER.validate_python(dict(source))


class WidgetTemplate:
    """A Widget Builder widget definition: render its template with data to get a typed widget root."""

    def __init__(self, definition: Mapping[str, Any]) -> None:
        version = definition.get("version")
        if version not in SUPPORTED_TEMPLATE_VERSIONS:
            raise WidgetTemplateError(
                f"unsupported .widget version {version!r}; expected one of "
                f"{sorted(SUPPORTED_TEMPLATE_VERSIONS)} (re-export the widget from Widget Builder)"
            )
        template = definition.get("template")
        if not isinstance(template, str):
            raise WidgetTemplateError("a .widget definition needs a 'template' string (the widget JSON)")
        name = definition.get("name", "")
        schema = definition.get("jsonSchema") or {}
        preview = definition.get("outputJsonPreview")
        self.name: str = name if isinstance(name, str) else str(name)
        self.version: str = str(version)
        self.template: str = template
        self.json_schema: dict[str, Any] = dict(schema) if isinstance(schema, Mapping) else {}
        self.output_json_preview: dict[str, Any] | None = (
            dict(preview) if isinstance(preview, Mapping) else None
        )

    @classmethod
    def from_file(cls, path: str | Path) -> WidgetTemplate:
        """Read a ``.widget`` file (JSON) from ``path``."""
        file = Path(path)
        try:
            definition = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise WidgetTemplateError(f"{file} is not valid JSON: {exc}") from exc
        if not isinstance(definition, dict):
            raise WidgetTemplateError(f"{file} must contain a JSON object (a Widget Builder export)")
        return cls(definition)

    def render(self, data: Mapping[str, Any] | BaseModel | None = None) -> str:
        """Fill the template with ``data`` and return the widget JSON text."""
        try:
            from jinja2 import StrictUndefined, TemplateError, Undefined
            from jinja2.sandbox import SandboxedEnvironment
        except ImportError as exc:
            raise ConfigurationError(
                "rendering a .widget template needs jinja2: pip install 'chatkit-agents[templates]'"
            ) from exc
        values: dict[str, Any]
        if data is None:
            values = {}
        elif isinstance(data, BaseModel):
            values = data.model_dump(mode="json")
        else:
            values = dict(data)

        def json_default(value: object) -> object:
            if isinstance(value, Undefined):
                str(value)  # a StrictUndefined raises UndefinedError naming the missing variable
            raise TypeError(f"{type(value).__name__} is not JSON serializable")

        env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        env.policies["json.dumps_kwargs"] = {"sort_keys": False, "default": json_default}
        try:
            return env.from_string(self.template).render(**values)
        except (TemplateError, TypeError) as exc:
            raise WidgetTemplateError(f"cannot render widget template {self.name!r}: {exc}") from exc

    def build(self, data: Mapping[str, Any] | BaseModel | None = None) -> Card | ListView | Basic:
        """Render the template with ``data`` and validate the result into a typed widget root."""
        rendered = self.render(data)
        try:
            return WIDGET_ROOT_ADAPTER.validate_json(rendered)
        except ValidationError as exc:
            raise WidgetTemplateError(
                f"widget template {self.name!r} rendered an invalid widget:\n{exc}"
            ) from exc

    def preview(self) -> Card | ListView | Basic:
        """The Builder's ``outputJsonPreview`` as a typed widget root (the widget with its sample data)."""
        if self.output_json_preview is None:
            raise WidgetTemplateError(f"widget template {self.name!r} has no 'outputJsonPreview'")
        return load_widget(self.output_json_preview)
