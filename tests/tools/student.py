"""Student copies: the chapter notebooks without reference solutions and without outputs.

Usage: python -m tests.tools.student [--out build/student] notebooks/01_x.ipynb [...]

A reference solution is a code cell whose source is hidden (``jupyter: {source_hidden: true}``, the collapsed
cell a learner opens with "•••"). Everything else is kept, so a copy still runs from top to bottom: the
exercise cells then answer "not yet answered" instead of showing the solution.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


def is_reference_solution(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with reference-solution cells dropped and every output cleared."""
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    for cell in nb.cells:
        if is_reference_solution(cell):
            continue
        cell = nbformat.from_dict(dict(cell))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        out.cells.append(cell)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        copy = student_copy(nb)
        removed = len(nb.cells) - len(copy.cells)
        nbformat.write(copy, args.out / path.name)
        print(f"{args.out / path.name}: {removed} reference solution(s) removed, outputs cleared")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
