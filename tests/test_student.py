"""make student: copies without reference solutions and outputs that still run from top to bottom."""

import json
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tests.tools.student import is_reference_solution, main, student_copy

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_every_chapter_has_solutions_to_remove_and_the_copy_has_none(tmp_path):
    assert main(["--out", str(tmp_path), *map(str, NOTEBOOKS)]) == 0
    for path in NOTEBOOKS:
        original = nbformat.read(path, as_version=4)
        copy = nbformat.read(tmp_path / path.name, as_version=4)
        assert any(is_reference_solution(c) for c in original.cells), f"{path.name}: no reference solution"
        assert not any(is_reference_solution(c) for c in copy.cells)
        code = [c for c in copy.cells if c.cell_type == "code"]
        assert all(c.outputs == [] and c.execution_count is None for c in code)
        assert copy.metadata["kernelspec"]["name"] == "mlnote"
        kept = [c.source for c in original.cells if not is_reference_solution(c)]
        assert [c.source for c in copy.cells] == kept  # nothing else removed or reordered


def test_a_student_copy_runs_and_says_not_yet_answered(tmp_path):
    """Chapter 01 without its solutions runs top to bottom; its exercise cells report 'not answered'."""
    nb = student_copy(nbformat.read(NOTEBOOKS[0], as_version=4))
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    text = json.dumps([o for c in nb.cells if c.cell_type == "code" for o in c.outputs], ensure_ascii=False)
    assert '"output_type": "error"' not in text
    assert text.count("尚未") >= 2  # at least two exercises answer "not yet answered"
