"""Exercise checkers for chapter 10 (self-attention)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import Feedback, check_close, check_function

__all__ = ["check_attention_one_query", "check_n_frames", "check_mhsa_param_count"]

#: Exercise 2: a one-second recording, 25 ms windows every 10 ms.
AUDIO_MS, WINDOW_MS, HOP_MS = 1000, 25, 10
#: Exercise 3: multi-head self-attention with this width and number of heads (with biases).
D_MODEL, N_HEADS = 64, 8


def _reference_one_query(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    return F.scaled_dot_product_attention(q.double()[None], k.double(), v.double())[0]


def _cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(10)
    cases = []
    for n_keys, d, d_v, scale in [(4, 3, 2, 1.0), (7, 8, 5, 2.0), (12, 16, 16, 3.0)]:
        q = torch.randn(d, generator=g) * scale
        cases.append((q, torch.randn(n_keys, d, generator=g) * scale, torch.randn(n_keys, d_v, generator=g)))
    return cases


def _first_mismatch(fn, cases, rtol: float, atol: float) -> str:
    for i, args in enumerate(cases):
        try:
            got = np.asarray(torch.as_tensor(fn(*args)).detach().double().cpu())
        except Exception:  # noqa: BLE001 - the message of check_function already reports it
            return ""
        want = np.asarray(_reference_one_query(*args))
        if got.shape != want.shape:
            return ""
        bad = np.flatnonzero(~np.isclose(got, want, rtol=rtol, atol=atol))
        if bad.size:
            j = int(bad[0])
            return f" 第一处不一致：第 {i + 1} 个测试用例的第 {j} 个分量，应为 {want[j]:.5f}，你的函数给出 {got[j]:.5f}。"
    return ""


def check_attention_one_query(fn) -> Feedback:
    """Exercise 1: ``fn(q (d,), k (M, d), v (M, d_v)) -> b (d_v,)`` = softmax(q·kᵢ/√d) weighted sum of the vᵢ.

    The learner's function runs on random inputs against ``F.scaled_dot_product_attention``; on a wrong
    answer the message names the first case and component that differ.
    """
    cases, rtol, atol = _cases(), 1e-4, 1e-5
    if callable(fn):
        try:
            if fn(*cases[0]) is None:
                return Feedback(False, "你的注意力函数返回了 None：把 `return None` 换成你的实现。")
        except Exception:  # noqa: BLE001 - check_function below reports the error with a hint
            pass
    result = check_function(
        fn,
        _reference_one_query,
        cases,
        what="你的注意力函数",
        hint="先算分数 αᵢ = q·kᵢ / √d（d 是 q 的长度），对所有 i 做 softmax 得到 α′ᵢ，再求 b = Σᵢ α′ᵢ vᵢ。",
        rtol=rtol,
        atol=atol,
    )
    if result or fn is None or not callable(fn) or "不一致的元素" in result.message:
        return result  # (newer check_function versions already name the first differing element)
    return Feedback(False, result.message + _first_mismatch(fn, cases, rtol, atol))


def check_n_frames(answer) -> Feedback:
    """Exercise 2: how many feature vectors a ``AUDIO_MS`` recording gives (``WINDOW_MS`` windows, ``HOP_MS`` hop)."""
    expected = (AUDIO_MS - WINDOW_MS) // HOP_MS + 1
    return check_close(
        answer,
        expected,
        what="帧数",
        hint="第一个窗口占 0–25 ms，之后每个窗口向后移 10 ms；最后一个窗口必须完整地落在录音里。"
        "数一数窗口的起点 0, 10, 20, … 最大能到多少。",
        rtol=0.0,
        atol=0.5,
    )


def check_mhsa_param_count(answer) -> Feedback:
    """Exercise 3: the number of learned numbers in ``MultiHeadSelfAttention(D_MODEL, N_HEADS)`` (with biases)."""
    expected = 4 * (D_MODEL * D_MODEL + D_MODEL)
    return check_close(
        answer,
        expected,
        what="参数个数",
        hint="W_q、W_k、W_v、W_o 各是一个 d_model×d_model 的矩阵加一个长度为 d_model 的偏置；"
        "分成几个头只是把矩阵的输出切成几段，并不增加参数。",
        rtol=0.0,
        atol=0.5,
    )
