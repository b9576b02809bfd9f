"""Sequence-to-sequence with a Transformer: layer norm, causal mask, encoder/decoder blocks, decoding.

Chapter 11 builds the encoder block by hand in the notebook and checks it against torch; the classes here
are the same blocks, used for training. The decoding searches live in :mod:`mlnote_utils.decoding` and are
re-exported here (``s2s.beam_search``); they work on any model given as ``step_fn(prefixes) -> log-probs``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from .decoding import Hypothesis, StepFn, beam_search, exhaustive_search, greedy_decode, sequence_log_prob

__all__ = [
    "PAD",
    "BOS",
    "EOS",
    "Vocab",
    "encode_pairs",
    "layer_norm",
    "causal_mask",
    "EncoderBlock",
    "DecoderBlock",
    "Seq2SeqTransformer",
    "NonAutoregressiveTransformer",
    "CopyTransformer",
    "Hypothesis",
    "greedy_decode",
    "beam_search",
    "exhaustive_search",
    "sequence_log_prob",
]

PAD, BOS, EOS = 0, 1, 2


class Vocab:
    """Token ↔ id; ids 0, 1, 2 are ``<pad>``, ``<bos>``, ``<eos>``.

    >>> v = Vocab("ab")
    >>> v.encode(list("ba")), v.decode([4, 3, 2, 0])
    ([4, 3], ['b', 'a'])
    """

    def __init__(self, tokens: Sequence[str]) -> None:
        self.itos = ["<pad>", "<bos>", "<eos>", *sorted(set(tokens))]
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: Sequence[str]) -> list[int]:
        unknown = [t for t in tokens if t not in self.stoi]
        if unknown:
            raise ValueError(f"tokens: {unknown[:3]} are not in the vocabulary")
        return [self.stoi[t] for t in tokens]

    def decode(self, ids: Sequence[int]) -> list[str]:
        """Tokens up to (not including) the first ``<eos>``; ``<pad>``/``<bos>`` are skipped."""
        out = []
        for i in ids:
            if i == EOS:
                break
            if i not in (PAD, BOS):
                out.append(self.itos[i])
        return out


def encode_pairs(pairs, src_vocab: Vocab, tgt_vocab: Vocab) -> tuple[torch.Tensor, torch.Tensor]:
    """``(src (N, S), tgt (N, T))`` padded with ``PAD``; each target row is ``BOS y… EOS``.

    >>> src, tgt = encode_pairs([(["a"], ["b", "b"])], Vocab("a"), Vocab("b"))
    >>> src.tolist(), tgt.tolist()
    ([[3]], [[1, 3, 3, 2]])
    """
    if not pairs:
        raise ValueError("pairs: expected at least one (source, target) pair")
    srcs = [src_vocab.encode(s) for s, _ in pairs]
    tgts = [[BOS, *tgt_vocab.encode(t), EOS] for _, t in pairs]

    def pad(rows):
        out = torch.full((len(rows), max(map(len, rows))), PAD, dtype=torch.long)
        for i, r in enumerate(rows):
            out[i, : len(r)] = torch.tensor(r)
        return out

    return pad(srcs), pad(tgts)


def layer_norm(x: torch.Tensor, weight=None, bias=None, eps: float = 1e-5) -> torch.Tensor:
    """Normalise each vector over its **last** axis (its features): ``(x - mean) / sqrt(var + eps) * w + b``.

    The variance is the biased one (divide by D), as in ``nn.LayerNorm``.
    """
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    out = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def causal_mask(size: int, device=None) -> torch.Tensor:
    """``(size, size)`` bool mask, True where query i may **not** look: key j > i (the future).

    >>> causal_mask(3).int().tolist()
    [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size={size!r}: expected a positive int")
    return torch.triu(torch.ones(size, size, dtype=torch.bool, device=device), diagonal=1)


class EncoderBlock(nn.Module):
    """Post-norm encoder block: ``x = LN(x + SelfAttn(x)); x = LN(x + FFN(x))``."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ffn = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)

    def forward(self, x: torch.Tensor, pad_mask: torch.Tensor | None = None) -> torch.Tensor:
        a, _ = self.attn(x, x, x, key_padding_mask=pad_mask, need_weights=False)
        x = self.norm1(x + a)  # residual, then layer norm
        return self.norm2(x + self.ffn(x))


class DecoderBlock(nn.Module):
    """Post-norm decoder block: masked self-attention, cross-attention to the encoder output, FFN.

    ``forward`` returns the new states and the cross-attention weights ``(B, T, S)`` (averaged over heads).
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int) -> None:
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.cross_attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ffn = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))

    def forward(self, y, memory, *, causal: bool = True, memory_pad_mask=None):
        mask = causal_mask(y.shape[1], y.device) if causal else None
        a, _ = self.self_attn(y, y, y, attn_mask=mask, need_weights=False)
        y = self.norm1(y + a)
        c, weights = self.cross_attn(y, memory, memory, key_padding_mask=memory_pad_mask)  # (B, T, S)
        y = self.norm2(y + c)
        return self.norm3(y + self.ffn(y)), weights


class Seq2SeqTransformer(nn.Module):
    """Encoder–decoder Transformer with learned positional embeddings; ``forward(src, tgt_in) -> logits``.

    ``causal=False`` gives the non-autoregressive variant's decoder (no mask), used with position queries.
    """

    def __init__(self, src_vocab: int, tgt_vocab: int, *, d_model: int = 64, n_heads: int = 4, d_ff: int = 128,
                 n_layers: int = 1, max_len: int = 32) -> None:  # fmt: skip
        super().__init__()
        self.src_emb, self.tgt_emb = nn.Embedding(src_vocab, d_model), nn.Embedding(tgt_vocab, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.encoder = nn.ModuleList(EncoderBlock(d_model, n_heads, d_ff) for _ in range(n_layers))
        self.decoder = nn.ModuleList(DecoderBlock(d_model, n_heads, d_ff) for _ in range(n_layers))
        self.out = nn.Linear(d_model, tgt_vocab)
        self.scale = math.sqrt(d_model)

    def _embed(self, emb: nn.Embedding, tokens: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        return emb(tokens) * self.scale + self.pos(positions)  # (B, L, D)

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Encoder output ``(B, S, D)`` and the source padding mask ``(B, S)``."""
        pad = src == PAD
        x = self._embed(self.src_emb, src)
        for block in self.encoder:
            x = block(x, pad)
        return x, pad

    def decode(self, tgt_in, memory, memory_pad, *, causal: bool = True, return_attention: bool = False):
        """Logits ``(B, T, V)`` for every position of ``tgt_in`` (and the last block's cross-attention)."""
        y = self._embed(self.tgt_emb, tgt_in)
        weights = None
        for block in self.decoder:
            y, weights = block(y, memory, causal=causal, memory_pad_mask=memory_pad)
        logits = self.out(y)
        return (logits, weights) if return_attention else logits

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        memory, pad = self.encode(src)
        return self.decode(tgt_in, memory, pad)

    def step_fn(self, src: torch.Tensor) -> StepFn:
        """``step_fn(prefixes)`` for :func:`greedy_decode`/:func:`beam_search`: next-token log-probs given ``src``.

        ``src`` is ``(1, S)`` (repeated for every prefix, as beam search needs) or ``(B, S)`` (one per prefix).
        """
        memory, pad = self.encode(src)

        def step(prefixes: torch.Tensor) -> torch.Tensor:
            prefixes, n = prefixes.to(memory.device), len(prefixes)
            mem, mpad = (memory.expand(n, -1, -1), pad.expand(n, -1)) if len(memory) == 1 else (memory, pad)
            return torch.log_softmax(self.decode(prefixes, mem, mpad)[:, -1], -1)

        return step


class NonAutoregressiveTransformer(Seq2SeqTransformer):
    """NAT: predict the output length, then write every token at once from ``length`` BOS inputs (no mask).

    ``forward(src, tgt_in)`` takes ``tgt_in`` = BOS at the output positions, PAD after them, and returns
    ``(token logits (B, T, V), length logits (B, max_out + 1))``.
    """

    def __init__(self, src_vocab: int, tgt_vocab: int, *, max_out: int = 16, **kwargs) -> None:
        super().__init__(src_vocab, tgt_vocab, **kwargs)
        self.max_out = max_out
        self.length_head = nn.Linear(self.out.in_features, max_out + 1)

    def length_logits(self, memory: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        keep = (~pad).unsqueeze(-1).to(memory.dtype)  # (B, S, 1)
        pooled = (memory * keep).sum(1) / keep.sum(1).clamp(min=1)  # mean over the real source tokens
        return self.length_head(pooled)

    @staticmethod
    def queries(lengths: torch.Tensor, size: int | None = None) -> torch.Tensor:
        """Decoder input: BOS at positions < length, PAD after. ``(B, size)``.

        >>> NonAutoregressiveTransformer.queries(torch.tensor([1, 3])).tolist()
        [[1, 0, 0], [1, 1, 1]]
        """
        size = int(lengths.max()) if size is None else size
        positions = torch.arange(size, device=lengths.device)
        return torch.where(positions < lengths[:, None], BOS, PAD)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor):
        memory, pad = self.encode(src)
        return self.decode(tgt_in, memory, pad, causal=False), self.length_logits(memory, pad)

    def generate(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Predicted lengths ``(B,)`` and tokens ``(B, max length)`` (PAD after each length): one decoder pass."""
        with torch.no_grad():  # (a block, not a decorator: mutation testing skips decorated functions)
            memory, pad = self.encode(src)
            lengths = self.length_logits(memory, pad)[:, 1:].argmax(-1) + 1  # at least one token
            tgt_in = self.queries(lengths)
            tokens = self.decode(tgt_in, memory, pad, causal=False).argmax(-1)
        return lengths, torch.where(tgt_in == BOS, tokens, PAD)


class CopyTransformer(Seq2SeqTransformer):
    """Copy mechanism (pointer–generator) over one shared vocabulary; ``decode`` returns **log-probabilities**.

    ``p(y) = g · softmax(W h)_y + (1 − g) · Σ_{j: x_j = y} α_j`` with the gate ``g = σ(w·h + b)`` and ``α`` the
    last block's cross-attention. ``encode`` returns ``(memory, src)``: the source ids travel with the
    memory (their PAD positions are the padding mask), so the copy distribution can be built in ``decode``.
    Because the output is already normalised, ``log_softmax`` of it (as in :meth:`step_fn` or
    ``F.cross_entropy``) leaves it unchanged.
    """

    def __init__(self, vocab: int, **kwargs) -> None:
        super().__init__(vocab, vocab, **kwargs)
        self.gate = nn.Linear(self.out.in_features, 1)

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        memory, _ = super().encode(src)
        return memory, src

    def decode(self, tgt_in, memory, src, *, causal: bool = True, return_attention: bool = False):
        y = self._embed(self.tgt_emb, tgt_in)
        for block in self.decoder:
            y, weights = block(y, memory, causal=causal, memory_pad_mask=src == PAD)  # weights (B, T, S)
        gate = torch.sigmoid(self.gate(y))  # (B, T, 1): 1 = generate, 0 = copy
        copy = torch.zeros(*y.shape[:2], self.out.out_features, device=y.device, dtype=y.dtype)
        copy.scatter_add_(2, src[:, None, :].expand(-1, y.shape[1], -1), weights)  # (B, T, V)
        log_probs = torch.log(gate * torch.softmax(self.out(y), -1) + (1 - gate) * copy + 1e-9)
        return (log_probs, weights) if return_attention else log_probs
