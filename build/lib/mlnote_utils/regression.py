"""Linear regression written out by hand (chapter 01): the model, MAE/MSE, the hand-derived gradient, the
closed-form least-squares solution, and the largest stable gradient-descent learning rate.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = [
    "linear_predict",
    "mae",
    "mse",
    "mse_gradient",
    "least_squares",
    "gd_stability_limit",
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


def gd_stability_limit(x: torch.Tensor | np.ndarray, *, bias: bool = True) -> float:
    """Largest learning rate for which gradient descent on the MSE of a linear model converges: 2 / λ_max.

    The MSE of ``y ≈ A w`` is quadratic with the constant Hessian ``H = (2/N) AᵀA``, where ``A`` holds the
    features (``x`` as one column when 1-D) and, with ``bias``, a column of ones. Gradient descent multiplies
    the error along each eigenvector of ``H`` by ``(1 − η λ)``, which shrinks for every λ only when
    ``η < 2 / λ_max``.

    >>> round(gd_stability_limit(torch.tensor([1.0, -1.0])), 6)  # H = 2·I
    1.0
    """
    a = torch.as_tensor(x, dtype=torch.float64)
    a = a.reshape(-1, 1) if a.ndim == 1 else a
    if a.ndim != 2 or len(a) == 0:
        raise ValueError(f"x: expected (N,) or (N, d) features with N ≥ 1, got shape {tuple(a.shape)}")
    if bias:
        a = torch.cat([a, torch.ones(len(a), 1, dtype=a.dtype)], dim=1)  # (N, d + 1)
    h = 2.0 * a.T @ a / len(a)
    return float(2.0 / torch.linalg.eigvalsh(h).max())
