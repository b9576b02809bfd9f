"""Exercise checkers for chapter 11 (Transformer, seq2seq decoding)."""

from __future__ import annotations

import torch

from .. import alignment, seq2seq
from . import Feedback, check_close, check_function

__all__ = [
    "check_causal_mask",
    "check_beam_step",
    "check_normalised_score",
    "check_guided_weights",
    "LENGTH_CASE",
]

#: Exercise 3: two finished hypotheses (log-prob, number of tokens counting END) and the length penalty.
LENGTH_CASE = {"A": (-2.0, 2), "B": (-3.0, 5), "length_penalty": 1.0}


def _unfinished(fn, args, what: str) -> Feedback | None:
    """A hint when the learner's function is still the ``return None`` placeholder."""
    if fn is None or not callable(fn):
        return check_function(fn, lambda *a: None, [], hint="", what=what)
    try:
        out = fn(*args)
    except Exception:  # noqa: BLE001 - check_function reports errors with the failing case
        return None
    if out is None:
        return Feedback(False, f"{what}尚未实现：它还在返回 None，把 return None 换成你的实现。")
    return None


def check_causal_mask(fn) -> Feedback:
    """Exercise 1: ``fn(n) -> (n, n)`` bool mask, True where query i may not look at key j (j > i)."""
    unfinished = _unfinished(fn, (3,), "你的因果掩码函数")
    if unfinished is not None:
        return unfinished
    return check_function(
        fn,
        lambda n: seq2seq.causal_mask(n),
        [(n,) for n in (1, 2, 4, 7)],
        what="你的因果掩码函数",
        hint="第 i 行第 j 列为 True 表示“位置 i 不能看位置 j”：只有 j > i（未来）是 True，对角线（自己）可以看；"
        "torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)。",
        rtol=0,
        atol=0,
    )


def _reference_beam_step(beam_log_probs, next_log_probs, beam_size):
    total = beam_log_probs[:, None] + next_log_probs  # (k, V)
    scores, flat = total.flatten().topk(beam_size)
    parents, tokens = flat // next_log_probs.shape[1], flat % next_log_probs.shape[1]
    return scores, parents, tokens


def _stacked(fn):
    def run(*args):
        scores, parents, tokens = fn(*args)
        return torch.stack(
            [torch.as_tensor(v, dtype=torch.float64).reshape(-1) for v in (scores, parents, tokens)]
        )

    return run


def check_beam_step(fn) -> Feedback:
    """Exercise 2: one beam-search step ``fn(beam_log_probs (k,), next_log_probs (k, V), beam_size)``.

    Must return ``(scores, parents, tokens)``, each of length ``beam_size``, best first.
    """
    g = torch.Generator().manual_seed(11)
    cases = []
    for k, v, b in ((1, 5, 3), (2, 4, 2), (3, 6, 3), (4, 7, 4), (3, 5, 5)):
        beam = torch.log_softmax(torch.randn(k, generator=g, dtype=torch.float64) * 2, 0)
        nxt = torch.log_softmax(torch.randn(k, v, generator=g, dtype=torch.float64) * 2, -1)
        cases.append((beam, nxt, b))
    unfinished = _unfinished(fn, cases[0], "你的束搜索单步函数")
    if unfinished is not None:
        return unfinished
    return check_function(
        _stacked(fn),
        _stacked(_reference_beam_step),
        cases,
        what="你的束搜索单步函数",
        hint="每条候选的分数 = 它所在前缀的对数概率 + 这一步那个字的对数概率（相加，不是相乘）；"
        "把 (k, V) 个分数摊平，取最大的 beam_size 个（从大到小）；摊平后的下标 i 对应 parent = i // V、token = i % V。",
        rtol=1e-9,
        atol=1e-12,
    )


def check_normalised_score(answer) -> Feedback:
    """Exercise 3: the length-normalised score of hypothesis B in :data:`LENGTH_CASE`."""
    log_prob, length = LENGTH_CASE["B"]
    return check_close(
        answer,
        log_prob / length ** LENGTH_CASE["length_penalty"],
        what="B 的归一化分数",
        hint="分数 = 对数概率 / 长度^α，α = 1；长度要把 END 也算进去（题目给的 5 已经算上了）。结果是负数。",
        rtol=1e-6,
        atol=0,
    )


def check_guided_weights(fn) -> Feedback:
    """Exercise 4: ``fn(T, S, g) -> (T, S)`` guided-attention penalty ``1 − exp(−(i/T − j/S)² / (2g²))``."""
    unfinished = _unfinished(fn, (4, 3, 0.2), "你的引导注意力惩罚函数")
    if unfinished is not None:
        return unfinished
    return check_function(
        lambda t, s, g: torch.as_tensor(fn(t, s, g), dtype=torch.float64),
        lambda t, s, g: alignment.guided_attention_weights([t], [s], g=g)[0].double(),
        [(3, 3, 0.2), (8, 3, 0.2), (5, 7, 0.3), (6, 2, 0.5)],
        what="你的引导注意力惩罚函数",
        hint="W[i, j] = 1 − exp(−(i/T − j/S)² / (2g²))，i = 0…T−1 是输出位置（行），j = 0…S−1 是输入位置（列）；"
        "位置除以长度 T、S（不是 T−1），分母里是 g 的平方。",
        rtol=1e-5,
        atol=1e-6,
    )
