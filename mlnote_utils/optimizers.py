"""The notes' optimisers written by hand as ``torch.optim.Optimizer`` subclasses (chapter 06).

Update rules (``g`` is the gradient, ``η`` the learning rate ``lr``; every operation is per coordinate):

* :class:`GD`        θ ← θ − η g                                      (= ``torch.optim.SGD``)
* :class:`Momentum`  m ← λ m − η g, θ ← θ + m                         (= ``SGD(momentum=λ)`` while η is constant)
* :class:`RMS`       σ = sqrt(mean of all past g²), θ ← θ − η g / σ   (Adagrad *sums*; see the class)
* :class:`RMSProp`   σ² ← α σ² + (1 − α) g², θ ← θ − η g / σ          (= ``torch.optim.RMSprop`` with ``init="zero"``)
* :class:`Adam`      RMSProp + momentum, with bias correction          (= ``torch.optim.Adam``)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import torch

__all__ = [
    "GD",
    "Momentum",
    "RMS",
    "RMSProp",
    "Adam",
    "OPTIMIZER_CLASSES",
    "optimizer_knobs",
    "momentum_unrolled",
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
    >>> w.grad = 2 * w.detach(); opt.step(); w.item()  # the gradient of w² at w = 1 is 2
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
