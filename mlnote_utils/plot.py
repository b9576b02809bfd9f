"""Plot helpers: each takes ``ax=None`` (a new figure is made if missing) and returns the Axes.

No ``show``/``savefig``/global style changes here; the notebook decides how to display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from .landscape import Trajectory

__all__ = ["plot_history", "plot_contour", "plot_surface3d", "plot_trajectory", "plot_curve_fit"]


def _axes(ax: Axes | None, projection: str | None = None, figsize=(5.5, 4)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    return fig.add_subplot(projection=projection)


def plot_history(history, *, ax: Axes | None = None, metric: bool = False, log: bool = False) -> Axes:
    """Training (and, when present, validation) loss — or metric — per epoch from a ``History``."""
    ax = _axes(ax)
    key = "metric" if metric else "loss"
    train, valid = getattr(history, f"train_{key}"), getattr(history, f"valid_{key}")
    ax.plot(history.epoch, train, "o-", ms=3, label=f"train {key}")
    if len(valid) and not np.all(np.isnan(valid)):
        ax.plot(history.epoch, valid, "s--", ms=3, label=f"valid {key}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(key)
    if log:
        ax.set_yscale("log")
    ax.set_title(f"{key} per epoch")
    ax.legend()
    return ax


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
