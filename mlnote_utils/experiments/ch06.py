"""Chapter 06 experiments: the long, narrow valley, counting loss spikes, and an optimiser race on real data."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import torch

from ..device import seeded
from ..history import History
from ..loaders import ShuffledBatches
from ..optimizers import _positive
from ..train import fit
from ..widgets import progress_bar

__all__ = [
    "elongated_bowl",
    "loss_spikes",
    "optimizer_race",
]


def elongated_bowl(
    w: torch.Tensor, b: torch.Tensor, *, flat: float = 0.2, steep: float = 100.0, tilt: float = 0.3
) -> torch.Tensor:
    """A convex error surface: a long narrow valley, flat along it and steep across it.

    L(w, b) = (flat · (w − 4)² + steep · (b − 1 − tilt · (w − 4))²) / 2, minimum 0 at (4, 1). The valley
    floor is the line b = 1 + tilt · (w − 4). With the defaults the Hessian's eigenvalues are ≈ 109 and
    ≈ 0.18 (a condition number near 600). Works element-wise, so it suits both
    :func:`~mlnote_utils.landscape.evaluate_grid` and ``lambda x: elongated_bowl(x[0], x[1])``.
    """
    return 0.5 * (flat * (w - 4.0) ** 2 + steep * (b - 1.0 - tilt * (w - 4.0)) ** 2)


def loss_spikes(losses: Sequence[float] | np.ndarray, factor: float = 10.0) -> np.ndarray:
    """Steps where a loss curve jumps above ``factor`` times the lowest loss seen before (start of each spike).

    >>> loss_spikes([4.0, 1.0, 0.1, 5.0, 6.0, 0.01, 0.5]).tolist()
    [3, 6]
    """
    factor = _positive("factor", factor)
    L = np.asarray(losses, dtype=np.float64)
    if L.ndim != 1:
        raise ValueError(f"losses: expected a 1-D array, got shape {L.shape}")
    if len(L) < 2:
        return np.zeros(0, dtype=np.int64)
    best = np.minimum.accumulate(L)[:-1]  # lowest loss before step t (t = 1..n-1)
    high = L[1:] > factor * best
    starts = high & ~np.concatenate([[False], high[:-1]])
    return np.flatnonzero(starts) + 1


def optimizer_race(
    make_model: Callable[[], torch.nn.Module],
    x: torch.Tensor,
    y: torch.Tensor,
    optimizers: Mapping[str, Callable[[Iterable], torch.optim.Optimizer]],
    *,
    steps: int,
    batch_size: int = 128,
    seeds: Sequence[int] = (0, 1, 2),
    eval_every: int = 50,
    device: torch.device | str = "cpu",
    progress: bool = True,
) -> dict[str, list[History]]:
    """Train the same network from the same start on the same batches with each optimiser; record the loss.

    For every seed, the model is built under ``seeded(seed)`` (so all optimisers share its initial
    weights) and the mini-batches are :class:`~mlnote_utils.loaders.ShuffledBatches` seeded with ``seed``
    and ``drop_last=True`` (so they share the data order). Each run goes through
    :func:`~mlnote_utils.train.fit`, which evaluates the cross-entropy on the whole of ``(x, y)`` every
    ``eval_every`` steps and at step 0 (series ``"train_loss"``).

    Args:
        make_model: builds a fresh classifier.
        x, y: training inputs ``(N, ...)`` and int64 labels ``(N,)``.
        optimizers: name → ``factory(parameters)`` returning an optimiser.

    Returns:
        ``{name: [History per seed]}``; a run that diverges holds ``nan``/``inf``.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r}: expected a positive int")
    if not isinstance(eval_every, int) or not 1 <= eval_every <= steps:
        raise ValueError(f"eval_every={eval_every!r}: expected an int in [1, steps]")
    if len(x) != len(y):
        raise ValueError(f"x, y: expected the same length, got {len(x)} and {len(y)}")
    x, y = x.to(device), y.to(device)
    runs = [(name, seed) for name in optimizers for seed in seeds]
    out: dict[str, list[History]] = {name: [] for name in optimizers}
    for name, seed in progress_bar(runs, enabled=progress, desc="runs"):
        with seeded(seed):
            model = make_model().to(device)
        history = fit(
            model,
            optimizers[name](model.parameters()),
            ShuffledBatches(x, y, batch_size=batch_size, seed=seed, drop_last=True),
            loss_fn=torch.nn.functional.cross_entropy,
            steps=steps,
            valid={"train": (x, y)},
            eval_every=eval_every,
            eval_at_start=True,
            progress=False,
        )
        out[name].append(history)
    return out
