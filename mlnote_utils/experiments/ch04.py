"""Chapter 04 experiment drawing: the lecture's flow chart for diagnosing a training run."""

from __future__ import annotations

from matplotlib.axes import Axes

__all__ = [
    "plot_decision_flow",
]


_FLOW_BOXES = {  # name: (x, y, text, colour)
    "start": (0.50, 0.90, "Training loss large?", "#dbe9f6"),
    "which": (0.20, 0.62, "Does a simpler model reach\na LOWER training loss?", "#dbe9f6"),
    "bias": (0.09, 0.30, "Model bias\n(add features,\nmore flexible model)", "#fde2c8"),
    "optim": (0.31, 0.30, "Optimisation\n(better optimiser\nor initialisation)", "#fde2c8"),
    "test": (0.73, 0.62, "Test (validation)\nloss large?", "#dbe9f6"),
    "over": (0.53, 0.30, "Overfitting\n(more data, augmentation,\nsimpler model)", "#fde2c8"),
    "mismatch": (0.75, 0.30, "Mismatch\n(train/test differ;\nmore data won't help)", "#fde2c8"),
    "done": (0.94, 0.30, "Done:\nboth small", "#d6f0d2"),
}


_FLOW_ARROWS = [  # (from, to, label)
    ("start", "which", "yes"),
    ("start", "test", "no"),
    ("which", "bias", "no"),
    ("which", "optim", "yes"),
    ("test", "over", "yes"),
    ("test", "mismatch", "yes"),
    ("test", "done", "no"),
]


def plot_decision_flow(*, ax: Axes | None = None) -> Axes:
    """Draw the lecture's diagnosis flow chart (training loss first, then test loss) on ``ax``.

    Args:
        ax: the Axes to draw on; a new 11×4-inch figure is made when missing.

    Returns:
        The Axes, with its axis frame hidden and a title set.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(11, 4))
    ax.set_xlim(0, 1)
    ax.set_ylim(0.12, 1)
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
            xy=(x1, y1 + 0.1),
            xytext=(x0, y0 - 0.07),
            arrowprops={"arrowstyle": "->", "color": "0.25", "lw": 1.2},
        )
        ax.text(
            (x0 + x1) / 2,
            (y0 - 0.07 + y1 + 0.1) / 2,
            label,
            fontsize=8.5,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
        )
    ax.set_title("How to diagnose a training run (train loss first, then test loss)")
    return ax
