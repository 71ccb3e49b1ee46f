"""The documentation site builds without a single warning, and the quickstart's code is valid Python."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def python_blocks(page: Path) -> list[str]:
    """The bodies of the ```python fenced blocks of a markdown page."""
    return PYTHON_BLOCK.findall(page.read_text(encoding="utf-8"))


def test_mkdocs_build_is_strict_and_clean(tmp_path: Path) -> None:
    missing = [
        name for name in ("mkdocs", "mkdocstrings", "mkdocstrings_handlers.python") if not _installed(name)
    ]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: pip install -e '.[docs]' to build the docs")
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNING" not in output, output
    for page in ["index.html", "quickstart/index.html", "guides/index.html", "reference/agents/index.html"]:
        assert (site / page).is_file(), page
    reference = (site / "reference" / "agents" / "index.html").read_text(encoding="utf-8")
    assert "stream_agent_response" in reference  # docstrings were rendered, not just headings


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def test_every_python_block_of_the_quickstart_compiles() -> None:
    blocks = python_blocks(DOCS / "quickstart.md")
    assert len(blocks) >= 3
    for number, block in enumerate(blocks, start=1):
        compile(block, f"quickstart.md, python block {number}", "exec")


def test_every_example_is_embedded_in_a_guide() -> None:
    guides = "\n".join(page.read_text(encoding="utf-8") for page in (DOCS / "guides").glob("*.md"))
    examples = sorted(path.name for path in (ROOT / "examples").glob("*.py") if not path.name.startswith("_"))
    assert examples
    for name in examples:
        assert f'--8<-- "examples/{name}"' in guides, f"no guide embeds examples/{name}"
