"""Streaming widgets: `diff_widget` updates, `widget_events` item lifecycles and `accumulate_text`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import pytest
from agents.testing import ScriptedModel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inline_snapshot import snapshot
from pydantic import BaseModel, TypeAdapter

from agents import Agent, Runner, set_tracing_disabled
from chatkit_agents import widgets as w
from chatkit_agents.agents.widgets import accumulate_text, diff_widget, widget_events
from chatkit_agents.errors import EmptyWidgetStreamError
from chatkit_agents.testing.responses import ResponseStream
from chatkit_agents.types import ThreadStreamEvent

set_tracing_disabled(True)

CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _json(models: list[Any]) -> list[dict[str, Any]]:
    return [model.model_dump(mode="json", exclude_none=True) for model in models]


def _apply(widget: BaseModel, updates: list[Any]) -> BaseModel:
    """What a client does with the updates: a reference implementation for the round-trip check."""
    state = widget.model_copy(deep=True)
    for update in updates:
        if update.type == "widget.root.updated":
            state = update.widget.model_copy(deep=True)
        elif update.type == "widget.component.updated":
            assert _replace(state, update.component_id, update.component.model_copy(deep=True))
        else:
            node = _find(state, update.component_id)
            assert node is not None
            node.value += update.delta
            node.streaming = None if update.done else True
    return state


def _nodes(node: BaseModel) -> list[BaseModel]:
    children = getattr(node, "children", None)
    if isinstance(children, BaseModel):
        children = [children]
    return [node] + [n for child in children or [] for n in _nodes(child)]


def _find(root: BaseModel, component_id: str) -> Any:
    return next((node for node in _nodes(root) if getattr(node, "id", None) == component_id), None)


def _replace(node: BaseModel, component_id: str, component: BaseModel) -> bool:
    children = getattr(node, "children", None)
    if isinstance(children, BaseModel):
        if children.id == component_id:  # type: ignore[attr-defined]
            node.children = component  # type: ignore[attr-defined]
            return True
        return _replace(children, component_id, component)
    for index, child in enumerate(children or []):
        if getattr(child, "id", None) == component_id:
            children[index] = component
            return True
        if _replace(child, component_id, component):
            return True
    return False


def _normalised(widget: BaseModel) -> dict[str, Any]:
    """JSON of ``widget`` with ``streaming: false`` left out (the protocol cannot tell it from unset)."""

    def strip(node: Any) -> Any:
        if isinstance(node, list):
            return [strip(item) for item in node]
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if not (k == "streaming" and v is False)}
        return node

    return strip(widget.model_dump(mode="json"))


def _check(old: Any, new: Any) -> list[dict[str, Any]]:
    """The updates from ``old`` to ``new`` as JSON, after checking that applying them gives ``new``."""
    updates = diff_widget(old, new)
    assert _normalised(_apply(old, updates)) == _normalised(new)
    return _json(updates)


def card(*children: Any, **props: Any) -> w.Card:
    return w.Card(children=list(children), **props)


# --- diff_widget --------------------------------------------------------------------------------------


def test_equal_states_need_no_update() -> None:
    assert _check(card(w.Text(id="t", value="a")), card(w.Text(id="t", value="a"))) == []


def test_appended_text_with_an_id_becomes_a_text_delta() -> None:
    old = card(w.Title(value="Answer"), w.Markdown(id="md", value="Hel", streaming=True))
    new = card(w.Title(value="Answer"), w.Markdown(id="md", value="Hello", streaming=True))
    assert _check(old, new) == snapshot(
        [{"type": "widget.streaming_text.value_delta", "component_id": "md", "delta": "lo", "done": False}]
    )


def test_text_that_stops_streaming_sends_an_empty_final_delta() -> None:
    old = card(w.Text(id="t", value="Hello", streaming=True))
    new = card(w.Text(id="t", value="Hello", streaming=False))
    assert _check(old, new) == snapshot(
        [{"type": "widget.streaming_text.value_delta", "component_id": "t", "delta": "", "done": True}]
    )


def test_several_growing_texts_give_one_delta_each_in_document_order() -> None:
    old = card(
        w.Row(children=[w.Text(id="a", value="1"), w.Text(id="b", value="x")]), w.Markdown(id="c", value="")
    )
    new = card(
        w.Row(children=[w.Text(id="a", value="12"), w.Text(id="b", value="x")]), w.Markdown(id="c", value="z")
    )
    assert _check(old, new) == snapshot(
        [
            {"type": "widget.streaming_text.value_delta", "component_id": "a", "delta": "2", "done": True},
            {"type": "widget.streaming_text.value_delta", "component_id": "c", "delta": "z", "done": True},
        ]
    )


def test_text_inside_a_transition_streams_as_a_delta() -> None:
    old = card(w.Transition(children=w.Text(id="t", value="a", streaming=True)))
    new = card(w.Transition(children=w.Text(id="t", value="ab", streaming=True)))
    assert _check(old, new) == snapshot(
        [{"type": "widget.streaming_text.value_delta", "component_id": "t", "delta": "b", "done": False}]
    )


def test_text_inside_a_list_view_item_streams_as_a_delta() -> None:
    def view(value: str) -> w.ListView:
        return w.ListView(children=[w.ListViewItem(children=[w.Text(id="t", value=value)])])

    assert _check(view("a"), view("ab")) == snapshot(
        [{"type": "widget.streaming_text.value_delta", "component_id": "t", "delta": "b", "done": True}]
    )


def test_rewritten_text_with_an_id_replaces_that_component() -> None:
    old = card(w.Text(id="t", value="Hello"))
    new = card(w.Text(id="t", value="Goodbye"))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.component.updated",
                "component_id": "t",
                "component": {"type": "Text", "id": "t", "value": "Goodbye"},
            }
        ]
    )


def test_growing_text_whose_other_props_change_replaces_the_component() -> None:
    old = card(w.Text(id="t", value="a"))
    new = card(w.Text(id="t", value="ab", color="secondary"))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.component.updated",
                "component_id": "t",
                "component": {"type": "Text", "id": "t", "value": "ab", "color": "secondary"},
            }
        ]
    )


def test_a_changed_prop_of_an_identified_component_replaces_it() -> None:
    old = card(w.Badge(id="status", label="Pending", color="warning"), w.Text(value="static"))
    new = card(w.Badge(id="status", label="Done", color="success"), w.Text(value="static"))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.component.updated",
                "component_id": "status",
                "component": {"type": "Badge", "id": "status", "label": "Done", "color": "success"},
            }
        ]
    )


def test_a_change_without_id_replaces_the_nearest_identified_container() -> None:
    old = card(w.Col(id="details", children=[w.Badge(label="a"), w.Spacer()]))
    new = card(w.Col(id="details", children=[w.Badge(label="b"), w.Spacer()]))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.component.updated",
                "component_id": "details",
                "component": {
                    "type": "Col",
                    "id": "details",
                    "children": [{"type": "Badge", "label": "b"}, {"type": "Spacer"}],
                },
            }
        ]
    )


def test_a_child_added_to_an_identified_container_replaces_the_container() -> None:
    old = card(w.Col(id="list", children=[w.Text(value="1")]))
    new = card(w.Col(id="list", children=[w.Text(value="1"), w.Text(value="2")]))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.component.updated",
                "component_id": "list",
                "component": {
                    "type": "Col",
                    "id": "list",
                    "children": [{"type": "Text", "value": "1"}, {"type": "Text", "value": "2"}],
                },
            }
        ]
    )


def test_text_without_id_replaces_the_whole_widget() -> None:
    old = card(w.Text(value="Hel"))
    new = card(w.Text(value="Hello"))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.root.updated",
                "widget": {"type": "Card", "children": [{"type": "Text", "value": "Hello"}]},
            }
        ]
    )


def test_a_child_added_to_the_root_replaces_the_whole_widget() -> None:
    old = card(w.Text(id="a", value="1"))
    new = card(w.Text(id="a", value="1"), w.Divider())
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.root.updated",
                "widget": {
                    "type": "Card",
                    "children": [{"type": "Text", "id": "a", "value": "1"}, {"type": "Divider"}],
                },
            }
        ]
    )


def test_a_changed_root_prop_replaces_the_whole_widget() -> None:
    old = card(w.Text(id="t", value="a"))
    new = card(w.Text(id="t", value="a"), status=w.WidgetStatusWithIcon(text="Done", icon="check"))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.root.updated",
                "widget": {
                    "type": "Card",
                    "children": [{"type": "Text", "id": "t", "value": "a"}],
                    "status": {"text": "Done", "icon": "check"},
                },
            }
        ]
    )


def test_a_different_root_type_replaces_the_whole_widget() -> None:
    old = card(w.Text(id="t", value="a"))
    new = w.Basic(children=[w.Text(id="t", value="a")])
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.root.updated",
                "widget": {"type": "Basic", "children": [{"type": "Text", "id": "t", "value": "a"}]},
            }
        ]
    )


def test_a_component_whose_id_or_key_changes_is_a_structure_change() -> None:
    assert _json(diff_widget(card(w.Text(id="a", value="x")), card(w.Text(id="b", value="x")))) == snapshot(
        [
            {
                "type": "widget.root.updated",
                "widget": {"type": "Card", "children": [{"type": "Text", "id": "b", "value": "x"}]},
            }
        ]
    )
    old = card(w.Box(id="box", children=[w.Transition(children=w.Text(key="1", value="one"))]))
    new = card(w.Box(id="box", children=[w.Transition(children=w.Text(key="2", value="two"))]))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.component.updated",
                "component_id": "box",
                "component": {
                    "type": "Box",
                    "id": "box",
                    "children": [
                        {"type": "Transition", "children": {"type": "Text", "key": "2", "value": "two"}}
                    ],
                },
            }
        ]
    )


def test_a_changed_list_view_item_replaces_the_whole_widget() -> None:
    def view(label: str) -> w.ListView:
        return w.ListView(children=[w.ListViewItem(id="row", children=[w.Badge(label=label)])])

    assert _check(view("a"), view("b")) == snapshot(
        [
            {
                "type": "widget.root.updated",
                "widget": {
                    "type": "ListView",
                    "children": [
                        {"type": "ListViewItem", "id": "row", "children": [{"type": "Badge", "label": "b"}]}
                    ],
                },
            }
        ]
    )


def test_duplicate_ids_make_targeted_updates_ambiguous_so_the_whole_widget_is_replaced() -> None:
    old = card(w.Text(id="t", value="a"), w.Text(id="t", value="b"))
    new = card(w.Text(id="t", value="ab"), w.Text(id="t", value="b"))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.root.updated",
                "widget": {
                    "type": "Card",
                    "children": [
                        {"type": "Text", "id": "t", "value": "ab"},
                        {"type": "Text", "id": "t", "value": "b"},
                    ],
                },
            }
        ]
    )


def test_text_deltas_and_component_replacements_combine() -> None:
    old = card(w.Markdown(id="md", value="Thinking", streaming=True), w.Badge(id="b", label="busy"))
    new = card(w.Markdown(id="md", value="Thinking done", streaming=False), w.Badge(id="b", label="idle"))
    assert _check(old, new) == snapshot(
        [
            {
                "type": "widget.streaming_text.value_delta",
                "component_id": "md",
                "delta": " done",
                "done": True,
            },
            {
                "type": "widget.component.updated",
                "component_id": "b",
                "component": {"type": "Badge", "id": "b", "label": "idle"},
            },
        ]
    )


_ID = st.text(alphabet="abcdefgh", min_size=2, max_size=4)
IDS = st.one_of(st.none(), _ID, _ID, _ID)
"""Mostly set, rarely repeated ids."""
TEXTS = st.text(alphabet="xyz ", max_size=4)
STREAMING = st.none() | st.booleans()
LEAVES = st.one_of(
    st.builds(w.Text, id=IDS, value=TEXTS, streaming=STREAMING),
    st.builds(w.Markdown, id=IDS, value=TEXTS, streaming=STREAMING),
    st.builds(w.Badge, id=IDS, label=TEXTS),
)
COMPONENTS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(w.Col, id=IDS, children=st.lists(inner, max_size=3)),
        st.builds(w.Transition, id=IDS, children=inner),
    ),
    max_leaves=8,
)
ROOTS = st.one_of(
    st.builds(w.Card, children=st.lists(COMPONENTS, max_size=3)),
    st.builds(w.Basic, children=st.lists(COMPONENTS, max_size=3)),
)


def _mutate(data: st.DataObject, node: Any) -> Any:
    """A randomly edited copy of widget JSON ``node``: text appended or rewritten, props, ids, children."""
    if isinstance(node, list):
        items = [_mutate(data, item) for item in node]
        if items and data.draw(st.integers(0, 5)) == 0:
            items.pop(data.draw(st.integers(0, len(items) - 1)))
        if data.draw(st.integers(0, 5)) == 0:
            items.append(data.draw(LEAVES).model_dump(mode="json"))
        return items
    if not isinstance(node, dict):
        return node
    out = {key: _mutate(data, value) if key == "children" else value for key, value in node.items()}
    edit = data.draw(st.sampled_from(["none"] * 8 + ["append"] * 3 + ["rewrite", "streaming", "label", "id"]))
    if edit == "append" and "value" in out:
        out["value"] += data.draw(TEXTS)
    elif edit == "rewrite" and "value" in out:
        out["value"] = data.draw(TEXTS)
    elif edit == "streaming" and out.get("type") in ("Text", "Markdown"):
        out["streaming"] = data.draw(st.booleans())
    elif edit == "label" and "label" in out:
        out["label"] = data.draw(TEXTS)
    elif edit == "id" and out.get("type") not in ("Card", "Basic"):
        out["id"] = data.draw(IDS)
        if out["id"] is None:
            del out["id"]
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=ROOTS, data=st.data())
def test_applying_the_diff_to_the_old_state_gives_the_new_state(old: Any, data: st.DataObject) -> None:
    new = w.load_widget(_mutate(data, old.model_dump(mode="json")))
    updates = diff_widget(old, new)
    assert _normalised(_apply(old, updates)) == _normalised(new)
    if old == new:
        assert updates == []
    for update in updates:
        if update.type == "widget.streaming_text.value_delta":
            target = _find(new, update.component_id)
            assert target is not None
            assert target.type in ("Text", "Markdown")


# --- widget_events ------------------------------------------------------------------------------------


async def _collect(source: Any, **kwargs: Any) -> list[Any]:
    return [
        event
        async for event in widget_events(
            source, item_id="wdg_1", thread_id="thr_1", created_at=CREATED, **kwargs
        )
    ]


async def _drain(source: Any, sink: list[Any]) -> None:
    """Collect events into ``sink`` as they come, so a test sees what was emitted before an error."""
    async for event in widget_events(source, item_id="wdg_1", thread_id="thr_1", created_at=CREATED):
        sink.append(event)


class States:
    """A plain async iterator (not a generator) over widget states."""

    def __init__(self, *states: w.Card) -> None:
        self._states = list(states)

    def __aiter__(self) -> States:
        return self

    async def __anext__(self) -> w.Card:
        if not self._states:
            raise StopAsyncIteration
        return self._states.pop(0)


async def test_a_static_widget_is_one_done_event() -> None:
    events = await _collect(card(w.Text(value="Hi")), copy_text="Hi")
    assert _json(events) == snapshot(
        [
            {
                "type": "thread.item.done",
                "item": {
                    "id": "wdg_1",
                    "thread_id": "thr_1",
                    "created_at": "2026-01-01T00:00:00Z",
                    "type": "widget",
                    "widget": {"type": "Card", "children": [{"type": "Text", "value": "Hi"}]},
                    "copy_text": "Hi",
                },
            }
        ]
    )


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # openai-chatkit's widget classes warn on use
async def test_an_async_iterator_of_states_is_added_then_updated_then_done() -> None:
    states = States(
        card(w.Markdown(id="md", value="", streaming=True)),
        card(w.Markdown(id="md", value="Sun", streaming=True)),
        card(w.Markdown(id="md", value="Sunny", streaming=True)),
        card(w.Markdown(id="md", value="Sunny", streaming=False), w.Button(label="Refresh")),
    )
    events = await _collect(states)
    assert _json(events) == snapshot(
        [
            {
                "type": "thread.item.added",
                "item": {
                    "id": "wdg_1",
                    "thread_id": "thr_1",
                    "created_at": "2026-01-01T00:00:00Z",
                    "type": "widget",
                    "widget": {
                        "type": "Card",
                        "children": [{"type": "Markdown", "id": "md", "value": "", "streaming": True}],
                    },
                },
            },
            {
                "type": "thread.item.updated",
                "item_id": "wdg_1",
                "update": {
                    "type": "widget.streaming_text.value_delta",
                    "component_id": "md",
                    "delta": "Sun",
                    "done": False,
                },
            },
            {
                "type": "thread.item.updated",
                "item_id": "wdg_1",
                "update": {
                    "type": "widget.streaming_text.value_delta",
                    "component_id": "md",
                    "delta": "ny",
                    "done": False,
                },
            },
            {
                "type": "thread.item.updated",
                "item_id": "wdg_1",
                "update": {
                    "type": "widget.root.updated",
                    "widget": {
                        "type": "Card",
                        "children": [
                            {"type": "Markdown", "id": "md", "value": "Sunny", "streaming": False},
                            {"type": "Button", "label": "Refresh"},
                        ],
                    },
                },
            },
            {
                "type": "thread.item.done",
                "item": {
                    "id": "wdg_1",
                    "thread_id": "thr_1",
                    "created_at": "2026-01-01T00:00:00Z",
                    "type": "widget",
                    "widget": {
                        "type": "Card",
                        "children": [
                            {"type": "Markdown", "id": "md", "value": "Sunny", "streaming": False},
                            {"type": "Button", "label": "Refresh"},
                        ],
                    },
                },
            },
        ]
    )
    oracle = pytest.importorskip("chatkit.types")
    adapter: TypeAdapter[Any] = TypeAdapter(oracle.ThreadStreamEvent)
    ours: TypeAdapter[ThreadStreamEvent] = TypeAdapter(ThreadStreamEvent)
    for event in _json(events):
        adapter.validate_python(event)
        assert ours.validate_python(event).model_dump(mode="json", exclude_none=True) == event


async def test_a_generator_mutating_one_widget_in_place_still_streams_correct_deltas() -> None:
    async def states() -> AsyncIterator[w.Card]:
        text = w.Text(id="t", value="", streaming=True)
        widget = card(text)
        for word in ("a", "b", "c"):
            text.value += word
            yield widget
        text.streaming = False
        yield widget

    events = await _collect(states())
    assert [event.type for event in events] == [
        "thread.item.added",
        "thread.item.updated",
        "thread.item.updated",
        "thread.item.updated",
        "thread.item.done",
    ]
    assert events[0].item.widget.children[0].value == "a"
    assert [(e.update.delta, e.update.done) for e in events[1:4]] == [("b", False), ("c", False), ("", True)]
    assert events[-1].item.widget.children[0].value == "abc"


async def test_an_empty_widget_stream_is_an_error_and_emits_nothing() -> None:
    emitted: list[Any] = []
    with pytest.raises(EmptyWidgetStreamError, match="yielded no widget"):
        await _drain(States(), emitted)
    assert emitted == []


async def test_a_failing_source_finishes_the_item_with_its_last_state_and_reraises() -> None:
    async def states() -> AsyncIterator[w.Card]:
        yield card(w.Text(id="t", value="partial", streaming=True))
        raise RuntimeError("backend down")

    emitted: list[Any] = []
    with pytest.raises(RuntimeError, match="backend down"):
        await _drain(states(), emitted)
    assert [event.type for event in emitted] == ["thread.item.added", "thread.item.done"]
    assert emitted[-1].item.widget.children[0].value == "partial"


async def test_a_consumer_that_stops_early_closes_the_source() -> None:
    closed: list[bool] = []

    async def states() -> AsyncIterator[w.Card]:
        try:
            for index in range(100):
                yield card(w.Text(id="t", value="x" * index))
        finally:
            closed.append(True)

    stream = widget_events(states(), item_id="wdg_1", thread_id="thr_1", created_at=CREATED)
    first = await anext(stream)
    assert first.type == "thread.item.added"
    await stream.aclose()  # type: ignore[attr-defined]
    assert closed == [True]


async def test_something_that_is_not_a_widget_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="takes a Card, ListView or Basic widget"):
        await _collect({"type": "Card", "children": []})

    async def states() -> AsyncIterator[Any]:
        yield card()
        yield "not a widget"

    with pytest.raises(TypeError, match="must yield Card, ListView or Basic widgets, not str"):
        await _collect(states())


# --- accumulate_text ----------------------------------------------------------------------------------


async def test_accumulate_text_grows_the_base_widget_with_the_run_text() -> None:
    stream = ResponseStream("resp_1").message("The sky ", "is blue.").message("Anything else?")
    agent = Agent(name="Writer", model=ScriptedModel([stream.step()]))
    result = Runner.run_streamed(agent, "Why is the sky blue?")
    states = [
        state async for state in accumulate_text(result.stream_events(), w.Markdown(id="md", value="> "))
    ]
    assert _json(states) == snapshot(
        [
            {"type": "Markdown", "id": "md", "value": "> ", "streaming": True},
            {"type": "Markdown", "id": "md", "value": "> The sky ", "streaming": True},
            {"type": "Markdown", "id": "md", "value": "> The sky is blue.", "streaming": True},
            {
                "type": "Markdown",
                "id": "md",
                "value": "> The sky is blue.\n\nAnything else?",
                "streaming": True,
            },
            {
                "type": "Markdown",
                "id": "md",
                "value": "> The sky is blue.\n\nAnything else?",
                "streaming": False,
            },
        ]
    )


async def test_accumulated_text_streams_into_a_widget_as_text_deltas() -> None:
    stream = ResponseStream("resp_1").message("Hel", "lo")
    agent = Agent(name="Writer", model=ScriptedModel([stream.step()]))
    result = Runner.run_streamed(agent, "hi")

    async def states() -> AsyncIterator[w.Card]:
        async for text in accumulate_text(result.stream_events(), w.Text(id="answer", value="")):
            yield card(w.Title(value="Reply"), text)

    events = await _collect(states())
    assert [(event.type, getattr(getattr(event, "update", None), "type", None)) for event in events] == [
        ("thread.item.added", None),
        ("thread.item.updated", "widget.streaming_text.value_delta"),
        ("thread.item.updated", "widget.streaming_text.value_delta"),
        ("thread.item.updated", "widget.streaming_text.value_delta"),
        ("thread.item.done", None),
    ]
    assert [(e.update.delta, e.update.done) for e in events[1:4]] == [
        ("Hel", False),
        ("lo", False),
        ("", True),
    ]
    assert events[-1].item.widget.children[1] == w.Text(id="answer", value="Hello", streaming=False)
