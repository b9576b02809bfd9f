"""Exercise checkers for chapter 07 (classification: softmax, cross-entropy)."""

from __future__ import annotations

import torch

from . import Feedback, check_close
from ._compare import check_elementwise

__all__ = ["check_softmax_fn", "check_cross_entropy_fn", "check_ce_gradient", "check_gradient_ratio"]

#: Exercise 3: logits and the true class for the gradient question.
GRAD_LOGITS = (1.0, 2.0, 3.0)
GRAD_TARGET = 0
#: Exercise 4: a confidently wrong sample — its logits and its true class.
RATIO_LOGITS = (0.0, 4.0, 0.0)
RATIO_TARGET = 0


def _cases(with_targets: bool) -> list[tuple[str, tuple]]:
    """Random logits (seeded, so every learner sees the same cases): small, moderate, and huge."""
    gen = torch.Generator().manual_seed(7)
    shapes = [("2 个样本、3 类，普通大小的 logits", (2, 3), 1.0), ("5 个样本、4 类", (5, 4), 3.0)]
    shapes.append(("4 个样本、10 类，logits 在 1000 左右", (4, 10), 5.0))
    cases = []
    for description, (n, c), scale in shapes:
        z = torch.randn(n, c, generator=gen) * scale  # (N, C)
        if "1000" in description:
            z = z + 1000.0
        y = torch.randint(0, c, (n,), generator=gen)
        cases.append((description, (z, y) if with_targets else (z,)))
    return cases


def check_softmax_fn(fn) -> Feedback:
    """Exercise 1: ``fn(logits (N, C)) -> probabilities (N, C)`` along dim 1, stable for huge logits."""
    return check_elementwise(
        fn,
        lambda z: torch.softmax(z.double(), dim=1),
        _cases(with_targets=False),
        name="my_softmax",
        hint="每一行先减去该行的最大值再取 exp（否则 logits 约为 1000 时 exp 溢出成 inf），再除以该行之和；沿 dim=1。",
        rtol=1e-4,
        atol=1e-6,
    )


def check_cross_entropy_fn(fn) -> Feedback:
    """Exercise 2: ``fn(logits (N, C), targets (N,)) -> mean cross-entropy`` (a scalar), stable for huge logits."""
    return check_elementwise(
        fn,
        lambda z, y: torch.nn.functional.cross_entropy(z.double(), y),
        _cases(with_targets=True),
        name="my_cross_entropy",
        hint="先减去每一行的最大值 m，用 ln softmax = z − m − ln Σ exp(z − m) 得到对数概率，"
        "取出正确类别那一列，取负号后对样本求平均。",
        rtol=1e-4,
        atol=1e-5,
    )


def check_ce_gradient(answer) -> Feedback:
    """Exercise 3: ∂CE/∂z for logits ``GRAD_LOGITS`` and true class ``GRAD_TARGET`` (one sample)."""
    z = torch.tensor(GRAD_LOGITS, dtype=torch.float64)
    expected = torch.softmax(z, dim=0) - torch.nn.functional.one_hot(torch.tensor(GRAD_TARGET), 3)
    return check_close(
        answer,
        expected,
        what="梯度",
        hint="交叉熵对 logits 的梯度是 softmax(z) 减去独热向量 ŷ；正确类别那一项是负的。",
        rtol=1e-3,
        atol=1e-4,
    )


def _gradient_ratio() -> float:
    """|∂MSE/∂z| / |∂CE/∂z| at ``RATIO_LOGITS`` (MSE between softmax and one-hot, summed over classes)."""
    z = torch.tensor([RATIO_LOGITS], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([RATIO_TARGET])
    (g_ce,) = torch.autograd.grad(torch.nn.functional.cross_entropy(z, y), z)
    one_hot = torch.nn.functional.one_hot(y, z.shape[1]).double()
    (g_mse,) = torch.autograd.grad(((torch.softmax(z, 1) - one_hot) ** 2).sum(), z)
    return float(g_mse.norm() / g_ce.norm())


def check_gradient_ratio(answer) -> Feedback:
    """Exercise 4: the ratio of the MSE gradient's length to the cross-entropy gradient's at ``RATIO_LOGITS``."""
    return check_close(
        answer,
        _gradient_ratio(),
        what="梯度长度之比",
        hint="交叉熵的梯度是 p − ŷ；MSE 的梯度是 Σ_j 2(p_j − ŷ_j)·p_j(δ_ij − p_i)（第 3 节的公式），"
        "也可以用 torch.autograd.grad 分别求出两个梯度，再比较它们的范数（.norm()）。",
        rtol=1e-3,
        atol=1e-5,
    )
