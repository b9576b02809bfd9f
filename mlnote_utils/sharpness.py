"""Sharp and flat minima: 1-D slices of the loss through the current parameters (chapter 03).

``L(θ + α d)`` along a direction ``d`` (a random unit vector, or a Hessian eigenvector from
:mod:`mlnote_utils.hessian`), and the mean rise of the loss over random directions of a given length.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

__all__ = [
    "random_direction",
    "loss_along_direction",
    "random_direction_increase",
]


def random_direction(model: nn.Module, seed: int = 0) -> torch.Tensor:
    """A random unit vector in parameter space (order of ``model.parameters()``), seeded."""
    theta = nn.utils.parameters_to_vector(model.parameters()).detach()
    gen = torch.Generator().manual_seed(seed)
    d = torch.randn(theta.numel(), generator=gen, dtype=theta.dtype).to(theta.device)
    return d / d.norm()


def loss_along_direction(
    model: nn.Module,
    loss_fn: LossFn,
    batch: tuple[torch.Tensor, torch.Tensor],
    direction: torch.Tensor,
    alphas,
) -> np.ndarray:
    """``L(θ + α d)`` for each ``α`` (a 1-D slice through the current parameters ``θ``).

    The parameters are restored afterwards, and the model is evaluated in its current mode.
    """
    theta = nn.utils.parameters_to_vector(model.parameters()).detach().clone()
    direction = torch.as_tensor(direction).reshape(-1).to(theta)
    if direction.numel() != theta.numel():
        raise ValueError(
            f"direction: expected {theta.numel()} numbers (one per parameter), got {direction.numel()}"
        )
    x, y = batch
    out = []
    try:
        with torch.no_grad():
            for a in np.asarray(alphas, dtype=np.float64).reshape(-1):
                nn.utils.vector_to_parameters(theta + float(a) * direction, model.parameters())
                out.append(float(loss_fn(model(x), y)))
    finally:
        with torch.no_grad():
            nn.utils.vector_to_parameters(theta, model.parameters())
    return np.array(out)


def random_direction_increase(
    model: nn.Module,
    loss_fn: LossFn,
    batch: tuple[torch.Tensor, torch.Tensor],
    radius: float,
    n_directions: int = 10,
    seed: int = 0,
) -> tuple[float, float]:
    """Mean and standard deviation over random unit directions ``d`` of ``L(θ + radius·d) − L(θ)``.

    A simple, matrix-free sharpness measure: how much the loss rises when the parameters are shifted by
    ``radius`` in a random direction.
    """
    if not radius > 0 or not isinstance(n_directions, int) or n_directions < 1:
        raise ValueError(
            f"radius={radius!r}, n_directions={n_directions!r}: expected radius > 0 and an int ≥ 1"
        )
    rises = []
    for k in range(n_directions):
        d = random_direction(model, seed=seed + k)
        base, moved = loss_along_direction(model, loss_fn, batch, d, [0.0, radius])
        rises.append(moved - base)
    return float(np.mean(rises)), float(np.std(rises))
