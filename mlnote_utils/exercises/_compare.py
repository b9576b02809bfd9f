"""A learner's function against a torch reference, case by case, naming the first element that differs.

Private helper of the "write the function" exercises (chapters 07 and 08); the generic checks are in
``mlnote_utils.exercises``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from . import Feedback


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def check_elementwise(
    fn: Callable | None,
    reference: Callable,
    cases: Sequence[tuple[str, tuple]],
    *,
    name: str,
    hint: str,
    rtol: float = 1e-4,
    atol: float = 1e-6,
) -> Feedback:
    """Run ``fn(*args)`` and ``reference(*args)`` on each ``(description, args)`` case; the first failure wins.

    The message names the case (its description), and for a wrong value the first index that differs, with
    the learner's value and the expected one. ``name`` is the function's name as the learner wrote it.
    """
    if fn is None:
        return Feedback(False, f"请先实现 {name}：把 None 换成你的函数。")
    if not callable(fn):
        return Feedback(False, f"{name} 应该是一个函数，收到的是 {type(fn).__name__}。")
    for i, (description, args) in enumerate(cases, start=1):
        where = f"第 {i} 个测试用例（{description}）"
        try:
            got = fn(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
        except Exception as exc:  # noqa: BLE001 - report any failure of learner code as a hint
            return Feedback(False, f"{name} 在{where}上报错：{type(exc).__name__}: {exc}。提示：{hint}")
        if got is None:
            return Feedback(False, f"请实现 {name}：它现在返回 None。")
        try:
            a = np.asarray(
                got.detach().cpu().numpy() if isinstance(got, torch.Tensor) else got, dtype=np.float64
            )
        except (TypeError, ValueError):
            return Feedback(False, f"{name} 应返回张量或数组，在{where}上收到 {type(got).__name__}。")
        expected = reference(*args)
        e = np.asarray(expected.detach().cpu().numpy(), dtype=np.float64)
        if a.shape != e.shape:
            return Feedback(False, f"{name} 在{where}上输出的形状为 {a.shape}，应为 {e.shape}。提示：{hint}")
        wrong = ~np.isfinite(a) | ~np.isclose(a, e, rtol=rtol, atol=atol)
        if wrong.any():
            idx = tuple(int(j) for j in np.argwhere(wrong)[0])
            at = f"在位置 {idx} 处" if idx else ""
            return Feedback(
                False, f"{name} 在{where}上的输出{at}是 {_fmt(a[idx])}，应为 {_fmt(e[idx])}。提示：{hint}"
            )
    return Feedback(True, f"{name} 在全部 {len(cases)} 个测试用例上都与 PyTorch 一致。")
