"""Chapter 08 experiments: feature scales vs the error surface (the widget's surface), activations by depth,
and (re-exported from :mod:`.side_by_side`) many small MLPs trained side by side for the BN paper's table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..landscape import Trajectory, evaluate_grid, gradient_descent
from ..normalization import standardize_features
from ..regression import gd_stability_limit
from .side_by_side import NetConfig, steps_to_reach, train_mlps_side_by_side

__all__ = [
    "make_two_scale_regression",
    "linear_mse_surface",
    "steps_to_tolerance",
    "ScaleDemo",
    "feature_scale_demo",
    "NetConfig",
    "train_mlps_side_by_side",
    "steps_to_reach",
    "activations_by_depth",
]


def make_two_scale_regression(
    scale_ratio: float, n: int = 200, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Linear-regression data whose second feature is ``scale_ratio`` times larger than the first.

    ``x1 ~ N(0, 1)``, ``x2 ~ N(0, scale_ratio²)``, ``y = 2·x1 + 3·x2/scale_ratio + noise``, so after
    standardising the features both true weights are of order one.

    Returns:
        ``(x, y)``: ``(n, 2)`` and ``(n,)`` float64 tensors.
    """
    if not scale_ratio > 0:
        raise ValueError(f"scale_ratio={scale_ratio!r}: expected a positive number")
    if not isinstance(n, int) or n < 3:
        raise ValueError(f"n={n!r}: expected an int ≥ 3")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=gen, dtype=torch.float64)
    x[:, 1] *= scale_ratio
    y = 2.0 * x[:, 0] + 3.0 * x[:, 1] / scale_ratio + 0.1 * torch.randn(n, generator=gen, dtype=torch.float64)
    return x, y


def linear_mse_surface(w1: torch.Tensor, w2: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error of ``y ≈ w1·x1 + w2·x2`` for any (equal) shape of ``w1, w2`` (grid or scalars)."""
    w1, w2 = torch.as_tensor(w1), torch.as_tensor(w2)
    if w1.shape != w2.shape:
        raise ValueError(f"w1, w2: expected the same shape, got {tuple(w1.shape)} and {tuple(w2.shape)}")
    if x.ndim != 2 or x.shape[1] != 2 or y.shape != x.shape[:1]:
        raise ValueError(f"x (N, 2) and y (N,) expected, got {tuple(x.shape)} and {tuple(y.shape)}")
    pred = w1[..., None] * x[:, 0] + w2[..., None] * x[:, 1]  # (..., N)
    return ((y - pred) ** 2).mean(-1)


def steps_to_tolerance(losses: Sequence[float] | np.ndarray, target: float, tol: float) -> int | None:
    """First step ``t`` at which ``losses[t] − target ≤ tol`` (``None`` if never)."""
    gap = np.asarray(losses, dtype=np.float64) - target
    hit = np.nonzero(gap <= tol)[0]
    return int(hit[0]) if hit.size else None


@dataclass(frozen=True)
class ScaleDemo:
    """Result of :func:`feature_scale_demo`: the surface on a square window and the GD path on it."""

    ws1: np.ndarray
    ws2: np.ndarray
    surface: np.ndarray  # (len(ws2), len(ws1))
    path: Trajectory
    optimum: np.ndarray  # least-squares weights, (2,)
    steps_to_converge: int | None


def feature_scale_demo(
    scale_ratio: float,
    standardized: bool,
    *,
    lr_fraction: float = 0.9,
    steps: int = 200,
    rel_tol: float = 1e-4,
    n: int = 200,
    seed: int = 0,
    grid: int = 121,
) -> ScaleDemo:
    """Gradient descent on the two-feature regression, with raw or standardised features.

    The learning rate is ``lr_fraction`` × the stability limit ``2/λ_max`` of that problem, i.e. as large as
    the steepest direction allows. The path starts at ``optimum + (−3, +2.5)``; the surface is evaluated on a
    square window (equal spans on both axes) around the optimum so that its true shape is visible.

    Returns:
        A :class:`ScaleDemo`; ``steps_to_converge`` is the first step where the loss is within
        ``rel_tol`` × (initial excess loss) of the minimum (``None`` if not within ``steps``).
    """
    if not 0 < lr_fraction < 1:
        raise ValueError(f"lr_fraction={lr_fraction!r}: expected a number in (0, 1)")
    x, y = make_two_scale_regression(scale_ratio, n=n, seed=seed)
    if standardized:
        x = standardize_features(x)[0]
    optimum = torch.linalg.lstsq(x, y[:, None]).solution.ravel().numpy()  # (2,)

    def loss(w: torch.Tensor) -> torch.Tensor:
        return linear_mse_surface(w[0], w[1], x, y)

    path = gradient_descent(
        loss, optimum + np.array([-3.0, 2.5]), lr=lr_fraction * gd_stability_limit(x, bias=False), steps=steps
    )
    best = float(loss(torch.from_numpy(optimum)))
    converged = steps_to_tolerance(path.losses, best, rel_tol * (path.losses[0] - best))
    ws1 = np.linspace(optimum[0] - 4, optimum[0] + 4, grid)
    ws2 = np.linspace(optimum[1] - 4, optimum[1] + 4, grid)
    surface = evaluate_grid(lambda a, b: linear_mse_surface(a, b, x, y), ws1, ws2)
    return ScaleDemo(ws1, ws2, surface, path, optimum, converged)


def activations_by_depth(model: nn.Sequential, x: torch.Tensor) -> list[torch.Tensor]:
    """The output of every activation module (ReLU, Sigmoid, Tanh) of ``model`` on input ``x``, in order.

    Runs one forward pass without recording gradients; the model's train/eval mode is left as found (a BN layer
    in training mode uses the batch statistics of ``x`` and updates its running averages, as any forward does).

    Returns:
        One detached ``(N, width)`` tensor per activation layer.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model: expected an nn.Sequential, got {type(model).__name__}")
    outputs = []
    h = x
    with torch.no_grad():
        for layer in model:
            h = layer(h)
            if isinstance(layer, nn.ReLU | nn.Sigmoid | nn.Tanh):
                outputs.append(h.detach().clone())
    if not outputs:
        raise ValueError("model: expected at least one ReLU, Sigmoid or Tanh layer")
    return outputs
