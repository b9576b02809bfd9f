"""Chapter 07 experiments: a 2-D three-class data set and the decision regions of a trained classifier."""

from __future__ import annotations

import math

import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn

__all__ = ["make_spirals", "predict_grid", "plot_decision_regions", "double_softmax_loss_floor"]


def make_spirals(
    n_per_class: int = 100, num_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Interleaved 2-D spirals, one arm per class (a data set no linear classifier separates).

    Arm ``k`` runs from the origin outwards over a quarter turn and a half, rotated by ``2πk / num_classes``;
    ``noise`` is the standard deviation of the angle jitter.

    Returns:
        ``(x, y)``: ``(num_classes·n_per_class, 2)`` float32 points and ``(…,)`` int64 labels.
    """
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, int) or n_per_class < 1:
        raise ValueError(f"n_per_class={n_per_class!r}: expected a positive int")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes={num_classes!r}: expected an int ≥ 2")
    if not noise >= 0:
        raise ValueError(f"noise={noise!r}: expected a number ≥ 0")
    gen = torch.Generator().manual_seed(seed)
    r = torch.linspace(0.05, 1.0, n_per_class).repeat(num_classes)  # (N,)
    y = torch.arange(num_classes).repeat_interleave(n_per_class)  # (N,)
    angle = 3.0 * r + 2 * math.pi * y / num_classes + noise * torch.randn(len(r), generator=gen)
    x = torch.stack([r * torch.cos(angle), r * torch.sin(angle)], dim=1)  # (N, 2)
    return x, y


def predict_grid(
    model: nn.Module, xlim: tuple[float, float], ylim: tuple[float, float], resolution: int = 200
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The class ``argmax(model(x))`` at every point of a ``resolution × resolution`` grid.

    The model's train/eval mode is left as found; gradients are not recorded.

    Returns:
        ``(xs, ys, classes)``: grid coordinates ``(resolution,)`` each and the predicted class,
        ``(resolution, resolution)`` (rows follow ``ys``).
    """
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution={resolution!r}: expected an int ≥ 2")
    for name, lim in (("xlim", xlim), ("ylim", ylim)):
        if len(lim) != 2 or not lim[0] < lim[1]:
            raise ValueError(f"{name}={lim!r}: expected (low, high) with low < high")
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    gx, gy = np.meshgrid(xs, ys)  # (R, R) each
    points = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32)  # (R², 2)
    device = next(model.parameters()).device
    with torch.no_grad():
        classes = model(points.to(device)).argmax(1).cpu().numpy()  # (R²,)
    return xs, ys, classes.reshape(resolution, resolution)


def plot_decision_regions(
    xs: np.ndarray,
    ys: np.ndarray,
    classes: np.ndarray,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    ax: Axes | None = None,
    title: str = "decision regions",
) -> Axes:
    """Colour each grid cell by its predicted class (see :func:`predict_grid`) and scatter the labelled points."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    if classes.shape != (len(ys), len(xs)):
        raise ValueError(f"classes: expected shape {(len(ys), len(xs))}, got {classes.shape}")
    ax = ax if ax is not None else plt.figure(figsize=(5, 4.5)).add_subplot()
    k = int(max(classes.max(), int(y.max()))) + 1
    colours = [f"C{i}" for i in range(k)]
    ax.pcolormesh(
        xs, ys, classes, cmap=ListedColormap(colours), alpha=0.25, shading="auto", vmin=-0.5, vmax=k - 0.5
    )
    for c in range(k):
        pts = x[y == c]
        ax.scatter(
            pts[:, 0], pts[:, 1], s=10, color=colours[c], edgecolor="k", linewidth=0.3, label=f"class {c}"
        )
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small")
    return ax


def double_softmax_loss_floor(num_classes: int) -> float:
    """The smallest value ``F.cross_entropy(softmax(z), y)`` can reach: ``ln(1 + (C − 1)/e)``.

    The inner softmax gives at best the one-hot vector, whose own softmax puts ``e / (e + C − 1)`` on the
    true class.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes={num_classes!r}: expected an int ≥ 2")
    return math.log1p((num_classes - 1) / math.e)
