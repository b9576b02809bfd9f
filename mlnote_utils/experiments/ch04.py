"""Chapter 04 experiment drawing: the lecture's flow chart for diagnosing a training run.

The chart gives every branch a criterion one can measure: a simpler model as the yardstick for the training
loss, and held-out data from the training distribution (plus "does more of it help?") to tell overfitting
from mismatch.
"""

from __future__ import annotations

from matplotlib.axes import Axes

__all__ = [
    "plot_decision_flow",
]


_FLOW_BOXES = {  # name: (x, y, text, colour)
    "start": (0.50, 0.92, "Training loss large?", "#dbe9f6"),
    "which": (0.20, 0.68, "Does a simpler model reach\na LOWER training loss?", "#dbe9f6"),
    "bias": (0.09, 0.38, "Model bias\n(add features,\nmore flexible model)", "#fde2c8"),
    "optim": (0.31, 0.38, "Optimisation\n(better optimiser\nor initialisation)", "#fde2c8"),
    "test": (0.74, 0.68, "Validation loss (or error)\nlarge?", "#dbe9f6"),
    "criterion": (
        0.62,
        0.40,
        "Is held-out data from the TRAINING\ndistribution just as bad, and does\nmore such data help?",
        "#dbe9f6",
    ),
    "done": (0.92, 0.40, "Done:\nboth small", "#d6f0d2"),
    "over": (0.50, 0.10, "Overfitting\n(more data, augmentation,\nsimpler model)", "#fde2c8"),
    "mismatch": (
        0.76,
        0.10,
        "Mismatch\n(only the test data are bad: they\ndiffer from training; more of the\nsame data won't help)",
        "#fde2c8",
    ),
}


_FLOW_ARROWS = [  # (from, to, label)
    ("start", "which", "yes"),
    ("start", "test", "no"),
    ("which", "bias", "no"),
    ("which", "optim", "yes"),
    ("test", "criterion", "yes"),
    ("test", "done", "no"),
    ("criterion", "over", "yes"),
    ("criterion", "mismatch", "no"),
]

_HALF_HEIGHT = {
    "start": 0.04,
    "which": 0.06,
    "test": 0.06,
    "criterion": 0.08,
    "done": 0.06,
    "mismatch": 0.11,
}  # others: 0.09


def plot_decision_flow(*, ax: Axes | None = None) -> Axes:
    """Draw the lecture's diagnosis flow chart (training loss first, then test loss) on ``ax``.

    Args:
        ax: the Axes to draw on; a new 11×5-inch figure is made when missing.

    Returns:
        The Axes, with its axis frame hidden and a title set.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(11, 5))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    for x, y, text, colour in _FLOW_BOXES.values():
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=9,
            bbox={"boxstyle": "round,pad=0.5", "fc": colour, "ec": "0.3"},
        )
    for start, end, label in _FLOW_ARROWS:
        x0, y0 = _FLOW_BOXES[start][:2]
        x1, y1 = _FLOW_BOXES[end][:2]
        ax.annotate(
            "",
            xy=(x1, y1 + _HALF_HEIGHT.get(end, 0.09) + 0.03),
            xytext=(x0, y0 - _HALF_HEIGHT.get(start, 0.09) - 0.03),
            arrowprops={"arrowstyle": "->", "color": "0.25", "lw": 1.2},
        )
        ax.text(
            (x0 + x1) / 2,
            (y0 - _HALF_HEIGHT.get(start, 0.09) + y1 + _HALF_HEIGHT.get(end, 0.09)) / 2,
            label,
            fontsize=8.5,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
        )
    ax.set_title("How to diagnose a training run (training loss first, then validation loss)")
    return ax
