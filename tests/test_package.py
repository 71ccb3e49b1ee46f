import subprocess
import sys

import pytest

import chatkit_agents


def test_every_public_name_resolves_and_all_matches_the_lazy_table() -> None:
    assert set(chatkit_agents.__all__) == set(chatkit_agents._LAZY) | {"__version__"}
    for name in chatkit_agents.__all__:
        assert getattr(chatkit_agents, name) is not None


def test_importing_the_package_does_not_load_the_agents_sdk_or_the_server() -> None:
    code = (
        "import sys, chatkit_agents; "
        "print(sorted(m for m in ('agents', 'starlette', 'psycopg') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_attributes_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        chatkit_agents.NoSuchThing  # noqa: B018
