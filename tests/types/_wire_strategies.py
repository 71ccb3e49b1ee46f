"""Hypothesis strategies for every wire model, derived from the models' own field annotations."""

from __future__ import annotations

import types
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Any, ForwardRef, Literal, Union, get_args, get_origin, get_type_hints

from _wire_samples import BASIC, CARD, LIST_VIEW, oracle, wire
from hypothesis import strategies as st
from pydantic import AfterValidator, AnyUrl, BaseModel, StringConstraints, TypeAdapter

from chatkit_agents import types as t
from chatkit_agents.types.base import UrlStr
from chatkit_agents.widgets import Badge, Button, Markdown, Text

WIDGET_ROOTS = st.sampled_from([CARD, LIST_VIEW, BASIC])
WIDGET_COMPONENTS = st.sampled_from(
    [Text(value="t", id="a"), Markdown(value="**m**"), Badge(label="new"), Button(label="Go")]
)
ORACLE_WIDGET_ROOTS = WIDGET_ROOTS.map(wire).map(TypeAdapter(oracle.WidgetRoot).validate_python)
ORACLE_WIDGET_COMPONENTS = WIDGET_COMPONENTS.map(wire).map(
    TypeAdapter(oracle.WidgetComponent).validate_python
)
FIELD_OVERRIDES: dict[tuple[type[BaseModel], str], st.SearchStrategy[Any]] = {
    (t.WidgetItem, "widget"): WIDGET_ROOTS,
    (t.WidgetRootUpdated, "widget"): WIDGET_ROOTS,
    (t.WidgetComponentUpdated, "component"): WIDGET_COMPONENTS,
    (oracle.WidgetItem, "widget"): ORACLE_WIDGET_ROOTS,
    (oracle.WidgetRootUpdated, "widget"): ORACLE_WIDGET_ROOTS,
    (oracle.WidgetComponentUpdated, "component"): ORACLE_WIDGET_COMPONENTS,
}
"""Widgets are drawn from a few samples: their own models and tests live in ``chatkit_agents.widgets``."""

URLS = st.sampled_from(
    ["https://example.com/", "https://cdn.example.com/a/b.png?x=1", "http://localhost:8000/up", "data:,hi"]
)
_URL_VALIDATOR = get_args(UrlStr)[1]

TEXT = st.text(max_size=8)
TIMESTAMPS = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59),
)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
ANY = JSON_VALUES.filter(lambda value: value is not None)
"""Free-form JSON; never a bare ``null``, which ``exclude_none`` would drop from the object around it."""


def for_type(annotation: Any, metadata: tuple[Any, ...] = ()) -> st.SearchStrategy[Any]:
    """A strategy for values of ``annotation`` (one of our types or one of the oracle's)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return for_type(base, (*metadata, *extra))
    for item in metadata:
        if isinstance(item, StringConstraints) and item.pattern:
            pattern = item.pattern if isinstance(item.pattern, str) else item.pattern.pattern
            prefix = pattern.lstrip("^")
            return st.text("abcxyz-", min_size=1, max_size=6).map(lambda name, p=prefix: p + name)
        if isinstance(item, AfterValidator) and item is _URL_VALIDATOR:
            return URLS
    if annotation is Any:
        return ANY
    if origin in (Union, types.UnionType):
        return st.one_of([for_type(arg) for arg in get_args(annotation)])
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin is list:
        return st.lists(for_type(get_args(annotation)[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(TEXT, for_type(get_args(annotation)[1]), max_size=3)
    if annotation is type(None):
        return st.none()
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(-(2**31), 2**31)
    if annotation is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if annotation is str:
        return TEXT
    if annotation is datetime:
        return TIMESTAMPS
    if annotation is AnyUrl:
        return URLS.map(AnyUrl)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from(list(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return st.deferred(lambda: for_model(annotation))
    raise TypeError(f"no strategy for {annotation!r}")


def for_model(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Instances of ``model`` with every field drawn from its annotation."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        override = FIELD_OVERRIDES.get((model, name))
        annotation = info.annotation
        if isinstance(annotation, ForwardRef):  # left unresolved by the oracle's pydantic models
            annotation = get_type_hints(model, include_extras=True)[name]
        fields[name] = override if override is not None else for_type(annotation, tuple(info.metadata))
    return st.fixed_dictionaries(fields).map(lambda values: model(**values))
