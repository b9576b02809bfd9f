"""Chapter 01 experiments: the lag-window table and a non-convex 1-D loss."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..regression import least_squares
from ..timeseries import lagged_features

__all__ = [
    "lag_table",
    "quartic_loss",
]


def lag_table(
    series: np.ndarray, lags: list[int], split: int, *, horizon: int = 1, loss: Callable = None
) -> list[dict[str, float]]:
    """Fit the best linear model on the last ``k`` values for every ``k`` in ``lags`` and report losses.

    Targets at positions ``< split`` are training data, the rest held-out test data, so every feature set is
    scored on the same future stretch of the series.

    Returns:
        One dict per ``k``: ``{"lags": k, "train": ..., "test": ...}`` with mean absolute errors (default).
    """
    loss = loss or (lambda p, t: float(np.abs(p - t).mean()))
    rows = []
    for k in lags:
        X, y = lagged_features(series, k, horizon)
        target_pos = np.arange(len(y)) + k - 1 + horizon
        train = target_pos < split
        if train.all() or not train.any():
            raise ValueError(f"split={split}: leaves no training or no test rows for lags={k}")
        w, b = least_squares(X[train], y[train])
        pred = X @ w + b
        rows.append({"lags": k, "train": loss(pred[train], y[train]), "test": loss(pred[~train], y[~train])})
    return rows


def quartic_loss(w: torch.Tensor) -> torch.Tensor:
    """A non-convex 1-D loss with a global minimum near w ≈ −1.7 and a worse local one near w ≈ 1.5."""
    return 0.25 * w**4 - 1.3 * w**2 + 0.5 * w + 2.0
