"""Normalisation (chapter 08): feature standardisation, and batch normalisation written out by hand.

:func:`batch_norm_forward` (training mode, batch statistics), :func:`update_running_stats` (the moving
averages kept for testing) and :func:`batch_norm_inference` (testing) make up :class:`HandBatchNorm1d`,
which the tests and the chapter compare with ``nn.BatchNorm1d``.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "standardize_features",
    "batch_norm_forward",
    "update_running_stats",
    "batch_norm_inference",
    "HandBatchNorm1d",
]


def standardize_features(
    x: torch.Tensor, eps: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Z-score every column: ``(x − mean) / std`` over the rows (population std, like BN).

    Returns:
        ``(x_tilde, mean, std)`` with ``mean`` and ``std`` of shape ``(d,)``.
    """
    if not isinstance(x, torch.Tensor) or x.ndim != 2 or len(x) < 2:
        raise ValueError("x: expected a 2-D tensor (N, d) with N ≥ 2")
    mean = x.mean(dim=0)
    std = torch.sqrt(x.var(dim=0, unbiased=False) + eps)
    return (x - mean) / std, mean, std


def batch_norm_forward(
    z: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training-mode BN over the batch (dim 0): ``γ ⊙ (z − μ_B)/√(σ²_B + ε) + β``.

    Returns:
        ``(out, batch_mean, batch_var)``; ``batch_var`` is the biased (divide-by-N) variance used to normalise.
    """
    if z.ndim != 2:
        raise ValueError(f"z: expected (N, features), got shape {tuple(z.shape)}")
    mu = z.mean(dim=0)  # (H,)
    var = z.var(dim=0, unbiased=False)  # (H,)
    return gamma * (z - mu) / torch.sqrt(var + eps) + beta, mu, var


def update_running_stats(
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    batch_mean: torch.Tensor,
    batch_var: torch.Tensor,
    n: int,
    momentum: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Moving averages kept for testing: ``μ̄ ← (1−m)·μ̄ + m·μ_B`` and ``σ̄² ← (1−m)·σ̄² + m·σ²_B·n/(n−1)``.

    ``batch_var`` is the biased variance from :func:`batch_norm_forward`; like PyTorch, the running variance
    stores the unbiased estimate. Returns new tensors.
    """
    if not 0.0 < momentum <= 1.0:
        raise ValueError(f"momentum={momentum!r}: expected a number in (0, 1]")
    if n < 2:
        raise ValueError(f"n={n!r}: batch statistics need at least 2 samples")
    new_mean = (1 - momentum) * running_mean + momentum * batch_mean
    new_var = (1 - momentum) * running_var + momentum * batch_var * n / (n - 1)
    return new_mean, new_var


def batch_norm_inference(
    z: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    eps: float = 1e-5,
) -> torch.Tensor:
    """Test-time BN: normalise with the stored moving averages, so each sample is treated on its own."""
    return gamma * (z - running_mean) / torch.sqrt(running_var + eps) + beta


class HandBatchNorm1d(nn.Module):
    """BatchNorm1d built from the three functions above (same parameters and buffers as ``nn.BatchNorm1d``).

    Unlike ``nn.BatchNorm1d`` it accepts a training batch of one sample (to show what BN does then: the
    output is ``β``); the running averages are not updated by such a batch.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))  # γ
        self.bias = nn.Parameter(torch.zeros(num_features))  # β
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return batch_norm_inference(
                z, self.running_mean, self.running_var, self.weight, self.bias, self.eps
            )
        out, mu, var = batch_norm_forward(z, self.weight, self.bias, self.eps)
        if len(z) < 2:  # a batch of one has no variance estimate: leave the running averages alone
            return out
        with torch.no_grad():
            m, v = update_running_stats(self.running_mean, self.running_var, mu, var, len(z), self.momentum)
            self.running_mean.copy_(m)
            self.running_var.copy_(v)
        return out
