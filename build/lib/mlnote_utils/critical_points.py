"""Critical points (chapter 05): the type of a point from its Hessian eigenvalues, the minimum ratio,
the second-order test of one point, Newton's method to a nearby critical point, and the escape direction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.func import grad

from .hessian import _check_f_x, hessian_matrix

__all__ = [
    "count_eigenvalue_signs",
    "minimum_ratio",
    "classify_critical_point",
    "PointInfo",
    "inspect_point",
    "find_critical_point",
    "escape_direction",
]


def _as_1d(eigenvalues) -> torch.Tensor:
    ev = torch.as_tensor(eigenvalues, dtype=torch.float64).detach().cpu()
    if ev.dim() != 1 or ev.numel() == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D sequence, got shape {tuple(ev.shape)}")
    if not torch.isfinite(ev).all():
        raise ValueError("eigenvalues contain nan or inf")
    return ev


def count_eigenvalue_signs(eigenvalues, tol: float = 1e-5) -> dict[str, int]:
    """Count positive, negative and (near-)zero eigenvalues.

    An eigenvalue counts as zero when ``|λ| ≤ tol · max|λ|`` (relative tolerance, as for a numerical
    rank), so the count does not depend on the loss's scale. ``tol=0`` means exact signs.

    >>> count_eigenvalue_signs([2.0, -2.0, 1e-9])
    {'positive': 1, 'negative': 1, 'zero': 1}
    """
    if not (tol >= 0):
        raise ValueError(f"tol must be ≥ 0, got {tol!r}")
    ev = _as_1d(eigenvalues)
    cut = tol * float(ev.abs().max())
    return {
        "positive": int((ev > cut).sum()),
        "negative": int((ev < -cut).sum()),
        "zero": int((ev.abs() <= cut).sum()),
    }


def minimum_ratio(eigenvalues, tol: float = 1e-5, *, exclude_zero: bool = False) -> float:
    """The lecture's minimum ratio: (number of positive eigenvalues) / (number of eigenvalues).

    Near-zero eigenvalues (``|λ| ≤ tol · max|λ|``) are not positive; with ``exclude_zero=True`` they are
    also dropped from the denominator (ratio among the curved directions only; 1.0 if all are flat).

    >>> minimum_ratio([3.0, 1.0, -1.0, 0.0])
    0.5
    >>> minimum_ratio([3.0, 1.0, -1.0, 0.0], exclude_zero=True)
    0.6666666666666666
    """
    c = count_eigenvalue_signs(eigenvalues, tol)
    total = c["positive"] + c["negative"] + (0 if exclude_zero else c["zero"])
    return c["positive"] / total if total else 1.0


def classify_critical_point(eigenvalues, tol: float = 1e-5) -> str:
    """Type of a critical point from its Hessian eigenvalues (relative tolerance as in :func:`count_eigenvalue_signs`).

    Returns:
        ``"local minimum"`` (all > 0), ``"local maximum"`` (all < 0), ``"saddle point"`` (both signs,
        whatever the zeros) or ``"degenerate"`` (some zero and no sign change: second order can't tell).

    >>> classify_critical_point([2.0, -2.0])
    'saddle point'
    """
    c = count_eigenvalue_signs(eigenvalues, tol)
    if c["positive"] and c["negative"]:
        return "saddle point"
    if c["zero"]:
        return "degenerate"
    return "local minimum" if c["positive"] else "local maximum"


@dataclass
class PointInfo:
    """What the second-order test says about one point: loss, gradient, Hessian, eigen-pairs, type."""

    point: torch.Tensor
    loss: float
    grad: torch.Tensor
    hessian: torch.Tensor
    eigenvalues: torch.Tensor  # ascending
    eigenvectors: torch.Tensor  # columns, as torch.linalg.eigh returns them
    kind: str


def inspect_point(
    f: Callable[[torch.Tensor], torch.Tensor], x, *, grad_tol: float = 1e-6, tol: float = 1e-5
) -> PointInfo:
    """Gradient, exact Hessian, its eigen-decomposition and the point's type.

    ``kind`` is ``"not critical"`` when ``‖∇f‖ > grad_tol``, otherwise :func:`classify_critical_point`.

    >>> inspect_point(lambda w: (1 - w[0] * w[1]) ** 2, [0.0, 0.0]).kind
    'saddle point'
    """
    x = torch.as_tensor(x, dtype=torch.float64).detach().reshape(-1)
    _check_f_x(f, x)
    g = grad(f)(x)
    H = hessian_matrix(f, x)
    lam, U = torch.linalg.eigh(H)
    kind = "not critical" if float(g.norm()) > grad_tol else classify_critical_point(lam, tol)
    return PointInfo(x, float(f(x)), g, H, lam, U, kind)


def find_critical_point(
    f: Callable[[torch.Tensor], torch.Tensor], x0, *, steps: int = 50, rcond: float = 1e-10
) -> torch.Tensor:
    """Newton's method on the gradient, x ← x − H⁺g: converges to a *nearby critical point of any type*.

    Unlike gradient descent it is attracted to saddles and maxima as much as to minima (it solves ∇f = 0).
    ``rcond`` cuts tiny eigenvalues out of the pseudo-inverse.
    """
    x = torch.as_tensor(x0, dtype=torch.float64).detach().reshape(-1).clone()
    _check_f_x(f, x)
    for _ in range(steps):
        g = grad(f)(x)
        if float(g.norm()) < 1e-13:
            break
        x = x - torch.linalg.pinv(hessian_matrix(f, x), rtol=rcond, hermitian=True) @ g
    return x


def escape_direction(info: PointInfo) -> torch.Tensor:
    """Unit eigenvector of the most negative Hessian eigenvalue (raises if there is none)."""
    if float(info.eigenvalues[0]) >= 0:
        raise ValueError("the Hessian at this point has no negative eigenvalue: no escape direction")
    return info.eigenvectors[:, 0]
