from __future__ import annotations

import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

INNER_PYTEST_ARGS = (
    "-p",
    "no:cacheprovider",
    "-o",
    "asyncio_mode=auto",
    "-o",
    "asyncio_default_fixture_loop_scope=function",
)


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("chatkit_agents") == "chatkit_agents.testing.plugin"


def test_the_fixtures_run_an_agent_offline_in_a_users_test_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from agents import Agent
        from inline_snapshot import snapshot

        from chatkit_agents.testing import ResponseStream


        async def test_greeting(run_chatkit, chatkit_thread, chatkit_ids, chatkit_clock):
            run = await run_chatkit(Agent(name="greeter"), "Hi", [ResponseStream().message("Hel", "lo!")])
            assert run.rendered == snapshot('''\\
        thread.item.added       msg_1 assistant_message
          content_part.added    msg_1 [0] ""
          text_delta            msg_1 [0] "Hello!" (2 deltas)
          content_part.done     msg_1 [0] "Hello!"
        thread.item.done        msg_1 assistant_message "Hello!"\\
        ''')
            assert run.events[-1].item.thread_id == chatkit_thread.id == "thr_1"
            assert run.events[-1].item.created_at == chatkit_thread.created_at
            assert chatkit_ids("message") == "msg_2"
            assert chatkit_clock() == chatkit_thread.created_at


        def test_each_test_gets_fresh_ids(chatkit_ids):
            assert chatkit_ids("message") == "msg_1"
        """
    )
    result = pytester.runpytest(*INNER_PYTEST_ARGS)
    result.assert_outcomes(passed=2)


def test_the_recipe_in_the_testing_docs_produces_the_output_shown_there(pytester: pytest.Pytester) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "testing.md").read_text()
    code = re.search(r"```python\n(.*?)```", doc, re.S)
    shown = re.search(r"```text\n(.*?)\n```", doc, re.S)
    assert code is not None
    assert shown is not None
    assert code.group(1).count("== snapshot()") == 1
    test_code = code.group(1).replace("== snapshot()", f"== snapshot({shown.group(1)!r})")
    pytester.makepyfile(test_recipe=test_code)
    result = pytester.runpytest(*INNER_PYTEST_ARGS)
    result.assert_outcomes(passed=1)
