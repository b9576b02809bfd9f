"""Thin notebook glue: sliders around the course's pure compute/plot functions, progress bars, a helper's source.

The logic a widget shows lives in a topic module and is tested without a kernel; here we only turn a
``draw(ax=..., **knobs)`` function into sliders that redraw a fresh figure.
"""

from __future__ import annotations

import inspect
import os
import textwrap
from collections.abc import Callable, Iterable, Sequence

import numpy as np

__all__ = [
    "float_slider",
    "log_slider",
    "int_slider",
    "choice",
    "interactive_figure",
    "show_source",
    "progress_bar",
]


def float_slider(value: float, lo: float, hi: float, step: float | None = None, description: str = ""):
    """A ``FloatSlider`` with a readable format; ``lo < hi`` and ``lo ≤ value ≤ hi`` are checked."""
    import ipywidgets as w

    _check_range(value, lo, hi)
    step = step if step is not None else (hi - lo) / 100
    return w.FloatSlider(
        value=value, min=lo, max=hi, step=step, description=description, continuous_update=False
    )


def log_slider(value: float, lo: float, hi: float, description: str = ""):
    """A ``FloatLogSlider`` from ``lo`` to ``hi`` (both > 0), for learning rates and scales."""
    import ipywidgets as w

    if lo <= 0:
        raise ValueError(f"lo={lo!r}: a log slider needs a positive lower end")
    _check_range(value, lo, hi)
    return w.FloatLogSlider(
        value=value,
        base=10,
        min=np.log10(lo),
        max=np.log10(hi),
        step=0.05,
        description=description,
        continuous_update=False,
    )


def int_slider(value: int, lo: int, hi: int, step: int = 1, description: str = ""):
    """An ``IntSlider``; ``lo ≤ value ≤ hi`` is checked."""
    import ipywidgets as w

    _check_range(value, lo, hi)
    return w.IntSlider(
        value=value, min=lo, max=hi, step=step, description=description, continuous_update=False
    )


def choice(options: Sequence, value=None, description: str = ""):
    """A ``Dropdown`` over ``options`` (value defaults to the first one)."""
    import ipywidgets as w

    options = list(options)
    if not options:
        raise ValueError("options: expected at least one option")
    value = options[0] if value is None else value
    if value not in options:
        raise ValueError(f"value={value!r}: expected one of {options}")
    return w.Dropdown(options=options, value=value, description=description)


def _check_range(value, lo, hi) -> None:
    if not lo < hi:
        raise ValueError(f"lo={lo!r}, hi={hi!r}: expected lo < hi")
    if not lo <= value <= hi:
        raise ValueError(f"value={value!r}: expected it within [{lo}, {hi}]")


def interactive_figure(draw: Callable, *, figsize=(6, 4), projection: str | None = None, **controls):
    """Make an ``ipywidgets.interactive`` that calls ``draw(ax=ax, **knobs)`` on a fresh figure.

    Args:
        draw: a function ``draw(*, ax, **knobs)`` that draws on ``ax`` (and may return anything).
        figsize: figure size in inches.
        projection: e.g. ``"3d"`` for a 3-D Axes.
        **controls: one widget (or abbreviation ``interact`` understands) per knob of ``draw``.

    Returns:
        The ``interactive`` widget; display it (it is the last expression of a cell) to use it.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    if not controls:
        raise ValueError("controls: expected at least one knob, e.g. lr=log_slider(0.1, 1e-3, 1)")

    def _update(**knobs):
        fig = plt.figure(figsize=figsize)
        ax = fig.add_subplot(projection=projection)
        draw(ax=ax, **knobs)
        fig.tight_layout()
        plt.show()  # inside the widget's Output area; this is widget glue, not a plot helper

    return w.interactive(_update, **controls)


def show_source(*objects):
    """The source code of one or more helpers, syntax-highlighted in a notebook (make it the cell's last expression).

    Chapters call this next to a helper that holds the chapter's idea, so the learner reads what runs.

    >>> print(show_source(show_source).data.splitlines()[0])
    def show_source(*objects):
    """
    from IPython.display import Code

    if not objects:
        raise TypeError("show_source: expected at least one function or class")
    parts = []
    for obj in objects:
        try:
            source = textwrap.dedent(inspect.getsource(obj)).rstrip()
        except (TypeError, OSError) as exc:
            raise TypeError(
                f"objects: expected functions or classes defined in Python source, got {obj!r}"
            ) from exc
        parts.append(f"# {obj.__module__}.{obj.__qualname__}\n{source}" if len(objects) > 1 else source)
    return Code("\n\n\n".join(parts) + "\n", language="python")


def progress_bar(iterable: Iterable | None = None, *, enabled: bool = True, **options):
    """A ``tqdm.auto`` progress bar that honours ``TQDM_DISABLE=1`` in notebooks too.

    (``tqdm.notebook`` ignores that variable; CI and ``make execute`` set it so stored outputs hold no bars.)
    ``options`` go to ``tqdm`` (``desc``, ``total``, ``initial``…).
    """
    from tqdm.auto import tqdm

    quiet = not enabled or os.environ.get("TQDM_DISABLE", "").lower() in {"1", "true", "yes"}
    return tqdm(iterable, disable=quiet, **options)
