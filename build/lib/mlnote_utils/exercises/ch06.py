"""Exercise checkers for chapter 06 (optimisers)."""

from __future__ import annotations

import numpy as np

from . import Feedback, check_choice, check_close, check_function

__all__ = [
    "MOMENTUM_STEP",
    "check_momentum_step",
    "reference_rms_sigma",
    "check_rms_sigma",
    "SGD_MAPPING_OPTIONS",
    "check_sgd_mapping",
]

#: Exercise 1: the notes' momentum with λ = 0.9, η = 0.1, previous m = (0.5, −1) and gradient g = (2, 1).
MOMENTUM_STEP = {"momentum": 0.9, "lr": 0.1, "m_prev": (0.5, -1.0), "grad": (2.0, 1.0)}


def check_momentum_step(answer) -> Feedback:
    """Exercise 1: the new movement m¹ = λ m⁰ − η g for :data:`MOMENTUM_STEP` (a pair of numbers)."""
    d = MOMENTUM_STEP
    expected = d["momentum"] * np.array(d["m_prev"]) - d["lr"] * np.array(d["grad"])
    return check_close(
        answer,
        expected,
        what="新的移动量 m",
        hint="先把上一步的 m 乘以 λ，再减去 η 乘以当前梯度；两个分量分别算。",
    )


def reference_rms_sigma(grads) -> float:
    """σᵗ of the notes' RMS rule: the root mean square of all gradients g⁰ … gᵗ of one parameter."""
    g = np.asarray(grads, dtype=np.float64)
    return float(np.sqrt(np.mean(g**2)))


_RMS_CASES = [([3.0],), ([3.0, -4.0],), ([1.0, 0.0, 0.0, 0.0],), ([0.5, -2.0, 1.5, 0.1, 0.0],)]


def check_rms_sigma(fn) -> Feedback:
    """Exercise 2: ``fn(grads)`` must return σ = sqrt(mean of g²) for a list of past gradients."""
    return check_function(
        fn,
        reference_rms_sigma,
        _RMS_CASES,
        what="函数 rms_sigma",
        hint="是“均方根”：先平方、再对全部 t+1 个梯度求平均（不是求和）、最后开方；负梯度平方后也是正的。",
    )


#: Exercise 3: which ``torch.optim.SGD`` call reproduces the notes' Momentum(η, λ)?
SGD_MAPPING_OPTIONS = ("SGD(lr=η, momentum=λ)", "SGD(lr=η/(1-λ), momentum=λ)", "SGD(lr=η, momentum=1-λ)")


def check_sgd_mapping(answer) -> Feedback:
    """Exercise 3: a choice from :data:`SGD_MAPPING_OPTIONS`."""
    return check_choice(
        answer,
        SGD_MAPPING_OPTIONS[0],
        SGD_MAPPING_OPTIONS,
        what="对应关系",
        hint="torch 存的是 b ← μb + g，再走 θ ← θ − ηb；把 m = −ηb 代入笔记的 m ← λm − ηg，看看 μ 和学习率各应是什么。",
    )
