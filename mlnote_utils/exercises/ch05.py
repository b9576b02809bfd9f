"""Exercise checkers for chapter 05 (critical points and the Hessian)."""

from __future__ import annotations

import numpy as np
import torch

from ..critical_points import classify_critical_point, minimum_ratio
from . import Feedback, check_close, check_function

__all__ = [
    "check_hessian_at_point",
    "CLASSIFY_TOL",
    "classify_cases",
    "check_classify_hessian",
    "check_minimum_ratio",
    "check_escape_loss",
]

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


#: Exercise 2: an eigenvalue counts as zero when |λ| ≤ CLASSIFY_TOL · max|λ|.
CLASSIFY_TOL = 1e-5


def _rotated(eigenvalues, gen: torch.Generator) -> torch.Tensor:
    """A symmetric matrix with the given eigenvalues in a random orthonormal basis (not diagonal)."""
    lam = torch.tensor(eigenvalues, dtype=torch.float64)
    q, _ = torch.linalg.qr(torch.randn(len(lam), len(lam), generator=gen, dtype=torch.float64))
    return q @ torch.diag(lam) @ q.T


def classify_cases(seed: int = 0) -> list[torch.Tensor]:
    """The Hessians exercise 2 is checked on: hand-picked traps first, then random rotations of each kind."""
    gen = torch.Generator().manual_seed(seed)
    cases = [
        torch.tensor([[2.0, 0.0], [0.0, 3.0]], dtype=torch.float64),  # diagonal: local minimum
        torch.tensor(
            [[1.0, 2.0], [2.0, 1.0]], dtype=torch.float64
        ),  # positive diagonal, eigenvalues 3 and -1
        torch.tensor([[-1.0, 0.0], [0.0, 0.0]], dtype=torch.float64),  # an exact zero eigenvalue
    ]
    for eigenvalues in (
        [3.0, 0.5, 1.0],
        [-2.0, -0.1, -5.0],
        [4.0, -0.3, 1.0, 2.0],
        [2.0, 0.0, 1.0],  # zero up to rounding once rotated
        [-1.0, 0.0, -3.0, -0.5],
        [1.0, -1.0, 0.0],
    ):
        cases.append(_rotated(eigenvalues, gen))
    return cases


def check_classify_hessian(fn) -> Feedback:
    """Exercise 2: ``fn(H)`` → the type of a critical point with Hessian ``H`` (torch float64, symmetric).

    Compared with :func:`~mlnote_utils.critical_points.classify_critical_point` on the eigenvalues from
    ``torch.linalg.eigvalsh`` (tolerance :data:`CLASSIFY_TOL`); the first mismatching matrix is named.
    """
    hint = (
        "类型由特征值决定，不是由对角线决定：先用 torch.linalg.eigvalsh(H) 求特征值；"
        f"|λ| ≤ {CLASSIFY_TOL:g}·max|λ| 的算作零（数值计算出的零特征值只是接近 0）；"
        "有正有负 → 鞍点；全正 → 最小值；全负 → 最大值；其余（有零、没有异号）→ degenerate。"
    )
    if fn is None:
        return Feedback(False, "函数 my_classify 尚未实现：把 None 换成你的函数。")
    if not callable(fn):
        return Feedback(False, f"my_classify 应该是一个函数，收到的是 {type(fn).__name__}。")
    for i, H in enumerate(classify_cases()):
        expected = classify_critical_point(torch.linalg.eigvalsh(H), CLASSIFY_TOL)
        shown = np.round(H.numpy(), 3).tolist()
        try:
            got = fn(H.clone())
        except Exception as exc:  # noqa: BLE001 - report any failure of learner code as a hint
            return Feedback(
                False, f"在第 {i + 1} 个矩阵 H = {shown} 上报错：{type(exc).__name__}: {exc}。提示：{hint}"
            )
        if got is None:
            return Feedback(
                False, "my_classify 还没有实现：补全函数体，让它返回四种类型名之一（现在它返回 None）。"
            )
        if got not in _KINDS:
            return Feedback(False, f"在第 {i + 1} 个矩阵上返回了 {got!r}；应返回 {_KINDS} 之一。")
        if got != expected:
            return Feedback(
                False,
                f"在第 {i + 1} 个矩阵 H = {shown} 上返回 {got!r}，正确答案是 {expected!r}。提示：{hint}",
            )
    return Feedback(True, f"my_classify 在全部 {len(classify_cases())} 个矩阵上都正确。")


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
    """Exercise 4: the true loss after stepping alpha = 1.2 along (1, 1)/sqrt(2) from the saddle (0, 0)."""
    alpha = 1.2
    return check_close(
        answer,
        (1 - alpha**2 / 2) ** 2,
        what="损失",
        hint="w1 = w2 = α/√2，所以 w1·w2 = α²/2，L = (1 − α²/2)²。泰勒预测 1 − α² 在这么大的步长下已经不准了。",
    )
