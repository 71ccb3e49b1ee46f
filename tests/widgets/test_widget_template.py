"""Loading widget JSON and Widget Builder ``.widget`` definitions into typed widgets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from chatkit_agents import widgets as w
from chatkit_agents.errors import ConfigurationError, WidgetTemplateError

TEMPLATE = (
    '{"type":"Card","size":"md","children":['
    '{"type":"Row","children":[{"type":"Text","value":{{ (channel) | tojson }}},{"type":"Spacer"},'
    '{"type":"Text","value":{{ (time) | tojson }},"color":"tertiary"}]},'
    '{"type":"Divider","flush":true},'
    '{"type":"Row","align":"start","gap":4,"children":['
    '{"type":"Image","src":{{ (user.image) | tojson }},"size":44},'
    '{"type":"Col","children":[{"type":"Text","value":{{ (user.name) | tojson }},"weight":"semibold"}]}]},'
    '{% for tag in tags %}{"type":"Badge","label":{{ tag | tojson }}},{% endfor %}'
    '{"type":"Button","label":"Reply",'
    '"onClickAction":{"type":"reply","payload":{"channel":{{ channel | tojson }}}}}'
    "]}"
)

PREVIEW: dict[str, Any] = {
    "type": "Card",
    "size": "md",
    "children": [{"type": "Text", "value": "#general"}, {"type": "Divider", "flush": True}],
}


def _definition(**overrides: Any) -> dict[str, Any]:
    return {
        "version": "1.0",
        "name": "Channel message",
        "template": TEMPLATE,
        "jsonSchema": {"type": "object", "properties": {"channel": {"type": "string"}}},
        "outputJsonPreview": PREVIEW,
        **overrides,
    }


DATA = {
    "channel": '#proj "chatkit"',
    "time": "4:48 PM",
    "user": {"image": "/zj.png", "name": "Zach"},
    "tags": ["a", "b"],
}


def test_a_widget_file_renders_into_a_typed_widget(tmp_path: Path) -> None:
    path = tmp_path / "message.widget"
    path.write_text(json.dumps(_definition()), encoding="utf-8")
    template = w.WidgetTemplate.from_file(path)
    widget = template.build(DATA)
    assert template.name == "Channel message"
    assert template.json_schema["properties"] == {"channel": {"type": "string"}}
    assert isinstance(widget, w.Card)
    assert widget.model_dump(mode="json")["children"][0]["children"][0] == {
        "type": "Text",
        "value": '#proj "chatkit"',
    }
    assert [child.label for child in widget.children if isinstance(child, w.Badge)] == ["a", "b"]
    button = widget.children[-1]
    assert isinstance(button, w.Button)
    assert button.on_click_action == w.ActionConfig(type="reply", payload={"channel": '#proj "chatkit"'})


def test_template_data_may_be_a_pydantic_model() -> None:
    class User(BaseModel):
        image: str
        name: str

    class Message(BaseModel):
        channel: str
        time: str
        user: User
        tags: list[str]

    template = w.WidgetTemplate(_definition())
    assert template.build(Message.model_validate(DATA)) == template.build(DATA)


def test_the_builder_preview_loads_as_a_typed_widget() -> None:
    preview = w.WidgetTemplate(_definition()).preview()
    assert preview.model_dump(mode="json") == PREVIEW


def test_missing_template_data_is_a_template_error() -> None:
    with pytest.raises(WidgetTemplateError, match="'time' is undefined"):
        w.WidgetTemplate(_definition()).build({"channel": "x"})


def test_a_template_rendering_an_invalid_widget_is_a_template_error_with_the_validation_details() -> None:
    bad = _definition(template='{"type":"Card","children":[{"type":"Icon","name":{{ icon | tojson }}}]}')
    with pytest.raises(
        WidgetTemplateError, match=r"rendered an invalid widget:(.|\n)*Card\.children\.0\.Icon\.name"
    ) as caught:
        w.WidgetTemplate(bad).build({"icon": "clock"})
    assert isinstance(caught.value.__cause__, ValidationError)


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (_definition(version="2.0"), "unsupported .widget version '2.0'"),
        ({"name": "x", "template": "{}"}, "unsupported .widget version None"),
        (_definition(template=None), "needs a 'template' string"),
    ],
)
def test_malformed_definitions_are_rejected(definition: dict[str, Any], message: str) -> None:
    with pytest.raises(WidgetTemplateError, match=message):
        w.WidgetTemplate(definition)


def test_a_file_that_is_not_json_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.widget"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(WidgetTemplateError, match="is not valid JSON"):
        w.WidgetTemplate.from_file(path)
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(WidgetTemplateError, match="must contain a JSON object"):
        w.WidgetTemplate.from_file(path)


def test_a_definition_without_preview_says_so() -> None:
    definition = _definition()
    del definition["outputJsonPreview"]
    with pytest.raises(WidgetTemplateError, match="no 'outputJsonPreview'"):
        w.WidgetTemplate(definition).preview()


def test_rendering_without_jinja2_asks_for_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(ConfigurationError, match=r"chatkit-agents\[templates\]"):
        w.WidgetTemplate(_definition()).build(DATA)


def test_load_widget_accepts_a_dict_json_text_or_bytes() -> None:
    from_dict = w.load_widget(PREVIEW)
    assert w.load_widget(json.dumps(PREVIEW)) == from_dict
    assert w.load_widget(json.dumps(PREVIEW).encode()) == from_dict
    assert isinstance(from_dict, w.Card)
