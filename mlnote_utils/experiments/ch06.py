"""Chapter 06 experiments: the long, narrow valley, counting loss spikes, and an optimiser race on real data."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import torch

from ..device import seeded
from ..history import History
from ..landscape import Trajectory
from ..loaders import ShuffledBatches
from ..optimizers import _positive, _unit
from ..plot import METHOD_COLORS
from ..train import fit
from ..widgets import progress_bar

__all__ = [
    "elongated_bowl",
    "loss_spikes",
    "method_color",
    "plot_paths",
    "path_limits",
    "momentum_rate",
    "optimizer_race",
    "full_batch_stats",
    "schedule_race",
]


def _check_race(steps, eval_every, x, y) -> None:
    """The arguments every race shares: a positive step count, an evaluation cadence within it, paired data."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r}: expected a positive int")
    if not isinstance(eval_every, int) or not 1 <= eval_every <= steps:
        raise ValueError(f"eval_every={eval_every!r}: expected an int in [1, steps]")
    if len(x) != len(y):
        raise ValueError(f"x, y: expected the same length, got {len(x)} and {len(y)}")


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


def method_color(label: str) -> str:
    """The course colour (:data:`~mlnote_utils.plot.METHOD_COLORS`) of a label that starts with a method's name.

    >>> method_color("Adam η=0.1"), method_color("Momentum β=0.9")
    ('tab:purple', 'tab:orange')
    """
    name = label.split()[0] if label.strip() else ""
    if name not in METHOD_COLORS:
        raise ValueError(f"label={label!r}: expected it to start with one of {list(METHOD_COLORS)}")
    return METHOD_COLORS[name]


def path_limits(trajectories: Iterable[Trajectory], margin: float = 0.08) -> tuple[tuple, tuple]:
    """``(xlim, ylim)`` that hold every finite point of the 2-D paths, widened by ``margin`` of each range."""
    pts = np.concatenate([np.asarray(t.points)[:, :2] for t in trajectories])
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) == 0:
        raise ValueError("trajectories: expected at least one finite point")
    lo, hi = pts.min(0), pts.max(0)
    pad = margin * np.maximum(hi - lo, 1e-9)
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def plot_paths(trajectories: Mapping[str, Trajectory], *, ax, colors: Mapping[str, str] | None = None):
    """2-D optimisation paths (start ○, end ×) in one colour per method, without changing the axes' limits.

    Args:
        trajectories: label → path; each label starts with a method name (see :func:`method_color`) unless
            ``colors`` gives its colour.
        colors: label → colour, overriding the course palette.

    Returns:
        The Axes.
    """
    limits = ax.get_xlim(), ax.get_ylim()
    keep = ax.has_data()
    for label, traj in trajectories.items():
        color = (colors or {}).get(label) or method_color(label)
        pts = np.asarray(traj.points)[:, :2]
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        ax.plot(pts[:, 0], pts[:, 1], ".-", ms=3, lw=1.2, color=color, label=label)
        ax.plot(*pts[0], "o", color=color, mfc="none", ms=8)
        ax.plot(*pts[-1], "x", color=color, ms=8, mew=2)
    if keep:
        ax.set_xlim(limits[0])
        ax.set_ylim(limits[1])
    ax.legend(loc="upper right", fontsize="small")
    return ax


def momentum_rate(eta_lambda: float, beta: float) -> float:
    """How much momentum shrinks the error per step along one eigen-direction of a quadratic (d2l's analysis).

    Along an eigenvector with eigenvalue λ, the notes' momentum m ← β m − η λ x, x ← x + m is the linear map
    (m, x) ↦ [[β, −ηλ], [β, 1 − ηλ]] (m, x); the error shrinks like ρᵗ with ρ its spectral radius.
    ``beta=0`` is gradient descent (ρ = |1 − ηλ|). Stable (ρ < 1) for 0 < ηλ < 2 (1 + β).

    >>> round(momentum_rate(0.5, 0.0), 6), round(momentum_rate(0.01, 0.81), 6)
    (0.5, 0.9)
    """
    beta = _unit("beta", beta)
    eta_lambda = float(eta_lambda)
    if not np.isfinite(eta_lambda) or eta_lambda < 0:
        raise ValueError(f"eta_lambda={eta_lambda!r}: expected a finite number >= 0")
    a = np.array([[beta, -eta_lambda], [beta, 1.0 - eta_lambda]])
    return float(np.abs(np.linalg.eigvals(a)).max())


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
    _check_race(steps, eval_every, x, y)
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


def full_batch_stats(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """Cross-entropy on all of ``(x, y)`` and the norm of its gradient (over all parameters).

    Leaves the parameters' ``.grad`` as it found them, so it can run inside a training loop.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    loss = torch.nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, params)
    norm = torch.sqrt(sum((g.detach() ** 2).sum() for g in grads))
    return {"loss": float(loss.detach()), "grad_norm": float(norm)}


def schedule_race(
    make_model: Callable[[], torch.nn.Module],
    x: torch.Tensor,
    y: torch.Tensor,
    make_optimizer: Callable[[Iterable], torch.optim.Optimizer],
    schedules: Mapping[str, Callable[[int], float] | None],
    *,
    steps: int,
    batch_size: int = 128,
    seeds: Sequence[int] = (0, 1, 2),
    eval_every: int = 25,
    device: torch.device | str = "cpu",
) -> dict[str, list[History]]:
    """The same network, optimiser and batches under several learning-rate schedules (``LambdaLR`` factors).

    As in :func:`optimizer_race`, all runs of one seed share the initial weights and the batch order. Every
    ``eval_every`` steps (and at step 0) :func:`fit` logs :func:`full_batch_stats` on the whole of ``(x, y)``
    as ``"full_loss"`` and ``"full_grad_norm"``, and the optimiser's current learning rate as ``"lr"``.

    Args:
        make_optimizer: ``factory(parameters)``, e.g. ``lambda p: torch.optim.Adam(p, lr=0.05)``.
        schedules: name → multiplier ``f(t)`` of the base learning rate, or ``None`` for a constant rate.

    Returns:
        ``{name: [History per seed]}``.
    """
    _check_race(steps, eval_every, x, y)
    x, y = x.to(device), y.to(device)
    out: dict[str, list[History]] = {name: [] for name in schedules}
    for name, factor in schedules.items():
        for seed in seeds:
            with seeded(seed):
                model = make_model().to(device)
            opt = make_optimizer(model.parameters())
            sched = None if factor is None else torch.optim.lr_scheduler.LambdaLR(opt, factor)

            def stats(ctx, model=model, opt=opt):
                out = full_batch_stats(model, x, y)
                return {
                    "full_loss": out["loss"],
                    "full_grad_norm": out["grad_norm"],
                    "lr": opt.param_groups[0]["lr"],
                }

            history = fit(
                model,
                opt,
                ShuffledBatches(x, y, batch_size=batch_size, seed=seed, drop_last=True),
                loss_fn=torch.nn.functional.cross_entropy,
                steps=steps,
                valid=stats,
                eval_every=eval_every,
                eval_at_start=True,
                scheduler=sched,
                progress=False,
            )
            out[name].append(history)
    return out
