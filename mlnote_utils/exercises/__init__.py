"""Exercise checkers: each ``check_…`` returns a :class:`Feedback` (truthy when right) and shows a hint when wrong.

Chapter-specific checkers live in ``mlnote_utils.exercises.chNN`` modules and are built from the
generic checks here. A checker never raises on a wrong or missing answer: the learner gets a hint.
The verdict is spelled out in words ("正确" / "还不对" / "尚未作答") so that its meaning never depends on an
emoji font.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["Feedback", "check_close", "check_function", "check_choice", "tidy_spacing", "NOT_ANSWERED"]

#: Put this (or leave ``None``) in an exercise cell before answering.
NOT_ANSWERED = None

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_LATIN = r"A-Za-z0-9∂λη√θσ_\)\]"
_LATIN_START = r"A-Za-z0-9∂λη√θσ_\(\[`'\"-"


def tidy_spacing(text: str) -> str:
    """Put one space between a Chinese character and an adjacent Latin letter, digit or math symbol.

    >>> tidy_spacing("∂L/∂b正确，第1个用例")
    '∂L/∂b 正确，第 1 个用例'
    """
    text = re.sub(f"([{_CJK}])([{_LATIN_START}])", r"\1 \2", text)
    return re.sub(f"([{_LATIN}`'\"])([{_CJK}])", r"\1 \2", text)


@dataclass(frozen=True)
class Feedback:
    """The result of a check: ``ok``, a message in Chinese for the learner, and whether anything was answered.

    Its text starts with the verdict in words — "正确：", "还不对：" or "尚未作答：" — so it reads the same
    on a machine without an emoji font.

    >>> Feedback(False, "提示：看符号。")
    还不对：提示：看符号。
    """

    ok: bool
    message: str
    answered: bool = True

    def __bool__(self) -> bool:
        return self.ok

    @property
    def verdict(self) -> str:
        """The verdict in words: 正确, 还不对 or 尚未作答."""
        if self.ok:
            return "正确"
        return "还不对" if self.answered else "尚未作答"

    def __repr__(self) -> str:
        return f"{self.verdict}：{self.message}"

    def _repr_markdown_(self) -> str:
        return f"**{self.verdict}**：{self.message}"


def _as_array(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def _first_mismatch(a: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> str:
    """Where the first element outside the tolerance sits, with both values (for arrays with > 1 element)."""
    if a.size <= 1:
        return f"你的结果是 {a.reshape(-1)[0]:.6g}，参考实现给出 {e.reshape(-1)[0]:.6g}。"
    bad = ~np.isclose(a, e, rtol=rtol, atol=atol)
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    where = str(idx[0]) if len(idx) == 1 else str(idx)
    return (
        f"第一个不一致的元素在索引 {where}：你的结果是 {a[idx]:.6g}，参考实现给出 {e[idx]:.6g}"
        f"（共 {int(bad.sum())} 个元素不一致）。"
    )


def check_close(
    answer,
    expected,
    *,
    hint: str,
    what: str = "答案",
    rtol: float = 1e-4,
    atol: float = 1e-6,
    show_mismatch: bool = False,
) -> Feedback:
    """Numeric answer (scalar, array or tensor) against ``expected`` within tolerances.

    With ``show_mismatch`` a wrong answer names the first element that differs and both values (used for
    a function's output on a random test case; off for a plain answer, whose reference value it would reveal).
    """
    if answer is None:
        return Feedback(False, tidy_spacing(f"请把{what}的 None 换成你的结果。"), answered=False)
    try:
        a, e = _as_array(answer), _as_array(expected)
    except (TypeError, ValueError):
        return Feedback(
            False, tidy_spacing(f"{what}应该是数值（数字、数组或张量），收到的是 {type(answer).__name__}。")
        )
    if a.shape != e.shape:
        return Feedback(
            False, tidy_spacing(f"{what}的形状（shape）应为 {e.shape}，收到 {a.shape}。") + f"提示：{hint}"
        )
    if not np.all(np.isfinite(a)):
        return Feedback(False, tidy_spacing(f"{what}里有 nan 或 inf。") + f"提示：{hint}")
    if np.allclose(a, e, rtol=rtol, atol=atol):
        return Feedback(True, tidy_spacing(f"{what}与参考值一致。"))
    detail = _first_mismatch(a, e, rtol, atol) if show_mismatch else ""
    return Feedback(False, tidy_spacing(f"{what}与参考值不一致。") + detail + f"提示：{hint}")


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
    """A learner's function against a reference on several argument tuples.

    The feedback names the first test case (and, for array outputs, the first element) that differs.
    """
    if fn is None:
        return Feedback(False, tidy_spacing(f"请实现{what}：把 None 换成你的函数。"), answered=False)
    if not callable(fn):
        return Feedback(False, tidy_spacing(f"{what}应该是一个函数，收到的是 {type(fn).__name__}。"))
    n_cases = 0
    for i, args in enumerate(cases):
        n_cases += 1
        try:
            got = fn(*args)
        except Exception as exc:  # noqa: BLE001 - report any failure of learner code as a hint
            return Feedback(
                False,
                tidy_spacing(f"{what}在第 {i + 1} 个测试用例上报错：")
                + f"{type(exc).__name__}: {exc}。提示：{hint}",
            )
        if got is None:
            return Feedback(False, tidy_spacing(f"请实现{what}：它现在返回 None。"), answered=False)
        result = check_close(
            got,
            reference(*args),
            hint=hint,
            what=f"{what}在第 {i + 1} 个测试用例上的输出",
            rtol=rtol,
            atol=atol,
            show_mismatch=True,
        )
        if not result:
            return result
    return Feedback(True, tidy_spacing(f"{what}在全部 {n_cases} 个测试用例上都与参考实现一致。"))


def check_choice(answer, correct, options: Sequence, *, hint: str, what: str = "选择") -> Feedback:
    """A multiple-choice answer: ``answer`` must be one of ``options`` and equal ``correct``."""
    if answer is None:
        return Feedback(False, tidy_spacing(f"请为{what}从 {list(options)} 中选一个。"), answered=False)
    if answer not in options:
        return Feedback(False, f"{answer!r} 不是可选项；请从 {list(options)} 中选。")
    if answer == correct:
        return Feedback(True, tidy_spacing(f"{what}选 {answer!r} 是对的。"))
    return Feedback(False, tidy_spacing(f"{what}选 {answer!r} 不对。") + f"提示：{hint}")
