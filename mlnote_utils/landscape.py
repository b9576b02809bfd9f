"""Loss landscapes: evaluate a loss on a grid and follow gradient descent on it (pure compute)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["Trajectory", "gradient_descent", "evaluate_grid"]

LossFn = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Trajectory:
    """Points visited by an optimiser.

    Attributes:
        points: ``(steps + 1, d)`` parameters, starting point first.
        losses: ``(steps + 1,)`` loss at each point.
        lr: the learning rate used.
    """

    points: np.ndarray
    losses: np.ndarray
    lr: float

    @property
    def final(self) -> np.ndarray:
        return self.points[-1]


def gradient_descent(
    loss_fn: LossFn, x0: Sequence[float] | np.ndarray | torch.Tensor, lr: float, steps: int
) -> Trajectory:
    """Plain gradient descent ``x ← x − lr · ∇L(x)`` with the gradient from autograd.

    Args:
        loss_fn: maps a float64 tensor of shape ``(d,)`` to a scalar tensor.
        x0: starting point, ``d`` numbers.
        lr: learning rate η > 0.
        steps: number of updates (≥ 0).

    Returns:
        A :class:`Trajectory`. Non-finite values (a diverging run) are kept so that plots can show them.

    >>> t = gradient_descent(lambda x: (x**2).sum(), [1.0], lr=0.25, steps=2)
    >>> t.points.ravel().tolist()
    [1.0, 0.5, 0.25]
    """
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr={lr!r}: the learning rate must be a positive finite number")
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps={steps!r}: expected a non-negative int")
    x = torch.as_tensor(np.asarray(x0, dtype=np.float64)).reshape(-1).clone().requires_grad_(True)
    points, losses = [], []
    for i in range(steps + 1):
        loss = loss_fn(x)
        if loss.ndim != 0:
            raise ValueError(f"loss_fn: expected a scalar, got shape {tuple(loss.shape)}")
        points.append(x.detach().numpy().copy())
        losses.append(float(loss.detach()))
        if i == steps:
            break
        (grad,) = torch.autograd.grad(loss, x)
        with torch.no_grad():
            x -= lr * grad
    return Trajectory(np.stack(points), np.array(losses), float(lr))


def evaluate_grid(
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], xs: np.ndarray, ys: np.ndarray
) -> np.ndarray:
    """Evaluate a vectorised two-parameter loss on a grid.

    Args:
        loss_fn: ``loss_fn(X, Y)`` taking float64 tensors of equal shape and returning that shape.
        xs: 1-D values of the first parameter (``nx``).
        ys: 1-D values of the second parameter (``ny``).

    Returns:
        ``(ny, nx)`` array ``Z`` with ``Z[i, j] = L(xs[j], ys[i])`` — the layout ``contour(xs, ys, Z)`` expects.
    """
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    if xs.ndim != 1 or ys.ndim != 1:
        raise ValueError(f"xs, ys: expected 1-D arrays, got shapes {xs.shape} and {ys.shape}")
    X, Y = np.meshgrid(xs, ys)  # (ny, nx)
    with torch.no_grad():
        Z = loss_fn(torch.from_numpy(X), torch.from_numpy(Y))
    Z = np.asarray(Z, dtype=np.float64)
    if Z.shape != X.shape:
        raise ValueError(f"loss_fn: expected output shape {X.shape}, got {Z.shape}")
    return Z
