"""The chapter report (`make report`, tests/tools/report.py): its table, the README's times and the probe."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat
import pytest

from tests.tools import report as rp

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads(rp.REPORT_JSON.read_text(encoding="utf-8"))


def test_every_chapter_has_key_numbers_and_a_report_row(stored):
    assert sorted(rp.KEY_NUMBERS) == CHAPTERS, "tests/tools/report.py KEY_NUMBERS: one entry per chapter"
    assert sorted(stored["chapters"]) == CHAPTERS, "docs/report.json is missing chapters: run `make report`"
    for key, entry in stored["chapters"].items():
        assert set(entry["keys"]) == {label for label, _ in rp.KEY_NUMBERS[key]}, (
            f"chapter {key}: re-run make report"
        )


def test_readme_times_are_the_reports(stored):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    times = rp.readme_times(readme)
    assert sorted(times) == CHAPTERS
    for key, entry in stored["chapters"].items():
        assert times[key] == f"{entry['wall_s']:.0f} s", f"README chapter {key}: run `make report`"


def test_report_markdown_is_generated_from_the_json(stored):
    assert rp.REPORT_MD.read_text(encoding="utf-8") == rp.render_markdown(stored)


def test_every_chapter_is_within_its_time_and_memory_budget(stored):
    for key, entry in stored["chapters"].items():
        assert entry["wall_s"] <= 90, f"chapter {key} took {entry['wall_s']} s (budget 90 s)"
        assert 0 < entry["rss_mb"] < rp.RSS_LIMIT_MB, f"chapter {key}: kernel peak {entry['rss_mb']} MB"
    assert sum(e["wall_s"] for e in stored["chapters"].values()) <= 900


def test_format_number():
    assert rp.format_number(3) == "3"
    assert rp.format_number(40.0) == "40"
    assert rp.format_number(0.97833) == "0.978"
    assert rp.format_number(1234.5678) == "1.23e+03"
    assert rp.format_number("BBBE") == "BBBE"
    with pytest.raises(TypeError, match="^value: expected a number or a string"):
        rp.format_number([1, 2])


def test_readme_with_times_rewrites_only_chapter_rows():
    readme = (
        "intro | 01 |\n| # | a | b |\n|---|---|---|\n| 01 | [x](y) | says 3 s | 5 s |\n| 02 | z | w | 9 s |\n"
    )
    report = {"chapters": {"01": {"wall_s": 12.46}}}
    out = rp.readme_with_times(readme, report)
    assert out == readme.replace("| 5 s |", "| 12 s |")
    assert rp.readme_times(out) == {"01": "12 s", "02": "9 s"}


def test_chapter_key_rejects_a_name_without_a_number():
    assert rp.chapter_key(Path("notebooks/07_classification.py")) == "07"
    with pytest.raises(ValueError, match="^notebook: expected a name like 01_slug.py"):
        rp.chapter_key(Path("notebooks/classification.py"))


def _tiny_notebook(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# tiny"),
        nbformat.v4.new_code_cell(
            "import numpy as np\nblock = np.ones(40 * 2**20 // 8)\nacc = 0.875\nn = np.int64(7)"
        ),
    ]
    py = tmp_path / "99_tiny.py"
    jupytext.write(nb, py, fmt="py:percent")
    return py


def test_measure_reads_device_memory_and_key_numbers_from_the_kernel(tmp_path):
    py = _tiny_notebook(tmp_path)
    result, nb = rp.measure(py, [("accuracy", "acc"), ("count", "n"), ("ratio", "acc / 2")])
    assert result["keys"] == {"accuracy": 0.875, "count": 7, "ratio": 0.4375}
    assert result["device"] == "cpu"
    assert result["rss_mb"] > 40  # the 40 MB block the notebook allocated is in the kernel's peak
    assert result["wall_s"] > 0
    assert len(nb.cells) == 2  # the probe cell is not left in the notebook


def test_measure_names_a_key_number_that_fails(tmp_path):
    py = _tiny_notebook(tmp_path)
    with pytest.raises(Exception, match="key number 'gone'"):
        rp.measure(py, [("gone", "renamed_variable")])


def test_main_keeps_the_chapters_that_ran_when_one_fails(tmp_path, monkeypatch):
    good = _tiny_notebook(tmp_path)
    bad = good.with_name("98_bad.py")
    bad.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("REPORT_JSON", "REPORT_MD", "README"):
        monkeypatch.setattr(rp, name, tmp_path / name)
    rp.README.write_text("| 99 | tiny | x | 1 s |\n", encoding="utf-8")
    monkeypatch.setattr(rp, "KEY_NUMBERS", {"99": [("accuracy", "acc")], "98": [("gone", "renamed")]})
    assert rp.main([str(bad), str(good)]) == 1
    stored = json.loads(rp.REPORT_JSON.read_text(encoding="utf-8"))
    assert list(stored["chapters"]) == ["99"] and stored["chapters"]["99"]["keys"] == {"accuracy": 0.875}
    assert rp.readme_times(rp.README.read_text(encoding="utf-8")) == {
        "99": f"{stored['chapters']['99']['wall_s']:.0f} s"
    }
