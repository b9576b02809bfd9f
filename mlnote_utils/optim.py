"""Chapter 06: the notes' optimisers written by hand as ``torch.optim.Optimizer`` subclasses, plus schedules.

Update rules (``g`` is the gradient, ``η`` the learning rate ``lr``; every operation is per coordinate):

* :class:`GD`        θ ← θ − η g                                      (= ``torch.optim.SGD``)
* :class:`Momentum`  m ← λ m − η g, θ ← θ + m                         (= ``SGD(momentum=λ)`` while η is constant)
* :class:`RMS`       σ = sqrt(mean of all past g²), θ ← θ − η g / σ   (Adagrad *sums*; see the class)
* :class:`RMSProp`   σ² ← α σ² + (1 − α) g², θ ← θ − η g / σ          (= ``torch.optim.RMSprop`` with ``init="zero"``)
* :class:`Adam`      RMSProp + momentum, with bias correction          (= ``torch.optim.Adam``)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import torch

from .landscape import Trajectory

__all__ = [
    "GD",
    "Momentum",
    "RMS",
    "RMSProp",
    "Adam",
    "OPTIMIZER_CLASSES",
    "optimizer_knobs",
    "optimizer_path",
    "momentum_unrolled",
    "warmup_then_decay",
    "schedule_factors",
    "elongated_bowl",
    "loss_spikes",
    "training_curves",
]


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name}={value!r}: expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name}={value!r}: expected a finite number")
    return float(value)


def _positive(name: str, value) -> float:
    if _number(name, value) <= 0:
        raise ValueError(f"{name}={value!r}: expected a positive number (> 0)")
    return float(value)


def _non_negative(name: str, value) -> float:
    if _number(name, value) < 0:
        raise ValueError(f"{name}={value!r}: expected a non-negative number (≥ 0)")
    return float(value)


def _unit(name: str, value) -> float:
    if not 0.0 <= _number(name, value) < 1.0:
        raise ValueError(f"{name}={value!r}: expected a number in [0, 1)")
    return float(value)


class _Rule(torch.optim.Optimizer):
    """Shared ``step``: subclasses implement ``_update(p, grad, state, group)`` for one tensor."""

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
                self._update(p, p.grad, self.state[p], group)
        return loss

    def _update(self, p: torch.Tensor, grad: torch.Tensor, state: dict, group: dict) -> None:
        raise NotImplementedError


class GD(_Rule):
    """Plain gradient descent θ ← θ − η g.

    >>> w = torch.tensor([1.0], requires_grad=True); opt = GD([w], lr=0.25)
    >>> (w**2).sum().backward(); opt.step(); w.item()
    0.5
    """

    def __init__(self, params: Iterable, lr: float = 0.01):
        super().__init__(params, {"lr": _positive("lr", lr)})

    def _update(self, p, grad, state, group):
        p.add_(grad, alpha=-group["lr"])


class Momentum(_Rule):
    """The notes' momentum: m ← λ m − η g, θ ← θ + m, with m⁰ = 0 and λ = ``momentum``.

    ``torch.optim.SGD(lr=η, momentum=λ)`` keeps b ← λ b + g and steps θ ← θ − η b, so m = −η b and the two
    give the same path while η is constant. With a schedule they differ: here m remembers the η of each past
    step; torch rescales the whole of b by today's η.
    """

    def __init__(self, params: Iterable, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(params, {"lr": _positive("lr", lr), "momentum": _unit("momentum", momentum)})

    def _update(self, p, grad, state, group):
        if "m" not in state:
            state["m"] = torch.zeros_like(p)
        m = state["m"]
        m.mul_(group["momentum"]).add_(grad, alpha=-group["lr"])
        p.add_(m)


class RMS(_Rule):
    """The notes' adaptive rate: σᵗ = sqrt((1/(t+1)) Σ_τ≤t (g^τ)²), θ ← θ − η g / (σ + eps).

    ``torch.optim.Adagrad`` divides by sqrt(Σ g²) (a sum, no 1/(t+1)), so its step is this one divided by
    sqrt(t+1): Adagrad with ``lr`` multiplied by sqrt(t+1) (``LambdaLR``) and ``eps=0`` gives this path.
    Because of the mean, σ here *shrinks* over a flat stretch; Adagrad's σ never does.
    """

    def __init__(self, params: Iterable, lr: float = 0.01, eps: float = 1e-8):
        super().__init__(params, {"lr": _positive("lr", lr), "eps": _non_negative("eps", eps)})

    def _update(self, p, grad, state, group):
        if "sum_sq" not in state:
            state["sum_sq"], state["step"] = torch.zeros_like(p), 0
        state["step"] += 1
        state["sum_sq"].addcmul_(grad, grad)
        sigma = (state["sum_sq"] / state["step"]).sqrt_().add_(group["eps"])
        p.addcdiv_(grad, sigma, value=-group["lr"])


class RMSProp(_Rule):
    """RMSProp: (σᵗ)² = α (σᵗ⁻¹)² + (1 − α)(gᵗ)², θ ← θ − η g / (σ + eps), α = ``alpha``.

    Args:
        init: ``"grad"`` (the notes: σ⁰ = |g⁰|, so the first step has length η per coordinate) or
            ``"zero"`` (torch: σ² starts at 0, so the first step is 1/sqrt(1 − α) times longer).
            With ``init="zero"`` this equals ``torch.optim.RMSprop(lr, alpha, eps)``.
    """

    def __init__(
        self, params: Iterable, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8, init: str = "grad"
    ):
        if init not in ("grad", "zero"):
            raise ValueError(f"init={init!r}: expected 'grad' (the notes) or 'zero' (torch)")
        defaults = {"lr": _positive("lr", lr), "alpha": _unit("alpha", alpha)}
        defaults |= {"eps": _non_negative("eps", eps), "init": init}
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        if "sq" not in state:
            state["sq"] = grad * grad if group["init"] == "grad" else torch.zeros_like(p)
            if group["init"] == "zero":
                state["sq"].addcmul_(grad, grad, value=1 - group["alpha"])
        else:
            state["sq"].mul_(group["alpha"]).addcmul_(grad, grad, value=1 - group["alpha"])
        p.addcdiv_(grad, state["sq"].sqrt().add_(group["eps"]), value=-group["lr"])


class Adam(_Rule):
    """Adam: momentum on g (β₁) and RMSProp on g² (β₂), both bias-corrected; equals ``torch.optim.Adam``.

    m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g², θ ← θ − η m̂ / (sqrt(v̂) + eps), with
    m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ).
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ):
        if not isinstance(betas, Sequence) or len(betas) != 2:
            raise ValueError(f"betas={betas!r}: expected a pair (beta1, beta2)")
        betas = (_unit("betas[0]", betas[0]), _unit("betas[1]", betas[1]))
        super().__init__(
            params, {"lr": _positive("lr", lr), "betas": betas, "eps": _non_negative("eps", eps)}
        )

    def _update(self, p, grad, state, group):
        if "m" not in state:
            state["m"], state["v"], state["step"] = torch.zeros_like(p), torch.zeros_like(p), 0
        (b1, b2), state["step"] = group["betas"], state["step"] + 1
        t = state["step"]
        state["m"].lerp_(grad, 1 - b1)
        state["v"].mul_(b2).addcmul_(grad, grad, value=1 - b2)
        denom = (state["v"].sqrt() / math.sqrt(1 - b2**t)).add_(group["eps"])
        p.addcdiv_(state["m"], denom, value=-group["lr"] / (1 - b1**t))


#: The hand-written rules by name (the widget's choices).
OPTIMIZER_CLASSES: dict[str, type[torch.optim.Optimizer]] = {
    "GD": GD,
    "Momentum": Momentum,
    "RMS": RMS,
    "RMSProp": RMSProp,
    "Adam": Adam,
}


def optimizer_knobs(name: str, lr: float, momentum: float = 0.9, alpha: float = 0.99) -> dict:
    """Map the notes' knobs η, λ, α onto the hyper-parameters of the rule called ``name``.

    Adam reads λ as β₁ (its momentum) and α as β₂ (its RMSProp decay).

    >>> optimizer_knobs("Adam", 0.1, momentum=0.8, alpha=0.9)
    {'lr': 0.1, 'betas': (0.8, 0.9)}
    """
    if name not in OPTIMIZER_CLASSES:
        raise ValueError(f"name={name!r}: expected one of {list(OPTIMIZER_CLASSES)}")
    return {
        "GD": {"lr": lr},
        "Momentum": {"lr": lr, "momentum": momentum},
        "RMS": {"lr": lr},
        "RMSProp": {"lr": lr, "alpha": alpha},
        "Adam": {"lr": lr, "betas": (momentum, alpha)},
    }[name]


def optimizer_path(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    x0: Sequence[float] | np.ndarray,
    optimizer: str | type[torch.optim.Optimizer],
    steps: int,
    *,
    schedule: Callable[[int], float] | None = None,
    **hyper,
) -> Trajectory:
    """Run an optimiser on a function of a few parameters (float64) and record the path.

    Args:
        loss_fn: maps a ``(d,)`` float64 tensor to a scalar tensor.
        x0: the starting point.
        optimizer: a name from :data:`OPTIMIZER_CLASSES` or any ``torch.optim.Optimizer`` class.
        steps: number of updates (≥ 0).
        schedule: optional multiplier ``f(t)`` of the learning rate at step ``t = 0, 1, …`` (``LambdaLR``).
        **hyper: the optimiser's hyper-parameters, e.g. ``lr=0.1, momentum=0.9``.

    Returns:
        A :class:`~mlnote_utils.landscape.Trajectory` (``lr`` is the base rate). A diverging run keeps its
        non-finite values.

    >>> t = optimizer_path(lambda x: (x**2).sum(), [1.0], "GD", 2, lr=0.25)
    >>> t.points.ravel().tolist()
    [1.0, 0.5, 0.25]
    """
    cls = OPTIMIZER_CLASSES.get(optimizer) if isinstance(optimizer, str) else optimizer
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        raise ValueError(
            f"optimizer={optimizer!r}: expected one of {list(OPTIMIZER_CLASSES)} or a torch.optim.Optimizer class"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps={steps!r}: expected a non-negative int")
    x = torch.tensor(np.asarray(x0, dtype=np.float64).ravel(), requires_grad=True)
    opt = cls([x], **hyper)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule) if schedule is not None else None
    points, losses = [], []
    for i in range(steps + 1):
        opt.zero_grad()
        loss = loss_fn(x)
        if loss.ndim != 0:
            raise ValueError(f"loss_fn: expected a scalar, got shape {tuple(loss.shape)}")
        points.append(x.detach().numpy().copy())
        losses.append(float(loss.detach()))
        if i == steps:
            break
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
    return Trajectory(np.stack(points), np.array(losses), float(hyper.get("lr", opt.defaults["lr"])))


def momentum_unrolled(grads: np.ndarray, lr: float, momentum: float) -> np.ndarray:
    """The notes' unrolled momentum mⁱ = −η Σ_{j<i} λ^(i−1−j) gʲ for i = 1..n (a weighted sum of past gradients).

    Args:
        grads: ``(n, d)`` gradients g⁰ … gⁿ⁻¹ (a 1-D array is read as ``(n, 1)``).
        lr: η > 0.
        momentum: λ in [0, 1).

    Returns:
        ``(n, d)`` array whose row ``i − 1`` is mⁱ.

    >>> momentum_unrolled(np.array([1.0, 1.0, 1.0]), lr=1.0, momentum=0.5).ravel().tolist()
    [-1.0, -1.5, -1.75]
    """
    lr, momentum = _positive("lr", lr), _unit("momentum", momentum)
    g = np.asarray(grads, dtype=np.float64)
    g = g[:, None] if g.ndim == 1 else g
    if g.ndim != 2:
        raise ValueError(f"grads: expected shape (n, d), got {np.shape(grads)}")
    n = len(g)
    i, j = np.arange(1, n + 1)[:, None], np.arange(n)[None, :]  # (n, 1), (1, n)
    weights = np.where(j < i, momentum ** np.maximum(i - 1 - j, 0), 0.0)  # (n, n) lower triangle
    return -lr * weights @ g


_DECAYS = ("none", "inverse_sqrt", "cosine", "linear")


def warmup_then_decay(
    warmup_steps: int = 0, *, decay: str = "inverse_sqrt", total_steps: int | None = None, floor: float = 0.0
) -> Callable[[int], float]:
    """A learning-rate multiplier ``f(t)`` for step ``t = 0, 1, …``, usable with ``LambdaLR``.

    Linear warm-up ``(t + 1) / warmup_steps`` up to 1, then ``decay`` with ``s = t − warmup_steps + 1``:
    ``"none"`` 1; ``"inverse_sqrt"`` 1/sqrt(s); ``"cosine"`` / ``"linear"`` from 1 down to ``floor`` at
    ``total_steps`` (needed for those two).

    >>> f = warmup_then_decay(2, decay="inverse_sqrt")
    >>> [round(f(t), 3) for t in range(5)]
    [0.5, 1.0, 1.0, 0.707, 0.577]
    """
    if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, int) or warmup_steps < 0:
        raise ValueError(f"warmup_steps={warmup_steps!r}: expected a non-negative int")
    if decay not in _DECAYS:
        raise ValueError(f"decay={decay!r}: expected one of {_DECAYS}")
    floor = _unit("floor", floor)
    if decay in ("cosine", "linear"):
        if not isinstance(total_steps, int) or total_steps <= warmup_steps:
            raise ValueError(
                f"total_steps={total_steps!r}: expected an int > warmup_steps for decay={decay!r}"
            )
        span = total_steps - warmup_steps

    def factor(t: int) -> float:
        if t < warmup_steps:
            return (t + 1) / warmup_steps
        s = t - warmup_steps + 1
        if decay == "none":
            return 1.0
        if decay == "inverse_sqrt":
            return 1.0 / math.sqrt(s)
        frac = min(s - 1, span) / span
        shape = 0.5 * (1 + math.cos(math.pi * frac)) if decay == "cosine" else 1 - frac
        return floor + (1 - floor) * shape

    return factor


def schedule_factors(schedule: Callable[[int], float], steps: int) -> np.ndarray:
    """``[f(0), …, f(steps − 1)]`` for plotting a schedule (multiply by the base ``lr`` for η^t)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r}: expected a positive int")
    return np.array([schedule(t) for t in range(steps)], dtype=np.float64)


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


def training_curves(
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
) -> dict[str, np.ndarray]:
    """Train the same network from the same start on the same batches with each optimiser; record the loss.

    For every seed, the model is built after ``torch.manual_seed(seed)`` (so all optimisers share its
    initial weights) and the mini-batches come from a generator seeded with ``seed`` (so they share the
    data order). The loss is the cross-entropy on the whole of ``(x, y)``, measured every ``eval_every``
    steps.

    Args:
        make_model: builds a fresh classifier.
        x, y: training inputs ``(N, ...)`` and int64 labels ``(N,)``.
        optimizers: name → ``factory(parameters)`` returning an optimiser.
        steps: number of updates per run.
        batch_size: mini-batch size.
        seeds: one run per seed and optimiser.
        eval_every: measure the full training loss every this many steps (and at step 0).
        device: where to train.

    Returns:
        ``{"steps": (k,), name: (len(seeds), k) losses, ...}``; a run that diverges holds ``nan``/``inf``.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r}: expected a positive int")
    if not isinstance(eval_every, int) or not 1 <= eval_every <= steps:
        raise ValueError(f"eval_every={eval_every!r}: expected an int in [1, steps]")
    if not isinstance(batch_size, int) or not 1 <= batch_size <= len(x):
        raise ValueError(f"batch_size={batch_size!r}: expected an int in [1, {len(x)}]")
    if len(x) != len(y):
        raise ValueError(f"x, y: expected the same length, got {len(x)} and {len(y)}")
    x, y = x.to(device), y.to(device)
    marks = np.arange(0, steps + 1, eval_every)
    out: dict[str, np.ndarray] = {"steps": marks}
    loss_fn = torch.nn.functional.cross_entropy
    for name, factory in optimizers.items():
        curves = np.empty((len(seeds), len(marks)))
        for r, seed in enumerate(seeds):
            torch.manual_seed(seed)
            model = make_model().to(device)
            opt = factory(model.parameters())
            gen = torch.Generator().manual_seed(seed)
            order = torch.empty(0, dtype=torch.int64)
            for t in range(steps + 1):
                if t % eval_every == 0:
                    with torch.no_grad():
                        curves[r, t // eval_every] = float(loss_fn(model(x), y))
                if t == steps:
                    break
                if len(order) < batch_size:  # a fresh shuffled epoch
                    order = torch.randperm(len(x), generator=gen)
                idx, order = order[:batch_size].to(device), order[batch_size:]
                opt.zero_grad(set_to_none=True)
                loss_fn(model(x[idx]), y[idx]).backward()
                opt.step()
        out[name] = curves
    return out
