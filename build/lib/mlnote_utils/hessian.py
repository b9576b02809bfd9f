"""Hessians of a loss (chapters 03 and 05): exact, as Hessian-vector products, and matrix-free spectra.

Two levels:

* a scalar function ``f`` of a flat tensor ``x``: :func:`hessian_matrix` (exact, ``torch.func``),
  :func:`hessian_matrix_loop` (row by row with double backward, the "from scratch" version), :func:`hvp`;
* a model and a loss on one batch: :func:`model_hessian` (exact, small models), and for large models the
  matrix-free :func:`top_eigenvalues` (Lanczos on HVPs) and :func:`hessian_trace` (Hutchinson).

Model-level helpers leave the model's train/eval mode, its parameters, buffers and ``.grad`` as found.
What the eigenvalues say about a point (minimum, saddle…) is in :mod:`mlnote_utils.critical_points`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

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
]


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
