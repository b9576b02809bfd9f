"""Chapter 01: linear regression pieces written out by hand (losses, gradients, closed form, GD stability)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

__all__ = [
    "linear_predict",
    "mae",
    "mse",
    "mse_gradient",
    "least_squares",
    "gd_stability_limit",
    "lag_table",
    "quartic_loss",
]


def _check_xy(x: torch.Tensor, y: torch.Tensor) -> None:
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(
            f"x and y: expected 1-D tensors of equal length, got {tuple(x.shape)} and {tuple(y.shape)}"
        )


def linear_predict(w: torch.Tensor | float, b: torch.Tensor | float, x: torch.Tensor) -> torch.Tensor:
    """The chapter's model y = b + w·x, broadcast over any shape of ``w``/``b`` (e.g. a grid).

    ``w`` and ``b`` of shape ``S`` and ``x`` of shape ``(N,)`` give predictions of shape ``S + (N,)``.
    """
    w, b = torch.as_tensor(w), torch.as_tensor(b)
    return b[..., None] + w[..., None] * x  # (*S, N)


def mae(w, b, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean absolute error L = (1/N) Σ |b + w xₙ − ŷₙ|, shape of ``w`` (broadcast over a grid)."""
    _check_xy(x, y)
    return (linear_predict(w, b, x) - y).abs().mean(-1)


def mse(w, b, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error L = (1/N) Σ (b + w xₙ − ŷₙ)², shape of ``w`` (broadcast over a grid)."""
    _check_xy(x, y)
    return ((linear_predict(w, b, x) - y) ** 2).mean(-1)


def mse_gradient(w: float, b: float, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Hand-derived gradient of :func:`mse`: ∂L/∂w = (2/N) Σ eₙ xₙ and ∂L/∂b = (2/N) Σ eₙ, eₙ = b + w xₙ − ŷₙ.

    >>> x = torch.tensor([1.0, 2.0]); y = torch.tensor([1.0, 3.0])
    >>> [round(float(g), 4) for g in mse_gradient(1.0, 0.0, x, y)]
    [-2.0, -1.0]
    """
    _check_xy(x, y)
    e = b + w * x - y  # (N,)
    return 2 * (e * x).mean(), 2 * e.mean()


def least_squares(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Exact minimiser of the MSE of y ≈ X w + b (the normal equations, solved by ``lstsq``).

    Args:
        X: ``(N, d)`` features.
        y: ``(N,)`` targets.

    Returns:
        ``(w, b)`` with ``w`` of shape ``(d,)``.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X (N, d) and y (N,) expected, got {X.shape} and {y.shape}")
    A = np.c_[X, np.ones(len(X))]  # (N, d + 1): the bias is a weight on a constant feature
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return coef[:-1], float(coef[-1])


def gd_stability_limit(x: torch.Tensor | np.ndarray) -> float:
    """Largest learning rate for which gradient descent on the MSE of y = b + w x converges: 2 / λ_max.

    The MSE is quadratic with constant Hessian H = (2/N) [[Σx², Σx], [Σx, N]]; gradient descent multiplies
    the error along each eigenvector by (1 − η λ), which shrinks for every λ only when η < 2 / λ_max.
    """
    x = torch.as_tensor(x, dtype=torch.float64).reshape(-1)
    n = len(x)
    if n == 0:
        raise ValueError("x: expected at least one sample")
    H = (
        2.0
        / n
        * torch.stack(
            [
                torch.stack([(x * x).sum(), x.sum()]),
                torch.stack([x.sum(), torch.tensor(float(n), dtype=torch.float64)]),
            ]
        )
    )
    return float(2.0 / torch.linalg.eigvalsh(H).max())


def lag_table(
    series: np.ndarray, lags: list[int], split: int, *, horizon: int = 1, loss: Callable = None
) -> list[dict[str, float]]:
    """Fit the best linear model on the last ``k`` values for every ``k`` in ``lags`` and report losses.

    Targets at positions ``< split`` are training data, the rest held-out test data, so every feature set is
    scored on the same future stretch of the series.

    Returns:
        One dict per ``k``: ``{"lags": k, "train": ..., "test": ...}`` with mean absolute errors (default).
    """
    from .data import lagged_features

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
