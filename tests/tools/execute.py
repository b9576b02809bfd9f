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

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: What a widget cell shows before it is run (in JupyterLab, on GitHub, in HTML) instead of a Python repr.
WIDGET_PLACEHOLDER = "运行本单元以显示交互控件（需要运行中的内核）"


def replace_widget_views(nb) -> int:
    """Replace every stored widget view by a one-line text placeholder; return how many were replaced.

    A stored widget view refers to a model that lives only in a running kernel: opened later, a front-end
    shows its fallback, the Python repr (``interactive(children=(FloatLogSlider(...``), or an error. The
    placeholder tells the learner what to do instead; the static figure next to each widget shows the idea.
    """
    replaced = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if WIDGET_MIME in out.get("data", {}):
                out["data"] = {"text/plain": WIDGET_PLACEHOLDER}
                replaced += 1
    nb.metadata.pop("widgets", None)
    return replaced


def store(nb, py: Path) -> Path:
    """Write the executed ``nb`` as ``py``'s paired .ipynb: widget views replaced, volatile metadata stripped."""
    replace_widget_views(nb)
    out = py.with_suffix(".ipynb")
    nbformat.write(nb, out)
    subprocess.run(
        [sys.executable, "-m", "nbstripout", "--keep-output", "--keep-count", str(out)], check=True
    )
    # Write once more through jupytext so the file is byte-identical to what the pairing check regenerates.
    from tests.tools.pairing import regenerate

    out.write_text(regenerate(py), encoding="utf-8")
    return out


def run(nb, py: Path, timeout: int = 600) -> float:
    """Execute ``nb`` (read from ``py``) in place in a fresh kernel started in ``py``'s folder; return seconds."""
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(py.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def execute(py: Path, timeout: int = 600) -> float:
    """Execute ``py`` in a fresh kernel (working directory notebooks/) and write ``py.with_suffix('.ipynb')``."""
    nb = jupytext.read(py)
    seconds = run(nb, py, timeout)
    store(nb, py)
    return seconds


def main(paths: list[str]) -> int:
    for name in paths:
        seconds = execute(Path(name))
        print(f"executed {name}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
