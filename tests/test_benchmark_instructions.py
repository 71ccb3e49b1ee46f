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


def test_cache_dumps_keep_every_event_and_omitted_trailing_totals_read_as_zero(tmp_path: Path) -> None:
    events = "events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n"
    (tmp_path / "cg.out.1").write_text(events + "summary: 1000 300 200 20 10 5 2 3 1\n")
    (tmp_path / "cg.out.2").write_text(events + "summary: 1500 400 250 30 12 6 4 5\n")
    found = instructions.dump_events(tmp_path / "cg.out")
    assert found[2] == {
        "Ir": 1500,
        "Dr": 400,
        "Dw": 250,
        "I1mr": 30,
        "D1mr": 12,
        "D1mw": 6,
        "ILmr": 4,
        "DLmr": 5,
        "DLmw": 0,
    }
    assert instructions.dump_totals(tmp_path / "cg.out") == {1: 1000, 2: 1500}
    assert instructions.estimated_cycles(found[1]) == 1000 + 10 * (20 + 10 + 5) + 100 * (2 + 3 + 1)


def test_the_cache_table_compares_estimated_cycles_with_raw() -> None:
    def run(ir: int, l1: int, last: int) -> dict[str, int]:
        return {"Ir": ir, "I1mr": l1, "ILmr": last}

    grouped = {"raw": [run(1000, 10, 1), run(1010, 10, 1)], "serve": [run(1200, 20, 3), run(1210, 20, 3)]}
    assert instructions.render_cache(grouped, 1, "L2 1 MiB") == snapshot("""\
| variant (N = 1; L2 1 MiB) | instructions | L1 misses | L2 misses | cycles (est.) | above raw | runs |
|---|---:|---:|---:|---:|---:|---:|
| raw | 1,005 | 10 | 1 | 1,205 | - | 2 |
| serve | 1,205 | 20 | 3 | 1,705 | +500 | 2 |\
""")


def test_the_second_level_cache_comes_from_sysfs_or_defaults_to_one_mebibyte(tmp_path: Path) -> None:
    for name, level, size in (("index0", "1", "32K"), ("index2", "2", "2048K"), ("index3", "3", "32768K")):
        index = tmp_path / name
        index.mkdir()
        (index / "level").write_text(level + "\n")
        (index / "size").write_text(size + "\n")
        (index / "ways_of_associativity").write_text("8\n")
        (index / "coherency_line_size").write_text("64\n")
    assert instructions.second_level_cache(tmp_path) == (2048 * 1024, 8, 64)
    assert instructions.second_level_cache(tmp_path / "missing") == (1024 * 1024, 16, 64)


async def test_the_child_marks_the_start_and_end_of_every_measured_request() -> None:
    labels = await instructions._child(1, 2, ["raw", "serve"])  # pyright: ignore[reportPrivateUsage]
    assert labels == ["setup", "raw", "setup", "serve", "setup", "raw", "setup", "serve"]


def test_counting_without_valgrind_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instructions.shutil, "which", lambda name: None)
    with pytest.raises(instructions.ValgrindMissingError, match="apt-get install valgrind"):
        instructions.count(1, 1, ["raw"])
