"""The example page that embeds OpenAI's ChatKit web component is configured for our backend.

It loads the component from OpenAI's CDN, so it is not run in a browser here; these tests read its config.
"""

from __future__ import annotations

import inspect
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from chatkit_agents.asgi import create_app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chatkit_web_component"
CDN_SCRIPT = "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js"


class _Scripts(HTMLParser):
    """External script URLs, inline module sources and custom elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.inline: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.elements.append((tag, found))
        if tag == "script":
            src = found.get("src")
            if src:
                self.external.append(src)
            else:
                self._in_script = True
                self.inline.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline[-1] += data


def _page() -> _Scripts:
    parsed = _Scripts()
    parsed.feed((EXAMPLE / "index.html").read_text(encoding="utf-8"))
    return parsed


def _constant(source: str, name: str) -> str:
    match = re.search(rf'const {name} = "([^"]*)";', source)
    assert match, f"{name} not found"
    return match.group(1)


def test_the_example_loads_the_web_component_and_points_it_at_our_endpoint() -> None:
    page = _page()
    assert page.external == [CDN_SCRIPT]
    assert ("openai-chatkit", {"id": "chat"}) in page.elements
    (source,) = page.inline
    url = urlsplit(_constant(source, "CHATKIT_API_URL"))
    assert (url.scheme, url.hostname) == ("http", "127.0.0.1")
    assert url.path == inspect.signature(create_app).parameters["path"].default
    assert _constant(source, "CHATKIT_DOMAIN_KEY")
    options = re.search(r"api: \{ url: (\w+), domainKey: (\w+) \}", source)
    assert options is not None
    assert options.groups() == ("CHATKIT_API_URL", "CHATKIT_DOMAIN_KEY")


def test_the_readme_runs_the_backend_on_the_port_and_origin_the_page_uses() -> None:
    source = _page().inline[0]
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    port = urlsplit(_constant(source, "CHATKIT_API_URL")).port
    command = re.search(r"chatkit-agents demo --port (\d+) --cors-origin (\S+)", readme)
    assert command is not None
    assert int(command.group(1)) == port
    server = re.search(r"python -m http.server (\d+) --bind 127.0.0.1", readme)
    assert server is not None
    assert command.group(2) == f"http://127.0.0.1:{server.group(1)}"


def test_both_pages_answer_every_client_tool_the_demo_agent_declares() -> None:
    from chatkit_agents.agents.tools import ClientFunctionTool
    from chatkit_agents.demo import demo_agent
    from chatkit_agents.ui import read_asset

    names = [t.client_name for t in demo_agent(offline=True).tools if isinstance(t, ClientFunctionTool)]
    assert names
    example = _page().inline[0]
    offline_page = read_asset("app.js")
    for name in names:
        assert re.search(rf"^\s+{name}: \(\) =>", example, flags=re.MULTILINE), name
        assert f'registerClientTool("{name}",' in offline_page, name
