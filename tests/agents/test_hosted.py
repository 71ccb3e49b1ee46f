"""Hosted ChatKit interop: hosted thread items -> model input, paging through a thread, creating sessions.

Fixtures in tests/fixtures/hosted/ are shaped like the API reference responses; the client talks to an
``httpx.MockTransport``, never the network.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from inline_snapshot import snapshot
from openai.types.beta.chatkit import ChatKitThreadItemList
from test_input_validation import assert_valid_input

from chatkit_agents.agents.hosted import (
    create_hosted_session,
    hosted_item_to_thread_item,
    hosted_items_to_agent_input,
    hosted_thread_to_agent_input,
)
from chatkit_agents.agents.input import ThreadItemConverter
from chatkit_agents.types.items import ClientToolCallItem, UserMessageItem, WidgetItem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "hosted"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        api_key="sk-test",
        base_url="https://api.example.test/v1",
        max_retries=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )


EXPECTED_ALL_KINDS = snapshot(
    [
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "<quoted_text>\nOrders ship within 2 days.\n</quoted_text>"},
                {"type": "input_text", "text": "Where is my order?"},
                {
                    "type": "input_image",
                    "image_url": "https://files.example.test/receipt.png",
                    "detail": "auto",
                },
            ],
        },
        {
            "type": "message",
            "role": "user",
            "content": [
                {
                    "type": "input_text",
                    "text": """\
<workflow>
- Looking up the order
  The user wants order status.
- lookup_order
  order 1042: shipped
</workflow>\
""",
                }
            ],
        },
        {
            "type": "message",
            "role": "user",
            "content": [
                {
                    "type": "input_text",
                    "text": "<task>\n- Checked carrier\n  In transit, arrives Friday.\n</task>",
                }
            ],
        },
        {
            "type": "function_call",
            "call_id": "call_tz",
            "name": "get_timezone",
            "arguments": '{"precise": false}',
        },
        {"type": "function_call_output", "call_id": "call_tz", "output": '"Europe/Paris"'},
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "<widget>\nOrder #1042\n2 items\nShipped\nTrack\n</widget>"}
            ],
        },
        {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "<widget>\nSpinning cube\n</widget>"}],
        },
        {
            "type": "message",
            "role": "assistant",
            "content": """\
Your order shipped and arrives Friday.

Sources:
[1] https://carrier.example.test/track/1042
[2] shipping-policy.pdf\
""",
        },
        {
            "type": "message",
            "role": "user",
            "content": "Thanks! Can I change the address?",
        },
    ]
)


async def test_every_hosted_item_kind_converts_from_api_json() -> None:
    items = fixture("thread_items_all_kinds.json")["data"]
    assert assert_valid_input(await hosted_items_to_agent_input(items)) == EXPECTED_ALL_KINDS


async def test_parsed_openai_models_convert_like_the_json() -> None:
    raw = fixture("thread_items_all_kinds.json")
    known = [item for item in raw["data"] if item["type"] != "chatkit.voice_note"]
    page = ChatKitThreadItemList.model_validate({**raw, "data": known})
    assert assert_valid_input(await hosted_items_to_agent_input(page.data)) == EXPECTED_ALL_KINDS


async def test_unknown_hosted_kinds_are_skipped_with_a_debug_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="chatkit_agents.agents.hosted"):
        assert hosted_item_to_thread_item(fixture("thread_items_all_kinds.json")["data"][8]) is None
    assert "skipping hosted thread item of unknown type 'chatkit.voice_note'" in caplog.text


async def test_malformed_hosted_items_are_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    broken = {"id": "cthi_x", "type": "chatkit.assistant_message", "content": "not a list"}
    with caplog.at_level(logging.WARNING, logger="chatkit_agents.agents.hosted"):
        assert await hosted_items_to_agent_input([broken]) == []
    assert "skipping malformed hosted thread item 'cthi_x'" in caplog.text


def test_hosted_items_map_onto_our_thread_items() -> None:
    data = fixture("thread_items_all_kinds.json")["data"]
    message = hosted_item_to_thread_item(data[0])
    assert isinstance(message, UserMessageItem)
    assert message.model_dump(mode="json", exclude_none=True) == snapshot(
        {
            "id": "cthi_001",
            "thread_id": "cthr_abc",
            "created_at": "2025-11-23T12:13:21Z",
            "type": "user_message",
            "content": [{"type": "input_text", "text": "Where is my order?"}],
            "attachments": [
                {
                    "id": "cfile_img",
                    "name": "receipt.png",
                    "mime_type": "image/png",
                    "type": "image",
                    "preview_url": "https://files.example.test/receipt.png",
                }
            ],
            "quoted_text": "Orders ship within 2 days.",
            "inference_options": {},
        }
    )
    pending = hosted_item_to_thread_item(data[4])
    assert isinstance(pending, ClientToolCallItem)
    assert (pending.status, pending.arguments, pending.output) == snapshot(("pending", {}, None))
    unknown_widget = hosted_item_to_thread_item(data[6])
    assert isinstance(unknown_widget, WidgetItem)
    assert unknown_widget.copy_text == "Spinning cube"


async def test_hosted_input_uses_the_given_converter_and_window() -> None:
    class NoTasks(ThreadItemConverter):
        async def workflow_to_input(self, item: Any) -> None:
            return None

        async def task_to_input(self, item: Any) -> None:
            return None

    items = fixture("thread_items_all_kinds.json")["data"]
    result = await hosted_items_to_agent_input(items, converter=NoTasks(), max_items=4)
    assert [i.get("role") or i["type"] for i in assert_valid_input(result)] == snapshot(
        ["user", "user", "assistant", "user"]
    )


async def test_hosted_thread_is_read_page_by_page_oldest_first() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        page = "thread_items_page_2.json" if "after" in request.url.params else "thread_items_page_1.json"
        return httpx.Response(200, json=fixture(page))

    async with mock_client(handler) as client:
        result = await hosted_thread_to_agent_input(client, "cthr_abc", page_size=4)
    assert assert_valid_input(result) == EXPECTED_ALL_KINDS
    assert [(r.method, r.url.path, dict(r.url.params)) for r in requests] == snapshot(
        [
            ("GET", "/v1/chatkit/threads/cthr_abc/items", {"limit": "4", "order": "asc"}),
            (
                "GET",
                "/v1/chatkit/threads/cthr_abc/items",
                {"limit": "4", "order": "asc", "after": "cthi_004"},
            ),
        ]
    )
    assert {r.headers["OpenAI-Beta"] for r in requests} == {"chatkit_beta=v1"}


async def test_create_hosted_session_returns_the_client_secret() -> None:
    bodies: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert (request.method, request.url.path) == ("POST", "/v1/chatkit/sessions")
        assert request.headers["OpenAI-Beta"] == "chatkit_beta=v1"
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=fixture("session.json"))

    async with mock_client(handler) as client:
        minimal = await create_hosted_session(client, workflow_id="wf_123", user="user_42")
        full = await create_hosted_session(
            client,
            workflow_id="wf_123",
            user="user_42",
            workflow_version="3",
            state_variables={"plan": "pro"},
            tracing=False,
            expires_after_seconds=600,
            max_requests_per_minute=20,
            chatkit_configuration={"file_upload": {"enabled": False}},
        )
    assert minimal == full == "ek_test_secret_abc"
    assert bodies == snapshot(
        [
            {"user": "user_42", "workflow": {"id": "wf_123"}},
            {
                "user": "user_42",
                "workflow": {
                    "id": "wf_123",
                    "version": "3",
                    "state_variables": {"plan": "pro"},
                    "tracing": {"enabled": False},
                },
                "chatkit_configuration": {"file_upload": {"enabled": False}},
                "expires_after": {"anchor": "created_at", "seconds": 600},
                "rate_limits": {"max_requests_per_1_minute": 20},
            },
        ]
    )
