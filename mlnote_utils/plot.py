"""Plot helpers: each takes ``ax=None`` (a new figure is made if missing) and returns the Axes.

No ``show``/``savefig``/global style changes here; the notebook decides how to display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from .landscape import Trajectory

__all__ = [
    "METHOD_COLORS",
    "plot_history",
    "plot_seed_band",
    "LiveFigure",
    "plot_contour",
    "plot_surface3d",
    "plot_trajectory",
    "plot_curve_fit",
]


#: One colour per optimisation method across the course (matplotlib's tab10 names), so that the same
#: method looks the same in every panel and every chapter: ``ax.plot(..., color=mu.METHOD_COLORS["Adam"])``.
#: GD and SGD share a colour (the same rule, full batch or mini-batch); the notes' RMS rule and Adagrad get
#: two colours because chapter 06 compares them.
METHOD_COLORS: dict[str, str] = {
    "GD": "tab:blue",
    "SGD": "tab:blue",
    "Momentum": "tab:orange",
    "RMS": "tab:green",
    "Adagrad": "tab:olive",
    "RMSProp": "tab:red",
    "Adam": "tab:purple",
    "AdamW": "tab:pink",
    "Newton": "tab:brown",
}


def _axes(ax: Axes | None, projection: str | None = None, figsize=(5.5, 4)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    return fig.add_subplot(projection=projection)


def plot_history(
    history,
    names: Sequence[str] | None = None,
    *,
    ax: Axes | None = None,
    x: str = "step",
    log: bool = False,
    title: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """Any series of a :class:`~mlnote_utils.history.History` against the step (or epoch) they were recorded at.

    Args:
        names: the series to draw (default: all). Per-step series are drawn as lines; evaluation series
            (few points) with markers.
        x: ``"step"``, or ``"epoch"`` — per-step series then become their per-epoch means, plotted at the
            end of each epoch, and evaluation series are placed at ``step / steps per epoch``.
        log: logarithmic y axis.
    """
    if x not in ("step", "epoch"):
        raise ValueError(f"x={x!r}: expected 'step' or 'epoch'")
    names = list(history.names if names is None else names)
    ax = _axes(ax)
    per_epoch = history.epoch_ends[0] if history.epoch_ends else None
    if x == "epoch" and per_epoch is None:
        raise ValueError("x='epoch': this history has no finished epoch")
    for name in names:
        steps, values = history.steps_of(name), history[name]
        sparse = len(values) <= 60
        if x == "epoch" and not sparse:
            steps, values = np.arange(1, history.epochs_done + 1) * per_epoch, history.per_epoch(name)
        where = steps / per_epoch if x == "epoch" else steps
        ax.plot(where, values, "o-" if sparse else "-", ms=3, lw=1.2 if sparse else 0.9, label=name)
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel if ylabel is not None else ("value" if len(names) > 1 else names[0]))
    if log:
        ax.set_yscale("log")
    ax.set_title(title if title is not None else "training history")
    ax.legend(fontsize="small")
    return ax


def plot_seed_band(
    runs,
    name: str | None = None,
    *,
    x: Sequence[float] | np.ndarray | None = None,
    ax: Axes | None = None,
    label: str | None = None,
    color=None,
    band_alpha: float = 0.2,
    **line_style,
) -> Axes:
    """The mean over seeds as a line, with a band from the minimum to the maximum seed.

    Args:
        runs: a ``(seeds, T)`` array, or a list of Histories together with the series ``name`` (all
            recorded at the same steps, which become ``x``).
        x: positions of the ``T`` values (default ``0..T-1``, or the Histories' steps).
        label, color, line_style: passed to the mean line; the band takes its colour, with ``band_alpha``.
    """
    if name is not None:
        steps = [h.steps_of(name) for h in runs]
        if any(len(s) != len(steps[0]) or np.any(s != steps[0]) for s in steps):
            raise ValueError(f"runs: the series {name!r} was recorded at different steps in different runs")
        values = np.stack([h[name] for h in runs])
        x = steps[0] if x is None else x
    else:
        values = np.asarray(runs, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] < 1:
        raise ValueError(f"runs: expected a (seeds, T) array, got shape {values.shape}")
    x = np.arange(values.shape[1]) if x is None else np.asarray(x)
    if x.shape != values.shape[1:]:
        raise ValueError(f"x: expected {values.shape[1]} positions, got shape {x.shape}")
    ax = _axes(ax)
    (line,) = ax.plot(x, values.mean(0), label=label, color=color, **line_style)
    ax.fill_between(x, values.min(0), values.max(0), color=line.get_color(), alpha=band_alpha, lw=0)
    return ax


class LiveFigure:
    """A figure that ``fit(..., live=True)`` redraws in place in a notebook (silent outside IPython)."""

    def __init__(self, names: Sequence[str] | None = None) -> None:
        import matplotlib.pyplot as plt

        self.names = names
        self.fig, self.ax = plt.subplots(figsize=(6, 3.5))
        plt.close(self.fig)
        try:
            from IPython.display import display

            self.handle = display(self.fig, display_id=True)
        except ImportError:  # pragma: no cover - IPython comes with the kernel
            self.handle = None

    def update(self, history) -> None:
        self.ax.clear()
        plot_history(history, self.names, ax=self.ax, title="training (live)")
        if self.handle is not None:
            self.handle.update(self.fig)


def plot_contour(
    xs: np.ndarray,
    ys: np.ndarray,
    Z: np.ndarray,
    *,
    ax: Axes | None = None,
    levels: int | Sequence[float] = 30,
    log: bool = False,
    labels: tuple[str, str] = ("w", "b"),
    title: str = "error surface",
) -> Axes:
    """Filled contour of a loss grid ``Z`` (``(ny, nx)``, see ``evaluate_grid``) with a colour bar."""
    ax = _axes(ax)
    data = np.log10(np.maximum(Z, 1e-12)) if log else Z
    cs = ax.contourf(xs, ys, data, levels=levels, cmap="viridis")
    ax.contour(xs, ys, data, levels=cs.levels[::3], colors="white", linewidths=0.4, alpha=0.6)
    ax.figure.colorbar(cs, ax=ax, label="log10 L" if log else "L")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title)
    return ax


def plot_trajectory(
    trajectories: Trajectory | Mapping[str, Trajectory],
    *,
    ax: Axes | None = None,
    dims: tuple[int, int] = (0, 1),
) -> Axes:
    """Overlay one or several 2-D optimisation paths (start ○, end ×) on ``ax``."""
    ax = _axes(ax)
    items = (
        trajectories.items()
        if isinstance(trajectories, Mapping)
        else [(f"η={trajectories.lr:g}", trajectories)]
    )
    x_lim, y_lim = ax.get_xlim(), ax.get_ylim()
    keep_limits = ax.has_data()
    for label, traj in items:
        pts = traj.points[:, list(dims)]
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        (line,) = ax.plot(pts[:, 0], pts[:, 1], ".-", ms=3, lw=1.2, label=label)
        ax.plot(*pts[0], "o", color=line.get_color(), mfc="none", ms=8)
        ax.plot(*pts[-1], "x", color=line.get_color(), ms=8, mew=2)
    if keep_limits:  # a path that diverges must not rescale the surface under it
        ax.set_xlim(x_lim)
        ax.set_ylim(y_lim)
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_surface3d(
    xs: np.ndarray,
    ys: np.ndarray,
    Z: np.ndarray,
    *,
    ax: Axes | None = None,
    trajectory: Trajectory | None = None,
    labels: tuple[str, str] = ("w", "b"),
    title: str = "error surface (3-D)",
) -> Axes:
    """3-D surface of a loss grid, optionally with a trajectory drawn on it (needs a 3-D Axes)."""
    ax = _axes(ax, projection="3d")
    if not hasattr(ax, "plot_surface"):
        raise ValueError("ax: expected a 3-D Axes, e.g. fig.add_subplot(projection='3d')")
    X, Y = np.meshgrid(xs, ys)
    ax.plot_surface(X, Y, Z, cmap="viridis", alpha=0.8, linewidth=0)
    if trajectory is not None:
        p = trajectory.points
        ax.plot(p[:, 0], p[:, 1], trajectory.losses, "r.-", ms=3, zorder=10)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_zlabel("L")
    ax.set_title(title)
    return ax


def plot_curve_fit(
    x: np.ndarray,
    y: np.ndarray,
    predictions: Mapping[str, np.ndarray] | None = None,
    *,
    ax: Axes | None = None,
    labels: tuple[str, str] = ("x", "y"),
    title: str = "",
) -> Axes:
    """Data as points and one or more model predictions as lines."""
    ax = _axes(ax)
    ax.plot(x, y, ".", ms=3, color="0.4", label="data")
    for name, pred in (predictions or {}).items():
        ax.plot(x, pred, "-", lw=1.5, label=name)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax
