"""Data augmentation for 1-D signals (chapter 04): label-preserving random shifts, rescaling and noise."""

from __future__ import annotations

import torch

__all__ = [
    "augment_signals",
]


def augment_signals(
    x: torch.Tensor,
    generator: torch.Generator,
    *,
    max_shift: int = 4,
    scale: float = 0.2,
    noise: float = 0.05,
) -> torch.Tensor:
    """Label-preserving random changes of 1-D signals ``(N, L)``, in the spirit of MNIST-1D's own generator.

    Each row is circularly shifted by an integer in ``[-max_shift, max_shift]``, multiplied by a factor in
    ``[1 - scale, 1 + scale]`` and given i.i.d. Gaussian noise of standard deviation ``noise``. (The generator
    itself translates, rescales and adds noise, so these do not change what a digit looks like.)

    Args:
        x: signals ``(N, L)``. generator: a CPU ``torch.Generator`` (reproducibility).
        max_shift: largest shift (≥ 0). scale: relative amplitude change in [0, 1). noise: noise std (≥ 0).

    Returns:
        A new tensor with ``x``'s shape, dtype and device.
    """
    if x.ndim != 2:
        raise ValueError(f"x: expected signals of shape (N, L), got {tuple(x.shape)}")
    if not isinstance(max_shift, int) or max_shift < 0:
        raise ValueError(f"max_shift={max_shift!r}: expected an int ≥ 0")
    if not 0.0 <= scale < 1.0:
        raise ValueError(f"scale={scale!r}: expected a number in [0, 1)")
    if not noise >= 0.0:
        raise ValueError(f"noise={noise!r}: expected a non-negative number")
    n, length = x.shape
    shift = torch.randint(-max_shift, max_shift + 1, (n, 1), generator=generator)
    cols = (torch.arange(length)[None, :] - shift) % length  # (N, L): row i is rolled by shift[i]
    factor = 1.0 + scale * (2.0 * torch.rand(n, 1, generator=generator) - 1.0)
    eps = noise * torch.randn(n, length, generator=generator)
    out = torch.gather(x.cpu(), 1, cols) * factor + eps
    return out.to(device=x.device, dtype=x.dtype)
