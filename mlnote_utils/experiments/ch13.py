"""Chapter 13 experiments: sliding two uniform distributions apart (JS vs W1), sample plots, the coverage table.

The divergence and WGAN pieces live in :mod:`mlnote_utils.wgan`; the critic and generator updates are
written in the notebook. This module holds what only chapter 13's figures and tables need.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes

from .. import wgan

__all__ = [
    "uniform_pair",
    "slide_divergences",
    "draw_uniform_pair",
    "draw_samples",
    "coverage_table",
    "summarise",
]


def uniform_pair(shift: float, *, bin_width: float = 0.01, lim: float = 6.0):
    """Histograms of ``P = U[0, 1]`` and ``Q = U[shift, shift + 1]`` on shared bins of ``bin_width`` over [−lim, lim].

    Returns:
        ``(edges, p, q)``: ``(B + 1,)`` bin edges and two ``(B,)`` float64 probability vectors.

    >>> edges, p, q = uniform_pair(0.5, bin_width=0.25, lim=2.0)
    >>> float(p.sum()), float(q.sum()), int((p * q > 0).sum())
    (1.0, 1.0, 2)
    """
    if not bin_width > 0:
        raise ValueError(f"bin_width={bin_width!r}: expected a positive number")
    if not abs(shift) + 1 <= lim:
        raise ValueError(f"shift={shift!r}: expected |shift| + 1 ≤ lim = {lim}")
    n_bins = round(2 * lim / bin_width)
    edges = np.linspace(-lim, lim, n_bins + 1)
    left, right = edges[:-1], edges[1:]

    def mass(a: float) -> np.ndarray:
        """Probability of each bin under U[a, a + 1]: the length of the bin's overlap with [a, a + 1]."""
        return np.clip(np.minimum(right, a + 1) - np.maximum(left, a), 0, None)

    p, q = mass(0.0), mass(float(shift))
    return edges, p / p.sum(), q / q.sum()


def slide_divergences(shifts, *, bin_width: float = 0.01) -> dict:
    """JS divergence and Wasserstein-1 distance between ``U[0, 1]`` and ``U[s, s + 1]`` for each shift ``s``.

    JS comes from :func:`mlnote_utils.wgan.js_divergence` on the histograms; W1 from the histograms'
    CDFs, ``∫ |F_P − F_Q| dx`` (the 1-D earth mover's distance), so neither uses the closed forms
    ``JS = (1 − overlap) log 2`` and ``W1 = |s|`` that the tests check them against.

    Returns:
        ``{"shift", "js", "w1"}``, three ``(S,)`` float arrays.
    """
    shifts = np.asarray(shifts, dtype=float).reshape(-1)
    if len(shifts) == 0:
        raise ValueError("shifts: expected at least one shift")
    js, w1 = [], []
    for s in shifts:
        edges, p, q = uniform_pair(float(s), bin_width=bin_width)
        js.append(wgan.js_divergence(p, q))
        w1.append(float(np.abs(np.cumsum(p) - np.cumsum(q)).sum() * (edges[1] - edges[0])))
    return {"shift": shifts, "js": np.array(js), "w1": np.array(w1)}


def draw_uniform_pair(ax: Axes, shift: float) -> Axes:
    """Draw ``P = U[0, 1]`` and ``Q = U[shift, shift + 1]`` as densities, with their JS and W1 in the title."""
    edges, p, q = uniform_pair(shift)
    width = edges[1] - edges[0]
    d = slide_divergences([shift])
    ax.stairs(p / width, edges, color="C0", fill=True, alpha=0.4, label="P (data)")
    ax.stairs(q / width, edges, color="C1", fill=True, alpha=0.4, label="Q (generated)")
    ax.set(
        xlim=(-1.5, 5.5),
        ylim=(0, 1.3),
        xlabel="x",
        ylabel="density",
        title=f"shift {shift:.2f}:  JS = {d['js'][0]:.3f},  W1 = {d['w1'][0]:.3f}",
    )
    ax.legend(loc="upper right", fontsize=8)
    return ax


def draw_samples(ax: Axes, samples, centers, *, lim: float, title: str = "") -> Axes:
    """G's 2-D samples as dots and the target's mode centres as crosses, in a square of ±``lim``."""
    s = np.asarray(samples, dtype=float)
    if s.ndim != 2 or s.shape[1] != 2:
        raise ValueError(f"samples: expected (N, 2) points, got shape {s.shape}")
    c = np.asarray(centers, dtype=float)
    inside = (np.abs(s) <= lim).all(axis=1)
    ax.scatter(s[inside, 0], s[inside, 1], s=2, c="k", alpha=0.35, label="G(z) samples")
    ax.scatter(c[:, 0], c[:, 1], marker="x", s=40, c="C3", linewidths=1.5, label="target modes")
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.set_title(title)
    return ax


def coverage_table(results: dict) -> str:
    """A plain-text table of ``{(target, method): [(modes, K, high_quality), …]}`` (one tuple per seed).

    >>> print(coverage_table({("ring", "GAN"): [(8, 8, 0.9), (6, 8, 0.7)]}))
    target  method  modes per seed  high quality per seed
    ring    GAN     8/8, 6/8        90%, 70%
    """
    if not results:
        raise ValueError("results: expected at least one (target, method) entry")
    rows = [("target", "method", "modes per seed", "high quality per seed")]
    for (target, method), runs in results.items():
        modes = ", ".join(f"{m}/{k}" for m, k, _ in runs)
        quality = ", ".join(f"{hq:.0%}" for _, _, hq in runs)
        rows.append((str(target), str(method), modes, quality))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def summarise(samples: torch.Tensor, centers, std: float, *, min_count: int) -> tuple[int, int, float]:
    """``(modes captured, K, high-quality fraction)`` of :func:`mlnote_utils.gan.mode_coverage` for the table."""
    from .. import gan

    c = gan.mode_coverage(samples, centers, std, min_count=min_count)
    return c["modes"], len(c["counts"]), c["high_quality"]
