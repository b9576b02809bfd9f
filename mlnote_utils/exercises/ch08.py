"""Exercise checkers for chapter 08 (feature normalisation, batch normalisation)."""

from __future__ import annotations

import torch

from . import Feedback, check_close
from ._compare import check_elementwise

__all__ = ["check_standardized", "check_bn_forward_fn", "check_running_mean", "check_bn_eval_output"]

#: Exercise 1: one feature measured on four samples.
FEATURE = (2.0, 4.0, 6.0, 12.0)
#: Exercise 3: the means of three successive batches (running mean starts at 0, momentum 0.1).
BATCH_MEANS = (1.0, 2.0, 3.0)
MOMENTUM = 0.1
#: Exercise 4: a BN layer in evaluation mode (one feature): its running statistics, γ, β, and two test inputs.
EVAL_RUNNING_MEAN, EVAL_RUNNING_VAR = 2.0, 4.0
EVAL_GAMMA, EVAL_BETA = 3.0, -1.0
EVAL_INPUTS = (4.0, 1.0)
EPS = 1e-5


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


def _bn_cases() -> list[tuple[str, tuple]]:
    """Random batches (seeded): small and standard, large scale and offset, and one with a constant column."""
    gen = torch.Generator().manual_seed(8)
    z2 = torch.randn(6, 3, generator=gen) * 10 + 3  # (6, 3)
    z3 = torch.randn(4, 2, generator=gen)
    z3[:, 1] = 5.0  # a feature with zero variance in this batch
    z4 = torch.randn(8, 2, generator=gen) * torch.tensor([1.0, 0.01])  # feature 2: σ ≈ 0.01, ε matters
    return [
        ("5 个样本、3 个特征，γ=1、β=0", (torch.randn(5, 3, generator=gen), torch.ones(3), torch.zeros(3))),
        (
            "6 个样本、3 个特征，尺度约 10、均值约 3，随机 γ、β",
            (z2, torch.randn(3, generator=gen), torch.randn(3, generator=gen)),
        ),
        ("4 个样本，第 2 列是常数（方差为 0）", (z3, torch.tensor([2.0, 1.0]), torch.tensor([0.5, -0.5]))),
        ("8 个样本，第 2 列的标准差只有约 0.01", (z4, torch.ones(2), torch.zeros(2))),
    ]


def check_bn_forward_fn(fn) -> Feedback:
    """Exercise 2: ``fn(z (N, H), gamma (H,), beta (H,)) -> out`` — training-mode BN with ε = 1e-5."""

    def reference(z, gamma, beta):
        return torch.nn.functional.batch_norm(
            z.double(), None, None, gamma.double(), beta.double(), training=True, eps=EPS
        )

    return check_elementwise(
        fn,
        reference,
        _bn_cases(),
        name="my_batch_norm",
        hint="沿批次维度（dim=0）求每个特征的均值和方差（方差除以 N，不是 N−1），"
        "out = γ·(z − μ)/√(σ² + 1e-5) + β；ε 放在根号里面，常数列才不会除以 0。",
        rtol=1e-4,
        atol=1e-5,
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


def check_bn_eval_output(answer) -> Feedback:
    """Exercise 4: the outputs of an evaluation-mode BN layer for ``EVAL_INPUTS`` (one feature)."""
    bn = torch.nn.BatchNorm1d(1, eps=EPS).double().eval()
    with torch.no_grad():
        bn.running_mean.fill_(EVAL_RUNNING_MEAN)
        bn.running_var.fill_(EVAL_RUNNING_VAR)
        bn.weight.fill_(EVAL_GAMMA)
        bn.bias.fill_(EVAL_BETA)
        expected = bn(torch.tensor(EVAL_INPUTS, dtype=torch.float64)[:, None])[:, 0]
    return check_close(
        answer,
        expected,
        what="测试模式下的输出",
        hint="测试模式不用这两条样本自己的均值和方差，而用滑动平均：out = γ·(x − μ̄)/√(σ̄² + ε) + β，每条样本单独算。",
        rtol=1e-4,
        atol=1e-4,
    )
