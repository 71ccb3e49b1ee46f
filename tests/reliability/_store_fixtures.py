"""The PostgreSQL fixtures of the store suite (``tests/store/conftest.py``), loaded once for reuse here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_NAME = "_chatkit_store_fixtures"


def _load() -> ModuleType:
    """Load ``tests/store/conftest.py`` under a private name (test folders are not packages)."""
    if _NAME in sys.modules:
        return sys.modules[_NAME]
    path = Path(__file__).resolve().parent.parent / "store" / "conftest.py"
    spec = importlib.util.spec_from_file_location(_NAME, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module
    spec.loader.exec_module(module)
    return module


_fixtures = _load()
postgres_dsn = _fixtures.postgres_dsn
postgres_schema = _fixtures.postgres_schema
