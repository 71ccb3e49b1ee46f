"""Double submits (a double click, a client retry) never run a side effect twice or corrupt the thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from _fault_sweeps import BOUND, new_thread, open_store, turn
from _reliability_kit import (
    StreamReport,
    all_items,
    check_complete_stream,
    check_store_consistent,
    drain,
    echo_server,
    guarded_tool,
    req,
)


def find_action(node: Any, decision: str) -> dict[str, Any] | None:
    """The approval action with ``decision`` somewhere in a widget's JSON."""
    if isinstance(node, dict):
        action = node.get("action") or node.get("onClickAction")
        if isinstance(action, dict) and action.get("payload", {}).get("decision") == decision:
            return action
        children = list(node.values())
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = find_action(child, decision)
        if found is not None:
            return found
    return None


async def submit(server: Any, body: bytes) -> StreamReport:
    with anyio.fail_after(BOUND):
        return await drain(await server.process(body, None))


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_approving_twice_at_once_runs_the_tool_once(tmp_path: Path, kind: str) -> None:
    calls: list[str] = []
    async with open_store(kind, tmp_path) as store:
        server = echo_server(store, extra_tools=[guarded_tool(calls)])
        thread_id = await new_thread(server)
        asked = await turn(server, thread_id, "tool:guarded now")
        card = next(item for item in asked.done_items.values() if item["type"] == "widget")
        action = find_action(card["widget"], "approve")
        assert action is not None
        body = req("threads.custom_action", thread_id=thread_id, item_id=card["id"], action=action)

        reports: list[StreamReport] = []

        async def click() -> None:
            reports.append(await submit(server, body))

        async with anyio.create_task_group() as group:
            group.start_soon(click)
            group.start_soon(click)

        assert calls == ["tool:guarded now"]
        for report in reports:
            check_complete_stream(report)
        finished = [r for r in reports if r.types[-1] == "thread.item.done"]
        refused = [r for r in reports if r.types[-1] == "error"]
        assert (len(finished), len(refused)) == (1, 1)
        assert finished[0].events[-1]["item"]["content"][0]["text"] == "Tool said: guarded ran 1 time(s)"
        assert refused[0].events[-1]["allow_retry"] is False
        await check_store_consistent(store, None)
        # the card now shows the decision, not the buttons
        stored = {item.id: item for item in await all_items(store, thread_id, None)}
        assert find_action(stored[card["id"]].model_dump(mode="json")["widget"], "approve") is None


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_retrying_twice_at_once_leaves_one_answer(tmp_path: Path, kind: str) -> None:
    async with open_store(kind, tmp_path) as store:
        server = echo_server(store)
        thread_id = await new_thread(server, "say it again")
        first_user = (await all_items(store, thread_id, None))[0]
        body = req("threads.retry_after_item", thread_id=thread_id, item_id=first_user.id)

        reports: list[StreamReport] = []

        async def retry() -> None:
            reports.append(await submit(server, body))

        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(retry)

        for report in reports:
            check_complete_stream(report)
            assert "error" not in report.types
        items = await all_items(store, thread_id, None)
        assert [item.type for item in items] == ["user_message", "workflow", "assistant_message"]
        assert items[-1].id in reports[-1].done_items  # the last retry's answer is the one kept


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_answering_a_client_tool_twice_resumes_once(tmp_path: Path, kind: str) -> None:
    from chatkit_agents.agents.tools import client_tool

    @client_tool
    def locate() -> dict[str, str]:
        """Ask the browser where it is."""
        return {}

    async with open_store(kind, tmp_path) as store:
        server = echo_server(store, extra_tools=[locate])
        thread_id = await new_thread(server)
        asked = await turn(server, thread_id, "tool:locate me")
        assert any(item["type"] == "client_tool_call" for item in asked.done_items.values())
        body = req("threads.add_client_tool_output", thread_id=thread_id, result={"city": "Oslo"})

        outcomes: list[Any] = []

        async def answer() -> None:
            try:
                outcomes.append(await submit(server, body))
            except Exception as error:  # refused before streaming: a 409
                outcomes.append(error)

        async with anyio.create_task_group() as group:
            group.start_soon(answer)
            group.start_soon(answer)

        replies = [o for o in outcomes if isinstance(o, StreamReport) and o.types[-1] == "thread.item.done"]
        assert len(replies) == 1
        assert replies[0].events[-1]["item"]["content"][0]["text"].startswith("Tool said:")
        for outcome in outcomes:
            if isinstance(outcome, StreamReport):
                check_complete_stream(outcome)
            else:
                from chatkit_agents.server import error_result

                answer_ = error_result(outcome)
                assert answer_ is not None
                assert answer_.status_code == 409
        items = await all_items(store, thread_id, None)
        calls = [item for item in items if item.type == "client_tool_call"]
        assert len(calls) == 1
        assert getattr(calls[0], "status", None) == "completed"
        await check_store_consistent(store, None)
