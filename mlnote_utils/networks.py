"""Helpers for chapter 02 (sigmoids, ReLU, small networks by hand).

From a piecewise-linear curve written as a sum of hard sigmoids, to smooth sigmoids, to ReLU pairs, to
the matrix form ``y = b + cᵀσ(b + W x)`` with a hand-written backward pass, to deeper MLPs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

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
    "one_hidden_layer_forward",
    "one_hidden_layer_backward",
    "updates_per_epoch",
    "make_mlp",
    "block_split",
    "train_full_batch_regressor",
    "depth_table",
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


def updates_per_epoch(n_samples: int, batch_size: int, *, drop_last: bool = False) -> int:
    """How many parameter updates one epoch makes: ``ceil(N/B)`` (or ``floor`` with ``drop_last``).

    >>> updates_per_epoch(1000, 64), updates_per_epoch(1000, 64, drop_last=True)
    (16, 15)
    """
    for name, v in (("n_samples", n_samples), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}={v!r}: expected a positive int")
    return n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)


def make_mlp(n_in: int, width: int, depth: int, n_out: int = 1, activation: str = "relu") -> nn.Sequential:
    """``depth`` hidden layers of ``width`` units (Linear → activation), then a Linear output layer.

    >>> make_mlp(7, 32, 2)
    Sequential(
      (0): Linear(in_features=7, out_features=32, bias=True)
      (1): ReLU()
      (2): Linear(in_features=32, out_features=32, bias=True)
      (3): ReLU()
      (4): Linear(in_features=32, out_features=1, bias=True)
    )
    """
    acts = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}
    if activation not in acts:
        raise ValueError(f"activation={activation!r}: expected one of {sorted(acts)}")
    for name, v in (("n_in", n_in), ("width", width), ("n_out", n_out)):
        if not isinstance(v, int) or v < 1:
            raise ValueError(f"{name}={v!r}: expected a positive int")
    if not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth={depth!r}: expected an int ≥ 0 (0 = a linear model)")
    layers: list[nn.Module] = []
    k = n_in
    for _ in range(depth):
        layers += [nn.Linear(k, width), acts[activation]()]
        k = width
    return nn.Sequential(*layers, nn.Linear(k, n_out))


def block_split(n_rows: int, block: int, gap: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Alternate blocks of consecutive rows between training (even blocks) and held-out (odd blocks).

    The first ``gap`` rows of each held-out block are dropped, so that lag windows of held-out rows do not
    reach into the training block just before them.

    Returns:
        Boolean masks ``(train, held_out)`` of length ``n_rows``.

    >>> tr, te = block_split(8, block=2, gap=1)
    >>> tr.astype(int).tolist(), te.astype(int).tolist()
    ([1, 1, 0, 0, 1, 1, 0, 0], [0, 0, 0, 1, 0, 0, 0, 1])
    """
    if not isinstance(block, int) or block < 1 or not isinstance(n_rows, int) or n_rows < 1:
        raise ValueError(f"n_rows={n_rows!r}, block={block!r}: expected positive ints")
    if not isinstance(gap, int) or not 0 <= gap < block:
        raise ValueError(f"gap={gap!r}: expected an int with 0 ≤ gap < block={block}")
    idx = np.arange(n_rows)
    odd = (idx // block) % 2 == 1
    return ~odd, odd & (idx % block >= gap)


def train_full_batch_regressor(
    model: nn.Module,
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    *,
    epochs: int,
    lr: float,
) -> tuple[float, float]:
    """Full-batch Adam on the mean squared error; returns ``(train_mse, test_mse)`` after training.

    Each epoch is one update (the whole training set is one batch). The model's mode is left as training.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs={epochs!r}: expected a positive int")
    if not lr > 0:
        raise ValueError(f"lr={lr!r}: expected a positive number")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        opt.zero_grad(set_to_none=True)
        loss = ((model(x_train).squeeze(-1) - y_train) ** 2).mean()
        loss.backward()
        opt.step()
    with torch.no_grad():
        train = ((model(x_train).squeeze(-1) - y_train) ** 2).mean()
        test = ((model(x_test).squeeze(-1) - y_test) ** 2).mean()
    return float(train), float(test)


def depth_table(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    depths: list[int],
    seeds: list[int],
    *,
    width: int = 32,
    epochs: int = 500,
    lr: float = 3e-3,
) -> np.ndarray:
    """Train and held-out MSE of ReLU MLPs of each depth (``(len(depths), len(seeds), 2)`` array).

    Depth 0 is the linear model solved exactly by least squares (the same for every seed); depth ≥ 1 is
    :func:`make_mlp` with ``torch.manual_seed(seed)`` trained by :func:`train_full_batch_regressor`.
    Tensors stay on their device; the returned numbers are plain floats.
    """
    if x_train.ndim != 2 or x_test.ndim != 2 or x_train.shape[1] != x_test.shape[1]:
        raise ValueError(
            f"x_train, x_test: expected (N, d) tensors with equal d, got {tuple(x_train.shape)}, {tuple(x_test.shape)}"
        )
    if not depths or any(not isinstance(d, int) or d < 0 for d in depths) or not seeds:
        raise ValueError(f"depths={depths!r}, seeds={seeds!r}: expected non-empty lists, depths ints ≥ 0")
    out = np.zeros((len(depths), len(seeds), 2))
    for i, depth in enumerate(depths):
        for j, seed in enumerate(seeds):
            if depth == 0:
                a_tr, a_te = (torch.cat([a, torch.ones_like(a[:, :1])], 1) for a in (x_train, x_test))
                coef = torch.linalg.lstsq(a_tr.cpu(), y_train.cpu()[:, None]).solution.to(a_tr.device)
                out[i, j] = [
                    float(((a_tr @ coef).squeeze(-1) - y_train).pow(2).mean()),
                    float(((a_te @ coef).squeeze(-1) - y_test).pow(2).mean()),
                ]
                continue
            torch.manual_seed(seed)
            model = make_mlp(x_train.shape[1], width, depth).to(x_train.device)
            out[i, j] = train_full_batch_regressor(
                model, x_train, y_train, x_test, y_test, epochs=epochs, lr=lr
            )
    return out


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
