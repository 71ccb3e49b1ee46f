"""History window: trimming old items by count or tokens without breaking call/output pairs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

from agents.items import TResponseInputItem
from hypothesis import given, settings
from hypothesis import strategies as st
from inline_snapshot import snapshot
from test_input_validation import assert_valid_input

from chatkit_agents.agents.input import ThreadItemConverter, approximate_tokens, to_agent_input
from chatkit_agents.types.items import (
    AssistantMessageContent,
    AssistantMessageItem,
    ClientToolCallItem,
    HiddenContextItem,
    ThreadItem,
    UserMessageItem,
    UserMessageTagContent,
    UserMessageTextContent,
    WidgetItem,
)
from chatkit_agents.widgets import Card, Text

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def base(item_id: str) -> dict[str, Any]:
    return {"id": item_id, "thread_id": "thr_1", "created_at": T0}


def user(item_id: str, text: str) -> UserMessageItem:
    return UserMessageItem(**base(item_id), content=[UserMessageTextContent(text=text)])


def assistant(item_id: str, text: str) -> AssistantMessageItem:
    return AssistantMessageItem(**base(item_id), content=[AssistantMessageContent(text=text)])


def describe(items: list[Any]) -> list[str]:
    """One line per input item so window snapshots stay readable (full shapes are in test_input.py)."""
    lines: list[str] = []
    for item in assert_valid_input(items):
        if item.get("type") in ("function_call", "function_call_output"):
            lines.append(f"{item['type']} {item['call_id']}")
            continue
        content = item["content"]
        text = content if isinstance(content, str) else " | ".join(p.get("text", p["type"]) for p in content)
        lines.append(f"{item['role']}: {text}".replace("\n", " "))
    return lines


THREAD: list[ThreadItem] = [
    user("u1", "Q1"),
    assistant("a1", "A1"),
    ClientToolCallItem(
        **base("tc1"), status="completed", call_id="call_1", name="locate", arguments={}, output="Paris"
    ),
    UserMessageItem(
        **base("u2"),
        content=[
            UserMessageTextContent(text="Q2 about "),
            UserMessageTagContent(id="t", text="Bob", data={}),
        ],
    ),
    WidgetItem(**base("w1"), widget=Card(children=[Text(value="W1")])),
    user("u3", "Q3"),
    HiddenContextItem(**base("h1"), content="H1"),
]


async def test_without_limits_everything_is_kept() -> None:
    assert describe(await to_agent_input(THREAD)) == snapshot(
        [
            "user: Q1",
            "assistant: A1",
            "function_call call_1",
            "function_call_output call_1",
            "user: Q2 about @Bob",
            "user: <mentions> @Bob (id: t) </mentions>",
            "user: <widget> W1 </widget>",
            "user: Q3",
            "user: <hidden_context> H1 </hidden_context>",
        ]
    )


async def test_max_items_keeps_the_newest_whole_thread_items() -> None:
    # The next older thread item (Q2 with its mentions message, two input items) would exceed 4.
    assert describe(await to_agent_input(THREAD, max_items=4)) == snapshot(
        ["user: <widget> W1 </widget>", "user: Q3", "user: <hidden_context> H1 </hidden_context>"]
    )


async def test_a_client_tool_call_is_never_split_from_its_output() -> None:
    assert describe(await to_agent_input(THREAD, max_items=6)) == snapshot(
        [
            "user: Q2 about @Bob",
            "user: <mentions> @Bob (id: t) </mentions>",
            "user: <widget> W1 </widget>",
            "user: Q3",
            "user: <hidden_context> H1 </hidden_context>",
        ]
    )
    assert describe(await to_agent_input(THREAD, max_items=7)) == snapshot(
        [
            "function_call call_1",
            "function_call_output call_1",
            "user: Q2 about @Bob",
            "user: <mentions> @Bob (id: t) </mentions>",
            "user: <widget> W1 </widget>",
            "user: Q3",
            "user: <hidden_context> H1 </hidden_context>",
        ]
    )


async def test_the_newest_user_message_is_kept_even_when_it_alone_is_over_budget() -> None:
    assert describe(await to_agent_input(THREAD, max_items=1)) == snapshot(
        ["user: Q3", "user: <hidden_context> H1 </hidden_context>"]
    )
    assert describe(await to_agent_input(THREAD, max_tokens=1)) == snapshot(
        ["user: Q3", "user: <hidden_context> H1 </hidden_context>"]
    )


async def test_max_tokens_uses_the_pluggable_estimator() -> None:
    def ten_per_item(item: TResponseInputItem) -> int:
        return 10

    converter = ThreadItemConverter(estimate_tokens=ten_per_item)
    assert describe(await to_agent_input(THREAD, converter=converter, max_tokens=35)) == snapshot(
        ["user: <widget> W1 </widget>", "user: Q3", "user: <hidden_context> H1 </hidden_context>"]
    )


async def test_both_limits_apply_together() -> None:
    converter = ThreadItemConverter(estimate_tokens=lambda item: 10)
    result = await to_agent_input(THREAD, converter=converter, max_items=8, max_tokens=45)
    assert describe(result) == snapshot(
        [
            "user: <widget> W1 </widget>",
            "user: Q3",
            "user: <hidden_context> H1 </hidden_context>",
        ]
    )


class RawItemsAsHiddenContext(ThreadItemConverter):
    """An app that stores raw Responses items (e.g. server tool calls) as hidden context."""

    async def hidden_context_to_input(self, item: HiddenContextItem) -> Any:
        return item.content


async def test_call_and_output_from_separate_thread_items_stay_together() -> None:
    thread: list[ThreadItem] = [
        user("u1", "Q1"),
        HiddenContextItem(
            **base("h1"),
            content={"type": "function_call", "call_id": "srv_1", "name": "search", "arguments": "{}"},
        ),
        HiddenContextItem(
            **base("h2"), content={"type": "function_call_output", "call_id": "srv_1", "output": "ok"}
        ),
        assistant("a1", "A1"),
        user("u2", "Q2"),
    ]
    converter = RawItemsAsHiddenContext()
    assert describe(await to_agent_input(thread, converter=converter, max_items=3)) == snapshot(
        ["assistant: A1", "user: Q2"]
    )
    assert describe(await to_agent_input(thread, converter=converter, max_items=4)) == snapshot(
        ["function_call srv_1", "function_call_output srv_1", "assistant: A1", "user: Q2"]
    )


async def test_without_any_user_message_only_what_fits_is_kept() -> None:
    thread: list[ThreadItem] = [assistant("a1", "A1"), assistant("a2", "A2"), assistant("a3", "A3")]
    assert describe(await to_agent_input(thread, max_items=2)) == snapshot(["assistant: A2", "assistant: A3"])


def test_approximate_tokens_counts_text_by_length_and_inline_images_flat() -> None:
    text_item: TResponseInputItem = {"type": "message", "role": "user", "content": "x" * 400}
    image_item: TResponseInputItem = {
        "type": "message",
        "role": "user",
        "content": [
            {"type": "input_image", "image_url": "data:image/png;base64," + "A" * 100_000, "detail": "auto"}
        ],
    }
    assert approximate_tokens(text_item) == snapshot(107)
    assert approximate_tokens(image_item) == snapshot(1011)


# --- invariants over random threads --------------------------------------------------------------------


@st.composite
def threads(draw: st.DrawFn) -> list[ThreadItem]:
    """Random threads of user/assistant messages, client tool calls and call/output pairs split over items."""
    items: list[ThreadItem] = []
    open_calls: list[str] = []
    for n in range(draw(st.integers(min_value=0, max_value=14))):
        kind = draw(st.sampled_from(["user", "assistant", "client_tool", "call", "output"]))
        if kind == "user":
            items.append(user(f"u{n}", f"Q{n}"))
        elif kind == "assistant":
            items.append(assistant(f"a{n}", "A" * draw(st.integers(min_value=1, max_value=80))))
        elif kind == "client_tool":
            items.append(
                ClientToolCallItem(
                    **base(f"tc{n}"), status="completed", call_id=f"c{n}", name="f", arguments={}, output="ok"
                )
            )
        elif kind == "call":
            open_calls.append(f"s{n}")
            content = {"type": "function_call", "call_id": f"s{n}", "name": "g", "arguments": "{}"}
            items.append(HiddenContextItem(**base(f"h{n}"), content=content))
        elif open_calls:
            call_id = open_calls.pop(0)
            content = {"type": "function_call_output", "call_id": call_id, "output": "x"}
            items.append(HiddenContextItem(**base(f"h{n}"), content=content))
    return items


@settings(max_examples=150, deadline=None)
@given(
    thread=threads(),
    max_items=st.one_of(st.none(), st.integers(min_value=0, max_value=12)),
    max_tokens=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
)
def test_window_keeps_a_suffix_with_whole_pairs_and_the_newest_user_message(
    thread: list[ThreadItem], max_items: int | None, max_tokens: int | None
) -> None:
    converter = RawItemsAsHiddenContext()
    full = asyncio.run(to_agent_input(thread, converter=converter))
    kept = asyncio.run(
        to_agent_input(thread, converter=converter, max_items=max_items, max_tokens=max_tokens)
    )
    assert_valid_input(kept)
    assert kept == full[len(full) - len(kept) :]

    def calls(items: list[Any], kind: str) -> set[str]:
        return {i["call_id"] for i in items if i.get("type") == kind}

    full_pairs = calls(full, "function_call") & calls(full, "function_call_output")
    kept_calls, kept_outputs = calls(kept, "function_call"), calls(kept, "function_call_output")
    assert kept_calls & full_pairs == kept_outputs & full_pairs

    user_messages = [i for i in full if i.get("role") == "user"]
    if user_messages:
        newest = max(i for i, item in enumerate(full) if item.get("role") == "user")
        assert len(kept) >= len(full) - newest
    else:
        assert len(kept) <= (max_items if max_items is not None else len(kept))
        assert sum(approximate_tokens(i) for i in kept) <= (max_tokens if max_tokens is not None else 10**9)
