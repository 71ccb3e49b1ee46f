"""The top-level package: public names, and no optional extra (psycopg, uvicorn) needed to import it."""

from __future__ import annotations

import subprocess
import sys

import pytest

import chatkit_agents


def test_public_names_are_exported_and_match_the_lazy_table() -> None:
    assert set(chatkit_agents.__all__) == set(chatkit_agents._LAZY) | {"__version__"}
    for name in chatkit_agents.__all__:
        assert getattr(chatkit_agents, name) is not None


def test_importing_the_package_loads_neither_the_agents_sdk_nor_the_server() -> None:
    code = "import sys, chatkit_agents; print(sorted(m for m in ('agents', 'starlette') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr


def test_unknown_attributes_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        chatkit_agents.NoSuchThing  # noqa: B018


def test_importing_the_package_needs_no_optional_extra() -> None:
    code = (
        "import sys\n"
        "for name in ('psycopg', 'psycopg_pool', 'uvicorn'): sys.modules[name] = None\n"
        "import chatkit_agents\n"
        "server = chatkit_agents.AgentServer(__import__('agents').Agent(name='a'))\n"
        "assert 'chatkit_agents.asgi' not in sys.modules\n"
        "assert 'chatkit_agents.store.postgres' not in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr
