"""Decoding an autoregressive model: greedy, beam search, exhaustive search, and a sequence's log-probability.

Every search works on any model given as ``step_fn(prefixes (B, t) long) -> log-probs (B, V)`` of the next
token (``Seq2SeqTransformer.step_fn(src)`` builds one). Re-exported by :mod:`mlnote_utils.seq2seq`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

__all__ = ["Hypothesis", "greedy_decode", "beam_search", "exhaustive_search", "sequence_log_prob"]

StepFn = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Hypothesis:
    """A decoded sequence (without BOS; ends with EOS when finished), its log-probability and its score."""

    tokens: tuple[int, ...]
    log_prob: float
    score: float


def _score(log_prob: float, length: int, length_penalty: float) -> float:
    return log_prob / (length**length_penalty) if length_penalty else log_prob


def _check_decoding(bos, eos, max_len, beam_size=1) -> None:
    for name, v in (("max_len", max_len), ("beam_size", beam_size)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name}={v!r}: expected a positive int")
    if bos == eos:
        raise ValueError(f"bos={bos}, eos={eos}: expected two different token ids")


def greedy_decode(step_fn: StepFn, bos: int, eos: int, max_len: int, batch_size: int = 1):
    """Pick the most probable next token each step, for ``batch_size`` sequences at once.

    Returns ``(tokens (B, ≤max_len), log_probs (B,))``: tokens after EOS are EOS; log-probs sum up to EOS.
    """
    _check_decoding(bos, eos, max_len)
    prefixes = torch.full((batch_size, 1), bos, dtype=torch.long)
    total = torch.zeros(batch_size)
    done = torch.zeros(batch_size, dtype=torch.bool)
    for _ in range(max_len):
        with torch.no_grad():
            logp = step_fn(prefixes).float().cpu()  # (B, V)
        best, token = logp.max(-1)
        token = torch.where(done, torch.full_like(token, eos), token)
        total += torch.where(done, torch.zeros_like(best), best)
        prefixes = torch.cat([prefixes, token[:, None]], 1)
        done |= token == eos
        if done.all():
            break
    return prefixes[:, 1:], total


def beam_search(step_fn: StepFn, bos: int, eos: int, beam_size: int, max_len: int, *,
                length_penalty: float = 0.0) -> list[Hypothesis]:  # fmt: skip
    """Keep the ``beam_size`` most probable prefixes at every step; return finished hypotheses, best first.

    A prefix's log-prob is the sum of its tokens' log-probs. A hypothesis that ends in EOS leaves the beam;
    it is scored ``log_prob / length ** length_penalty`` (length counts EOS; 0 = no normalisation). If no
    hypothesis finishes within ``max_len`` tokens, the unfinished beam is returned instead.
    """
    _check_decoding(bos, eos, max_len, beam_size)
    alive: list[tuple[tuple[int, ...], float]] = [((), 0.0)]
    finished: list[Hypothesis] = []
    for _ in range(max_len):
        prefixes = torch.tensor([[bos, *t] for t, _ in alive], dtype=torch.long)
        with torch.no_grad():
            logp = step_fn(prefixes).double().cpu()  # (n_alive, V)
        total = torch.tensor([lp for _, lp in alive], dtype=torch.float64)[:, None] + logp
        values, flat = total.flatten().topk(min(beam_size, total.numel()))
        previous, alive = alive, []
        for value, index in zip(values.tolist(), flat.tolist(), strict=True):
            if value == -math.inf:
                continue
            row, token = divmod(index, logp.shape[1])
            tokens = (*previous[row][0], token)
            if token == eos:
                finished.append(Hypothesis(tokens, value, _score(value, len(tokens), length_penalty)))
            else:
                alive.append((tokens, value))
        if not alive:
            break
    if not finished:
        finished = [Hypothesis(t, lp, _score(lp, len(t), length_penalty)) for t, lp in alive]
    return sorted(finished, key=lambda h: -h.score)


def sequence_log_prob(step_fn: StepFn, bos: int, tokens: Sequence[int]) -> float:
    """log p(tokens | BOS) = Σ_t log p(token_t | BOS, token_<t), scored with one call per token."""
    total, prefix = 0.0, [bos]
    for t in tokens:
        with torch.no_grad():
            total += float(step_fn(torch.tensor([prefix]))[0, t])
        prefix.append(t)
    return total


def exhaustive_search(step_fn: StepFn, bos: int, eos: int, vocab_size: int, max_len: int, *,
                      length_penalty: float = 0.0) -> list[Hypothesis]:  # fmt: skip
    """Score **every** sequence that ends in EOS within ``max_len`` tokens; best first (tiny vocabularies only)."""
    _check_decoding(bos, eos, max_len)
    body = [v for v in range(vocab_size) if v not in (bos, eos)]
    if len(body) ** (max_len - 1) > 200_000:
        raise ValueError(f"vocab_size={vocab_size}, max_len={max_len}: too many sequences to enumerate")
    hyps = []
    for n in range(max_len):
        for middle in itertools.product(body, repeat=n):
            tokens = (*middle, eos)
            lp = sequence_log_prob(step_fn, bos, tokens)
            if lp > -math.inf:
                hyps.append(Hypothesis(tokens, lp, _score(lp, len(tokens), length_penalty)))
    return sorted(hyps, key=lambda h: -h.score)
