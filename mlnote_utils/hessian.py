"""Helpers for chapters 03 and 05: Hessians, Hessian-vector products, eigenvalues, critical points.

Two levels:

* a scalar function ``f`` of a flat tensor ``x``: :func:`hessian_matrix` (exact, ``torch.func``),
  :func:`hessian_matrix_loop` (row by row with double backward, the "from scratch" version), :func:`hvp`;
* a model and a loss on one batch: :func:`model_hessian` (exact, small models), and for large models the
  matrix-free :func:`top_eigenvalues` (Lanczos on HVPs) and :func:`hessian_trace` (Hutchinson).

Model-level helpers leave the model's train/eval mode, its parameters, buffers and ``.grad`` as found.
Eigenvalue summaries: :func:`count_eigenvalue_signs`, :func:`minimum_ratio`, :func:`classify_critical_point`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, grad, jvp

__all__ = [
    "hessian_matrix",
    "hessian_matrix_loop",
    "hvp",
    "loss_function_of_params",
    "model_hessian",
    "EigenResult",
    "top_eigenvalues",
    "TraceEstimate",
    "hessian_trace",
    "count_eigenvalue_signs",
    "minimum_ratio",
    "classify_critical_point",
    "TOY_SURFACES",
    "flat_surface",
    "PointInfo",
    "inspect_point",
    "find_critical_point",
    "escape_direction",
    "plot_point_info",
]


# ----------------------------------------------------------------------------- input checks
def _check_f_x(f, x) -> None:
    if not callable(f):
        raise TypeError(f"f must be a callable returning a scalar tensor, got {type(f).__name__}")
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 1 or not x.is_floating_point():
        raise ValueError(
            f"x must be a flat (1-D) floating-point tensor, got shape {tuple(x.shape)} {x.dtype}"
        )


def _check_model_args(model, criterion, batch) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(criterion):
        raise TypeError(
            f"criterion must be a callable loss such as nn.MSELoss(), got {type(criterion).__name__}"
        )
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise ValueError("batch must be a pair (inputs, targets)")
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no parameters with requires_grad=True")
    return batch[0], batch[1]


def _as_1d(eigenvalues) -> torch.Tensor:
    ev = torch.as_tensor(eigenvalues, dtype=torch.float64).detach().cpu()
    if ev.dim() != 1 or ev.numel() == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D sequence, got shape {tuple(ev.shape)}")
    if not torch.isfinite(ev).all():
        raise ValueError("eigenvalues contain nan or inf")
    return ev


# ----------------------------------------------------------------------------- scalar functions of a flat x
def hessian_matrix(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Exact Hessian of a scalar function of a flat tensor (``torch.func.hessian``: forward over reverse).

    Args:
        f: maps a 1-D tensor of length n to a scalar tensor (must be written with torch ops).
        x: the point, 1-D floating tensor of length n.

    Returns:
        The (n, n) Hessian at ``x`` (same dtype/device as ``x``).

    >>> H = hessian_matrix(lambda w: (w[0] * w[1] - 1) ** 2, torch.zeros(2))
    >>> H.tolist()
    [[0.0, -2.0], [-2.0, 0.0]]
    """
    _check_f_x(f, x)
    return torch.func.hessian(f)(x.detach())


def hessian_matrix_loop(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Hessian built row by row: one gradient with a graph, then one backward pass per entry of x.

    The naive "from scratch" method (n backward passes); use :func:`hessian_matrix` in practice.
    """
    _check_f_x(f, x)
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    rows = [torch.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(x.numel())]
    return torch.stack(rows).detach()


def hvp(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Hessian-vector product H(x) v without forming H (forward-mode derivative of the gradient).

    >>> f = lambda w: (w[0] * w[1] - 1) ** 2
    >>> hvp(f, torch.zeros(2), torch.tensor([1.0, 1.0])).tolist()
    [-2.0, -2.0]
    """
    _check_f_x(f, x)
    if not isinstance(v, torch.Tensor) or v.shape != x.shape:
        raise ValueError(f"v must be a tensor with the same shape as x {tuple(x.shape)}")
    return jvp(grad(f), (x.detach(),), (v.to(x.dtype),))[1]


# ----------------------------------------------------------------------------- model + loss
@contextmanager
def _state_preserved(model: nn.Module):
    """Restore buffers (e.g. BatchNorm running statistics) and the train/eval mode on exit."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    modes = [m.training for m in model.modules()]
    buffers = [b.detach().clone() for b in model.buffers()]
    try:
        yield
    finally:
        with torch.no_grad():
            for b, saved in zip(model.buffers(), buffers, strict=True):
                b.copy_(saved)
        for m, mode in zip(model.modules(), modes, strict=True):
            m.training = mode


def _named_trainable(model: nn.Module) -> dict[str, torch.Tensor]:
    return {n: p for n, p in model.named_parameters() if p.requires_grad}


def loss_function_of_params(
    model: nn.Module, criterion: Callable, batch
) -> tuple[Callable[[torch.Tensor], torch.Tensor], torch.Tensor]:
    """The batch loss as a function of one flat parameter vector, plus the current flat parameters.

    Uses ``torch.func.functional_call``, so evaluating ``f`` never touches the model's parameters.
    The order of the flat vector is ``model.named_parameters()`` (trainable ones only). Buffers are the
    model's own: calling ``f`` on a model with BatchNorm in training mode updates its running statistics.

    Returns:
        ``(f, theta)`` with ``f(theta)`` equal to ``criterion(model(inputs), targets)``.
    """
    inputs, targets = _check_model_args(model, criterion, batch)
    params = _named_trainable(model)
    names = list(params)
    shapes = [p.shape for p in params.values()]
    sizes = [p.numel() for p in params.values()]
    theta = torch.cat([p.detach().reshape(-1) for p in params.values()])

    def f(flat: torch.Tensor) -> torch.Tensor:
        pieces = torch.split(flat, sizes)
        new = {n: t.view(s) for n, t, s in zip(names, pieces, shapes, strict=True)}
        return criterion(functional_call(model, new, (inputs,)), targets)

    return f, theta


def model_hessian(model: nn.Module, criterion: Callable, batch, *, method: str = "auto") -> torch.Tensor:
    """Exact (P, P) Hessian of the batch loss w.r.t. all trainable parameters (small models only).

    Memory is P² numbers: fine for a few thousand parameters, not for 10⁵ (use :func:`top_eigenvalues`).

    Args:
        method: ``"func"`` — ``torch.func.hessian`` (forward-over-reverse, vectorised over all P rows);
            ``"loop"`` — build the gradient graph once, then one double-backward HVP per row;
            ``"auto"`` — ``"func"`` up to 300 parameters, ``"loop"`` above (on a 1-thread CPU the vectorised
            version was faster only for small P: see ``tests/bench_hessian.py``). BatchNorm layers in
            training mode always use ``"loop"`` (the vmap batching rule gave a wrong, non-symmetric Hessian
            in torch 2.13).
    """
    if method not in ("auto", "func", "loop"):
        raise ValueError(f"method must be 'auto', 'func' or 'loop', got {method!r}")
    f, theta = loss_function_of_params(model, criterion, batch)
    if theta.numel() > 20_000:
        raise ValueError(
            f"model has {theta.numel()} parameters; an exact Hessian needs P² memory — use top_eigenvalues"
        )
    train_bn = any(isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training for m in model.modules())
    if method == "auto":
        method = "func" if theta.numel() <= 300 else "loop"
    if train_bn or method == "loop":
        with _state_preserved(model):
            op, n, like = _hvp_operator(model, criterion, batch)
            eye = torch.eye(n, dtype=like.dtype, device=like.device)
            return torch.stack([op(e) for e in eye])
    with _state_preserved(model):
        return hessian_matrix(f, theta)


def _hvp_operator(model: nn.Module, criterion: Callable, batch) -> tuple[Callable, int, torch.Tensor]:
    """Build the gradient graph once; each HVP is then one backward pass through it (double backward)."""
    inputs, targets = _check_model_args(model, criterion, batch)
    params = list(_named_trainable(model).values())
    loss = criterion(model(inputs), targets)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    sizes = [p.numel() for p in params]

    def op(v: torch.Tensor) -> torch.Tensor:
        vs = [t.view_as(p) for t, p in zip(torch.split(v, sizes), params, strict=True)]
        hv = torch.autograd.grad(grads, params, grad_outputs=vs, retain_graph=True)
        return torch.cat([h.reshape(-1) for h in hv]).detach()

    return op, sum(sizes), params[0]


def _random_vector(n: int, seed: int, like: torch.Tensor, rademacher: bool) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    if rademacher:
        v = torch.randint(0, 2, (n,), generator=gen).to(like.dtype) * 2 - 1
    else:
        v = torch.randn(n, generator=gen, dtype=like.dtype)
    return v.to(like.device)


@dataclass
class EigenResult:
    """Extreme Hessian eigenvalues from Lanczos: values (k,), vectors (k, P), HVPs used, converged flag."""

    eigenvalues: torch.Tensor
    eigenvectors: torch.Tensor
    n_hvp: int
    converged: bool


def top_eigenvalues(
    model: nn.Module,
    criterion: Callable,
    batch,
    k: int = 1,
    tol: float = 1e-3,
    max_iter: int = 100,
    seed: int = 0,
    which: str = "largest",
) -> EigenResult:
    """k extreme eigenvalues of the loss Hessian by Lanczos iteration on Hessian-vector products.

    Lanczos with full re-orthogonalisation builds a Krylov basis one HVP at a time; the Ritz values of
    the small tridiagonal matrix approximate the extreme eigenvalues. Stops when each wanted Ritz pair's
    residual ‖Hv − θv‖ is below ``tol · max(|θ|, 1e-12)`` (or after ``max_iter`` HVPs).

    Args:
        k: how many eigenvalues.
        tol: relative residual tolerance.
        max_iter: maximum number of HVPs (Krylov dimension).
        seed: seed of the random start vector.
        which: ``"largest"`` (algebraically largest, sorted descending), ``"smallest"`` (most negative,
            ascending) or ``"magnitude"`` (largest |λ|, like power iteration).

    Returns:
        :class:`EigenResult`; ``eigenvectors[i]`` is the unit eigenvector of ``eigenvalues[i]``.
    """
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    if not (tol > 0):
        raise ValueError(f"tol must be > 0, got {tol!r}")
    if not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive int, got {max_iter!r}")
    if which not in ("largest", "smallest", "magnitude"):
        raise ValueError(f"which must be 'largest', 'smallest' or 'magnitude', got {which!r}")
    with _state_preserved(model):
        op, n, like = _hvp_operator(model, criterion, batch)
        m_max = min(max_iter, n)
        if k > m_max:
            raise ValueError(f"k={k} exceeds the Krylov dimension min(max_iter, P)={m_max}")
        q = _random_vector(n, seed, like, rademacher=False)
        Q = [q / q.norm()]
        alphas: list[float] = []
        betas: list[float] = []
        converged = False
        for j in range(m_max):
            w = op(Q[j])
            alphas.append(float(w @ Q[j]))
            basis = torch.stack(Q)
            for _ in range(2):  # full re-orthogonalisation (twice is enough)
                w = w - basis.T @ (basis @ w)
            beta = float(w.norm())
            T = torch.diag(torch.tensor(alphas, dtype=torch.float64))
            if j:
                off = torch.tensor(betas, dtype=torch.float64)
                T = T + torch.diag(off, 1) + torch.diag(off, -1)
            theta, S = torch.linalg.eigh(T)
            idx = _pick(theta, k, which)
            if beta < 1e-10:  # invariant subspace found: the Ritz values are exact
                converged = len(alphas) >= k
                break
            if len(alphas) >= k:
                resid = beta * S[-1, idx].abs()
                if bool((resid <= tol * theta[idx].abs().clamp_min(1e-12)).all()):
                    converged = True
                    break
            if j + 1 < m_max:
                betas.append(beta)
                Q.append(w / beta)
        basis = torch.stack(Q[: len(alphas)])
        vecs = S[:, idx].T.to(basis) @ basis  # (k, P) on the model's device
        vecs = vecs / vecs.norm(dim=1, keepdim=True)
        return EigenResult(theta[idx].to(like.dtype).cpu(), vecs.detach(), len(alphas), converged)


def _pick(theta: torch.Tensor, k: int, which: str) -> torch.Tensor:
    k = min(k, theta.numel())
    if which == "largest":
        return torch.argsort(theta, descending=True)[:k]
    if which == "smallest":
        return torch.argsort(theta)[:k]
    return torch.argsort(theta.abs(), descending=True)[:k]


@dataclass
class TraceEstimate:
    """Hutchinson estimate of tr(H): ``mean`` ± ``stderr`` from ``samples`` (one vᵀHv per probe)."""

    mean: float
    stderr: float
    samples: torch.Tensor


def hessian_trace(
    model: nn.Module, criterion: Callable, batch, n_samples: int = 100, seed: int = 0
) -> TraceEstimate:
    """Hutchinson's estimator tr(H) ≈ mean of vᵀHv over Rademacher vectors v (E[vvᵀ] = I).

    Returns:
        :class:`TraceEstimate` with the sample mean and its standard error (std / √n_samples).
    """
    if not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"n_samples must be an int ≥ 2 (needed for a standard error), got {n_samples!r}")
    with _state_preserved(model):
        op, n, like = _hvp_operator(model, criterion, batch)
        vals = []
        for i in range(n_samples):
            v = _random_vector(n, seed * 1_000_003 + i, like, rademacher=True)
            vals.append(float(v @ op(v)))
    s = torch.tensor(vals, dtype=torch.float64)
    return TraceEstimate(float(s.mean()), float(s.std(unbiased=True)) / math.sqrt(n_samples), s)


# ----------------------------------------------------------------------------- eigenvalue summaries
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


# ----------------------------------------------------------------------------- 2-D toy surfaces (widgets)
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

    >>> inspect_point(flat_surface("notes (1 - w1*w2)^2"), [0.0, 0.0]).kind
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
