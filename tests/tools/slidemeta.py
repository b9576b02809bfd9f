"""Slide layout written into the chapters' ``.py`` sources, where an author can read and change it.

Usage:
    python -m tests.tools.slidemeta notebooks/13_x.py [...]          # add a slide type to each prose cell
    python -m tests.tools.slidemeta --check notebooks/*.py           # fail if a prose cell has none

Each markdown cell (and each hidden reference solution) carries ``slideshow={"slide_type": ...}`` in its
``# %%`` header, the metadata reveal.js slides are built from (``make slides``). ``annotate`` proposes the
course's default for cells that have none and never touches a cell that has one, so an author's choice stays:
``#``/``##`` headings start a slide; ``###`` headings and exercises a sub-slide; other prose appears as a
fragment, one paragraph or derivation step per click; the how-to-use section and reference solutions are
skipped. Code cells default to ``-`` (shown with the slide before them); ``make slides`` shows only the output
of long ones. After annotating, ``make sync NB=..`` copies the metadata into the ``.ipynb``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import jupytext

from tests.tools.student import is_reference_solution

KINDS = ("slide", "subslide", "fragment", "-", "skip", "notes")


def default_slide_type(cell) -> str:
    """The course's default slide type for a cell, from its kind and its first line."""
    text = cell.source.lstrip()
    if is_reference_solution(cell) or text.startswith("## 如何使用"):
        return "skip"
    if cell.cell_type != "markdown":
        return "-"
    if re.match(r"#{1,2} ", text):
        return "slide"
    if text.startswith("### ") or text.startswith("**练习"):
        return "subslide"
    return "fragment"


def needs_slide_type(cell) -> bool:
    """Prose and reference solutions are laid out in the source; other code cells may rely on the default."""
    return cell.cell_type == "markdown" or is_reference_solution(cell)


def _headers(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if line.startswith("# %%")]


def annotate(py: Path) -> int:
    """Add the default slide type to each cell of ``py`` that needs one and has none; return how many."""
    nb = jupytext.read(py)
    lines = py.read_text(encoding="utf-8").split("\n")
    headers = _headers(lines)
    if len(headers) != len(nb.cells):
        raise ValueError(f"py: {py} has {len(headers)} '# %%' headers for {len(nb.cells)} cells")
    added = 0
    for i, cell in zip(headers, nb.cells, strict=True):
        if needs_slide_type(cell) and "slideshow" not in cell.metadata:
            meta = json.dumps({"slide_type": default_slide_type(cell)})
            lines[i] = f"{lines[i]} slideshow={meta}"
            added += 1
    if added:
        py.write_text("\n".join(lines), encoding="utf-8")
    return added


def missing(py: Path) -> list[str]:
    """Cells of ``py`` that need a slide type and lack one (or carry an unknown one), as readable lines."""
    bad = []
    for n, cell in enumerate(jupytext.read(py).cells, start=1):
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        if kind is None and needs_slide_type(cell):
            bad.append(f"{py.name} cell {n}: no slide_type ({cell.source.strip()[:40]!r})")
        elif kind is not None and kind not in KINDS:
            bad.append(f"{py.name} cell {n}: unknown slide_type {kind!r}, expected one of {KINDS}")
    return bad


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report cells without a slide type")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.check:
        bad = [line for py in args.notebooks for line in missing(py)]
        print(
            "\n".join(bad)
            or f"slidemeta: every prose cell of {len(args.notebooks)} notebooks has a slide type"
        )
        return 1 if bad else 0
    for py in args.notebooks:
        print(f"{py}: {annotate(py)} cells annotated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
