"""Helpers for chapter 03 (batch size: timing, noise, sharpness).

Timing of one update per batch size, a small mini-batch trainer that records every update's loss,
training to a target loss, and 1-D loss slices through a minimum (sharpness). Hessian eigenvalues
come from :mod:`mlnote_utils.hessian` (``top_eigenvalues``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

__all__ = [
    "UpdateTiming",
    "time_per_update",
    "BatchRun",
    "train_minibatch",
    "train_until_loss",
    "flat_direction",
    "loss_along_direction",
    "random_direction_increase",
    "plot_batch_run",
]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _check_xy(x: torch.Tensor, y: torch.Tensor) -> None:
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"x, y: expected tensors, got {type(x).__name__} and {type(y).__name__}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x, y: expected the same non-zero number of rows, got {len(x)} and {len(y)}")


def _check_batch_size(batch_size: int, n: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size={batch_size!r}: expected an int between 1 and the number of rows ({n})")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@dataclass(frozen=True)
class UpdateTiming:
    """Seconds of one update (forward + backward + step) at each batch size, for ``n_samples`` rows."""

    batch_sizes: np.ndarray
    sec_per_update: np.ndarray
    updates_per_epoch: np.ndarray
    n_samples: int

    @property
    def sec_per_epoch(self) -> np.ndarray:
        """Time of one epoch = updates per epoch × time per update."""
        return self.updates_per_epoch * self.sec_per_update


def time_per_update(
    make_model: Callable[[], nn.Module],
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_sizes: Sequence[int],
    *,
    device: torch.device | str = "cpu",
    repeats: int = 7,
    min_seconds: float = 0.02,
    lr: float = 0.01,
) -> UpdateTiming:
    """Measure the wall time of one SGD update for each batch size on ``device``.

    For each batch size a fresh model is built and warmed up with two updates; then, taking the batch
    sizes in turn, blocks of updates lasting at least ``min_seconds`` are timed ``repeats`` times and the
    fastest block is kept (as ``timeit`` advises: other programs can only slow a block down). On CUDA the device is synchronised before reading the clock.

    Returns:
        :class:`UpdateTiming` (epoch times are derived as updates × time per update).
    """
    _check_xy(x, y)
    device = torch.device(device)
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats={repeats!r}: expected a positive int")
    n = len(x)
    x, y = x.to(device), y.to(device)
    steps, reps = [], []
    for bs in batch_sizes:
        _check_batch_size(bs, n)
        model = make_model().to(device)
        opt = torch.optim.SGD(model.parameters(), lr=lr)

        def step(model=model, opt=opt, xb=x[:bs], yb=y[:bs]) -> None:
            opt.zero_grad(set_to_none=True)
            loss_fn(model(xb), yb).backward()
            opt.step()

        for _ in range(2):  # warm-up
            step()
        _sync(device)
        t0 = time.perf_counter()
        step()
        _sync(device)
        steps.append(step)
        reps.append(max(1, int(min_seconds / max(time.perf_counter() - t0, 1e-7))))
    blocks: list[list[float]] = [[] for _ in steps]
    for _ in range(repeats):  # round-robin, so a burst of outside load hits every batch size alike
        for i, (step, k) in enumerate(zip(steps, reps, strict=True)):
            t0 = time.perf_counter()
            for _ in range(k):
                step()
            _sync(device)
            blocks[i].append((time.perf_counter() - t0) / k)
    seconds = [float(np.min(b)) for b in blocks]
    bss = np.array(list(batch_sizes), dtype=np.int64)
    return UpdateTiming(bss, np.array(seconds), np.array([math.ceil(n / b) for b in bss]), n)


@dataclass
class BatchRun:
    """Record of :func:`train_minibatch`: the loss of every update's batch and the full training loss per epoch."""

    batch_size: int
    update_loss: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)

    @property
    def n_updates(self) -> int:
        return len(self.update_loss)


def _full_loss(model: nn.Module, loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float(loss_fn(model(x), y))


def train_minibatch(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    batch_size: int,
    epochs: int,
    lr: float,
    seed: int = 0,
    optimizer: str = "sgd",
) -> BatchRun:
    """Shuffle-and-split mini-batch training (reshuffled each epoch with its own seeded generator).

    Records the loss of each update's batch and, after every epoch, the loss on the whole training set
    (epoch 0 is the starting point). ``optimizer`` is ``"sgd"`` (plain) or ``"adam"``.
    """
    _check_xy(x, y)
    _check_batch_size(batch_size, len(x))
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs={epochs!r}: expected a positive int")
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer={optimizer!r}: expected 'sgd' or 'adam'")
    opt_cls = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    opt = opt_cls(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    run = BatchRun(batch_size, epoch_loss=[_full_loss(model, loss_fn, x, y)])
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=gen).to(x.device)
        for start in range(0, len(x), batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            run.update_loss.append(float(loss.detach()))
        run.epoch_loss.append(_full_loss(model, loss_fn, x, y))
    return run


def train_until_loss(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    batch_size: int,
    lr: float,
    target: float,
    max_epochs: int,
    seed: int = 0,
) -> tuple[int, float]:
    """Adam mini-batch training until the full training loss is below ``target`` (checked after each epoch).

    Returns:
        ``(epochs_used, final_training_loss)``; if ``max_epochs`` is reached first, the loss is above target.
    """
    _check_xy(x, y)
    _check_batch_size(batch_size, len(x))
    if not target > 0 or not isinstance(max_epochs, int) or max_epochs < 1:
        raise ValueError(f"target={target!r}, max_epochs={max_epochs!r}: expected target > 0 and an int ≥ 1")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    loss = _full_loss(model, loss_fn, x, y)
    for epoch in range(1, max_epochs + 1):
        perm = torch.randperm(len(x), generator=gen).to(x.device)
        for start in range(0, len(x), batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        loss = _full_loss(model, loss_fn, x, y)
        if loss < target:
            return epoch, loss
    return max_epochs, loss


def flat_direction(model: nn.Module, seed: int = 0) -> torch.Tensor:
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
        d = flat_direction(model, seed=seed + k)
        base, moved = loss_along_direction(model, loss_fn, batch, d, [0.0, radius])
        rises.append(moved - base)
    return float(np.mean(rises)), float(np.std(rises))


def plot_batch_run(run: BatchRun, *, ax=None, n_samples: int | None = None):
    """Per-update batch losses (thin) and full training loss per epoch (dots), against epochs."""
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(5.5, 4)).add_subplot()
    per_epoch = max(1, math.ceil(n_samples / run.batch_size)) if n_samples else None
    if per_epoch:
        t = np.arange(1, run.n_updates + 1) / per_epoch
        ax.plot(t, run.update_loss, lw=0.7, alpha=0.6, label="loss of each update's batch")
    ax.plot(np.arange(len(run.epoch_loss)), run.epoch_loss, "ko-", ms=3, label="full training loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(f"batch size {run.batch_size}: {run.n_updates} updates")
    ax.legend(fontsize="small")
    return ax
