"""Chapter 02 experiment: train and held-out error of ReLU MLPs of growing depth."""

from __future__ import annotations

import numpy as np
import torch

from ..device import seeded
from ..loaders import FullBatch
from ..models import mlp
from ..train import fit
from ..widgets import progress_bar

__all__ = ["squared_error", "depth_table"]


def squared_error(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error between a ``(N, 1)`` regression output and ``(N,)`` targets."""
    return ((output.squeeze(-1) - target) ** 2).mean()


def _least_squares_errors(x_train, y_train, x_test, y_test) -> list[float]:
    a_tr, a_te = (torch.cat([a, torch.ones_like(a[:, :1])], 1) for a in (x_train, x_test))
    coef = torch.linalg.lstsq(a_tr.cpu(), y_train.cpu()[:, None]).solution.to(a_tr.device)
    return [float(squared_error(a @ coef, y)) for a, y in ((a_tr, y_train), (a_te, y_test))]


def depth_table(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    depths: list[int],
    seeds: list[int],
    *,
    width: int = 32,
    epochs: int = 500,
    lr: float = 3e-3,
    progress: bool = True,
) -> np.ndarray:
    """Train and held-out MSE of ReLU MLPs of each depth: a ``(len(depths), len(seeds), 2)`` array.

    Depth 0 is the linear model solved exactly by least squares (the same for every seed); depth ≥ 1 is
    :func:`~mlnote_utils.models.mlp` built under ``seeded(seed)`` and trained by
    :func:`~mlnote_utils.train.fit` with full-batch Adam for ``epochs`` updates. Tensors stay on their
    device; one progress bar counts the networks.
    """
    if x_train.ndim != 2 or x_test.ndim != 2 or x_train.shape[1] != x_test.shape[1]:
        raise ValueError(
            f"x_train, x_test: expected (N, d) tensors with equal d, got {tuple(x_train.shape)}, {tuple(x_test.shape)}"
        )
    if not depths or any(not isinstance(d, int) or d < 0 for d in depths) or not seeds:
        raise ValueError(f"depths={depths!r}, seeds={seeds!r}: expected non-empty lists, depths ints ≥ 0")
    out = np.zeros((len(depths), len(seeds), 2))
    runs = [(i, j) for i in range(len(depths)) for j in range(len(seeds))]
    for i, j in progress_bar(runs, enabled=progress, desc="networks"):
        depth, seed = depths[i], seeds[j]
        if depth == 0:
            out[i, j] = _least_squares_errors(x_train, y_train, x_test, y_test)
            continue
        with seeded(seed):
            model = mlp(x_train.shape[1], width, depth).to(x_train.device)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        fit(model, opt, FullBatch(x_train, y_train), loss_fn=squared_error, epochs=epochs, progress=False)
        with torch.no_grad():
            out[i, j] = [float(squared_error(model(x), y)) for x, y in ((x_train, y_train), (x_test, y_test))]
    return out
