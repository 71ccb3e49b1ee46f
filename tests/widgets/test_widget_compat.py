"""Our widget JSON is accepted by openai-chatkit's strict widget models wherever those are right.

openai-chatkit (a test-only oracle) lacks Table and rejects a ListView inside a Card; everything else it
must parse into the same JSON we produced, apart from the action defaults it always adds.
"""

from __future__ import annotations

from typing import Any

import pytest
from _widget_samples import CHART, STANDARD, component_classes, literal_sweep
from pydantic import TypeAdapter

from chatkit_agents import widgets as w

chatkit_widgets = pytest.importorskip("chatkit.widgets")

TABLE_TYPES = {"Table", "Table.Row", "Table.Cell"}
ACTION_KEYS = {"onClickAction", "onSubmitAction", "onChangeAction", "action"}
ACTION_DEFAULTS = {"handler": "server", "loadingBehavior": "auto", "streaming": True}


def _without_tables(node: Any) -> Any:
    """``node`` with every Table component removed (openai-chatkit does not know them)."""
    if isinstance(node, list):
        return [
            _without_tables(item)
            for item in node
            if not (isinstance(item, dict) and item.get("type") in TABLE_TYPES)
        ]
    if isinstance(node, dict):
        return {key: _without_tables(value) for key, value in node.items()}
    return node


def _with_action_defaults(node: Any) -> Any:
    """``node`` with the action defaults openai-chatkit writes into every action it dumps."""
    if isinstance(node, list):
        return [_with_action_defaults(item) for item in node]
    if isinstance(node, dict):
        out = {key: _with_action_defaults(value) for key, value in node.items()}
        for key in ACTION_KEYS & out.keys():
            out[key] = {**ACTION_DEFAULTS, **out[key]}
        return out
    return node


SAMPLES = {
    name: widget.model_dump(mode="json")
    for name, widget in {**STANDARD, **literal_sweep(), "chart": w.Card(children=[CHART])}.items()
    if name != "sweep_Basic"  # only Basic roots, which openai-chatkit does not model
}


def _nodes(node: Any) -> list[dict[str, Any]]:
    """Every component/root dict inside ``node``."""
    found: list[dict[str, Any]] = []
    if isinstance(node, list):
        for item in node:
            found += _nodes(item)
    elif isinstance(node, dict):
        if node.get("type") in OURS_BY_TYPE:
            found.append(node)
        for value in node.values():
            found += _nodes(value)
    return found


OURS_BY_TYPE = {
    str(cls.model_fields["type"].default): cls
    for cls in [*component_classes(), w.Card, w.ListView, w.ListViewItem, w.Basic]
}


def _without_none_in_payload(action: dict[str, Any]) -> dict[str, Any]:
    payload = action.get("payload")
    if not isinstance(payload, dict):
        return action
    return {**action, "payload": {k: v for k, v in payload.items() if v is not None}}


def _around_their_gaps(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` without what openai-chatkit gets wrong: it has no Card ``border``, types Image ``size``
    as int or str (no float), and drops ``None`` values inside action payloads."""
    node = dict(node)
    if node["type"] == "Card":
        node.pop("border", None)
    if node["type"] == "Image" and isinstance(node.get("size"), float):
        node.pop("size")
    for key in ACTION_KEYS & node.keys():
        node[key] = _without_none_in_payload(node[key])
    for key in ("confirm", "cancel"):
        if key in node:
            node[key] = {**node[key], "action": _without_none_in_payload(node[key]["action"])}
    return node


def _leaf(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with its children emptied, so one model is checked at a time."""
    children = node.get("children")
    if isinstance(children, list):
        return {**node, "children": []}
    if isinstance(children, dict):
        return {**node, "children": None}
    return node


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_openai_chatkit_parses_every_component_of_our_json_into_the_same_json(name: str) -> None:
    checked = 0
    for node in _nodes(SAMPLES[name]):
        theirs = getattr(chatkit_widgets, node["type"], None)
        if node["type"] in TABLE_TYPES or node["type"] == "Basic" or theirs is None:
            continue  # openai-chatkit has no Table models, and its Basic is schemaless
        leaf = _around_their_gaps(_leaf(node))
        dumped = theirs.model_validate(leaf).model_dump(mode="json")
        if "children" not in leaf and dumped.get("children", ...) is None:
            del dumped["children"]  # openai-chatkit writes ``children: null`` into childless boxes
        assert dumped == _with_action_defaults(leaf)
        checked += 1
    assert checked > 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_list_view_inside_a_card_validates_with_ours_though_not_with_openai_chatkit() -> None:
    list_view = {"type": "ListView", "children": [{"type": "ListViewItem", "children": []}]}
    card = {"type": "Card", "children": [list_view]}
    assert w.load_widget(card).model_dump(mode="json") == card
    with pytest.raises(ValueError, match="ListView"):
        TypeAdapter(chatkit_widgets.StrictWidgetComponent).validate_python(list_view)
