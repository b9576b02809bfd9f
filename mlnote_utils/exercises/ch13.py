"""Exercise checkers for chapter 13 (divergences and WGAN)."""

from __future__ import annotations

import torch

from .. import wgan
from . import Feedback, check_close, check_function

__all__ = ["check_js_disjoint", "check_w1", "check_spectral_norm", "SPECTRAL_MATRIX"]

#: Exercise 3: the matrix whose largest singular value is asked for.
SPECTRAL_MATRIX = ((3.0, 0.0), (4.0, 5.0))


def check_js_disjoint(answer) -> Feedback:
    """Exercise 1: JS divergence (natural log) of two distributions whose supports do not overlap."""
    expected = wgan.js_divergence(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]))
    return check_close(
        answer,
        expected,
        what="JS 散度",
        hint="不重叠时 m = (P + Q)/2 在 P 的支撑上恰好是 P/2，所以 KL(P‖m) = log 2，KL(Q‖m) 也一样；"
        "JS 是两者的平均。本课程用自然对数（不是以 2 为底），也不要和 V(G, D*) 里的 2·JS 混淆。",
        rtol=1e-3,
        atol=0,
    )


def _reference_w1(x: torch.Tensor, y: torch.Tensor) -> float:
    from scipy.stats import wasserstein_distance

    return float(wasserstein_distance(x.numpy(), y.numpy()))


def check_w1(fn) -> Feedback:
    """Exercise 2: ``fn(x, y)`` = W1 between two equal-size 1-D samples, against scipy on random cases."""
    g = torch.Generator().manual_seed(13)
    cases = [
        (torch.randn(8, generator=g, dtype=torch.float64), torch.randn(8, generator=g, dtype=torch.float64)),
        (
            torch.randn(50, generator=g, dtype=torch.float64),
            torch.randn(50, generator=g, dtype=torch.float64) * 3 + 1,
        ),  # different spread
        (
            torch.tensor([0.0, 5.0, 1.0], dtype=torch.float64),
            torch.tensor([4.0, 2.0, 9.0], dtype=torch.float64),
        ),
        (
            torch.tensor([2.0], dtype=torch.float64),
            torch.tensor([-1.5], dtype=torch.float64),
        ),  # one grain each
    ]
    return check_function(
        fn,
        _reference_w1,
        cases,
        what="你的 W1",
        hint="一维时最优的搬运方案是把 x 的第 i 小的值配给 y 的第 i 小的值：先分别排序，"
        "再对 |x_(i) − y_(i)| 求平均（不是求和，不是平方）。",
        rtol=1e-6,
        atol=1e-9,
    )


def check_spectral_norm(answer) -> Feedback:
    """Exercise 3: the largest singular value of :data:`SPECTRAL_MATRIX`."""
    expected = float(torch.linalg.matrix_norm(torch.tensor(SPECTRAL_MATRIX, dtype=torch.float64), ord=2))
    return check_close(
        answer,
        expected,
        what="谱范数",
        hint="谱范数是最大奇异值 = WᵀW 最大特征值的平方根，不是 W 自己的最大特征值，也不是 Frobenius 范数"
        "（所有元素平方和的平方根）；可以用幂迭代或 torch.linalg.svdvals 核对。",
        rtol=1e-3,
        atol=0,
    )
