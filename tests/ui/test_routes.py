"""The UI routes serve the packaged page and its assets with a strict same-origin Content-Security-Policy."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
from starlette.applications import Starlette

from chatkit_agents.ui import UI_ASSETS, read_asset, ui_routes


def client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


class _Refs(HTMLParser):
    """Collects every URL the page refers to (src/href) and its meta tags."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            value = found.get(name)
            if value is not None:
                self.urls.append(value)
        if tag == "meta" and found.get("name"):
            self.meta[found["name"] or ""] = found.get("content") or ""


async def test_index_points_at_the_endpoint_and_loads_only_local_assets() -> None:
    async with client(Starlette(routes=ui_routes("/api/chatkit"))) as http:
        response = await http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    refs = _Refs()
    refs.feed(response.text)
    assert refs.meta["chatkit-endpoint"] == "/api/chatkit"
    assert refs.urls == ["data:,", "ui/app.css", "ui/app.js"]


async def test_every_asset_is_served_and_imports_only_other_packaged_assets() -> None:
    async with client(Starlette(routes=ui_routes())) as http:
        for name, media_type in UI_ASSETS.items():
            response = await http.get(f"/ui/{name}")
            assert response.status_code == 200
            assert response.headers["content-type"] == media_type
            assert response.text == read_asset(name)
            assert response.headers["x-content-type-options"] == "nosniff"
        assert (await http.get("/ui/secret.py")).status_code == 404
        assert (await http.get("/ui/..%2F__init__.py")).status_code == 404
    for name in UI_ASSETS:
        if name.endswith(".js"):
            imports = re.findall(r'^import .* from "([^"]+)";', read_asset(name), flags=re.MULTILINE)
            assert all(path.startswith("./") and path[2:] in UI_ASSETS for path in imports), imports


async def test_endpoint_and_title_are_html_escaped() -> None:
    routes = ui_routes('/x"><script>alert(1)</script>', title="<b>Shop</b>")
    async with client(Starlette(routes=routes)) as http:
        page = (await http.get("/")).text
    assert "<script>alert(1)" not in page
    assert "<b>Shop</b>" not in page
    refs = _Refs()
    refs.feed(page)
    assert refs.meta["chatkit-endpoint"] == '/x"><script>alert(1)</script>'


async def test_routes_can_live_under_a_prefix() -> None:
    async with client(Starlette(routes=ui_routes("/chat/chatkit", prefix="/chat"))) as http:
        assert (await http.get("/chat/")).status_code == 200
        assert (await http.get("/chat/ui/app.js")).status_code == 200
        assert (await http.get("/")).status_code == 404


def test_no_script_sets_html_from_data() -> None:
    """The page builds its DOM with textContent: no innerHTML/outerHTML/insertAdjacentHTML/document.write."""
    for name in UI_ASSETS:
        if name.endswith(".js"):
            source = read_asset(name)
            for sink in (
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
                "new Function",
            ):
                assert sink not in source, (name, sink)


async def test_create_app_serves_the_page_only_when_asked() -> None:
    from agents import Agent
    from chatkit_agents.asgi import create_app
    from chatkit_agents.server.agent_server import AgentServer

    server = AgentServer(Agent(name="quiet"))
    async with client(create_app(server, ui=True)) as http:
        page = await http.get("/")
        assert page.status_code == 200
        refs = _Refs()
        refs.feed(page.text)
        assert refs.meta["chatkit-endpoint"] in ("chatkit", "/chatkit")
        assert (await http.get("/ui/app.js")).status_code == 200
        listed = await http.post("/chatkit", json={"type": "threads.list", "params": {}})
        assert listed.json() == {"data": [], "has_more": False}
    async with client(create_app(AgentServer(Agent(name="quiet")))) as http:
        assert (await http.get("/")).status_code == 404
        assert (await http.get("/ui/app.js")).status_code == 404
