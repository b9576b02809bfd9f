"""Exercise checkers for chapter 04 (diagnosing a training run, model selection)."""

from __future__ import annotations

import numpy as np

from ..model_selection import kfold_indices, leaderboard_simulation
from . import Feedback, check_choice, check_close

__all__ = ["check_fold_sizes", "check_fold_ids", "check_deep_net_diagnosis", "check_leaderboard_gap"]


def check_fold_sizes(answer) -> Feedback:
    """Exercise 1: validation-fold sizes when 103 items are split into 5 folds."""
    expected = [len(valid) for _, valid in kfold_indices(103, 5)]
    return check_close(
        answer,
        np.asarray(expected, dtype=np.float64),
        what="各折大小",
        atol=0.0,
        rtol=0.0,
        hint="103 = 5 × 20 + 3：每折先分 20 个，余下的 3 个依次多给前 3 折；列表长度应为 5，总和应为 103。",
    )


def _fold_ids_reference(n: int, k: int) -> np.ndarray:
    ids = np.empty(n, dtype=np.int64)
    for fold, (_, valid) in enumerate(kfold_indices(n, k)):
        ids[valid] = fold
    return ids


def _fold_id_cases(n_cases: int = 12, seed: int = 2026) -> list[tuple[int, int]]:
    """Random (n, k) cases; the first ones pin the edges: n divisible by k, k = n, a remainder of k - 1."""
    rng = np.random.default_rng(seed)
    cases = [(10, 3), (12, 4), (7, 7), (103, 5), (9, 5)]
    while len(cases) < n_cases:
        n = int(rng.integers(2, 300))
        cases.append((n, int(rng.integers(2, min(n, 12) + 1))))
    return cases


def check_fold_ids(fn) -> Feedback:
    """Exercise 2: a learner's ``fold_ids(n, k)`` against the un-shuffled k-fold split on random sizes.

    The message names the first case and the first sample whose fold number differs.
    """
    if fn is None:
        return Feedback(False, "请实现 fold_ids：把 None 换成你的函数。")
    if not callable(fn):
        return Feedback(False, f"fold_ids 应该是一个函数，收到的是 {type(fn).__name__}。")
    hint = "每折大小为 n // k，前 n % k 折各多 1 个；np.repeat(np.arange(k), sizes) 可以一步得到结果。"
    for n, k in _fold_id_cases():
        try:
            got = fn(n, k)
        except Exception as exc:  # noqa: BLE001 - learner code errors become hints
            return Feedback(False, f"fold_ids({n}, {k}) 报错：{type(exc).__name__}: {exc}。提示：{hint}")
        if got is None:
            return Feedback(False, f"fold_ids({n}, {k}) 返回了 None：请实现这个函数。")
        try:
            got = np.asarray(got).reshape(-1)
        except (TypeError, ValueError):
            return Feedback(False, f"fold_ids({n}, {k}) 应返回一个整数数组。提示：{hint}")
        expected = _fold_ids_reference(n, k)
        if got.shape != expected.shape:
            return Feedback(
                False,
                f"fold_ids({n}, {k}) 应有 {n} 个元素（每个样本一个），你给出了 {got.size} 个。提示：{hint}",
            )
        mismatch = np.flatnonzero(got != expected)
        if mismatch.size:
            i = int(mismatch[0])
            return Feedback(
                False,
                f"fold_ids({n}, {k}) 中样本 {i} 应在第 {expected[i]} 折，你给出的是 {got[i]}（这是第一个不同的位置）。提示：{hint}",
            )
    return Feedback(True, "fold_ids 在全部随机测试用例上都与 KFold 的划分一致。")


def check_deep_net_diagnosis(answer) -> Feedback:
    """Exercise 3: a deeper plain net that is worse on the TRAINING loss."""
    return check_choice(
        answer,
        "optimization",
        ["model bias", "optimization", "overfitting", "mismatch"],
        what="诊断",
        hint="12 层网络能表示 4 层网络的一切函数（见 2.1 节），所以不是弹性不够；过拟合和失配要求训练损失小。",
    )


def check_leaderboard_gap(answer) -> Feedback:
    """Exercise 4: the public winner's public-minus-private accuracy in one simulated leaderboard."""
    result = leaderboard_simulation(500, 200, 200, true_accuracy=0.7, seed=1)
    return check_close(
        answer,
        result["best_public"] - result["best_private"],
        what="公开分数 − 私有分数",
        atol=1e-9,
        hint="调用时参数要完全一致（包括 seed=1），再用返回字典里的 best_public 减去 best_private。",
    )
