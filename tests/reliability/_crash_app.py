"""The server the kill -9 tests run in a subprocess: ``chatkit-agents serve _crash_app:build``.

``CHATKIT_CRASH_STORE`` is the store URL (``sqlite:////abs/file.db`` or ``postgresql://...?schema=x``) and
``CHATKIT_CRASH_SIGNALS`` the directory of the file signals the echo model and its waiting tool use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from _reliability_kit import echo_server

from chatkit_agents.server import AgentServer
from chatkit_agents.store import store_from_url


def build() -> AgentServer[Any]:
    """The echo agent server over the store named by the environment."""
    store = store_from_url(os.environ["CHATKIT_CRASH_STORE"])
    return echo_server(store, Path(os.environ["CHATKIT_CRASH_SIGNALS"]))
