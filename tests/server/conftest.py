"""Fixtures for the server tests: a fresh memory store with sequential ids and a scripted server."""

from __future__ import annotations

from typing import Any

import pytest
from _server_helpers import FakeAttachmentStore, ScriptedServer

from chatkit_agents._ids import SequentialIds
from chatkit_agents.store import MemoryStore


@pytest.fixture
def store() -> MemoryStore[Any]:
    return MemoryStore(id_factory=SequentialIds())


@pytest.fixture
def server(store: MemoryStore[Any]) -> ScriptedServer:
    return ScriptedServer(store, FakeAttachmentStore(store))
