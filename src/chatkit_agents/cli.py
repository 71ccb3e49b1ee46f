"""The ``chatkit-agents`` command: ``serve module:agent`` and ``demo`` (needs the ``server`` extra).

Nothing is written besides the store's own files (no pid or lock file), so a crashed server restarts
cleanly in the same directory. The port is bound before the URL is printed, so the URL works at once.
"""

from __future__ import annotations

import argparse
import importlib
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["DEFAULT_DEMO_STORE", "DEFAULT_STORE", "load_target", "main"]

DEFAULT_STORE = "sqlite:///.chatkit-agents/chatkit.sqlite3"
"""Store of ``serve`` when ``--store`` is not given: a SQLite file under the current directory."""

DEFAULT_DEMO_STORE = "sqlite:///.chatkit-agents/demo.sqlite3"
"""Store of ``demo`` when ``--store`` is not given."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            return _serve_target(args)
        return _serve_demo(args)
    except CommandError as exc:
        print(f"chatkit-agents: error: {exc}", file=sys.stderr)
        return 2


class CommandError(Exception):
    """A problem with the command line or its target, reported without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatkit-agents", description="Serve OpenAI Agents SDK agents to ChatKit."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve an agent (or a ChatKitServer) over HTTP")
    serve.add_argument(
        "target", help="module:attribute naming an Agent, a ChatKitServer, or a factory of one"
    )
    _common_options(serve, DEFAULT_STORE)

    demo = commands.add_parser("demo", help="serve the built-in demo agent (offline without OPENAI_API_KEY)")
    demo.add_argument("--offline", action="store_true", help="use the scripted demo model even with a key")
    _common_options(demo, DEFAULT_DEMO_STORE)
    return parser


def _common_options(parser: argparse.ArgumentParser, default_store: str) -> None:
    parser.add_argument(
        "--store",
        default=None,
        help=f"sqlite:///path.db, postgres://..., or memory:// (default: {default_store})",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one")
    parser.add_argument("--path", default="/chatkit", help="URL path of the ChatKit endpoint")
    parser.add_argument(
        "--cors-origin", action="append", default=[], help="allow this browser origin (repeat)"
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default: info)")
    parser.add_argument(
        "--ui",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="serve the chat page at / (default: on; --no-ui turns it off)",
    )


def load_target(spec: str) -> Any:
    """Import ``module:attribute`` (dotted attributes allowed) with the current directory importable."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise CommandError(f"{spec!r} is not module:attribute, e.g. my_app.agents:support_agent")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise CommandError(f"cannot import {module_name!r}: {exc}") from exc
    for name in attribute.split("."):
        try:
            target = getattr(target, name)
        except AttributeError:
            raise CommandError(f"{module_name!r} has no attribute {attribute!r}") from None
    return target


def _serve_target(args: argparse.Namespace) -> int:
    from agents import Agent
    from chatkit_agents.server import ChatKitServer
    from chatkit_agents.server.agent_server import AgentServer

    target = load_target(args.target)
    if callable(target) and not isinstance(target, (Agent, ChatKitServer)):
        target = target()
    if isinstance(target, ChatKitServer):
        if args.store is not None:
            raise CommandError("--store is for agents; a ChatKitServer target already has its store")
        server: ChatKitServer[Any] = target
        store_url = type(target.store).__name__
    elif isinstance(target, Agent):
        store_url = args.store or DEFAULT_STORE
        server = AgentServer(target, _store(store_url))
    else:
        raise CommandError(f"{args.target!r} is a {type(target).__name__}, not an Agent or a ChatKitServer")
    return _run(server, args, f"serving {args.target}", store_url)


def _serve_demo(args: argparse.Namespace) -> int:
    from agents import RunConfig
    from chatkit_agents.demo import demo_agent
    from chatkit_agents.server.agent_server import AgentServer

    offline = args.offline or not os.environ.get("OPENAI_API_KEY")
    store_url = args.store or DEFAULT_DEMO_STORE
    run_config = RunConfig(tracing_disabled=True) if offline else None  # no traces to export offline
    server = AgentServer(demo_agent(offline=offline), _store(store_url), run_config=run_config)
    mode = "offline demo model (set OPENAI_API_KEY for a real one)" if offline else "OpenAI model"
    return _run(server, args, f"demo agent with the {mode}", store_url)


def _store(url: str) -> Any:
    from chatkit_agents.store import store_from_url

    try:
        return store_from_url(url)
    except (ValueError, ImportError) as exc:
        raise CommandError(str(exc)) from exc


def _run(server: Any, args: argparse.Namespace, label: str, store_url: str) -> int:
    import uvicorn

    from chatkit_agents.asgi import create_app

    ui: bool = args.ui
    app = create_app(server, path=args.path, cors_origins=args.cors_origin or None, ui=ui)
    try:
        sock = socket.create_server((args.host, args.port))
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    port = sock.getsockname()[1]
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"chatkit-agents: {label}", flush=True)
    print(f"chatkit-agents: store {store_url}", flush=True)
    base = f"http://{shown_host}:{port}"
    if ui:
        print(f"chatkit-agents: chat page {base}/", flush=True)
    print(f"chatkit-agents: ChatKit endpoint {base}{args.path}", flush=True)
    config = uvicorn.Config(app, log_level=args.log_level, lifespan="on")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
