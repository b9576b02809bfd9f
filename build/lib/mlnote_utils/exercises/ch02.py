"""Exercise checkers for chapter 02."""

from __future__ import annotations

import numpy as np

from . import Feedback, check_close, check_function

__all__ = ["check_total_updates", "check_relu_ramp", "check_param_count"]


def check_total_updates(answer) -> Feedback:
    """N = 1000 samples, batch size 64 (last batch kept), 5 epochs: how many updates in total?"""
    return check_close(
        answer,
        5 * int(np.ceil(1000 / 64)),
        what="更新次数",
        hint="每个 epoch 的更新次数是 ceil(N / B)，最后那个不满的 batch 也算一次；再乘以 epoch 数。",
        rtol=0,
        atol=0.5,
    )


def _ramp_reference(x, lo, hi, height):
    x = np.asarray(x, dtype=np.float64)
    return height * np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def check_relu_ramp(fn) -> Feedback:
    """``fn(x, lo, hi, height)`` builds the hard sigmoid from two ReLUs (NumPy arrays in and out)."""
    x = np.linspace(-3.0, 3.0, 61)
    cases = [(x, -1.0, 1.0, 2.0), (x, 0.0, 0.5, -1.5), (x, -2.5, 2.0, 0.7)]
    return check_function(
        fn,
        _ramp_reference,
        cases,
        what="两个 ReLU 拼成的 hard sigmoid",
        hint="斜率 s = height / (hi − lo)；用 s·max(0, x − lo) 往上走，再减去 s·max(0, x − hi) 让它在 hi 之后变平。",
    )


def check_param_count(answer) -> Feedback:
    """Number of unknowns in y = b + cᵀσ(b + W x) with 3 inputs and 5 sigmoids."""
    return check_close(
        answer,
        5 * 3 + 5 + 5 + 1,
        what="参数个数",
        hint="数一数 W（隐藏单元数 × 输入数）、向量 b（每个 sigmoid 一个）、c（每个 sigmoid 一个）和最后的常数 b。",
        rtol=0,
        atol=0.5,
    )
