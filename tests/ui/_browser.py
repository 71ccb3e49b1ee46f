"""Helpers for the browser tests: request logs, screenshots, waiting, and serving an app from a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"
"""Where screenshots go (gitignored)."""


class PageLog:
    """Every URL a page requested and every console error or uncaught exception it raised."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []

    def foreign(self, origin: str) -> list[str]:
        """Requests that went anywhere but ``origin`` (data: and blob: URLs never leave the page)."""
        return [
            url
            for url in self.requests
            if not (url.startswith(origin + "/") or url == origin or url.startswith(("data:", "blob:")))
        ]


def screenshot(page: Any, name: str) -> None:
    """Save a screenshot of the page as it is now under ``tests/artifacts/ui/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``condition()`` holds (checked every 20 ms), for effects another thread makes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.02)


def free_socket() -> socket.socket:
    """A listening socket on 127.0.0.1 with a free port: connections queue until the server accepts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


class ThreadedServer:
    """Uvicorn serving an ASGI app from a background thread on an already-listening socket."""

    def __init__(self, app: Any) -> None:
        self.sock = free_socket()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
