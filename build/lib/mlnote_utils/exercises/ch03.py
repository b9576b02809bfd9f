"""Exercise checkers for chapter 03."""

from __future__ import annotations

import math

import torch

from . import Feedback, check_close

__all__ = ["check_epoch_seconds", "check_quadratic_rise", "check_power_iteration"]


def check_epoch_seconds(answer) -> Feedback:
    """N = 60000, B = 10, 2 ms per update: seconds per epoch."""
    return check_close(
        answer,
        math.ceil(60_000 / 10) * 2e-3,
        what="一个 epoch 的时间",
        hint="先算一个 epoch 有几次更新（N / B），再乘以每次更新的时间；注意毫秒换成秒。B=1000 那个数字是干扰项。",
        rtol=1e-3,
    )


def check_quadratic_rise(answer) -> Feedback:
    """Second-order estimate of the loss rise for λ = 6, α = 0.5 along the top eigenvector."""
    return check_close(
        answer,
        0.5 * 6.0 * 0.5**2,
        what="损失上升量",
        hint="二阶近似是 ½·α²·dᵀHd；d 是单位特征向量时 dᵀHd = λ。别忘了 ½。",
        rtol=1e-3,
    )


def _test_matrices() -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(3)
    mats = [torch.diag(torch.tensor([5.0, 2.0, 1.0, 0.5], dtype=torch.float64))]
    for n in (6, 10):
        a = torch.randn(n, n, generator=gen, dtype=torch.float64)
        mats.append(a @ a.T + 0.1 * torch.eye(n, dtype=torch.float64))  # symmetric positive definite
    return mats


def check_power_iteration(fn) -> Feedback:
    """``fn(matvec, n, steps)`` returns the top eigenvalue of a symmetric positive-definite H from H·v alone."""
    if fn is None:
        return Feedback(False, "幂迭代函数尚未实现：把 None 换成你的函数。")
    if not callable(fn):
        return Feedback(False, f"应该是一个函数，收到的是 {type(fn).__name__}。")
    hint = "循环里做 v = H v / ‖H v‖；结束后返回 v·(H v)。只能通过 matvec(v) 访问 H。"
    for i, h in enumerate(_test_matrices()):
        try:
            got = fn(lambda v, h=h: h @ v, h.shape[0], 500)
        except Exception as exc:  # noqa: BLE001 - learner code errors become hints
            return Feedback(False, f"第 {i + 1} 个矩阵上报错：{type(exc).__name__}: {exc}。提示：{hint}")
        result = check_close(
            got, torch.linalg.eigvalsh(h)[-1], what=f"第 {i + 1} 个矩阵的最大特征值", hint=hint, rtol=1e-3
        )
        if not result:
            return result
    return Feedback(True, "幂迭代在全部测试矩阵上都找到了最大特征值。")
