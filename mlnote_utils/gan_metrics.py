"""Evaluating generators: Inception Score, Fréchet distance (FID) and the feature statistics they need.

Both metrics look at generated samples through a fixed classifier. The published versions use the
ImageNet-trained Inception-v3 network; chapter 14 uses a small classifier trained on scikit-learn's digits
instead, because no Inception weights can be downloaded offline. The formulas are the same.
Tests against scipy and closed forms are in ``tests/test_gan_metrics.py``.
"""

from __future__ import annotations

import torch

__all__ = ["inception_score", "frechet_distance", "gaussian_stats", "fid_from_features"]


def _float64(x, name: str) -> torch.Tensor:
    try:
        t = torch.as_tensor(x).detach().cpu().to(torch.float64)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"{name}: expected a numeric array or tensor, got {type(x).__name__}") from exc
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name}: expected finite values (found nan or inf)")
    return t


def inception_score(probs) -> float:
    """Inception Score ``exp(mean_n KL(p(c | x_n) ‖ p(c)))`` of a classifier's outputs on ``N`` samples.

    ``p(c) = mean_n p(c | x_n)`` is the class distribution over all samples. The score is high when every
    sample is classified confidently (low entropy per row) *and* the classes are used evenly (high entropy
    of ``p(c)``): it lies between 1 and the number of classes ``K``.

    Args:
        probs: ``(N, K)`` class probabilities (softmax outputs), each row non-negative and summing to 1
            (within an absolute 1e-4).

    Returns:
        The score as a float.

    >>> inception_score(torch.eye(4))
    4.0
    >>> inception_score(torch.full((5, 3), 1 / 3))
    1.0
    """
    p = _float64(probs, "probs")
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] == 0:
        raise ValueError(f"probs: expected an (N, K) array with N, K ≥ 1, got shape {tuple(p.shape)}")
    if bool((p < 0).any()):
        raise ValueError("probs: expected non-negative probabilities (apply softmax to logits first)")
    if not torch.allclose(p.sum(dim=1), torch.ones(len(p), dtype=torch.float64), rtol=0, atol=1e-4):
        raise ValueError("probs: expected every row to sum to 1 (apply softmax to logits first)")
    marginal = p.mean(dim=0)  # p(c), shape (K,)
    kl = (torch.xlogy(p, p) - torch.xlogy(p, marginal)).sum(dim=1)  # KL(p(c|x_n) || p(c)), shape (N,)
    return float(torch.exp(kl.mean()))


def _stats(mu, sigma, which: int) -> tuple[torch.Tensor, torch.Tensor]:
    m = _float64(mu, f"mu{which}")
    s = _float64(sigma, f"sigma{which}")
    if m.ndim != 1 or len(m) == 0:
        raise ValueError(f"mu{which}: expected a 1-D mean vector, got shape {tuple(m.shape)}")
    if s.shape != (len(m), len(m)):
        raise ValueError(
            f"sigma{which}: expected a square ({len(m)}, {len(m)}) covariance matching mu{which}, "
            f"got shape {tuple(s.shape)}"
        )
    if not torch.allclose(s, s.T, rtol=1e-6, atol=1e-8):
        raise ValueError(f"sigma{which}: expected a symmetric covariance matrix")
    return m, s


def _sqrt_psd(s: torch.Tensor) -> torch.Tensor:
    """Symmetric square root of a symmetric positive semi-definite matrix (tiny negative eigenvalues → 0)."""
    eigval, eigvec = torch.linalg.eigh(s)
    return (eigvec * eigval.clamp_min(0).sqrt()) @ eigvec.T


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet distance between the Gaussians ``N(mu1, sigma1)`` and ``N(mu2, sigma2)``.

    ``d² = ‖mu1 − mu2‖² + tr(sigma1 + sigma2 − 2 (sigma1 sigma2)^{1/2})``. FID is this distance between the
    Gaussians fitted to the features of real and of generated samples (see :func:`gaussian_stats`).
    ``tr (sigma1 sigma2)^{1/2}`` is computed as ``tr (A sigma2 A)^{1/2}`` with ``A = sigma1^{1/2}``: the
    same eigenvalues, but a symmetric matrix, so the result is real and stable.

    Args:
        mu1, mu2: ``(d,)`` means.
        sigma1, sigma2: ``(d, d)`` symmetric positive semi-definite covariances (symmetric within
            ``torch.allclose(sigma, sigma.T, rtol=1e-6, atol=1e-8)``).

    Returns:
        The squared distance ``d²`` as a float (≥ 0; 0 for identical statistics).

    >>> frechet_distance([0.0], [[4.0]], [3.0], [[1.0]])  # 1-D: (0 - 3)² + (2 - 1)²
    10.0
    """
    m1, s1 = _stats(mu1, sigma1, 1)
    m2, s2 = _stats(mu2, sigma2, 2)
    if len(m1) != len(m2):
        raise ValueError(f"mu1, mu2: expected the same dimension, got {len(m1)} and {len(m2)}")
    root1 = _sqrt_psd(s1)
    cross = torch.linalg.eigvalsh(root1 @ s2 @ root1).clamp_min(0).sqrt().sum()  # tr (s1 s2)^{1/2}
    d2 = (m1 - m2).pow(2).sum() + torch.trace(s1) + torch.trace(s2) - 2 * cross
    return max(float(d2), 0.0)


def gaussian_stats(features) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean ``(d,)`` and covariance ``(d, d)`` of ``N ≥ 2`` feature rows (unbiased, divisor ``N − 1``), float64.

    >>> m, s = gaussian_stats(torch.tensor([[0.0, 1.0], [2.0, 1.0]]))
    >>> m.tolist(), s.tolist()
    ([1.0, 1.0], [[2.0, 0.0], [0.0, 0.0]])
    """
    f = _float64(features, "features")
    if f.ndim != 2 or f.shape[0] < 2 or f.shape[1] == 0:
        raise ValueError(f"features: expected an (N, d) array with N ≥ 2 rows, got shape {tuple(f.shape)}")
    mean = f.mean(dim=0)
    centred = f - mean
    return mean, centred.T @ centred / (len(f) - 1)


def fid_from_features(features_a, features_b) -> float:
    """FID between two sets of feature rows: :func:`frechet_distance` of their :func:`gaussian_stats`.

    >>> x = torch.randn(50, 3, generator=torch.Generator().manual_seed(0))
    >>> fid_from_features(x, x) < 1e-9
    True
    """
    ma, sa = gaussian_stats(features_a)
    mb, sb = gaussian_stats(features_b)
    if len(ma) != len(mb):
        raise ValueError(
            f"features_a, features_b: expected the same feature dimension, got {len(ma)} and {len(mb)}"
        )
    return frechet_distance(ma, sa, mb, sb)
