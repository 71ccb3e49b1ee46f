"""Browser fixtures: a real headless Chromium (Debian's ``chromium``) driven by Playwright.

The browser is installed with apt-get when it is missing and we run as root; otherwise every browser test
skips with a message saying how to get one. Browser test modules hold sync tests only (see `browser`).
Pages record every request they make so tests can assert the page never talks to another origin.
Screenshots go to ``tests/artifacts/ui/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import ARTIFACTS, PageLog

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _find_chromium() -> str | None:
    configured = os.environ.get("CHATKIT_UI_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _install_chromium() -> str | None:
    """apt-get install chromium (root only); returns the path, or None with the reason printed."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        if result.returncode != 0:
            print(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
            return None
    return _find_chromium()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of a Chromium binary; installs Debian's package when missing (as root), else skips."""
    path = _find_chromium() or _install_chromium()
    if path is None:
        pytest.skip(
            "browser tests need Chromium: no `chromium` on PATH and it could not be installed "
            "(run `apt-get install chromium` as root, or set CHATKIT_UI_CHROMIUM=/path/to/chrome)"
        )
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium per test module (each test gets its own context and profile state).

    Module scope, not session: Playwright's sync API marks its event loop as running in this thread while
    it is open, which would break the async tests of modules collected after this one.
    """
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="browser tests need Playwright: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser: Any, page_log: PageLog, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page (own context: no shared storage) at 1400x900 that logs requests and script errors.

    A screenshot named after the test is saved when it ends, pass or fail.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("request", lambda req: page_log.requests.append(req.url))
    page.on("pageerror", lambda exc: page_log.errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: page_log.errors.append(msg.text) if msg.type == "error" else None)
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=False)
        finally:
            context.close()
