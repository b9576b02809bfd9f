"""Exercise checkers: each ``check_…`` returns a :class:`Feedback` (truthy when right) and shows a hint when wrong.

Chapter-specific checkers live in ``mlnote_utils.exercises.chNN`` modules and are built from the
generic checks here. A checker never raises on a wrong or missing answer: the learner gets a hint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["Feedback", "check_close", "check_function", "check_choice", "NOT_ANSWERED"]

#: Put this (or leave ``None``) in an exercise cell before answering.
NOT_ANSWERED = None


@dataclass(frozen=True)
class Feedback:
    """The result of a check: ``ok`` and a message in Chinese for the learner."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return ("✅ " if self.ok else "❌ ") + self.message

    def _repr_markdown_(self) -> str:
        return repr(self)


def _as_array(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def check_close(
    answer, expected, *, hint: str, what: str = "答案", rtol: float = 1e-4, atol: float = 1e-6
) -> Feedback:
    """Numeric answer (scalar, array or tensor) against ``expected`` within tolerances."""
    if answer is None:
        return Feedback(False, f"{what}尚未作答：把 None 换成你的结果。")
    try:
        a, e = _as_array(answer), _as_array(expected)
    except (TypeError, ValueError):
        return Feedback(False, f"{what}应该是数值（数字、数组或张量），收到的是 {type(answer).__name__}。")
    if a.shape != e.shape:
        return Feedback(False, f"{what}的形状（shape）应为 {e.shape}，收到 {a.shape}。提示：{hint}")
    if not np.all(np.isfinite(a)):
        return Feedback(False, f"{what}里有 nan 或 inf。提示：{hint}")
    if np.allclose(a, e, rtol=rtol, atol=atol):
        return Feedback(True, f"{what}正确。")
    return Feedback(False, f"{what}不对。提示：{hint}")


def check_function(
    fn: Callable | None,
    reference: Callable,
    cases: Iterable[Sequence],
    *,
    hint: str,
    what: str = "函数",
    rtol: float = 1e-4,
    atol: float = 1e-6,
) -> Feedback:
    """A learner's function against a reference on several argument tuples."""
    if fn is None:
        return Feedback(False, f"{what}尚未实现：把 None 换成你的函数。")
    if not callable(fn):
        return Feedback(False, f"{what}应该是一个函数，收到的是 {type(fn).__name__}。")
    for i, args in enumerate(cases):
        try:
            got = fn(*args)
        except Exception as exc:  # noqa: BLE001 - report any failure of learner code as a hint
            return Feedback(
                False, f"{what}在第 {i + 1} 个测试用例上报错：{type(exc).__name__}: {exc}。提示：{hint}"
            )
        result = check_close(
            got,
            reference(*args),
            hint=hint,
            what=f"{what}在第 {i + 1} 个测试用例上的输出",
            rtol=rtol,
            atol=atol,
        )
        if not result:
            return result
    return Feedback(True, f"{what}在全部测试用例上都正确。")


def check_choice(answer, correct, options: Sequence, *, hint: str, what: str = "选择") -> Feedback:
    """A multiple-choice answer: ``answer`` must be one of ``options`` and equal ``correct``."""
    if answer is None:
        return Feedback(False, f"{what}尚未作答：从 {list(options)} 中选一个。")
    if answer not in options:
        return Feedback(False, f"{answer!r} 不是可选项；请从 {list(options)} 中选。")
    if answer == correct:
        return Feedback(True, f"{what}正确。")
    return Feedback(False, f"{what}不对。提示：{hint}")
