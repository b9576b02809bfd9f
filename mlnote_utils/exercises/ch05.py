"""Exercise checkers for chapter 05 (critical points and the Hessian)."""

from __future__ import annotations

import torch

from ..critical_points import minimum_ratio
from . import Feedback, check_choice, check_close, check_function

__all__ = ["check_hessian_at_point", "check_point_type", "check_minimum_ratio", "check_escape_loss"]

_KINDS = ["local minimum", "local maximum", "saddle point", "degenerate"]


def check_hessian_at_point(answer) -> Feedback:
    """Exercise 1: Hessian of L = (1 - w1 w2)^2 at (w1, w2) = (2, 1)."""
    w1, w2 = 2.0, 1.0
    c = 4 * w1 * w2 - 2
    expected = torch.tensor([[2 * w2**2, c], [c, 2 * w1**2]], dtype=torch.float64)
    return check_close(
        answer,
        expected,
        what="海森矩阵",
        hint="H = [[2·w2², 4·w1·w2 − 2], [4·w1·w2 − 2, 2·w1²]]；对角线是对同一个参数求两次导，"
        "非对角项别漏掉乘积法则带来的 −2。",
    )


def check_point_type(answer) -> Feedback:
    """Exercise 2: type of the critical point with H = [[2, 1, 0], [1, 2, 0], [0, 0, -0.5]]."""
    return check_choice(
        answer,
        "saddle point",
        _KINDS,
        what="临界点类型",
        hint="先求特征值：左上 2×2 块的特征值是 2±1，右下角是 −0.5。有正有负意味着什么？",
    )


def check_minimum_ratio(fn) -> Feedback:
    """Exercise 3: a learner's ``my_minimum_ratio(eigenvalues, tol)`` against :func:`minimum_ratio`."""
    cases = [
        ([3.0, 1.0, -1.0, 0.0], 1e-5),
        ([2.0, -2.0], 0.0),
        ([1.0, 0.0, -1.0], 0.0),  # tol=0 with an exact zero: zero is neither positive nor dropped
        ([5.0, 4.0, 3.0], 1e-5),
        ([10.0, 1e-4, -1e-4, -3.0, 0.5], 1e-3),
        ([-1.0, -2.0, 1e-9], 1e-6),
    ]
    return check_function(
        fn,
        lambda ev, tol: minimum_ratio(ev, tol),
        cases,
        what="my_minimum_ratio",
        hint="分母是全部特征值的个数；分子只数 λ > tol·max|λ| 的特征值（接近零的不算正）。返回一个 0 到 1 的数。",
    )


def check_escape_loss(answer) -> Feedback:
    """Exercise 4: the true loss after stepping eta = 1.2 along (1, 1)/sqrt(2) from the saddle (0, 0)."""
    eta = 1.2
    return check_close(
        answer,
        (1 - eta**2 / 2) ** 2,
        what="损失",
        hint="w1 = w2 = η/√2，所以 w1·w2 = η²/2，L = (1 − η²/2)²。泰勒预测 1 − η² 在这么大的步长下已经不准了。",
    )
