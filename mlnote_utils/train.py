"""One small training loop for the whole course: history, progress bar, live curve, checkpoint/resume."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

__all__ = ["History", "fit", "evaluate", "accuracy", "make_loader", "checkpoint_path", "progress_bar"]

Metric = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class History:
    """Per-epoch record returned by :func:`fit` (lists have one entry per finished epoch).

    ``valid_*`` entries are ``nan`` when no validation data was given; ``*_metric`` entries are ``nan``
    when no metric was given; ``seconds`` is the wall time of each epoch (training + evaluation).
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    valid_metric: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    resumed_from: int = 0

    def as_dict(self) -> dict[str, list[float] | int]:
        return asdict(self)

    def __len__(self) -> int:
        return len(self.epoch)


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Fraction of rows whose arg-max matches the integer target.

    >>> accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0]))
    tensor(0.5000)
    """
    if logits.ndim != 2 or targets.shape != logits.shape[:1]:
        raise ValueError(
            f"logits (N, C) and targets (N,) expected, got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )
    return (logits.argmax(dim=1) == targets).float().mean()


def make_loader(dataset: Dataset, batch_size: int, *, shuffle: bool = True, seed: int = 0) -> DataLoader:
    """A ``DataLoader`` whose shuffling has its own seeded generator (reproducible, resumable)."""
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r}: expected a positive int")
    gen = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=gen)


def progress_bar(iterable: Iterable, *, enabled: bool = True, **options):
    """A ``tqdm.auto`` progress bar over ``iterable`` that honours ``TQDM_DISABLE=1`` in notebooks too.

    (``tqdm.notebook`` ignores that variable; CI and ``make execute`` set it so stored outputs hold no bars.)
    ``options`` go to ``tqdm`` (``desc``, ``total``, ``initial``…).
    """
    from tqdm.auto import tqdm

    quiet = not enabled or os.environ.get("TQDM_DISABLE", "").lower() in {"1", "true", "yes"}
    return tqdm(iterable, disable=quiet, **options)


def checkpoint_path(name: str) -> Path:
    """Where a chapter keeps the checkpoint called ``name``: ``<cache_dir()>/checkpoints/<name>.pt``.

    Checkpoints live in the (git-ignored) data cache, so ``make execute``/``make test``, which run with a
    fresh cache folder, always train from scratch, while a learner's restarted kernel resumes.
    """
    from .data import cache_dir

    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"name={name!r}: expected a short label of letters, digits, '-' or '_'")
    return cache_dir() / "checkpoints" / f"{name}.pt"


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loss_fn: Callable,
    loader: Iterable,
    device: torch.device | str = "cpu",
    metric: Metric | None = None,
) -> tuple[float, float]:
    """Mean loss and mean metric over ``loader`` (weighted by batch size), in eval mode; the mode is restored."""
    was_training = model.training
    model.eval()
    total_loss = total_metric = 0.0
    count = 0
    try:
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            out = model(x)
            n = len(x)
            total_loss += float(loss_fn(out, y)) * n
            if metric is not None:
                total_metric += float(metric(out, y)) * n
            count += n
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("loader: it yielded no batches")
    return total_loss / count, (total_metric / count if metric is not None else float("nan"))


def _rng_state(loader: Iterable) -> dict:
    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}
    gen = getattr(loader, "generator", None)
    if gen is not None:
        state["loader"] = gen.get_state()
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict, loader: Iterable) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    gen = getattr(loader, "generator", None)
    if gen is not None and "loader" in state:
        gen.set_state(state["loader"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


class _LivePlot:
    """Redraws a loss figure in place in a notebook (a no-op outside IPython)."""

    def __init__(self) -> None:
        import matplotlib.pyplot as plt

        from .plot import plot_history

        self._plot = plot_history
        self.fig, self.ax = plt.subplots(figsize=(5, 3))
        plt.close(self.fig)
        try:
            from IPython.display import display

            self.handle = display(self.fig, display_id=True)
        except ImportError:  # pragma: no cover - IPython is a dependency
            self.handle = None

    def update(self, history: History) -> None:
        self.ax.clear()
        self._plot(history, ax=self.ax)
        if self.handle is not None:
            self.handle.update(self.fig)


def fit(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    train_loader: Iterable,
    epochs: int,
    *,
    valid_loader: Iterable | None = None,
    metric: Metric | None = None,
    device: torch.device | str = "cpu",
    checkpoint: str | Path | None = None,
    progress: bool = True,
    live_plot: bool = False,
    on_epoch_end: Callable[[int, History], None] | None = None,
) -> History:
    """Train ``model`` for ``epochs`` epochs and return its :class:`History`.

    With ``checkpoint=path`` the model, optimiser, history and random-number states are saved after every
    epoch; calling ``fit`` again with the same path (e.g. after a kernel restart) loads them and runs only
    the epochs that are left, giving the same final weights as an uninterrupted run.

    Args:
        model: the network (moved to ``device``).
        loss_fn: ``loss_fn(output, target) -> scalar``.
        optimizer: built on ``model.parameters()``.
        train_loader: iterable of ``(x, y)`` batches.
        epochs: total number of epochs (≥ 1), counting those already in the checkpoint.
        valid_loader: optional held-out batches, evaluated after each epoch.
        metric: optional ``metric(output, target) -> scalar`` such as :func:`accuracy`.
        device: where to train.
        checkpoint: optional file path for per-epoch checkpoints.
        progress: show a ``tqdm.auto`` bar (the environment variable ``TQDM_DISABLE=1`` also silences it).
        live_plot: redraw a loss curve after every epoch (in a notebook).
        on_epoch_end: optional callback ``f(epoch, history)``.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs={epochs!r}: expected a positive int")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer: expected a torch.optim.Optimizer, got {type(optimizer).__name__}")
    model.to(device)
    history = History()
    start = 0
    ckpt = Path(checkpoint) if checkpoint is not None else None
    if ckpt is not None and ckpt.exists():
        state = torch.load(ckpt, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        history = History(**state["history"])
        start = history.resumed_from = len(history)
        _set_rng_state(state["rng"], train_loader)
    bar = progress_bar(range(start, epochs), enabled=progress, initial=start, total=epochs, desc="epoch")
    live = _LivePlot() if live_plot else None
    for epoch in bar:
        t0 = time.perf_counter()
        model.train()
        total = total_metric = 0.0
        count = 0
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad(set_to_none=True)
            out = model(x)
            loss = loss_fn(out, y)
            loss.backward()
            optimizer.step()
            n = len(x)
            total += float(loss.detach()) * n
            if metric is not None:
                total_metric += float(metric(out.detach(), y)) * n
            count += n
        v_loss, v_metric = (float("nan"), float("nan"))
        if valid_loader is not None:
            v_loss, v_metric = evaluate(model, loss_fn, valid_loader, device, metric)
        history.epoch.append(epoch + 1)
        history.train_loss.append(total / count)
        history.train_metric.append(total_metric / count if metric is not None else float("nan"))
        history.valid_loss.append(v_loss)
        history.valid_metric.append(v_metric)
        history.seconds.append(time.perf_counter() - t0)
        bar.set_postfix(loss=f"{history.train_loss[-1]:.4f}")
        if ckpt is not None:
            ckpt.parent.mkdir(parents=True, exist_ok=True)
            tmp = ckpt.with_name(ckpt.name + ".tmp")
            torch.save(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "history": history.as_dict(),
                    "rng": _rng_state(train_loader),
                },
                tmp,
            )
            os.replace(tmp, ckpt)
        if live is not None:
            live.update(history)
        if on_epoch_end is not None:
            on_epoch_end(epoch + 1, history)
    return history
