"""Loss landscapes: evaluate a loss on a grid and trace optimisers' paths across it (pure compute).

:func:`gradient_descent` is the plain loop chapter 01 writes out; :func:`optimizer_path` runs any
``torch.optim.Optimizer`` (the hand-written ones of :mod:`mlnote_utils.optimizers` included) on a
function of a few parameters. These trace paths on a surface; training a model on data goes through
:func:`~mlnote_utils.train.fit`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["Trajectory", "gradient_descent", "optimizer_path", "evaluate_grid"]

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
    """Plain gradient descent ``x ← x − lr · ∇L(x)`` with the gradient from autograd (chapter 01 writes it out).

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
    return optimizer_path(loss_fn, x0, torch.optim.SGD, steps, lr=float(lr))  # SGD's step is x ← x − lr·∇L


def optimizer_path(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    x0: Sequence[float] | np.ndarray,
    optimizer: str | type[torch.optim.Optimizer],
    steps: int,
    *,
    schedule: Callable[[int], float] | None = None,
    **hyper,
) -> Trajectory:
    """Run an optimiser on a function of a few parameters (float64) and record the path.

    Args:
        loss_fn: maps a ``(d,)`` float64 tensor to a scalar tensor.
        x0: the starting point.
        optimizer: a name from :data:`~mlnote_utils.optimizers.OPTIMIZER_CLASSES` or any ``torch.optim.Optimizer`` class.
        steps: number of updates (≥ 0).
        schedule: optional multiplier ``f(t)`` of the learning rate at step ``t = 0, 1, …`` (``LambdaLR``).
        **hyper: the optimiser's hyper-parameters, e.g. ``lr=0.1, momentum=0.9``.

    Returns:
        A :class:`Trajectory` (``lr`` is the base rate). A diverging run keeps its
        non-finite values.

    >>> t = optimizer_path(lambda x: (x**2).sum(), [1.0], "GD", 2, lr=0.25)
    >>> t.points.ravel().tolist()
    [1.0, 0.5, 0.25]
    """
    from .optimizers import OPTIMIZER_CLASSES

    cls = OPTIMIZER_CLASSES.get(optimizer) if isinstance(optimizer, str) else optimizer
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        raise ValueError(
            f"optimizer={optimizer!r}: expected one of {list(OPTIMIZER_CLASSES)} or a torch.optim.Optimizer class"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps={steps!r}: expected a non-negative int")
    x = torch.tensor(np.asarray(x0, dtype=np.float64).ravel(), requires_grad=True)
    opt = cls([x], **hyper)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule) if schedule is not None else None
    points, losses = [], []
    for i in range(steps + 1):
        opt.zero_grad()
        loss = loss_fn(x)
        if loss.ndim != 0:
            raise ValueError(f"loss_fn: expected a scalar, got shape {tuple(loss.shape)}")
        points.append(x.detach().numpy().copy())
        losses.append(float(loss.detach()))
        if i == steps:
            break
        (x.grad,) = torch.autograd.grad(loss, x)
        opt.step()
        if sched is not None:
            sched.step()
    return Trajectory(np.stack(points), np.array(losses), float(hyper.get("lr", opt.defaults["lr"])))


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
