"""Developer sessions: `nox -s tests lint typecheck docs examples bench ui stress`.

Every session installs the project into its own virtualenv from this checkout, so a clean clone needs
nothing but Python 3 and `pip install nox`.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the whole test suite (the same one `.ci/run` runs)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff lint and format check over sources, tests, examples and benchmarks."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """Pyright in strict mode over src/."""
    session.install("-e", ".[dev]")
    session.run("pyright", "src")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site; warnings fail the build."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session(python=PYTHON)
def examples(session: nox.Session) -> None:
    """Run every example offline (scripted models, no API key)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", "tests/test_examples.py", "-q", env={"OPENAI_API_KEY": ""})


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Offline speed benchmarks (not part of the test gate): prints the report, writes its JSON.

    ``nox -s bench -- --write-docs`` also fills the results section of docs/performance.md; ``-- --help``
    lists the other options.
    """
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session(python=PYTHON)
def stress(session: nox.Session) -> None:
    """Long reliability runs (tests/stress): every fault point, kill -9 after every frame, load over loopback.

    The PostgreSQL half needs a server on 127.0.0.1:5432 (or ``CHATKIT_TEST_POSTGRES_DSN``). Load knobs:
    ``CHATKIT_LOAD_CLIENTS``, ``CHATKIT_LOAD_SECONDS``, ``CHATKIT_LOAD_REPORT_DIR`` (see test_load.py).
    """
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", "tests/stress", "--stress", "-q", "-rs", *session.posargs)


@nox.session(python=PYTHON)
def ui(session: nox.Session) -> None:
    """Browser tests of the chat page in headless Chromium (Debian's `chromium`, installed when root)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", "tests/ui", "-q", *session.posargs)
