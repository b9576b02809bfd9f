"""Piecewise-linear curves as sums of hard sigmoids, their smooth (sigmoid) and ReLU versions (chapter 02).

A curve through knots = a constant + one ramp ("hard sigmoid") per segment; each ramp is two ReLUs exactly,
or about one ``c·sigmoid(b + w x)``. With enough pieces such sums approximate any continuous curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "HardSigmoid",
    "wiggly_target",
    "hard_sigmoid",
    "hard_sigmoid_from_relus",
    "hard_sigmoids_for_curve",
    "sum_of_hard_sigmoids",
    "soft_sigmoid_params",
    "sigmoid_curve",
    "sigmoid_sum_fit",
    "plot_sigmoid_fit",
]


@dataclass(frozen=True)
class HardSigmoid:
    """A ramp: 0 left of ``lo``, rising linearly to ``height`` at ``hi``, then flat."""

    lo: float
    hi: float
    height: float


def _arr(x, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected numbers or an array, got {type(x).__name__}") from exc
    return a


def wiggly_target(x) -> np.ndarray:
    """A smooth, wiggly 1-D target used to show that more pieces fit better (generated, not data)."""
    x = _arr(x, "x")
    return np.sin(2.0 * x) + 0.5 * np.cos(5.0 * x) + 0.2 * x


def hard_sigmoid(x, lo: float, hi: float, height: float) -> np.ndarray:
    """``height · clip((x − lo) / (hi − lo), 0, 1)``.

    >>> hard_sigmoid([0.0, 1.5, 3.0], lo=1.0, hi=2.0, height=2.0).tolist()
    [0.0, 1.0, 2.0]
    """
    if not hi > lo:
        raise ValueError(f"lo={lo!r}, hi={hi!r}: expected lo < hi")
    return height * np.clip((_arr(x, "x") - lo) / (hi - lo), 0.0, 1.0)


def hard_sigmoid_from_relus(x, lo: float, hi: float, height: float) -> np.ndarray:
    """The same ramp from two ReLUs: ``s·max(0, x − lo) − s·max(0, x − hi)`` with slope ``s = height/(hi − lo)``."""
    if not hi > lo:
        raise ValueError(f"lo={lo!r}, hi={hi!r}: expected lo < hi")
    x = _arr(x, "x")
    slope = height / (hi - lo)
    return slope * np.maximum(0.0, x - lo) - slope * np.maximum(0.0, x - hi)


def hard_sigmoids_for_curve(knots_x, knots_y) -> tuple[float, list[HardSigmoid]]:
    """Write the piecewise-linear curve through ``(knots_x, knots_y)`` as ``constant + Σ hard sigmoids``.

    Segment ``i`` (from ``knots_x[i]`` to ``knots_x[i+1]``) becomes one ramp whose height is the segment's
    rise; the constant is the curve's value at the first knot. Left of the first knot and right of the last
    the curve is flat.

    Returns:
        ``(constant, pieces)``.

    >>> c, p = hard_sigmoids_for_curve([0, 1, 2], [1, 3, 2])
    >>> c, [(q.lo, q.hi, q.height) for q in p]
    (1.0, [(0.0, 1.0, 2.0), (1.0, 2.0, -1.0)])
    """
    kx, ky = _arr(knots_x, "knots_x"), _arr(knots_y, "knots_y")
    if kx.ndim != 1 or kx.shape != ky.shape or len(kx) < 2:
        raise ValueError(
            f"knots_x, knots_y: expected two 1-D arrays of equal length ≥ 2, got {kx.shape} and {ky.shape}"
        )
    if np.any(np.diff(kx) <= 0):
        raise ValueError("knots_x: expected strictly increasing values")
    pieces = [
        HardSigmoid(float(kx[i]), float(kx[i + 1]), float(ky[i + 1] - ky[i])) for i in range(len(kx) - 1)
    ]
    return float(ky[0]), pieces


def sum_of_hard_sigmoids(
    x, constant: float, pieces: list[HardSigmoid], *, use_relu: bool = False
) -> np.ndarray:
    """Evaluate ``constant + Σ pieces`` at ``x`` (each piece as a clip, or as two ReLUs if ``use_relu``)."""
    ramp = hard_sigmoid_from_relus if use_relu else hard_sigmoid
    out = np.full_like(_arr(x, "x"), float(constant))
    for p in pieces:
        out = out + ramp(x, p.lo, p.hi, p.height)
    return out


def soft_sigmoid_params(piece: HardSigmoid, sharpness: float = 1.0) -> tuple[float, float, float]:
    """``(c, b, w)`` so that ``c·sigmoid(b + w x)`` imitates ``piece``.

    ``c`` is the height, the midpoint is the ramp's centre, and with ``sharpness = 1`` the slope at the
    centre (``c·w/4``) equals the ramp's slope; larger ``sharpness`` gives a steeper, closer-to-hard curve.
    """
    if not sharpness > 0:
        raise ValueError(f"sharpness={sharpness!r}: expected a positive number")
    w = sharpness * 4.0 / (piece.hi - piece.lo)
    b = -w * 0.5 * (piece.lo + piece.hi)
    return piece.height, b, w


def sigmoid_curve(x, c: float, b: float, w: float) -> np.ndarray:
    """``c · sigmoid(b + w x)`` (computed stably).

    >>> float(sigmoid_curve(0.0, c=2.0, b=0.0, w=1.0))
    1.0
    """
    z = b + w * _arr(x, "x")
    return c * 0.5 * (1.0 + np.tanh(0.5 * z))


def sigmoid_sum_fit(
    x, target, n_pieces: int, sharpness: float = 1.0
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Approximate ``target`` (sampled at sorted ``x``) with ``n_pieces`` hard and soft sigmoids.

    Knots are ``n_pieces + 1`` evenly spaced points over the range of ``x``; the piecewise-linear curve
    through the target at those knots is written as hard sigmoids, each then replaced by a sigmoid.

    Returns:
        ``(hard_curve, soft_curve, hard_mse, soft_mse)`` — curves at ``x`` and their mean squared errors.
    """
    x, t = _arr(x, "x"), _arr(target, "target")
    if not isinstance(n_pieces, (int, np.integer)) or n_pieces < 1:
        raise ValueError(f"n_pieces={n_pieces!r}: expected an int ≥ 1")
    if x.ndim != 1 or x.shape != t.shape or np.any(np.diff(x) <= 0):
        raise ValueError("x, target: expected 1-D arrays of equal length with x strictly increasing")
    knots = np.linspace(x[0], x[-1], int(n_pieces) + 1)
    constant, pieces = hard_sigmoids_for_curve(knots, np.interp(knots, x, t))
    hard = sum_of_hard_sigmoids(x, constant, pieces)
    soft = np.full_like(x, constant)
    for p in pieces:
        soft = soft + sigmoid_curve(x, *soft_sigmoid_params(p, sharpness))
    return hard, soft, float(np.mean((hard - t) ** 2)), float(np.mean((soft - t) ** 2))


def plot_sigmoid_fit(x, target, n_pieces: int, sharpness: float = 1.0, *, ax=None):
    """Target, its hard-sigmoid (piecewise-linear) fit and the smooth-sigmoid fit with ``n_pieces`` pieces."""
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(5.5, 4)).add_subplot()
    hard, soft, hard_mse, soft_mse = sigmoid_sum_fit(x, target, n_pieces, sharpness)
    ax.plot(x, target, color="0.3", lw=2.5, alpha=0.5, label="target")
    ax.plot(x, hard, "--", label=f"hard sigmoids (MSE {hard_mse:.3f})")
    ax.plot(x, soft, "-", label=f"sigmoids (MSE {soft_mse:.3f})")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"{n_pieces} pieces, sharpness {sharpness:g}")
    ax.legend(fontsize="small")
    return ax
