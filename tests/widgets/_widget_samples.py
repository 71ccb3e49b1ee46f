"""Sample widgets covering every component and every prop, shared by the widget tests.

`STANDARD` widgets use only what the web component's TypeScript types declare (they must type-check);
`EXTENSIONS` use the deliberate extensions (ListView in Card, Chart, extra ActionConfig options).
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from chatkit_agents import widgets as w

RED = w.ThemeColor(dark="red-300", light="red-700")
SPACING = w.Spacing(top=1, right="2px", bottom=3.5, left=0, x=4, y="1rem")
BORDER = w.Border(size=1, color=RED, style="dashed")
BORDERS = w.Borders(top=1, right=BORDER, bottom=2, left=BORDER, x=0, y=BORDER)
ACTION = w.ActionConfig(type="cart.add", payload={"sku": "A-1", "qty": 2, "note": None})
PLAIN_ACTION = w.ActionConfig(type="noop")

BLOCK_PROPS: dict[str, Any] = {
    "height": 100,
    "width": "50%",
    "size": 40.5,
    "min_height": 10,
    "min_width": "1rem",
    "min_size": 5,
    "max_height": 300,
    "max_width": "100%",
    "max_size": 500,
    "aspect_ratio": 1.5,
    "radius": "lg",
    "margin": SPACING,
}

BOX_PROPS: dict[str, Any] = {
    **BLOCK_PROPS,
    "align": "center",
    "justify": "between",
    "wrap": "wrap",
    "flex": 1,
    "gap": 2,
    "padding": SPACING,
    "border": BORDERS,
    "background": "surface-secondary",
}


def _text_components() -> list[Any]:
    return [
        w.Title(
            id="title",
            key="k-title",
            value="Order",
            size="2xl",
            color=RED,
            weight="bold",
            text_align="center",
            truncate=True,
            max_lines=2,
        ),
        w.Caption(
            value="Placed today", size="sm", color="secondary", weight="medium", truncate=False, max_lines=1
        ),
        w.Text(
            id="body",
            value="Hello",
            streaming=False,
            italic=True,
            line_through=False,
            width=200,
            size="lg",
            min_lines=1,
            editable=w.EditableProps(
                name="title",
                auto_focus=True,
                auto_select=False,
                auto_complete="off",
                allow_autofill_extensions=False,
                pattern="[a-z]+",
                placeholder="Name",
                required=True,
            ),
        ),
        w.Text(value="Read only", editable=False, color="tertiary", truncate=True, max_lines=3),
        w.Markdown(id="md", key="md-1", value="**bold**", streaming=True),
    ]


def _content_components() -> list[Any]:
    return [
        w.Badge(label="New", color="success", variant="soft", size="sm", pill=True),
        w.Icon(name="bolt", color=RED, size="xl"),
        w.Image(
            src="https://example.com/a.png",
            alt="A",
            frame=True,
            fit="cover",
            position="top left",
            flush=False,
            **BLOCK_PROPS,
        ),
        w.Button(
            submit=False,
            label="Buy",
            on_click_action=ACTION,
            icon_start="plus",
            icon_end="chevron-right",
            style="primary",
            icon_size="md",
            color="caution",
            variant="outline",
            size="lg",
            pill=True,
            uniform=False,
            block=True,
            disabled=False,
        ),
        w.Divider(id="div", key="d", color="default", size=2, spacing="8px", flush=True),
        w.Spacer(id="sp", key="s", min_size=12),
        w.Transition(id="tr", key="t", children=w.Text(key="swap-1", value="Animated")),
    ]


def _form_controls() -> list[Any]:
    return [
        w.Label(
            value="Email",
            field_name="email",
            size="sm",
            weight="semibold",
            text_align="start",
            color="secondary",
        ),
        w.Input(
            name="email",
            input_type="email",
            default_value="a@b.c",
            required=True,
            pattern=".+@.+",
            placeholder="you@example.com",
            allow_autofill_extensions=True,
            auto_select=False,
            auto_focus=True,
            disabled=False,
            variant="outline",
            size="md",
            gutter_size="sm",
            pill=False,
        ),
        w.Textarea(
            name="notes",
            default_value="",
            required=False,
            pattern=".*",
            placeholder="Notes",
            auto_select=False,
            auto_focus=False,
            disabled=False,
            variant="soft",
            size="sm",
            gutter_size="md",
            rows=3,
            auto_resize=True,
            max_rows=8,
            allow_autofill_extensions=False,
        ),
        w.Select(
            name="size",
            options=[w.SelectOption(value="s", label="Small"), w.SelectOption(value="l", label="Large")],
            on_change_action=PLAIN_ACTION,
            placeholder="Pick",
            default_value="s",
            variant="ghost",
            size="xs",
            pill=True,
            block=False,
            clearable=True,
            disabled=False,
        ),
        w.DatePicker(
            name="when",
            on_change_action=ACTION,
            placeholder="Date",
            default_value="2026-01-01T00:00:00Z",
            min="2025-01-01T00:00:00Z",
            max="2027-01-01T00:00:00Z",
            variant="solid",
            size="3xl",
            side="bottom",
            align="end",
            pill=False,
            block=True,
            clearable=False,
            disabled=False,
        ),
        w.Checkbox(
            id="cb",
            key="c",
            name="agree",
            label="I agree",
            default_checked=False,
            on_change_action=PLAIN_ACTION,
            disabled=False,
            required=True,
        ),
        w.RadioGroup(
            name="plan",
            options=[
                w.RadioOption(label="Free", value="free"),
                w.RadioOption(label="Pro", value="pro", disabled=True),
            ],
            aria_label="Plan",
            on_change_action=ACTION,
            default_value="free",
            direction="row",
            disabled=False,
            required=True,
        ),
    ]


def _table() -> Any:
    return w.Table(
        id="tbl",
        key="t",
        children=[
            w.TableRow(
                id="head",
                key="h",
                header=True,
                children=[
                    w.TableCell(
                        children=[w.Text(value="Item")],
                        width=120,
                        padding=SPACING,
                        col_span=2,
                        row_span=1,
                        align="start",
                        v_align="center",
                        col_size="md",
                    ),
                ],
            ),
            w.TableRow(children=[w.TableCell(children=[w.Caption(value="Apple")]), w.TableCell()]),
            w.TableRow(),
        ],
    )


def _layout() -> list[Any]:
    return [
        w.Box(direction="col", children=_text_components(), **BOX_PROPS),
        w.Row(children=_content_components(), **BOX_PROPS),
        w.Col(children=[_table()], **BOX_PROPS),
        w.Form(on_submit_action=ACTION, direction="row", children=_form_controls(), **BOX_PROPS),
        w.Box(),
    ]


def _list_view(**extra: Any) -> w.ListView:
    return w.ListView(
        id="list",
        children=[
            w.ListViewItem(
                id="row-1",
                key="r1",
                children=[w.Text(value="One")],
                on_click_action=ACTION,
                gap=2,
                align="center",
            ),
            w.ListViewItem(children=[w.Icon(name="star")]),
        ],
        **extra,
    )


STANDARD: dict[str, Any] = {
    "card_everything": w.Card(
        id="card",
        key="card-1",
        as_form=True,
        children=_layout(),
        background=RED,
        border=BORDER,
        size="lg",
        padding=SPACING,
        status=w.WidgetStatusWithFavicon(text="example.com", favicon="https://example.com/f.ico", frame=True),
        collapsed=False,
        confirm=w.CardAction(label="OK", action=ACTION),
        cancel=w.CardAction(label="Cancel", action=PLAIN_ACTION),
        theme="dark",
    ),
    "card_minimal": w.Card(children=[]),
    "card_border_number_padding_string": w.Card(
        children=[w.Text(value="x")], border=2, padding="4px", background="surface"
    ),
    "card_status_icon": w.Card(children=[], status=w.WidgetStatusWithIcon(text="Working", icon="sparkle")),
    "list_view": _list_view(limit=5, status=w.WidgetStatusWithIcon(text="Results"), theme="light"),
    "list_view_auto_limit": _list_view(limit="auto"),
    "basic_nested_roots": w.Basic(
        id="basic",
        key="b",
        theme="light",
        direction="col",
        gap="8px",
        padding=4,
        align="stretch",
        justify="evenly",
        children=[
            w.Text(value="Preview"),
            w.Card(children=[w.Badge(label="x")]),
            _list_view(),
            w.Basic(children=[]),
        ],
    ),
    "every_icon": w.Card(children=[w.Icon(name=name) for name in sorted(w.WIDGET_ICONS)]),
}

CHART = w.Chart(
    id="chart",
    key="c",
    data=[{"month": "Jan", "sales": 10, "cost": 4.5}, {"month": "Feb", "sales": 12, "cost": 5}],
    series=[
        w.BarSeries(data_key="sales", label="Sales", stack="a", color="blue"),
        w.AreaSeries(data_key="cost", label="Cost", stack="b", color=RED, curve_type="monotone"),
        w.LineSeries(data_key="sales", label="Trend", color="green", curve_type="step"),
    ],
    x_axis=w.XAxisConfig(data_key="month", hide=False, labels={"Jan": "January"}),
    show_y_axis=True,
    show_legend=False,
    show_tooltip=True,
    bar_gap=2,
    bar_category_gap=4,
    flex=1,
    height=200,
    width="100%",
    size=100,
    min_height=50,
    min_width=50,
    min_size=50,
    max_height=400,
    max_width=800,
    max_size=800,
    aspect_ratio="16/9",
)

EXTENSIONS: dict[str, Any] = {
    "list_view_in_card": w.Card(children=[w.Title(value="Pick one"), _list_view()]),
    "chart": w.Card(children=[CHART, w.Chart(data=[], series=[], x_axis="month")]),
    "action_options": w.Card(
        children=[
            w.Button(
                label="Go",
                on_click_action=w.ActionConfig(
                    type="go", handler="client", loading_behavior="container", streaming=False
                ),
            ),
        ]
    ),
}

EXTENSION_FIELDS: set[tuple[str, str]] = {
    ("ActionConfig", "handler"),
    ("ActionConfig", "loading_behavior"),
    ("ActionConfig", "streaming"),
    *{("Chart", name) for name in w.Chart.model_fields},
    *{
        (cls.__name__, name)
        for cls in (w.BarSeries, w.AreaSeries, w.LineSeries, w.XAxisConfig)
        for name in cls.model_fields
    },
}
"""Props only the `EXTENSIONS` samples use (they are not in the TypeScript types)."""


def literal_values(annotation: Any) -> list[Any]:
    """Every literal value a field annotation allows (through unions and ``Optional``)."""
    origin = get_origin(annotation)
    if origin is Literal:
        return list(get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return [value for arg in get_args(annotation) for value in literal_values(arg)]
    return []


def iter_models(node: Any) -> typing.Iterator[BaseModel]:
    """Every pydantic model inside ``node`` (depth first, ``node`` included)."""
    if isinstance(node, BaseModel):
        yield node
        for name in type(node).model_fields:
            yield from iter_models(getattr(node, name))
    elif isinstance(node, (list, tuple)):
        for item in typing.cast("list[Any]", node):
            yield from iter_models(item)


def component_classes() -> list[type[BaseModel]]:
    """Every class of the `WidgetComponent` union."""
    return list(get_args(get_args(w.WidgetComponent)[0]))


REQUIRED_PROPS: dict[str, dict[str, Any]] = {
    "Text": {"value": "t"},
    "Title": {"value": "t"},
    "Caption": {"value": "t"},
    "Markdown": {"value": "t"},
    "Badge": {"label": "b"},
    "Icon": {"name": "info"},
    "Image": {"src": "https://example.com/i.png"},
    "Select": {"name": "s", "options": []},
    "DatePicker": {"name": "d"},
    "Input": {"name": "i"},
    "Textarea": {"name": "t"},
    "Checkbox": {"name": "c"},
    "RadioGroup": {"name": "r"},
    "Label": {"value": "l", "field_name": "f"},
    "Transition": {"children": {"type": "Spacer"}},
    "Chart": {"data": [], "series": [], "x_axis": "x"},
    "Card": {"children": []},
    "ListView": {"children": []},
    "Basic": {"children": []},
}
"""The required props of each model, with throwaway values."""


def literal_sweep() -> dict[str, Any]:
    """One widget per class that sets every literal-typed prop to each of its allowed values in turn."""
    samples: dict[str, Any] = {}
    for cls in [*component_classes(), w.Card, w.ListView, w.Basic]:
        if cls is w.Chart:
            continue
        variants: list[Any] = []
        for name, field in cls.model_fields.items():
            if name == "type":
                continue
            for value in literal_values(field.annotation):
                ident = f"{cls.__name__}-{name}-{value}"
                props = {**REQUIRED_PROPS.get(cls.__name__, {}), "id": ident, "key": ident, name: value}
                variants.append(cls.model_validate(props))
        if not variants:
            continue
        if cls in (w.Card, w.ListView, w.Basic):
            samples[f"sweep_{cls.__name__}"] = w.Basic(children=variants)
        else:
            samples[f"sweep_{cls.__name__}"] = w.Card(children=variants)
    styles = literal_values(w.Border.model_fields["style"].annotation)
    samples["sweep_Border"] = w.Card(children=[w.Box(border=w.Border(size=1, style=s)) for s in styles])
    return samples
