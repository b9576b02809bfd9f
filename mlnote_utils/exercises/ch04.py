"""Exercise checkers for chapter 04 (diagnosing a training run, model selection)."""

from __future__ import annotations

import numpy as np

from ..model_selection import kfold_indices, leaderboard_simulation
from . import Feedback, check_choice, check_close, check_function

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


def check_fold_ids(fn) -> Feedback:
    """Exercise 2: a learner's ``fold_ids(n, k)`` against the un-shuffled k-fold split."""
    return check_function(
        fn,
        _fold_ids_reference,
        [(10, 3), (7, 7), (103, 5), (12, 4)],
        what="fold_ids",
        atol=0.0,
        rtol=0.0,
        hint="每折大小为 n // k，前 n % k 折各多 1 个；np.repeat(np.arange(k), sizes) 可以一步得到结果。",
    )


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
