"""Exercise checkers for chapter 02."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from . import Feedback, check_close, check_function

__all__ = [
    "check_total_updates",
    "check_relu_ramp",
    "check_param_count",
    "one_hidden_layer_reference",
    "check_one_hidden_layer",
]


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
    """The hard sigmoid by torch: ``height · clamp((x − lo)/(hi − lo), 0, 1)`` (NumPy in, NumPy out)."""
    t = torch.as_tensor(np.asarray(x, dtype=np.float64))
    return (height * torch.clamp((t - lo) / (hi - lo), 0.0, 1.0)).numpy()


def _ramp_cases() -> list[tuple]:
    """Random points (sorted, so mismatches read left to right) and random ramps, from a fixed generator."""
    g = torch.Generator().manual_seed(2)
    cases = []
    for _ in range(4):
        lo = float(torch.empty(()).uniform_(-2.0, 1.0, generator=g))
        hi = lo + float(torch.empty(()).uniform_(0.2, 3.0, generator=g))
        height = float(torch.empty(()).uniform_(-3.0, 3.0, generator=g))
        x = torch.sort(torch.empty(50, dtype=torch.float64).uniform_(-4.0, 5.0, generator=g)).values
        cases.append((x.numpy(), lo, hi, height))
    return cases


def check_relu_ramp(fn) -> Feedback:
    """``fn(x, lo, hi, height)`` builds the hard sigmoid from two ReLUs (NumPy arrays in and out).

    Compared with a ``torch.clamp`` reference on random points and random ramps; the feedback names the first
    point that differs.
    """
    return check_function(
        fn,
        _ramp_reference,
        _ramp_cases(),
        what="两个 ReLU 拼成的 hard sigmoid",
        hint="索引是测试点的序号（测试点从小到大排好）。斜率 s = height / (hi − lo)；用 s·max(0, x − lo) 往上走，"
        "再减去 s·max(0, x − hi) 让它在 hi 之后变平。",
    )


def check_param_count(answer) -> Feedback:
    """Unknowns of the §7 network: 7 inputs, two hidden layers of 32 units, one output (1345)."""
    return check_close(
        answer,
        (7 * 32 + 32) + (32 * 32 + 32) + (32 * 1 + 1),
        what="参数个数",
        hint="一层 nn.Linear(a, b) 有 a·b 个权重和 b 个偏置；这个网络有三层线性运算：7→32、32→32、32→1，"
        "别漏掉任何一层的偏置。",
        rtol=0,
        atol=0.5,
    )


def one_hidden_layer_reference(
    x: torch.Tensor, W: torch.Tensor, b_vec: torch.Tensor, c: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """``y = b + cᵀσ(b_vec + W x)`` for each row of ``x`` via ``nn.Sequential(Linear, Sigmoid, Linear)``: ``(N,)``.

    >>> x = torch.zeros(2, 3, dtype=torch.float64)
    >>> one_hidden_layer_reference(x, torch.ones(4, 3), torch.zeros(4), torch.ones(4), torch.tensor([1.0]))
    tensor([3., 3.], dtype=torch.float64)
    """
    h, d = W.shape
    net = nn.Sequential(nn.Linear(d, h), nn.Sigmoid(), nn.Linear(h, 1)).to(x.dtype)
    with torch.no_grad():
        net[0].weight.copy_(W)
        net[0].bias.copy_(b_vec)
        net[2].weight.copy_(c.reshape(1, h))
        net[2].bias.copy_(b.reshape(1))
        return net(x).squeeze(-1)  # (N,)


def _forward_cases() -> list[tuple]:
    """Random inputs and weights of several shapes ``(N, d, h)``, d ≠ h so a missing transpose shows."""
    g = torch.Generator().manual_seed(5)
    cases = []
    for n, d, h in ((4, 3, 5), (9, 1, 2), (6, 7, 3)):
        r = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
        cases.append((r(n, d), r(h, d), r(h), r(h), r(1)))
    return cases


def check_one_hidden_layer(fn: Callable | None) -> Feedback:
    """Exercise 4: ``fn(x, W, b_vec, c, b)`` computes ``y = b + cᵀσ(b_vec + W xₙ)`` for every row ``xₙ``.

    Compared with ``nn.Sequential(nn.Linear, nn.Sigmoid, nn.Linear)`` on random inputs and weights; the
    feedback names the first output row that differs.
    """
    return check_function(
        fn,
        one_hidden_layer_reference,
        _forward_cases(),
        what="前向计算 my_forward",
        hint="x 的形状是 (N, d)，W 是 (h, d)：先算 r = x Wᵀ + b_vec（形状 (N, h)），再 a = σ(r) = 1/(1 + e^(−r))，"
        "最后 y = a c + b（形状 (N,)）。索引是第几笔数据。",
    )
