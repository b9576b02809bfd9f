"""Learning-rate schedules (chapter 06): linear warm-up, then a decay; multipliers for ``LambdaLR``."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .optimizers import _unit

__all__ = [
    "warmup_then_decay",
    "schedule_factors",
]


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
