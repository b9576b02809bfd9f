"""Exercise checkers for chapter 03."""

from __future__ import annotations

import math

import numpy as np
import torch

from . import Feedback, check_close

__all__ = ["check_epoch_seconds", "check_quadratic_rise", "check_power_iteration", "check_epoch_batches"]


def check_epoch_seconds(answer) -> Feedback:
    """N = 60000, B = 10, 2 ms per update: seconds per epoch."""
    return check_close(
        answer,
        math.ceil(60_000 / 10) * 2e-3,
        what="一个 epoch 的时间",
        hint="先算一个 epoch 有几次更新（N / B），再乘以每次更新的时间；注意毫秒换成秒。B=1000 那个数字是干扰项。",
        rtol=1e-3,
    )


def check_quadratic_rise(answer) -> Feedback:
    """Second-order estimate of the loss rise for λ = 6, α = 0.5 along the top eigenvector."""
    return check_close(
        answer,
        0.5 * 6.0 * 0.5**2,
        what="损失上升量",
        hint="二阶近似是 ½·α²·dᵀHd；d 是单位特征向量时 dᵀHd = λ。别忘了 ½。",
        rtol=1e-3,
    )


def _test_matrices() -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(3)
    mats = [torch.diag(torch.tensor([5.0, 2.0, 1.0, 0.5], dtype=torch.float64))]
    for n in (6, 10):
        a = torch.randn(n, n, generator=gen, dtype=torch.float64)
        mats.append(a @ a.T + 0.1 * torch.eye(n, dtype=torch.float64))  # symmetric positive definite
    return mats


def check_power_iteration(fn) -> Feedback:
    """``fn(matvec, n, steps)`` returns the top eigenvalue of a symmetric positive-definite H from H·v alone."""
    if fn is None:
        return Feedback(False, "请实现 my_top_eigenvalue：把 None 换成你的函数。")
    if not callable(fn):
        return Feedback(False, f"应该是一个函数，收到的是 {type(fn).__name__}。")
    hint = "循环里做 v = H v / ‖H v‖；结束后返回 v·(H v)。只能通过 matvec(v) 访问 H。"
    for i, h in enumerate(_test_matrices()):
        try:
            got = fn(lambda v, h=h: h @ v, h.shape[0], 500)
        except Exception as exc:  # noqa: BLE001 - learner code errors become hints
            return Feedback(False, f"第 {i + 1} 个矩阵上报错：{type(exc).__name__}: {exc}。提示：{hint}")
        if got is None:
            return Feedback(False, "my_top_eigenvalue 返回了 None：请实现这个函数。")
        result = check_close(
            got, torch.linalg.eigvalsh(h)[-1], what=f"第 {i + 1} 个矩阵的最大特征值", hint=hint, rtol=1e-3
        )
        if not result:
            return result
    return Feedback(True, "幂迭代在全部测试矩阵上都找到了最大特征值。")


def _epoch_batches_reference(n: int, batch_size: int, seed: int) -> list[torch.Tensor]:
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def _epoch_batch_cases(n_cases: int = 12, seed: int = 2026) -> list[tuple[int, int, int]]:
    """Random (n, batch_size, seed) cases; the first ones pin the edge sizes a slip would miss."""
    rng = np.random.default_rng(seed)
    cases = [(10, 3, 0), (12, 4, 1), (5, 8, 2), (7, 1, 3)]  # ragged, exact, B > n, B = 1
    while len(cases) < n_cases:
        n = int(rng.integers(1, 200))
        cases.append((n, int(rng.integers(1, n + 1)), int(rng.integers(0, 10_000))))
    return cases


def check_epoch_batches(fn) -> Feedback:
    """``fn(n, batch_size, seed)`` returns one epoch's mini-batches of shuffled indices (last batch may be short).

    The learner's function is run on random sizes against the reference and the first mismatch is named.
    """
    if fn is None:
        return Feedback(False, "请实现 my_epoch_batches：把 return None 换成你的代码。")
    if not callable(fn):
        return Feedback(False, f"应该是一个函数，收到的是 {type(fn).__name__}。")
    hint = (
        "先用 torch.randperm(n, generator=torch.Generator().manual_seed(seed)) 打乱，再从头每 batch_size 个切一段；"
        "最后一段不足 batch_size 也要保留。"
    )
    for n, bs, seed in _epoch_batch_cases():
        case = f"n={n}, batch_size={bs}, seed={seed}"
        try:
            got = fn(n, bs, seed)
        except Exception as exc:  # noqa: BLE001 - learner code errors become hints
            return Feedback(False, f"在 {case} 时报错：{type(exc).__name__}: {exc}。提示：{hint}")
        if got is None:
            return Feedback(False, f"在 {case} 时返回了 None：请实现这个函数。")
        try:
            got = [np.asarray(torch.as_tensor(b).cpu()).astype(np.int64).reshape(-1) for b in got]
        except (TypeError, ValueError, RuntimeError):
            return Feedback(False, f"在 {case} 时应返回一个由整数索引数组组成的列表。提示：{hint}")
        expected = [b.numpy() for b in _epoch_batches_reference(n, bs, seed)]
        if len(got) != len(expected):
            return Feedback(
                False, f"在 {case} 时应有 {len(expected)} 个 batch，你给出了 {len(got)} 个。提示：{hint}"
            )
        for j, (g, e) in enumerate(zip(got, expected, strict=True)):
            if g.shape != e.shape:
                return Feedback(
                    False,
                    f"在 {case} 时第 {j + 1} 个 batch 应有 {len(e)} 个索引，你给出了 {len(g)} 个。提示：{hint}",
                )
            if not np.array_equal(g, e):
                k = int(np.flatnonzero(g != e)[0])
                return Feedback(
                    False,
                    f"在 {case} 时第 {j + 1} 个 batch 的第 {k + 1} 个索引应为 {e[k]}，你给出了 {g[k]}。提示：{hint}",
                )
    return Feedback(True, "my_epoch_batches 在全部随机测试用例上都与参考实现一致。")
