"""Chapter 05 widget surfaces: toy two-parameter losses and a drawing of what the second-order test says."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..critical_points import PointInfo

__all__ = [
    "TOY_SURFACES",
    "flat_surface",
    "plot_point_info",
    "plot_log1p_contour",
]


#: Two-parameter losses written with torch ops: each works on scalars and on whole grids.
TOY_SURFACES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "notes (1 - w1*w2)^2": lambda a, b: (1 - a * b) ** 2,
    "saddle w1^2 - w2^2": lambda a, b: a**2 - b**2,
    "two minima (w1^2-1)^2 + w2^2": lambda a, b: (a**2 - 1) ** 2 + b**2,
    "peak and ring (w1^2+w2^2-1)^2": lambda a, b: (a**2 + b**2 - 1) ** 2,
    "monkey saddle w1^3 - 3 w1 w2^2": lambda a, b: a**3 - 3 * a * b**2,
    "cubic w1^3 + w2^2": lambda a, b: a**3 + b**2,
}


def flat_surface(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """The toy surface ``name`` as a function of one flat tensor ``w = (w1, w2)``."""
    if name not in TOY_SURFACES:
        raise ValueError(f"name must be one of {list(TOY_SURFACES)}, got {name!r}")
    fn = TOY_SURFACES[name]
    return lambda w: fn(w[0], w[1])


def plot_point_info(xs, ys, Z, info: PointInfo, *, ax=None, arrow: float = 0.5):
    """Contour of a 2-D surface with the point, −gradient (black) and eigen-directions
    (red: negative curvature, blue: positive, grey: flat). Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.figure(figsize=(5, 4)).add_subplot()
    ax.contourf(xs, ys, Z, levels=30, cmap="viridis")
    ax.contour(xs, ys, Z, levels=15, colors="white", linewidths=0.4, alpha=0.6)
    p = info.point.numpy()
    ax.plot(*p, "o", color="white", mec="black", ms=8)
    cut = 1e-5 * float(info.eigenvalues.abs().max())
    for lam, u in zip(info.eigenvalues.tolist(), info.eigenvectors.T, strict=True):
        col = "tab:red" if lam < -cut else ("tab:blue" if lam > cut else "0.6")
        d = arrow * u.numpy()
        ax.plot(
            [p[0] - d[0], p[0] + d[0]],
            [p[1] - d[1], p[1] + d[1]],
            "-",
            color=col,
            lw=2.5,
            label=f"eigvec, λ={lam:+.2f}",
        )
    g = info.grad.numpy()
    if np.linalg.norm(g) > 1e-12:
        d = -arrow * g / np.linalg.norm(g)
        ax.annotate("", p + d, p, arrowprops={"arrowstyle": "->", "color": "black", "lw": 2})
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_title(f"{info.kind}: |grad|={float(info.grad.norm()):.2g}")
    ax.legend(loc="lower left", fontsize="x-small")
    return ax


def plot_log1p_contour(
    xs, ys, Z, *, ax=None, labels: tuple[str, str] = ("w1", "w2"), title: str = "", levels: int = 30
):
    """Filled contour of log(1 + L) for a loss grid ``Z`` (``(len(ys), len(xs))``, L ≥ 0), with a colour bar
    that says so. Returns the Axes.

    The log compresses a surface like (1 − w1 w2)² whose values span several orders of magnitude, while
    log(1 + 0) = 0 keeps the zero-loss valley at the bottom of the colour scale.
    """
    import matplotlib.pyplot as plt

    Z = np.asarray(Z, dtype=np.float64)
    if Z.shape != (len(ys), len(xs)):
        raise ValueError(f"Z: expected shape (len(ys), len(xs)) = {(len(ys), len(xs))}, got {Z.shape}")
    if np.nanmin(Z) < 0:
        raise ValueError(f"Z: expected a loss grid with values >= 0, got a minimum of {np.nanmin(Z):.3g}")
    if ax is None:
        ax = plt.figure(figsize=(5.5, 4)).add_subplot()
    cs = ax.contourf(xs, ys, np.log1p(Z), levels=levels, cmap="viridis")
    ax.figure.colorbar(cs, ax=ax, label="log(1 + L)")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title)
    return ax
