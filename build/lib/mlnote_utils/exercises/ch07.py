"""Exercise checkers for chapter 07 (classification: softmax, cross-entropy)."""

from __future__ import annotations

import torch

from . import Feedback, check_choice, check_close, check_function

__all__ = ["check_softmax_values", "check_cross_entropy_fn", "check_ce_gradient", "check_flat_loss"]

#: Exercise 1: the logits whose softmax the learner computes.
SOFTMAX_LOGITS = (2.0, 1.0, -1.0)
#: Exercise 3: logits and the true class for the gradient question.
GRAD_LOGITS = (1.0, 2.0, 3.0)
GRAD_TARGET = 0


def check_softmax_values(answer) -> Feedback:
    """Exercise 1: softmax of ``SOFTMAX_LOGITS`` as three probabilities."""
    expected = torch.softmax(torch.tensor(SOFTMAX_LOGITS, dtype=torch.float64), dim=0)
    return check_close(
        answer,
        expected,
        what="softmax 的结果",
        hint="先对每个数取 exp，再除以三者 exp 之和；三个概率加起来应等于 1。",
        rtol=1e-3,
        atol=1e-4,
    )


def _reference_ce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.cross_entropy(logits.double(), targets)


def check_cross_entropy_fn(fn) -> Feedback:
    """Exercise 2: ``fn(logits (N, C), targets (N,)) -> mean cross-entropy``, stable for huge logits."""
    cases = [
        (torch.tensor([[2.0, 0.5, -1.0], [0.0, 0.0, 0.0]]), torch.tensor([0, 2])),
        (torch.tensor([[1.0, 3.0], [4.0, -2.0], [0.5, 0.5]]), torch.tensor([1, 1, 0])),
        (torch.tensor([[1000.0, 999.0, 990.0], [-500.0, 500.0, 0.0]]), torch.tensor([1, 1])),
    ]
    return check_function(
        fn,
        _reference_ce,
        cases,
        what="你的交叉熵函数",
        hint="先减去每一行的最大值再取 exp（否则 logits=1000 时会溢出），"
        "用 log-sum-exp 得到 ln softmax，取出正确类别那一列，取负号后对样本求平均。",
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


def check_flat_loss(answer) -> Feedback:
    """Exercise 4: which loss is nearly flat where the classifier is confidently wrong ("mse" or "ce")."""
    return check_choice(
        answer,
        "mse",
        ("mse", "ce"),
        what="选择",
        hint="看两种损失对 logit 的梯度：MSE 的梯度里多了一个因子 p(1−p)，当 p 接近 0 或 1 时它趋于 0。",
    )
