"""Widget models: construction, camelCase serialisation without unset props, and clear validation errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _widget_samples import EXTENSIONS, STANDARD, literal_sweep
from pydantic import BaseModel, ValidationError

from chatkit_agents import widgets as w
from chatkit_agents.types.actions import ActionConfig as ReexportedActionConfig

ALL_SAMPLES: dict[str, BaseModel] = {**STANDARD, **literal_sweep(), **EXTENSIONS}


def test_props_serialise_in_camel_case_with_unset_props_left_out() -> None:
    button = w.Button(label="Buy", on_click_action=w.ActionConfig(type="buy"), icon_start="plus", pill=True)
    assert button.model_dump(mode="json") == {
        "type": "Button",
        "label": "Buy",
        "onClickAction": {"type": "buy"},
        "iconStart": "plus",
        "pill": True,
    }
    assert json.loads(button.model_dump_json()) == button.model_dump(mode="json")


def test_action_config_sends_only_the_options_that_were_set() -> None:
    assert w.ActionConfig(type="x").model_dump(mode="json") == {"type": "x"}
    configured = w.ActionConfig(type="x", handler="client", loading_behavior="self", streaming=False)
    assert configured.model_dump(mode="json") == {
        "type": "x",
        "handler": "client",
        "loadingBehavior": "self",
        "streaming": False,
    }


def test_action_config_is_the_one_the_types_package_exports() -> None:
    assert ReexportedActionConfig is w.ActionConfig


def test_none_in_an_action_payload_is_user_data_and_is_kept() -> None:
    action = w.ActionConfig(type="x", payload={"note": None})
    assert w.Button(on_click_action=action).model_dump(mode="json")["onClickAction"] == {
        "type": "x",
        "payload": {"note": None},
    }


def test_type_stays_in_the_json_whatever_the_dump_options() -> None:
    card = w.Card(children=[w.Divider()])
    expected = {"type": "Card", "children": [{"type": "Divider"}]}
    assert card.model_dump(mode="json", exclude_defaults=True) == expected
    assert card.model_dump(mode="json", exclude_unset=True) == expected
    assert card.model_dump(exclude_none=True) == expected


def test_widgets_nested_in_other_models_still_serialise_by_alias_without_none() -> None:
    class Holder(BaseModel):
        widget: w.WidgetRoot

    holder = Holder(widget=w.Card(children=[w.Text(value="x", max_lines=2)]))
    assert holder.model_dump(mode="json") == {
        "widget": {"type": "Card", "children": [{"type": "Text", "value": "x", "maxLines": 2}]}
    }


@pytest.mark.parametrize("name", sorted(ALL_SAMPLES))
def test_every_sample_round_trips_through_json(name: str) -> None:
    widget = ALL_SAMPLES[name]
    dumped = widget.model_dump(mode="json")
    assert w.load_widget(dumped) == widget
    assert w.load_widget(json.dumps(dumped)) == widget
    assert w.load_widget(widget.model_dump_json()).model_dump(mode="json") == dumped


def test_snake_case_and_camel_case_props_both_validate() -> None:
    camel = w.load_widget(
        {"type": "Card", "asForm": True, "children": [{"type": "Label", "value": "v", "fieldName": "f"}]}
    )
    snake = w.load_widget(
        {"type": "Card", "as_form": True, "children": [{"type": "Label", "value": "v", "field_name": "f"}]}
    )
    assert camel == snake
    assert isinstance(camel, w.Card)
    assert camel.as_form is True


def test_a_list_view_inside_a_card_validates() -> None:
    card = w.load_widget(
        {
            "type": "Card",
            "children": [
                {"type": "Title", "value": "Results"},
                {
                    "type": "ListView",
                    "children": [{"type": "ListViewItem", "children": [{"type": "Text", "value": "a"}]}],
                },
            ],
        }
    )
    assert isinstance(card, w.Card)
    assert isinstance(card.children[1], w.ListView)


def test_basic_accepts_other_roots_as_children() -> None:
    basic = w.load_widget(
        {
            "type": "Basic",
            "children": [{"type": "Card", "children": []}, {"type": "ListView", "children": []}],
        }
    )
    assert isinstance(basic, w.Basic)
    assert [type(child) for child in basic.children] == [w.Card, w.ListView]


def _error_text(data: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        w.load_widget(data)
    return str(caught.value)


def test_an_unknown_component_type_names_the_tag_and_the_allowed_ones() -> None:
    text = _error_text({"type": "Card", "children": [{"type": "Carousel"}]})
    assert "1 validation error for WidgetRoot" in text
    assert "Card.children.0" in text
    assert "Input tag 'Carousel' found using 'type' does not match any of the expected tags" in text
    assert "'Markdown'" in text


def test_a_component_without_type_is_rejected() -> None:
    assert "Unable to extract tag using discriminator 'type'" in _error_text(
        {"type": "Card", "children": [{"value": "x"}]}
    )


def test_a_component_is_not_a_root() -> None:
    text = _error_text({"type": "Text", "value": "x"})
    assert "expected tags: 'Card', 'ListView', 'Basic'" in text


@pytest.mark.parametrize(
    ("component", "where", "message"),
    [
        ({"type": "Text", "value": 5}, "Card.children.0.Text.value", "Input should be a valid string"),
        (
            {"type": "Button", "disabled": "yes"},
            "Card.children.0.Button.disabled",
            "Input should be a valid boolean",
        ),
        (
            {"type": "Button", "disabled": 1},
            "Card.children.0.Button.disabled",
            "Input should be a valid boolean",
        ),
        (
            {"type": "Badge", "label": "b", "color": "purple"},
            "Card.children.0.Badge.color",
            "Input should be 'secondary'",
        ),
        (
            {"type": "Image", "src": "a", "height": True},
            "Card.children.0.Image.height",
            "Input should be a valid",
        ),
        (
            {"type": "Select", "name": "s", "options": "a,b"},
            "Card.children.0.Select.options",
            "Input should be a valid list",
        ),
        (
            {"type": "Button", "onClickAction": {"type": "x", "payload": "s"}},
            "onClickAction.payload",
            "valid dictionary",
        ),
        (
            {"type": "Button", "onClickAction": {"type": "x", "handler": "browser"}},
            "onClickAction.handler",
            "'client' or 'server'",
        ),
        (
            {"type": "Text", "value": "x", "colour": "red"},
            "Card.children.0.Text.colour",
            "Extra inputs are not permitted",
        ),
        ({"type": "Input"}, "Card.children.0.Input.name", "Field required"),
    ],
)
def test_wrong_prop_types_are_rejected_with_the_path_of_the_prop(
    component: dict[str, Any], where: str, message: str
) -> None:
    text = _error_text({"type": "Card", "children": [component]})
    assert where in text
    assert message in text


@pytest.mark.parametrize(
    ("name", "widget"),
    [
        ("image flex", {"type": "Card", "children": [{"type": "Image", "src": "a", "flex": 1}]}),
        (
            "image background",
            {"type": "Card", "children": [{"type": "Image", "src": "a", "background": "red"}]},
        ),
        (
            "select searchable",
            {
                "type": "Card",
                "children": [{"type": "Select", "name": "s", "options": [], "searchable": True}],
            },
        ),
        (
            "select option disabled",
            {
                "type": "Card",
                "children": [
                    {
                        "type": "Select",
                        "name": "s",
                        "options": [{"value": "a", "label": "A", "disabled": True}],
                    }
                ],
            },
        ),
        (
            "select option description",
            {
                "type": "Card",
                "children": [
                    {
                        "type": "Select",
                        "name": "s",
                        "options": [{"value": "a", "label": "A", "description": "d"}],
                    }
                ],
            },
        ),
        ("list view item in card", {"type": "Card", "children": [{"type": "ListViewItem", "children": []}]}),
        (
            "list view item in box",
            {
                "type": "Card",
                "children": [{"type": "Box", "children": [{"type": "ListViewItem", "children": []}]}],
            },
        ),
        ("list view item as root", {"type": "ListViewItem", "children": []}),
        ("basic without children", {"type": "Basic"}),
        ("transition without children", {"type": "Card", "children": [{"type": "Transition"}]}),
        (
            "transition with null children",
            {"type": "Card", "children": [{"type": "Transition", "children": None}]},
        ),
        (
            "transition with a list",
            {"type": "Card", "children": [{"type": "Transition", "children": [{"type": "Spacer"}]}]},
        ),
        ("clock icon", {"type": "Card", "children": [{"type": "Icon", "name": "clock"}]}),
        ("lucide icon", {"type": "Card", "children": [{"type": "Icon", "name": "lucide:house"}]}),
        ("vendor icon", {"type": "Card", "children": [{"type": "Button", "iconStart": "vendor:logo"}]}),
        ("status clock icon", {"type": "Card", "children": [], "status": {"text": "t", "icon": "clock"}}),
        ("card without children", {"type": "Card"}),
        (
            "list view with a plain component",
            {"type": "ListView", "children": [{"type": "Text", "value": "x"}]},
        ),
        (
            "table row with a component",
            {"type": "Card", "children": [{"type": "Table", "children": [{"type": "Text", "value": "x"}]}]},
        ),
    ],
)
def test_what_the_web_component_types_forbid_is_rejected(name: str, widget: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        w.load_widget(widget)


def test_table_rows_and_cells_validate() -> None:
    table = w.load_widget(
        {
            "type": "Card",
            "children": [
                {
                    "type": "Table",
                    "children": [
                        {
                            "type": "Table.Row",
                            "header": True,
                            "children": [
                                {
                                    "type": "Table.Cell",
                                    "colSpan": 2,
                                    "children": [{"type": "Text", "value": "h"}],
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    )
    assert isinstance(table, w.Card)
    first = table.children[0]
    assert isinstance(first, w.Table)
    assert first.children is not None
    assert first.children[0].children is not None
    assert first.children[0].children[0].col_span == 2


def test_every_widget_icon_is_accepted() -> None:
    assert len(w.WIDGET_ICONS) == 63
    for name in w.WIDGET_ICONS:
        assert w.Icon.model_validate({"type": "Icon", "name": name}).name == name


def test_the_component_adapter_validates_single_components() -> None:
    assert w.WIDGET_COMPONENT_ADAPTER.validate_python({"type": "Spacer"}) == w.Spacer()
    with pytest.raises(ValidationError, match="1 validation error for WidgetComponent"):
        w.WIDGET_COMPONENT_ADAPTER.validate_python({"type": "Card", "children": []})
