"""Generative adversarial networks: toy target distributions, tiny G/D builders, the GAN losses, mode coverage.

JS divergence, Wasserstein-1, spectral norm and gradient penalty live in :mod:`mlnote_utils.wgan`, and the
evaluation measures (Inception Score, Fréchet distance) in :mod:`mlnote_utils.gan_metrics`; both are
re-exported here, so ``mu.gan`` holds the whole GAN API the chapters use.

The alternating update itself (D with G fixed, then G with D fixed) is the lesson and is written in the
chapter notebook as a ``step(batch, ctx)`` for :func:`mlnote_utils.fit`; this module holds what the step
and the figures need around it. Everything is checked against torch built-ins in ``tests/test_gan.py``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

# Re-exported: evaluation measures (chapter 14) and the divergence / WGAN pieces (chapter 13).
from .gan_metrics import frechet_distance, inception_score
from .models import mlp
from .wgan import gradient_penalty, js_divergence, spectral_norm_power, wasserstein_1d

__all__ = [
    "ring_centers",
    "grid_centers",
    "sample_mixture",
    "mixture_density",
    "gaussian_density",
    "optimal_discriminator",
    "value_function",
    "discriminator_loss",
    "generator_loss",
    "make_generator",
    "make_discriminator",
    "mode_coverage",
    "js_divergence",
    "wasserstein_1d",
    "spectral_norm_power",
    "gradient_penalty",
    "frechet_distance",
    "inception_score",
]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r}: expected a positive int")
    return value


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name}={value!r}: expected a positive number")
    return float(value)


def _centers(centers) -> torch.Tensor:
    c = torch.as_tensor(centers, dtype=torch.float32)
    if c.ndim == 1:
        c = c[:, None]
    if c.ndim != 2 or len(c) == 0:
        raise ValueError(
            f"centers: expected a (K, d) array of K ≥ 1 mode centres, got shape {tuple(c.shape)}"
        )
    return c


def ring_centers(k: int = 8, radius: float = 2.0) -> torch.Tensor:
    """``k`` mode centres evenly spaced on a circle of ``radius``, shape ``(k, 2)``.

    >>> ring_centers(4, 1.0).round(decimals=3).abs().tolist()
    [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    """
    _positive_int(k, "k")
    _positive(radius, "radius")
    angle = 2 * math.pi * torch.arange(k, dtype=torch.float32) / k
    return radius * torch.stack([angle.cos(), angle.sin()], dim=1)


def grid_centers(k: int = 5, spacing: float = 2.0) -> torch.Tensor:
    """A ``k × k`` grid of mode centres, centred on the origin, ``spacing`` apart: shape ``(k*k, 2)``.

    >>> grid_centers(2, 2.0).tolist()
    [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]]
    """
    _positive_int(k, "k")
    _positive(spacing, "spacing")
    axis = (torch.arange(k, dtype=torch.float32) - (k - 1) / 2) * spacing
    gx, gy = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([gx.flatten(), gy.flatten()], dim=1)


def sample_mixture(
    centers, std: float, n: int, *, generator: torch.Generator | None = None, weights=None
) -> torch.Tensor:
    """``n`` samples of the Gaussian mixture with the given centres (``(K,)`` or ``(K, d)``) and common ``std``.

    Args:
        centers: mode centres; a 1-D array means K modes on the real line.
        std: standard deviation of every mode (isotropic).
        n: number of samples.
        generator: a seeded ``torch.Generator`` (the global one if None).
        weights: mixing weights (default: equal); normalised here.

    Returns:
        ``(n, d)`` float32 tensor.
    """
    c = _centers(centers)
    _positive(std, "std")
    _positive_int(n, "n")
    w = torch.full((len(c),), 1.0) if weights is None else torch.as_tensor(weights, dtype=torch.float32)
    if w.shape != (len(c),) or bool((w < 0).any()) or not float(w.sum()) > 0:
        raise ValueError(f"weights: expected {len(c)} non-negative numbers with a positive sum")
    mode = torch.multinomial(w / w.sum(), n, replacement=True, generator=generator)
    return c[mode] + std * torch.randn(n, c.shape[1], generator=generator)


def gaussian_density(x: torch.Tensor, mean, std: float) -> torch.Tensor:
    """Density of an isotropic Gaussian ``N(mean, std² I)`` at the rows of ``x`` (``(N,)`` or ``(N, d)``)."""
    return mixture_density(x, torch.as_tensor(mean, dtype=torch.float32).reshape(1, -1), std)


def mixture_density(x: torch.Tensor, centers, std: float, weights=None) -> torch.Tensor:
    """Density of the equal-weight (or ``weights``) Gaussian mixture at the rows of ``x``; returns ``(N,)``."""
    c = _centers(centers)
    _positive(std, "std")
    x = torch.as_tensor(x, dtype=torch.float32)
    x = x[:, None] if x.ndim == 1 else x
    if x.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(f"x: expected (N, {c.shape[1]}) points, got shape {tuple(x.shape)}")
    w = (
        torch.full((len(c),), 1.0 / len(c))
        if weights is None
        else torch.as_tensor(weights, dtype=torch.float32)
    )
    w = w / w.sum()
    d = c.shape[1]
    sq = torch.cdist(x, c, compute_mode="donot_use_mm_for_euclid_dist").pow(2)  # (N, K)
    norm = (2 * math.pi * std**2) ** (d / 2)
    return (torch.exp(-sq / (2 * std**2)) * w).sum(dim=1) / norm


def optimal_discriminator(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    """The best possible D for a fixed generator, pointwise: ``p_data / (p_data + p_G)`` (0.5 where both are 0)."""
    p_data, p_g = torch.as_tensor(p_data), torch.as_tensor(p_g)
    if bool((p_data < 0).any()) or bool((p_g < 0).any()):
        raise ValueError("p_data, p_g: expected densities (non-negative)")
    total = p_data + p_g
    return torch.where(total > 0, p_data / total.clamp_min(torch.finfo(total.dtype).tiny), 0.5)


def value_function(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """GAN objective ``V(D, G) = mean log D(x_real) + mean log(1 − D(G(z)))`` from D's *probabilities*."""
    for name, d in (("d_real", d_real), ("d_fake", d_fake)):
        if bool((d < 0).any()) or bool((d > 1).any()):
            raise ValueError(f"{name}: expected probabilities in [0, 1] (apply sigmoid to logits first)")
    return torch.log(d_real).mean() + torch.log1p(-d_fake).mean()


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """D's loss = −V(D, G): binary cross-entropy with label 1 for real and 0 for generated, from *logits*.

    ``-log σ(l) = softplus(−l)`` and ``-log(1 − σ(l)) = softplus(l)`` keep it finite for any logit.
    """
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss(fake_logits: torch.Tensor, *, saturating: bool = False) -> torch.Tensor:
    """G's loss from D's logits on generated samples.

    ``saturating=True`` is the min-max form ``mean log(1 − D(G(z)))`` (G minimises V); the default is the
    "non-saturating" form ``−mean log D(G(z))`` used in practice (label 1 for G's samples).
    """
    if saturating:
        return -F.softplus(fake_logits).mean()
    return F.softplus(-fake_logits).mean()


def make_generator(noise_dim: int, out_dim: int, width: int = 64, depth: int = 2) -> nn.Sequential:
    """A small MLP generator ``z (noise_dim) → x (out_dim)``: ``depth`` ReLU layers of ``width``, linear output."""
    return mlp(noise_dim, width, depth, out_dim)


def make_discriminator(in_dim: int, width: int = 64, depth: int = 2) -> nn.Sequential:
    """A small MLP discriminator ``x → one logit`` (apply ``sigmoid`` for D(x), the probability of "real")."""
    return mlp(in_dim, width, depth, 1)


def mode_coverage(
    samples: torch.Tensor, centers, std: float, *, n_std: float = 3.0, min_count: int = 1
) -> dict:
    """The mode-coverage metric of VEEGAN/PacGAN on a Gaussian-mixture target.

    A sample is *high quality* if it lies within ``n_std`` standard deviations of its nearest centre; a
    mode is *captured* when at least ``min_count`` high-quality samples have it as nearest centre.

    Returns:
        ``{"modes": captured count, "high_quality": fraction of samples, "counts": per-mode counts (K,)}``.

    >>> mode_coverage(torch.tensor([[0.0, 0.0], [5.0, 5.0]]), [[0.0, 0.0], [1.0, 1.0]], 0.1)["modes"]
    1
    """
    c = _centers(centers)
    _positive(std, "std")
    _positive(n_std, "n_std")
    _positive_int(min_count, "min_count")
    s = torch.as_tensor(samples, dtype=torch.float32)
    s = s[:, None] if s.ndim == 1 else s
    if s.ndim != 2 or s.shape[1] != c.shape[1] or len(s) == 0:
        raise ValueError(f"samples: expected (N, {c.shape[1]}) points with N ≥ 1, got shape {tuple(s.shape)}")
    dist, nearest = torch.cdist(s, c, compute_mode="donot_use_mm_for_euclid_dist").min(dim=1)
    good = dist <= n_std * std
    counts = torch.bincount(nearest[good], minlength=len(c))
    return {
        "modes": int((counts >= min_count).sum()),
        "high_quality": float(good.float().mean()),
        "counts": counts,
    }
