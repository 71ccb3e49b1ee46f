"""The offline chat page and live event inspector: static files shipped in this package, served by Starlette.

`ui_routes(endpoint)` returns the routes that `create_app(server, ui=True)` mounts: ``GET /`` (the page,
pointed at ``endpoint``) and ``GET /ui/<asset>`` (the scripts and the stylesheet). The page loads nothing
from any other host, and its Content-Security-Policy forbids it from doing so.
"""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

__all__ = ["UI_ASSETS", "UI_CONTENT_SECURITY_POLICY", "read_asset", "render_index", "ui_routes"]

UI_ASSETS: dict[str, str] = {
    "app.js": "text/javascript; charset=utf-8",
    "markdown.js": "text/javascript; charset=utf-8",
    "widgets.js": "text/javascript; charset=utf-8",
    "snapshot.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
"""Static files served under ``/ui/``, with their media types."""

UI_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
    ]
)
"""Only this app's own origin (and inline ``data:`` images) may be loaded: no CDN, no tracker, no script."""

_ENDPOINT_MARKER = "__CHATKIT_ENDPOINT__"

_HEADERS = {
    "Content-Security-Policy": UI_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@cache
def read_asset(name: str) -> str:
    """The text of a packaged UI file (``index.html``, ``app.js``, ``app.css``)."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def render_index(endpoint: str = "/chatkit", *, title: str = "chatkit-agents") -> str:
    """The page's HTML with the ChatKit endpoint path (and title) filled in, HTML-escaped."""
    page = read_asset("index.html")
    page = page.replace(_ENDPOINT_MARKER, html.escape(endpoint, quote=True))
    return page.replace("__CHATKIT_TITLE__", html.escape(title, quote=True))


def ui_routes(
    endpoint: str = "/chatkit", *, prefix: str = "", title: str = "chatkit-agents"
) -> list[BaseRoute]:
    """Starlette routes serving the chat page at ``<prefix>/`` that talks to the ChatKit ``endpoint``.

    Assets are served from ``<prefix>/ui/``; the page refers to them relatively, so mounting under a prefix
    works. ``endpoint`` is resolved by the browser against the page URL (``/chatkit`` or ``chatkit``).
    """
    index_html = render_index(endpoint, title=title)

    async def index(request: Request) -> Response:
        return Response(index_html, media_type="text/html; charset=utf-8", headers=_HEADERS)

    async def asset(request: Request) -> Response:
        name: str = request.path_params["name"]
        media_type = UI_ASSETS.get(name)
        if media_type is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        return Response(read_asset(name), media_type=media_type, headers=_HEADERS)

    base = prefix.rstrip("/")
    return [
        Route(f"{base}/", index, methods=["GET"], name="chatkit_ui"),
        Route(f"{base}/ui/{{name}}", asset, methods=["GET"], name="chatkit_ui_asset"),
    ]
