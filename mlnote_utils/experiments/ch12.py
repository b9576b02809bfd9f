"""Chapter 12 experiments: the two-answer ("turn left or right") task, training snapshots, drawings, digit tiles.

The GAN pieces (mixtures, losses, G/D builders, mode coverage) live in :mod:`mlnote_utils.gan`; the
alternating update is written in the notebook. This module holds what only chapter 12 needs.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn

__all__ = ["two_answer_data", "take_snapshot", "draw_snapshot", "nearest_distance", "tile_images"]


def two_answer_data(n: int, *, generator: torch.Generator | None = None, step: float = 1.0):
    """The lecture's "turn left or right" task as numbers: position ``x ~ U(-1, 1)``, next position ``x ± step``.

    Each example turns left (−``step``) or right (+``step``) with probability 1/2, independently of ``x``,
    so the same input has two equally right answers.

    Returns:
        ``(x, y)``, two ``(n, 1)`` float tensors.

    >>> x, y = two_answer_data(5, generator=torch.Generator().manual_seed(0))
    >>> sorted(set(((y - x).abs() - 1).abs().lt(1e-6).flatten().tolist()))
    [True]
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n={n!r}: expected a positive int")
    if not step > 0:
        raise ValueError(f"step={step!r}: expected a positive number")
    x = torch.rand(n, 1, generator=generator) * 2 - 1
    turn = torch.randint(0, 2, (n, 1), generator=generator).float() * 2 - 1
    return x, x + step * turn


@torch.no_grad()
def take_snapshot(G: nn.Module, D: nn.Module, z: torch.Tensor, *, lim: float = 3.0, n_grid: int = 80) -> dict:
    """G's samples for the fixed noise ``z`` and D's probability of "real" on an ``n_grid²`` grid over ±``lim``.

    Works for 2-D data. The models' train/eval mode is left as found; results are on the CPU.

    Returns:
        ``{"samples": (N, 2) array, "axis": (n_grid,) array, "d": (n_grid, n_grid) array}``, with
        ``d[i, j]`` = D at ``(axis[j], axis[i])`` (row = y, column = x, as ``imshow`` wants it).
    """
    if not lim > 0:
        raise ValueError(f"lim={lim!r}: expected a positive number")
    device = next(G.parameters()).device
    samples = G(z.to(device)).cpu()
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"G: expected 2-D samples (N, 2), got shape {tuple(samples.shape)}")
    axis = torch.linspace(-lim, lim, n_grid)
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    grid = torch.stack([gx.flatten(), gy.flatten()], dim=1)
    d = torch.sigmoid(D(grid.to(device))).cpu().reshape(n_grid, n_grid)
    return {"samples": samples.numpy(), "axis": axis.numpy(), "d": d.numpy()}


def draw_snapshot(ax: Axes, snapshot: dict, centers, *, title: str = "", colorbar: bool = True) -> Axes:
    """D's output as a heatmap (colour bar "D(x)"), G's samples as dots, the target's mode centres as crosses."""
    axis, d = snapshot["axis"], snapshot["d"]
    lim = float(axis[-1])
    image = ax.imshow(d, origin="lower", extent=(-lim, lim, -lim, lim), cmap="RdBu_r", vmin=0, vmax=1)
    s = snapshot["samples"]
    inside = (np.abs(s) <= lim).all(axis=1)
    ax.scatter(s[inside, 0], s[inside, 1], s=3, c="k", alpha=0.5, label="G(z) samples")
    c = np.asarray(centers)
    ax.scatter(c[:, 0], c[:, 1], marker="x", s=50, c="gold", linewidths=2, label="target modes")
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="D(x) = P(real)")
    return ax


def nearest_distance(samples: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """For each row of ``samples``, the Euclidean distance to its nearest row of ``reference``; returns ``(N,)``.

    >>> nearest_distance(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0], [1.0, 0.0]])).tolist()
    [1.0]
    """
    if samples.ndim != 2 or reference.ndim != 2 or samples.shape[1] != reference.shape[1]:
        raise ValueError(
            f"samples, reference: expected (N, d) and (M, d), got {tuple(samples.shape)} and {tuple(reference.shape)}"
        )
    return torch.cdist(samples, reference, compute_mode="donot_use_mm_for_euclid_dist").min(dim=1).values


def tile_images(images, nrow: int, side: int = 8, pad: int = 1) -> np.ndarray:
    """Tile ``N`` flat images (``(N, side*side)``) into one 2-D array with ``nrow`` rows, ``pad`` pixels apart (NaN).

    >>> tile_images(np.zeros((4, 4)), nrow=2, side=2).shape
    (5, 5)
    """
    x = np.asarray(images, dtype=float)
    if x.ndim != 2 or x.shape[1] != side * side:
        raise ValueError(f"images: expected (N, {side * side}) flat images, got shape {x.shape}")
    if isinstance(nrow, bool) or not isinstance(nrow, int) or nrow < 1:
        raise ValueError(f"nrow={nrow!r}: expected a positive int")
    ncol = -(-len(x) // nrow)
    out = np.full((nrow * (side + pad) - pad, ncol * (side + pad) - pad), np.nan)
    for i, img in enumerate(x):
        r, c = divmod(i, ncol)
        out[r * (side + pad) : r * (side + pad) + side, c * (side + pad) : c * (side + pad) + side] = (
            img.reshape(side, side)
        )
    return out
