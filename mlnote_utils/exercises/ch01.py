"""Exercise checkers for chapter 01 (regression and gradient descent)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..regression import gd_stability_limit
from . import Feedback, check_choice, check_close, check_function

__all__ = ["check_grad_b", "check_scaled_limit", "check_gap_source", "gd_path_reference", "check_gd_path"]


def check_grad_b(answer, x: torch.Tensor, y: torch.Tensor) -> Feedback:
    """Exercise 1: ∂L/∂b of the MSE at (w, b) = (1, 0)."""
    expected = 2 * (x - y).mean()
    return check_close(
        answer,
        expected,
        what="∂L/∂b",
        hint="∂L/∂b = (2/N) Σ eₙ，其中 eₙ = b + w·xₙ − ŷₙ（ŷₙ 是标签）；这里 w = 1、b = 0。别忘了系数 2。",
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


def gd_path_reference(
    x: torch.Tensor, y: torch.Tensor, w0: float, b0: float, lr: float, steps: int
) -> torch.Tensor:
    """Gradient descent on the MSE of ``b + w x`` with ``nn.Linear`` and ``torch.optim.SGD``: ``(steps + 1, 2)``.

    Row ``t`` holds ``(w, b)`` after ``t`` steps; row 0 is the start.

    >>> x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    >>> gd_path_reference(x, 2 * x, 0.0, 0.0, 0.1, 1)[1]  # dL/dw = -2·mean(2x·x) = -10, dL/db = -6
    tensor([1.0000, 0.6000], dtype=torch.float64)
    """
    model = nn.Linear(1, 1).to(x.dtype)
    with torch.no_grad():
        model.weight.fill_(w0)
        model.bias.fill_(b0)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    path = [[float(w0), float(b0)]]
    for _ in range(steps):
        opt.zero_grad()
        F.mse_loss(model(x[:, None]).squeeze(1), y).backward()
        opt.step()
        path.append([model.weight.item(), model.bias.item()])
    return torch.tensor(path, dtype=x.dtype)


def _gd_cases() -> list[tuple]:
    """Random data sets, starts, learning rates and step counts (a fixed generator, so every run is the same)."""
    g = torch.Generator().manual_seed(2024)
    cases = []
    for n, lr, steps in ((5, 0.1, 1), (17, 0.05, 8), (40, 0.02, 25)):
        x = torch.randn(n, generator=g, dtype=torch.float64) + 1.0
        y = 0.7 * x - 0.3 + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
        w0, b0 = (torch.randn(2, generator=g, dtype=torch.float64)).tolist()
        cases.append((x, y, w0, b0, lr, steps))
    return cases


def check_gd_path(fn: Callable | None) -> Feedback:
    """Exercise 4: ``fn(x, y, w0, b0, lr, steps)`` returns the ``(steps + 1, 2)`` gradient-descent path.

    Compared with :func:`gd_path_reference` (``nn.Linear`` + ``torch.optim.SGD``) on random data; the
    feedback names the first row (= step) and column (0 = w, 1 = b) that differ.
    """
    return check_function(
        fn,
        gd_path_reference,
        _gd_cases(),
        what="梯度下降 my_gd",
        rtol=1e-6,
        atol=1e-9,
        hint="索引 (t, 0) 是第 t 步后的 w，(t, 1) 是 b。第 0 行应是起点；每一步用同一个点的 eₙ = b + w·xₙ − ŷₙ 同时算出 "
        "∂L/∂w = (2/N) Σ eₙxₙ 和 ∂L/∂b = (2/N) Σ eₙ，再一起更新 w ← w − η·∂L/∂w、b ← b − η·∂L/∂b。",
    )
