"""Pairing check: regenerate each notebook's .ipynb from its .py source and compare with the committed file.

The regenerated notebook keeps the committed outputs (jupytext combines inputs from the .py with outputs
from the .ipynb), so any difference means the .ipynb inputs are stale: run `make execute`.
Usage: python -m tests.tools.pairing [--write] notebooks/01_x.py [...]
(--write rewrites each .ipynb from its .py instead of checking: for prose-only edits, see `make sync`)
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import jupytext
from jupytext.combine import combine_inputs_with_outputs


def regenerate(py: Path) -> str:
    """The text the paired .ipynb should have: inputs from ``py``, outputs from the existing .ipynb."""
    nb = jupytext.read(py)
    ipynb = py.with_suffix(".ipynb")
    if ipynb.exists():
        nb = combine_inputs_with_outputs(nb, jupytext.read(ipynb), fmt="py:percent")
    return jupytext.writes(nb, fmt="ipynb")


def main(paths: list[str]) -> int:
    if paths[:1] == ["--write"]:
        for name in paths[1:]:
            py = Path(name)
            py.with_suffix(".ipynb").write_text(regenerate(py), encoding="utf-8")
            print(f"synced {py.with_suffix('.ipynb')} from {py}")
        return 0
    if not paths:
        print("pairing: no notebooks/NN_*.py given", file=sys.stderr)
        return 2
    bad = 0
    for name in paths:
        py = Path(name)
        ipynb = py.with_suffix(".ipynb")
        if not ipynb.exists():
            print(f"pairing: {ipynb} is missing; run `make execute NB={py.name[:2]}`")
            bad += 1
            continue
        want, have = regenerate(py), ipynb.read_text(encoding="utf-8")
        if want.rstrip("\n") != have.rstrip("\n"):
            bad += 1
            diff = difflib.unified_diff(
                have.splitlines(), want.splitlines(), str(ipynb), f"{py} (regenerated)", n=1, lineterm=""
            )
            print("\n".join(list(diff)[:40]))
            print(f"pairing: {ipynb} is stale against {py}; run `make execute NB={py.name[:2]}`")
    print(f"pairing: {len(paths) - bad}/{len(paths)} notebook pairs in sync")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
