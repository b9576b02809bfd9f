"""Depth and initialisation (chapter 04): a deeper ReLU net that computes the same function, and how much
of the input's signal is left after each layer of a freshly initialised network.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from ._checks import positive_int

__all__ = [
    "deepen_with_identity",
    "layer_signal_std",
]


def deepen_with_identity(model: nn.Sequential, extra_layers: int) -> nn.Sequential:
    """A deeper copy of a ReLU :func:`~mlnote_utils.models.mlp` that computes exactly the same function.

    After a ReLU every hidden value is ≥ 0, so ``relu(I·h + 0) = h``: inserting identity layers before the
    output layer changes nothing. The deeper network can therefore do at least as well as the shallow one —
    if it trains worse, the optimiser is to blame, not the model's flexibility.

    Args:
        model: an ``mlp(..., activation="relu")`` without batch norm (not modified).
        extra_layers: how many identity hidden layers to add (≥ 1).

    Returns:
        A new ``nn.Sequential`` with ``extra_layers`` more hidden layers.
    """
    if not isinstance(model, nn.Sequential) or len(model) < 3 or not isinstance(model[-1], nn.Linear):
        raise TypeError("model: expected an nn.Sequential built by mu.mlp")
    if not all(isinstance(m, nn.ReLU) for m in list(model)[1:-1:2]):
        raise ValueError("model: the identity trick needs ReLU activations (relu(h) = h for h ≥ 0)")
    extra_layers = positive_int(extra_layers, "extra_layers")

    layers = [copy.deepcopy(m) for m in model]
    width = layers[-1].in_features
    ref = layers[-1].weight
    for _ in range(extra_layers):
        eye = nn.Linear(width, width).to(device=ref.device, dtype=ref.dtype)
        with torch.no_grad():
            eye.weight.copy_(torch.eye(width, dtype=ref.dtype))
            eye.bias.zero_()
        layers[-1:-1] = [eye, nn.ReLU()]
    return nn.Sequential(*layers)


@torch.no_grad()
def layer_signal_std(model: nn.Sequential, x: torch.Tensor) -> np.ndarray:
    """How much each ``Linear`` layer's output still depends on the input: its std across the batch.

    For every ``nn.Linear`` in ``model`` (in order) the output's standard deviation over the batch is
    taken per unit and averaged over units. A value that shrinks layer after layer means the input's
    signal is fading (the gradients fade with it).

    Args:
        model: an ``nn.Sequential`` such as :func:`~mlnote_utils.models.mlp`. x: a batch ``(N, in_features)``, N ≥ 2.

    Returns:
        ``(number of Linear layers,)`` float array.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model: expected an nn.Sequential, got {type(model).__name__}")
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"x: expected a batch (N, features) with N ≥ 2, got {tuple(x.shape)}")
    stds = []
    h = x
    for layer in model:
        h = layer(h)
        if isinstance(layer, nn.Linear):
            stds.append(float(h.std(dim=0).mean()))
    return np.asarray(stds)
