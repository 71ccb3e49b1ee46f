"""Fixtures for the shared store suite: one `Backend` per store kind (memory, sqlite, postgres).

PostgreSQL: uses ``$CHATKIT_TEST_POSTGRES_DSN`` or a server on 127.0.0.1:5432 (database ``test``), else
starts a throw-away cluster with ``initdb``/``pg_ctl``; each test gets its own fresh schema.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chatkit_agents._ids import random_id
from chatkit_agents.store import MemoryStore, SQLiteStore, Store

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass
class Backend:
    """Makes store objects over one test's data; `reopen` gives a fresh object over the same data."""

    name: str
    factory: Callable[[], Store[Any]]
    persistent: bool
    opened: list[Store[Any]] = field(default_factory=list[Store[Any]])

    def new_store(self) -> Store[Any]:
        store = self.factory()
        self.opened.append(store)
        return store

    async def close_all(self) -> None:
        for store in self.opened:
            await store.close()


# -- PostgreSQL ---------------------------------------------------------------------------------------


def _answers(dsn: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_cluster(workdir: Path) -> tuple[str, Callable[[], None]] | str:
    """Start a private PostgreSQL cluster; return (dsn, stop) or the reason it could not start."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or (
        [shutil.which("initdb")] if shutil.which("initdb") else []
    )
    if not bins:
        return "no initdb found under /usr/lib/postgresql/*/bin or on PATH"
    bindir = Path(bins[-1]).parent
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the cluster as the postgres user
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing, so initdb cannot run"
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(workdir, "postgres")
    data, port = workdir / "data", _free_port()
    try:
        subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [
                *prefix,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-w",
                "-l",
                str(workdir / "log"),
                "-o",
                f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.SubprocessError, OSError) as error:
        return f"starting a temporary cluster failed: {error}"

    def stop() -> None:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A DSN of a PostgreSQL server the tests may create schemas in."""
    candidates = [os.environ.get("CHATKIT_TEST_POSTGRES_DSN", "")]
    candidates += [f"postgresql://{user}@127.0.0.1:5432/test" for user in ("postgres", "root")]
    for dsn in filter(None, candidates):
        if _answers(dsn):
            yield dsn
            return
    workdir = Path(tempfile.mkdtemp(prefix="chatkit-pg-"))
    started = _start_cluster(workdir)
    if isinstance(started, str):
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.skip(f"PostgreSQL tests skipped: no server at 127.0.0.1:5432 and {started}")
    dsn, stop = started
    try:
        yield dsn
    finally:
        stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def postgres_schema(postgres_dsn: str) -> Iterator[str]:
    """A fresh, uniquely named schema, dropped after the test."""
    import psycopg

    schema = random_id("t").replace("t_", "chatkit_test_")
    try:
        yield schema
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # pyright: ignore[reportArgumentType]


# -- the parametrised backend -------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """One backend per store kind, each over data private to this test."""
    name: str = request.param
    if name == "memory":
        shared = MemoryStore[Any]()
        result = Backend(name, lambda: shared, persistent=False)
    elif name == "sqlite":
        path = tmp_path / "store.db"
        result = Backend(name, lambda: SQLiteStore[Any](path), persistent=True)
    else:
        from chatkit_agents.store.postgres import PostgresStore

        dsn: str = request.getfixturevalue("postgres_dsn")
        schema: str = request.getfixturevalue("postgres_schema")
        result = Backend(name, lambda: PostgresStore[Any](dsn, schema=schema), persistent=True)
    try:
        yield result
    finally:
        await result.close_all()


@pytest.fixture
def store(backend: Backend) -> Store[Any]:
    """A store of the current backend kind."""
    return backend.new_store()
