"""Re-run notebooks from their .py source and refresh the paired .ipynb (outputs kept, volatile metadata stripped).

Usage: python -m tests.tools.execute notebooks/01_x.py [...]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient


def execute(py: Path, timeout: int = 600) -> float:
    """Execute ``py`` in a fresh kernel (working directory notebooks/) and write ``py.with_suffix('.ipynb')``."""
    nb = jupytext.read(py)
    start = time.perf_counter()
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(py.parent)}}
    )
    client.execute()
    seconds = time.perf_counter() - start
    out = py.with_suffix(".ipynb")
    nbformat.write(nb, out)
    subprocess.run(
        [sys.executable, "-m", "nbstripout", "--keep-output", "--keep-count", str(out)], check=True
    )
    # Write once more through jupytext so the file is byte-identical to what the pairing check regenerates.
    from tests.tools.pairing import regenerate

    out.write_text(regenerate(py), encoding="utf-8")
    return seconds


def main(paths: list[str]) -> int:
    for name in paths:
        seconds = execute(Path(name))
        print(f"executed {name}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
