"""A one-hidden-layer network ``y = b + cᵀσ(b_vec + W x)`` with its backward pass derived by hand (chapter 02).

The gradients are checked against autograd in the tests and in the chapter.
"""

from __future__ import annotations

import torch

__all__ = [
    "one_hidden_layer_forward",
    "one_hidden_layer_backward",
]


def _check_layer_shapes(x, W, b_vec, c) -> None:
    if x.ndim != 2 or W.ndim != 2 or x.shape[1] != W.shape[1]:
        raise ValueError(f"x (N, d) and W (h, d) expected, got {tuple(x.shape)} and {tuple(W.shape)}")
    if b_vec.shape != (W.shape[0],) or c.shape != (W.shape[0],):
        raise ValueError(
            f"b_vec and c: expected shape ({W.shape[0]},), got {tuple(b_vec.shape)}, {tuple(c.shape)}"
        )


def one_hidden_layer_forward(
    x: torch.Tensor, W: torch.Tensor, b_vec: torch.Tensor, c: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """``y = b + cᵀ σ(b_vec + W x)`` for each row of ``x``: ``(N, d)`` in, ``(N,)`` out."""
    _check_layer_shapes(x, W, b_vec, c)
    r = x @ W.T + b_vec  # (N, h)
    a = torch.sigmoid(r)  # (N, h)
    return a @ c + b  # (N,)


def one_hidden_layer_backward(
    x: torch.Tensor, y: torch.Tensor, W: torch.Tensor, b_vec: torch.Tensor, c: torch.Tensor, b: torch.Tensor
) -> dict[str, torch.Tensor]:
    """Hand-derived gradients of ``L = mean((ŷ − y)²)`` for :func:`one_hidden_layer_forward`.

    With ``e = 2(ŷ − y)/N``: ``∂L/∂b = Σe``, ``∂L/∂c = aᵀe``, ``δ = (e cᵀ) ⊙ a(1 − a)``,
    ``∂L/∂b_vec = Σ_rows δ``, ``∂L/∂W = δᵀ x``.

    Returns:
        ``{"loss", "W", "b_vec", "c", "b"}``.
    """
    _check_layer_shapes(x, W, b_vec, c)
    a = torch.sigmoid(x @ W.T + b_vec)  # (N, h)
    y_hat = a @ c + b  # (N,)
    e = 2.0 * (y_hat - y) / len(x)  # (N,)
    delta = e[:, None] * c[None, :] * a * (1.0 - a)  # (N, h)
    return {
        "loss": ((y_hat - y) ** 2).mean(),
        "W": delta.T @ x,
        "b_vec": delta.sum(0),
        "c": a.T @ e,
        "b": e.sum().reshape(b.shape),
    }
