"""Chapter 03 experiments: the wall time of one update at each batch size, curves of a mini-batch run, and
the gradient of every mini-batch of one epoch (a critical point of the full loss is not one of each batch).

:func:`time_per_update` keeps its own few-line SGD update on purpose: it times a bare update, and the
bookkeeping of :func:`~mlnote_utils.train.fit` would be part of what is measured.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

__all__ = [
    "UpdateTiming",
    "time_per_update",
    "plot_batch_curves",
    "batch_gradients",
]


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


def plot_batch_curves(history, *, ax=None, title: str | None = None):
    """A mini-batch run: the loss of every update's batch (thin) and the full training loss (dots), per epoch.

    ``history`` is a :class:`~mlnote_utils.history.History` with a per-step ``"loss"`` and a
    ``"train_loss"`` evaluated at step 0 and at every epoch end.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(5.5, 4)).add_subplot()
    per_epoch = history.epoch_ends[0]
    ax.plot(
        history.steps_of("loss") / per_epoch,
        history["loss"],
        lw=0.7,
        alpha=0.6,
        label="loss of each update's batch",
    )
    ax.plot(
        history.steps_of("train_loss") / per_epoch,
        history["train_loss"],
        "ko-",
        ms=3,
        label="full training loss",
    )
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title if title is not None else f"{len(history)} updates")
    ax.legend(fontsize="small")
    return ax


def batch_gradients(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    *,
    seed: int = 0,
) -> torch.Tensor:
    """The gradient of the loss of every mini-batch of one shuffled epoch, at the model's current parameters.

    The rows are shuffled with ``torch.randperm(n, generator=torch.Generator().manual_seed(seed))`` and cut
    into consecutive batches of ``batch_size`` (the last one may be shorter), as
    :class:`~mlnote_utils.loaders.ShuffledBatches` does. ``batch_size=len(x)`` gives the full-batch gradient.
    The parameters, their ``.grad`` and the model's train/eval mode are left as they were.

    Returns:
        A ``(number of batches, number of parameters)`` tensor: one flattened gradient per row.

    >>> net = nn.Linear(3, 2)
    >>> batch_gradients(net, nn.functional.cross_entropy, torch.randn(10, 3), torch.zeros(10).long(), 4).shape
    torch.Size([3, 8])
    """
    _check_xy(x, y)
    n = len(x)
    _check_batch_size(batch_size, n)
    params = [p for p in model.parameters() if p.requires_grad]
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).to(x.device)
    rows = []
    for i in range(0, n, batch_size):
        idx = order[i : i + batch_size]
        grads = torch.autograd.grad(loss_fn(model(x[idx]), y[idx]), params)
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    return torch.stack(rows)
