"""Exercise checkers for chapter 08 (feature normalisation, batch normalisation)."""

from __future__ import annotations

import torch

from ..normalization import batch_norm_forward
from . import Feedback, check_choice, check_close, check_function

__all__ = ["check_standardized", "check_bn_forward_fn", "check_running_mean", "check_batch_of_one"]

#: Exercise 1: one feature measured on four samples.
FEATURE = (2.0, 4.0, 6.0, 12.0)
#: Exercise 3: the means of three successive batches (running mean starts at 0, momentum 0.1).
BATCH_MEANS = (1.0, 2.0, 3.0)
MOMENTUM = 0.1


def check_standardized(answer) -> Feedback:
    """Exercise 1: the z-scores of ``FEATURE`` (population standard deviation, divide by N)."""
    x = torch.tensor(FEATURE, dtype=torch.float64)
    expected = (x - x.mean()) / x.std(unbiased=False)
    return check_close(
        answer,
        expected,
        what="标准化结果",
        hint="先求均值 m 和标准差 σ（除以 N，不是 N−1），再算 (x − m)/σ；结果的均值应为 0、方差应为 1。",
        rtol=1e-3,
        atol=1e-4,
    )


def _reference_bn(z: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
    return batch_norm_forward(z.double(), gamma.double(), beta.double(), eps=1e-5)[0]


def check_bn_forward_fn(fn) -> Feedback:
    """Exercise 2: ``fn(z (N, H), gamma (H,), beta (H,)) -> out`` — training-mode BN with ε = 1e-5."""
    gen = torch.Generator().manual_seed(8)
    cases = [
        (torch.randn(5, 3, generator=gen), torch.ones(3), torch.zeros(3)),
        (
            torch.randn(8, 4, generator=gen) * 10 + 3,
            torch.tensor([1.0, 2.0, 0.5, -1.0]),
            torch.tensor([0.0, 1.0, -2.0, 3.0]),
        ),
        (torch.tensor([[1.0, 5.0], [3.0, 5.0]]), torch.tensor([2.0, 1.0]), torch.tensor([0.5, -0.5])),
    ]
    return check_function(
        fn,
        _reference_bn,
        cases,
        what="你的批量归一化函数",
        hint="沿批次维度（dim=0）求每个特征的均值和方差（除以 N），"
        "out = γ·(z − μ)/√(σ² + 1e-5) + β；注意第 3 个用例里有一列方差为 0。",
        rtol=1e-4,
        atol=1e-4,
    )


def check_running_mean(answer) -> Feedback:
    """Exercise 3: the running mean after the three batches in ``BATCH_MEANS``."""
    running = 0.0
    for m in BATCH_MEANS:
        running = (1 - MOMENTUM) * running + MOMENTUM * m
    return check_close(
        answer,
        running,
        what="滑动平均",
        hint="从 0 开始，每来一个批次做一次 μ̄ ← 0.9·μ̄ + 0.1·μ_B，按顺序更新三次。",
        rtol=1e-4,
        atol=1e-6,
    )


def check_batch_of_one(answer) -> Feedback:
    """Exercise 4: what training-mode BN outputs for a batch of a single sample."""
    return check_choice(
        answer,
        "beta",
        ("input", "zero", "beta", "nan"),
        what="选择",
        hint="只有一个样本时，批次均值就是它自己，z − μ 处处为 0，方差也为 0（有 ε 所以不会除以 0）。",
    )
