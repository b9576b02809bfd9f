"""Exercise checkers for chapter 01 (regression and gradient descent)."""

from __future__ import annotations

import torch

from ..regression import gd_stability_limit
from . import Feedback, check_choice, check_close

__all__ = ["check_grad_b", "check_scaled_limit", "check_gap_source"]


def check_grad_b(answer, x: torch.Tensor, y: torch.Tensor) -> Feedback:
    """Exercise 1: ∂L/∂b of the MSE at (w, b) = (1, 0)."""
    expected = 2 * (x - y).mean()
    return check_close(
        answer,
        expected,
        what="∂L/∂b",
        hint="∂L/∂b = (2/N) Σ eₙ，其中 eₙ = b + w·xₙ − ŷₙ；这里 w = 1、b = 0。别忘了系数 2。",
    )


def check_scaled_limit(answer, x: torch.Tensor, scale: float) -> Feedback:
    """Exercise 2: the stable learning-rate limit 2/λ_max after multiplying the inputs by ``scale``."""
    return check_close(
        answer,
        gd_stability_limit(scale * torch.as_tensor(x)),
        what="学习率上限",
        rtol=1e-3,
        hint="H 的 Σx² 项随 scale² 变大，但 Σx 只随 scale 变大、N 不变，所以上限不是简单地除以 100；"
        "用 mu.gd_stability_limit 或自己求 H 的最大特征值。",
    )


def check_gap_source(answer) -> Feedback:
    """Exercise 3: where the remaining test error of the 28-day model comes from."""
    return check_choice(
        answer,
        "noise",
        ["model bias", "noise", "local minimum"],
        what="误差来源",
        hint="看第 7 节表格：同一个 28 天模型在无噪声数据上的误差几乎为 0；线性模型的 MSE 又是凸的。",
    )
