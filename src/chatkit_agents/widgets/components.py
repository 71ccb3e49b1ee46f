"""Every widget component and root, one model each, following the web component's ``widgets.d.ts``.

Deliberate extensions beyond those TypeScript types (everything else type-checks against them):
``ListView`` as a child of ``Card`` (Widget Builder emits it), ``Chart`` (rendered by ChatKit and offered
by Widget Builder, absent from the published types) and the extra `ActionConfig` options.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, TypeAdapter

from chatkit_agents.widgets._base import (
    Alignment,
    Border,
    Borders,
    CaptionSize,
    ControlSize,
    ControlVariant,
    Direction,
    FontWeight,
    GutterSize,
    IconSize,
    Justification,
    Number,
    RadiusValue,
    Size,
    Spacing,
    TextAlign,
    TextSize,
    Theme,
    ThemeColor,
    TitleSize,
    WidgetModel,
    WidgetStatus,
)
from chatkit_agents.widgets.actions import ActionConfig
from chatkit_agents.widgets.icons import WidgetIcon

# --- shared prop groups -------------------------------------------------------------------------------


class _Identified(WidgetModel):
    """``key`` (React reconciliation) and ``id`` (target of streaming updates) carried by every component."""

    key: str | None = None
    id: str | None = None


class _BlockProps(WidgetModel):
    """Sizing props of block-level components."""

    height: Size | None = None
    width: Size | None = None
    size: Size | None = None
    min_height: Size | None = None
    min_width: Size | None = None
    min_size: Size | None = None
    max_height: Size | None = None
    max_width: Size | None = None
    max_size: Size | None = None
    aspect_ratio: Size | None = None
    radius: RadiusValue | None = None
    margin: Size | Spacing | None = None


class _BoxProps(_BlockProps):
    """Flex-box props shared by Box, Row, Col and Form."""

    children: list[WidgetComponent] | None = None
    align: Alignment | None = None
    justify: Justification | None = None
    wrap: Literal["nowrap", "wrap", "wrap-reverse"] | None = None
    flex: Size | None = None
    gap: Size | None = None
    padding: Size | Spacing | None = None
    border: Number | Border | Borders | None = None
    background: str | ThemeColor | None = None


class _TextProps(WidgetModel):
    """Props shared by Title, Caption and Text."""

    value: str
    color: str | ThemeColor | None = None
    weight: FontWeight | None = None
    text_align: TextAlign | None = None
    truncate: bool | None = None
    max_lines: int | None = None


# --- roots --------------------------------------------------------------------------------------------


class CardAction(WidgetModel):
    """A confirm or cancel button in a Card's footer."""

    label: str
    action: ActionConfig


class Card(_Identified):
    """The usual widget root: a bordered container, optionally a form with confirm/cancel buttons."""

    type: Literal["Card"] = "Card"
    as_form: bool | None = None
    children: list[CardChild]
    background: str | ThemeColor | None = None
    border: Number | Border | Borders | None = None
    size: Literal["sm", "md", "lg", "full"] | None = None
    padding: Size | Spacing | None = None
    status: WidgetStatus | None = None
    collapsed: bool | None = None
    confirm: CardAction | None = None
    cancel: CardAction | None = None
    theme: Theme | None = None


class ListViewItem(_Identified):
    """One row of a ListView; valid only as a direct child of a ListView."""

    type: Literal["ListViewItem"] = "ListViewItem"
    children: list[WidgetComponent]
    on_click_action: ActionConfig | None = None
    gap: Size | None = None
    align: Alignment | None = None


class ListView(_Identified):
    """A widget root (or Card child) listing clickable rows, with an optional "show more" limit."""

    type: Literal["ListView"] = "ListView"
    children: list[ListViewItem]
    limit: int | Literal["auto"] | None = None
    status: WidgetStatus | None = None
    theme: Theme | None = None


class Basic(_Identified):
    """A frameless root laying out components or other roots (used e.g. for entity previews)."""

    type: Literal["Basic"] = "Basic"
    children: list[WidgetComponent | WidgetRoot]
    theme: Theme | None = None
    direction: Direction | None = None
    gap: Size | None = None
    padding: Size | Spacing | None = None
    align: Alignment | None = None
    justify: Justification | None = None


BasicRoot = Basic
"""The name the web component's types use for `Basic`."""

# --- layout -------------------------------------------------------------------------------------------


class Box(_BoxProps, _Identified):
    """A flex container; ``direction`` picks row or column."""

    type: Literal["Box"] = "Box"
    direction: Direction | None = None


class Row(_BoxProps, _Identified):
    """A horizontal flex container."""

    type: Literal["Row"] = "Row"


class Col(_BoxProps, _Identified):
    """A vertical flex container."""

    type: Literal["Col"] = "Col"


class Form(_BoxProps, _Identified):
    """A flex container whose submit buttons send ``on_submit_action`` with the form's field values."""

    type: Literal["Form"] = "Form"
    on_submit_action: ActionConfig | None = None
    direction: Direction | None = None


class Spacer(_Identified):
    """Flexible empty space pushing siblings apart."""

    type: Literal["Spacer"] = "Spacer"
    min_size: Size | None = None


class Divider(_Identified):
    """A horizontal rule."""

    type: Literal["Divider"] = "Divider"
    color: str | ThemeColor | None = None
    size: Size | None = None
    spacing: Size | None = None
    flush: bool | None = None


class Transition(_Identified):
    """Animates layout changes of its single child (give the child a new ``key`` to swap it)."""

    type: Literal["Transition"] = "Transition"
    children: WidgetComponent


# --- text ---------------------------------------------------------------------------------------------


class Title(_TextProps, _Identified):
    """A heading."""

    type: Literal["Title"] = "Title"
    size: TitleSize | None = None


class Caption(_TextProps, _Identified):
    """Small secondary text."""

    type: Literal["Caption"] = "Caption"
    size: CaptionSize | None = None


class EditableProps(WidgetModel):
    """Makes a Text editable inline; its value is submitted under ``name``."""

    name: str
    auto_focus: bool | None = None
    auto_select: bool | None = None
    auto_complete: str | None = None
    allow_autofill_extensions: bool | None = None
    pattern: str | None = None
    placeholder: str | None = None
    required: bool | None = None


class Text(_TextProps, _Identified):
    """Plain text; with an ``id`` its value can be streamed (``streaming=True`` while it grows)."""

    type: Literal["Text"] = "Text"
    streaming: bool | None = None
    italic: bool | None = None
    line_through: bool | None = None
    width: Size | None = None
    size: TextSize | None = None
    min_lines: int | None = None
    editable: Literal[False] | EditableProps | None = None


class Markdown(_Identified):
    """Markdown text; with an ``id`` its value can be streamed (``streaming=True`` while it grows)."""

    type: Literal["Markdown"] = "Markdown"
    value: str
    streaming: bool | None = None


# --- content ------------------------------------------------------------------------------------------


class Badge(_Identified):
    """A small coloured label."""

    type: Literal["Badge"] = "Badge"
    label: str
    color: Literal["secondary", "success", "danger", "warning", "info", "discovery"] | None = None
    variant: Literal["solid", "soft", "outline"] | None = None
    size: Literal["sm", "md", "lg"] | None = None
    pill: bool | None = None


class Icon(_Identified):
    """A built-in icon."""

    type: Literal["Icon"] = "Icon"
    name: WidgetIcon
    color: str | ThemeColor | None = None
    size: IconSize | None = None


class Image(_BlockProps, _Identified):
    """An image from a URL."""

    type: Literal["Image"] = "Image"
    src: str
    alt: str | None = None
    frame: bool | None = None
    fit: Literal["cover", "contain", "fill", "scale-down", "none"] | None = None
    position: (
        Literal[
            "top left",
            "top",
            "top right",
            "left",
            "center",
            "right",
            "bottom left",
            "bottom",
            "bottom right",
        ]
        | None
    ) = None
    flush: bool | None = None


class Button(_Identified):
    """A button sending ``on_click_action`` (or submitting its form when ``submit``)."""

    type: Literal["Button"] = "Button"
    submit: bool | None = None
    label: str | None = None
    on_click_action: ActionConfig | None = None
    icon_start: WidgetIcon | None = None
    icon_end: WidgetIcon | None = None
    style: Literal["primary", "secondary"] | None = None
    icon_size: Literal["sm", "md", "lg", "xl", "2xl"] | None = None
    color: (
        Literal["primary", "secondary", "info", "discovery", "success", "caution", "warning", "danger"] | None
    ) = None
    variant: ControlVariant | None = None
    size: ControlSize | None = None
    pill: bool | None = None
    uniform: bool | None = None
    block: bool | None = None
    disabled: bool | None = None


TableAlign = Literal["start", "center", "end"]


class TableCell(_Identified):
    """One cell of a table row (wire type ``Table.Cell``)."""

    type: Literal["Table.Cell"] = "Table.Cell"
    children: list[WidgetComponent] | None = None
    width: Size | None = None
    padding: Spacing | None = None
    col_span: int | None = None
    row_span: int | None = None
    align: TableAlign | None = None
    v_align: TableAlign | None = None
    col_size: Literal["xs", "sm", "md", "lg", "xl"] | None = None


class TableRow(_Identified):
    """One row of a table (wire type ``Table.Row``); ``header`` renders it as the header row."""

    type: Literal["Table.Row"] = "Table.Row"
    children: list[TableCell] | None = None
    header: bool | None = None


class Table(_Identified):
    """A table made of `TableRow` children."""

    type: Literal["Table"] = "Table"
    children: list[TableRow] | None = None


# --- chart (extension) --------------------------------------------------------------------------------

CurveType = Literal[
    "basis",
    "basisClosed",
    "basisOpen",
    "bumpX",
    "bumpY",
    "bump",
    "linear",
    "linearClosed",
    "natural",
    "monotoneX",
    "monotoneY",
    "monotone",
    "step",
    "stepBefore",
    "stepAfter",
]


class BarSeries(WidgetModel):
    """Bars for the numeric column ``data_key``; series sharing a ``stack`` id stack up."""

    type: Literal["bar"] = "bar"
    data_key: str
    label: str | None = None
    stack: str | None = None
    color: str | ThemeColor | None = None


class AreaSeries(WidgetModel):
    """A filled area for the numeric column ``data_key``; stackable, with a curve type."""

    type: Literal["area"] = "area"
    data_key: str
    label: str | None = None
    stack: str | None = None
    color: str | ThemeColor | None = None
    curve_type: CurveType | None = None


class LineSeries(WidgetModel):
    """A line for the numeric column ``data_key``, with a curve type."""

    type: Literal["line"] = "line"
    data_key: str
    label: str | None = None
    color: str | ThemeColor | None = None
    curve_type: CurveType | None = None


Series = Annotated[BarSeries | AreaSeries | LineSeries, Field(discriminator="type")]
"""One series of a Chart."""


class XAxisConfig(WidgetModel):
    """The x axis of a Chart: which column holds the categories, and optional tick labels."""

    data_key: str
    hide: bool | None = None
    labels: dict[str, str] | None = None


class Chart(_Identified):
    """A bar/area/line chart over ``data`` rows (an extension: not in the published TypeScript types)."""

    type: Literal["Chart"] = "Chart"
    data: list[dict[str, str | int | float]]
    series: list[Series]
    x_axis: str | XAxisConfig
    show_y_axis: bool | None = None
    show_legend: bool | None = None
    show_tooltip: bool | None = None
    bar_gap: int | None = None
    bar_category_gap: int | None = None
    flex: Size | None = None
    height: Size | None = None
    width: Size | None = None
    size: Size | None = None
    min_height: Size | None = None
    min_width: Size | None = None
    min_size: Size | None = None
    max_height: Size | None = None
    max_width: Size | None = None
    max_size: Size | None = None
    aspect_ratio: Size | None = None


# --- form controls ------------------------------------------------------------------------------------


class Input(_Identified):
    """A single-line text field submitted under ``name``."""

    type: Literal["Input"] = "Input"
    name: str
    input_type: Literal["number", "email", "text", "password", "tel", "url"] | None = None
    default_value: str | None = None
    required: bool | None = None
    pattern: str | None = None
    placeholder: str | None = None
    allow_autofill_extensions: bool | None = None
    auto_select: bool | None = None
    auto_focus: bool | None = None
    disabled: bool | None = None
    variant: Literal["soft", "outline"] | None = None
    size: ControlSize | None = None
    gutter_size: GutterSize | None = None
    pill: bool | None = None


class Textarea(_Identified):
    """A multi-line text field submitted under ``name``."""

    type: Literal["Textarea"] = "Textarea"
    name: str
    default_value: str | None = None
    required: bool | None = None
    pattern: str | None = None
    placeholder: str | None = None
    auto_select: bool | None = None
    auto_focus: bool | None = None
    disabled: bool | None = None
    variant: Literal["soft", "outline"] | None = None
    size: ControlSize | None = None
    gutter_size: GutterSize | None = None
    rows: int | None = None
    auto_resize: bool | None = None
    max_rows: int | None = None
    allow_autofill_extensions: bool | None = None


class SelectOption(WidgetModel):
    """One choice of a Select."""

    value: str
    label: str


class Select(_Identified):
    """A dropdown submitted under ``name``."""

    type: Literal["Select"] = "Select"
    name: str
    options: list[SelectOption]
    on_change_action: ActionConfig | None = None
    placeholder: str | None = None
    default_value: str | None = None
    variant: ControlVariant | None = None
    size: ControlSize | None = None
    pill: bool | None = None
    block: bool | None = None
    clearable: bool | None = None
    disabled: bool | None = None


class DatePicker(_Identified):
    """A date field submitted under ``name``; ``default_value``/``min``/``max`` are ISO datetimes."""

    type: Literal["DatePicker"] = "DatePicker"
    name: str
    on_change_action: ActionConfig | None = None
    placeholder: str | None = None
    default_value: str | None = None
    min: str | None = None
    max: str | None = None
    variant: ControlVariant | None = None
    size: ControlSize | None = None
    side: Literal["top", "bottom", "left", "right"] | None = None
    align: Literal["start", "center", "end"] | None = None
    pill: bool | None = None
    block: bool | None = None
    clearable: bool | None = None
    disabled: bool | None = None


class Checkbox(_Identified):
    """A checkbox submitted under ``name``."""

    type: Literal["Checkbox"] = "Checkbox"
    name: str
    label: str | None = None
    default_checked: bool | None = None
    on_change_action: ActionConfig | None = None
    disabled: bool | None = None
    required: bool | None = None


class RadioOption(WidgetModel):
    """One choice of a RadioGroup."""

    label: str
    value: str
    disabled: bool | None = None


class RadioGroup(_Identified):
    """Radio buttons submitted under ``name``."""

    type: Literal["RadioGroup"] = "RadioGroup"
    name: str
    options: list[RadioOption] | None = None
    aria_label: str | None = None
    on_change_action: ActionConfig | None = None
    default_value: str | None = None
    direction: Direction | None = None
    disabled: bool | None = None
    required: bool | None = None


class Label(_Identified):
    """A label for the form field named ``field_name``."""

    type: Literal["Label"] = "Label"
    value: str
    field_name: str
    size: TextSize | None = None
    weight: FontWeight | None = None
    text_align: TextAlign | None = None
    color: str | ThemeColor | None = None


# --- unions -------------------------------------------------------------------------------------------

_ChildComponent = (
    Text
    | Title
    | Caption
    | Badge
    | Markdown
    | Box
    | Row
    | Col
    | Divider
    | Icon
    | Image
    | Button
    | Checkbox
    | Spacer
    | Select
    | DatePicker
    | Form
    | Input
    | Label
    | RadioGroup
    | Table
    | TableRow
    | TableCell
    | Textarea
    | Transition
    | Chart
)

WidgetComponent = Annotated[_ChildComponent, Field(discriminator="type")]
"""Any component that may appear as a child (roots and ListViewItem excluded), chosen by ``type``."""

CardChild = Annotated[_ChildComponent | ListView, Field(discriminator="type")]
"""A child of a Card: any `WidgetComponent`, or a ListView (the Widget Builder extension)."""

WidgetRoot = Annotated[Card | ListView | Basic, Field(discriminator="type")]
"""A whole widget, as carried by a ``WidgetItem``: a Card, a ListView or a Basic root."""

AnyWidget = Card | ListView | ListViewItem | Basic | WidgetComponent
"""Any widget node (root or component), for code that walks a widget tree."""

for _model in (
    _BoxProps,
    Card,
    ListViewItem,
    ListView,
    Basic,
    Box,
    Row,
    Col,
    Form,
    Transition,
    TableCell,
    TableRow,
    Table,
):
    _model.model_rebuild()

WIDGET_ROOT_ADAPTER: TypeAdapter[WidgetRoot] = TypeAdapter(WidgetRoot, config=ConfigDict(title="WidgetRoot"))
"""Validates a widget root from a dict (``validate_python``) or JSON text (``validate_json``)."""

WIDGET_COMPONENT_ADAPTER: TypeAdapter[WidgetComponent] = TypeAdapter(
    WidgetComponent, config=ConfigDict(title="WidgetComponent")
)
"""Validates a single (non-root) component."""
