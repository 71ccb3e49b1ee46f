"""`chatkit-agents demo` and `serve` serve the chat page at / unless `--no-ui` is given."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from chatkit_agents.cli import main

README = Path(__file__).resolve().parents[2] / "examples" / "chatkit_web_component" / "README.md"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The ASGI apps the command would have served (uvicorn's run is replaced by a recorder)."""
    apps: list[Any] = []

    def record(self: uvicorn.Server, sockets: Any = None) -> None:
        apps.append(self.config.app)

    monkeypatch.setattr(uvicorn.Server, "run", record)
    return apps


async def get(app: Any, path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        return await http.get(path, headers=headers)


@pytest.mark.parametrize(
    ("argv", "page_status"),
    [
        (["demo"], 200),
        (["demo", "--no-ui"], 404),
        (["serve", "chatkit_agents.demo:demo_agent"], 200),
        (["serve", "chatkit_agents.demo:demo_agent", "--no-ui"], 404),
    ],
)
async def test_the_page_is_served_unless_turned_off(
    served: list[Any], argv: list[str], page_status: int
) -> None:
    assert main([*argv, "--port", "0", "--store", "memory://"]) == 0
    (app,) = served
    assert (await get(app, "/")).status_code == page_status
    assert (await get(app, "/healthz")).status_code == 200


async def test_the_web_component_readme_command_allows_the_example_page_origin(served: list[Any]) -> None:
    command = re.search(r"chatkit-agents (demo --port \d+ --cors-origin \S+)", README.read_text())
    assert command is not None
    argv = command.group(1).split()
    argv[argv.index("--port") + 1] = "0"
    assert main([*argv, "--store", "memory://"]) == 0
    origin = argv[argv.index("--cors-origin") + 1]
    answer = await get(served[0], "/healthz", Origin=origin)
    assert answer.headers["access-control-allow-origin"] == origin
