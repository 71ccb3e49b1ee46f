"""Our widget JSON type-checks against the ChatKit web component's own TypeScript types (``tsc --strict``).

The test installs ``@openai/chatkit`` (types only) and ``typescript`` with npm into ``.cache/npm`` once;
later runs reuse that folder and need no network. It skips only when node or npm is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from _widget_samples import (
    EXTENSION_FIELDS,
    EXTENSIONS,
    STANDARD,
    component_classes,
    iter_models,
    literal_sweep,
)
from pydantic import BaseModel

from chatkit_agents import widgets as w

NPM_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "npm"
NPM_PACKAGES = {"@openai/chatkit": "1.9.0", "typescript": "7.0.2"}
WIDGET_TYPES = NPM_CACHE / "node_modules" / "@openai" / "chatkit" / "types" / "widgets"
TSC = NPM_CACHE / "node_modules" / "typescript" / "bin" / "tsc"
TSC_ERROR = re.compile(r"^(?P<file>.+?)\((?P<line>\d+),(?P<col>\d+)\): error (?P<msg>.*)$")

Checker = Callable[[Mapping[str, Any]], dict[str, list[str]]]


def _installed_version(package: str) -> str | None:
    manifest = NPM_CACHE / "node_modules" / package / "package.json"
    if not manifest.is_file():
        return None
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    return version if isinstance(version, str) else None


def _ensure_npm_packages() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to type-check widget JSON with tsc; install Node.js >= 18")
    missing = [
        f"{name}@{version}" for name, version in NPM_PACKAGES.items() if _installed_version(name) != version
    ]
    if not missing:
        return
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["npm", "install", "--prefix", str(NPM_CACHE), "--no-audit", "--no-fund", *missing],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"npm install {' '.join(missing)} into {NPM_CACHE} failed:\n{result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def tsc(tmp_path_factory: pytest.TempPathFactory) -> Checker:
    """A function type-checking named widget JSON dicts as ``WidgetRoot``; returns the errors by name."""
    _ensure_npm_packages()
    folder = tmp_path_factory.mktemp("tsc")
    counter = iter(range(1_000_000))

    def check(widgets: Mapping[str, Any]) -> dict[str, list[str]]:
        source = folder / f"widgets_{next(counter)}.ts"
        lines = [f"import type {{ WidgetRoot }} from {json.dumps(str(WIDGET_TYPES))};"]
        names: dict[int, str] = {}
        for index, (name, widget) in enumerate(widgets.items()):
            names[len(lines) + 1] = name
            lines.append(f"export const w{index}: WidgetRoot = {json.dumps(widget)};")
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = subprocess.run(
            [
                "node",
                str(TSC),
                "--strict",
                "--noEmit",
                "--target",
                "es2022",
                "--module",
                "esnext",
                "--moduleResolution",
                "bundler",
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        errors: dict[str, list[str]] = {}
        last: list[str] | None = None
        for line in result.stdout.splitlines():
            match = TSC_ERROR.match(line)
            if match:
                name = names.get(int(match["line"]))
                assert name is not None, f"tsc error outside the widget lines: {line}"
                last = errors.setdefault(name, [])
                last.append(match["msg"])
            elif line.strip() and last is not None:
                last[-1] += " " + line.strip()
        assert errors or result.returncode == 0, f"tsc failed without errors:\n{result.stdout}{result.stderr}"
        return errors

    return check


def _json(widgets: Mapping[str, BaseModel]) -> dict[str, Any]:
    return {name: widget.model_dump(mode="json") for name, widget in widgets.items()}


def test_every_standard_widget_type_checks_against_the_web_component_types(tsc: Checker) -> None:
    assert tsc(_json({**STANDARD, **literal_sweep()})) == {}


def test_the_type_check_rejects_widgets_the_web_component_types_reject(tsc: Checker) -> None:
    wrong = {
        "text_without_value": {"type": "Card", "children": [{"type": "Text"}]},
        "clock_icon": {"type": "Card", "children": [{"type": "Icon", "name": "clock"}]},
        "lucide_icon": {"type": "Card", "children": [{"type": "Icon", "name": "lucide:house"}]},
        "image_flex": {"type": "Card", "children": [{"type": "Image", "src": "a.png", "flex": 1}]},
        "image_background": {
            "type": "Card",
            "children": [{"type": "Image", "src": "a", "background": "red"}],
        },
        "select_searchable": {
            "type": "Card",
            "children": [{"type": "Select", "name": "s", "options": [], "searchable": True}],
        },
        "select_option_disabled": {
            "type": "Card",
            "children": [
                {"type": "Select", "name": "s", "options": [{"value": "a", "label": "A", "disabled": True}]}
            ],
        },
        "list_view_item_in_card": {"type": "Card", "children": [{"type": "ListViewItem", "children": []}]},
        "basic_without_children": {"type": "Basic"},
        "transition_without_children": {"type": "Card", "children": [{"type": "Transition"}]},
        "action_defaults_dumped": {
            "type": "Card",
            "children": [
                {
                    "type": "Button",
                    "onClickAction": {
                        "type": "x",
                        "handler": "server",
                        "loadingBehavior": "auto",
                        "streaming": True,
                    },
                }
            ],
        },
        "null_prop": {"type": "Card", "children": [], "size": None},
    }
    errors = tsc(wrong)
    assert sorted(errors) == sorted(wrong), f"tsc accepted: {sorted(set(wrong) - set(errors))}"


def test_extension_samples_are_exactly_what_the_published_types_lack(tsc: Checker) -> None:
    errors = tsc(_json(EXTENSIONS))
    assert sorted(errors) == sorted(EXTENSIONS)
    assert "ListView" in " ".join(errors["list_view_in_card"])
    assert '"Chart"' in " ".join(errors["chart"])
    assert re.search(r"handler\W+ does not exist in type 'ActionConfig'", " ".join(errors["action_options"]))


def test_samples_set_every_prop_of_every_model() -> None:
    models = [
        w.ActionConfig,
        w.ThemeColor,
        w.Spacing,
        w.Border,
        w.Borders,
        w.WidgetStatusWithFavicon,
        w.WidgetStatusWithIcon,
        w.CardAction,
        w.Card,
        w.ListView,
        w.ListViewItem,
        w.Basic,
        w.EditableProps,
        w.SelectOption,
        w.RadioOption,
        w.BarSeries,
        w.AreaSeries,
        w.LineSeries,
        w.XAxisConfig,
        *component_classes(),
    ]

    def props_set(samples: Mapping[str, BaseModel]) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for sample in samples.values():
            for model in iter_models(sample):
                found |= {(type(model).__name__, name) for name in model.model_fields_set}
        return found

    every = {(cls.__name__, name) for cls in models for name in cls.model_fields if name != "type"}
    standard = props_set({**STANDARD, **literal_sweep()})
    assert every - EXTENSION_FIELDS - standard == set()
    assert every - standard - props_set(EXTENSIONS) == set()
