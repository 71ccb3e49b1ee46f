"""The instruction-count tool: its child marks every request, and dumps are grouped and summarised right."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks import instructions
from inline_snapshot import snapshot


def _dump(folder: Path, number: int, total: int) -> None:
    (folder / f"cg.out.{number}").write_text(f"version: 1\nevents: Ir\nsummary: {total}\n")


def test_dumps_are_grouped_by_the_request_each_one_ends_and_summarised_against_raw(tmp_path: Path) -> None:
    labels = ["setup", "raw", "setup", "serve", "setup", "raw", "setup", "serve"]
    for number, total in enumerate([5, 1000, 7, 1500, 6, 1010, 9, 1490], start=1):
        _dump(tmp_path, number, total)
    (tmp_path / "cg.out").write_text("the final dump has no number and is ignored\n")
    grouped = instructions.per_variant(labels, instructions.dump_totals(tmp_path / "cg.out"))
    assert grouped == {"raw": [1000, 1010], "serve": [1500, 1490]}
    assert instructions.render(grouped, 1) == snapshot("""\
| variant (N = 1) | instructions per request | above raw | runs |
|---|---:|---:|---:|
| raw | 1,005 | - | 2 |
| serve | 1,495 | +490 | 2 |\
""")


async def test_the_child_marks_the_start_and_end_of_every_measured_request() -> None:
    labels = await instructions._child(1, 2, ["raw", "serve"])  # pyright: ignore[reportPrivateUsage]
    assert labels == ["setup", "raw", "setup", "serve", "setup", "raw", "setup", "serve"]


def test_counting_without_valgrind_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instructions.shutil, "which", lambda name: None)
    with pytest.raises(instructions.ValgrindMissingError, match="apt-get install valgrind"):
        instructions.count(1, 1, ["raw"])
