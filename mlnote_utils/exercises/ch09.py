"""Exercise checkers for chapter 09 (convolutional networks)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .. import cnn
from . import Feedback, check_close, check_function

__all__ = ["check_output_size", "check_conv_params", "check_receptive_field", "check_max_pool"]

#: Exercise 1: input side, kernel, stride, padding.
SIZE_CASE = dict(n=64, kernel_size=5, stride=3, padding=2)
#: Exercise 3: (kernel_size, stride) of each layer of the stack.
RF_LAYERS = ((3, 1), (2, 2), (3, 1), (2, 2), (3, 1))


def _check_int(answer, expected: int, *, what: str, hint: str) -> Feedback:
    """An integer answer, exactly right; a non-integer gets its own message."""
    if answer is not None and (isinstance(answer, bool) or not float(answer).is_integer()):
        return Feedback(False, f"{what}应该是一个整数，收到 {answer!r}。")
    return check_close(answer, expected, what=what, hint=hint, rtol=0, atol=0)


def check_output_size(answer) -> Feedback:
    """Exercise 1: side of the output of a 5x5, stride-3, padding-2 convolution on a 64x64 input."""
    return _check_int(
        answer,
        cnn.conv_output_size(**SIZE_CASE),
        what="输出边长",
        hint="补边后长度是 n + 2p；先减去卷积核大小 k，除以步幅 s 向下取整，最后别忘了 + 1（第一个位置）。",
    )


def check_conv_params(answer) -> Feedback:
    """Exercise 2: parameters of a 16 -> 32 channel, 5x5 conv layer with bias."""
    return _check_int(
        answer,
        cnn.conv_parameter_count(16, 32, 5),
        what="参数个数",
        hint="每个滤波器有 输入通道数 × 5 × 5 个权重，共 32 个滤波器，每个滤波器再加一个偏置；图像大小不出现在公式里。",
    )


def check_receptive_field(answer) -> Feedback:
    """Exercise 3: receptive field of the last unit of ``RF_LAYERS``."""
    return _check_int(
        answer,
        cnn.receptive_field(RF_LAYERS)[-1],
        what="感受野宽度",
        hint="从 r=1、j=1 开始，每一层先 r += (k-1)*j，再 j *= s；池化层也是一层（k=2, s=2）。",
    )


def _reference_max_pool(x: torch.Tensor, k: int) -> torch.Tensor:
    return F.max_pool2d(x[None, None].double(), k)[0, 0]


def check_max_pool(fn) -> Feedback:
    """Exercise 4: ``fn(x (H, W), k) -> (H // k, W // k)`` max pooling, on shapes that k need not divide."""
    g = torch.Generator().manual_seed(9)
    cases = [
        (torch.randn(6, 6, generator=g, dtype=torch.float64), 2),
        (torch.randn(7, 9, generator=g, dtype=torch.float64), 2),
        (torch.randn(9, 8, generator=g, dtype=torch.float64) - 5.0, 3),  # all-negative values: max, not |max|
        (torch.randn(4, 5, generator=g, dtype=torch.float64), 1),
    ]
    return check_function(
        fn,
        _reference_max_pool,
        cases,
        what="你的最大池化函数",
        hint="输出是 (H//k, W//k)：先丢掉除不尽的最后几行几列，再把每个 k×k 块里的最大值取出来"
        "（例如 reshape 成 (H//k, k, W//k, k) 后在第 1、3 维取 amax）。",
        rtol=0,
        atol=0,
    )
