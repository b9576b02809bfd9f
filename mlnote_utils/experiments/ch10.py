"""Chapter 10 experiment drivers: the small models that race on the generated tasks, and timing helpers.

The attention itself is in :mod:`mlnote_utils.attention`. The tasks (a word-sense labelling task whose
label depends on a topic word anywhere in the sentence, an order task, a long-range recall task, a
two-community graph) are in :mod:`mlnote_utils.experiments._ch10_tasks` and re-exported here.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import positive_int as _int
from ..attention import MultiHeadSelfAttention, sinusoidal_positional_encoding
from ._ch10_tasks import (
    ideal_window_accuracy,
    make_order_task,
    make_recall_task,
    make_topic_labelling,
    make_two_community_graph,
    n_frames,
    token_accuracy,
)

__all__ = [
    "n_frames",
    "make_topic_labelling",
    "make_order_task",
    "make_recall_task",
    "make_two_community_graph",
    "WindowTagger",
    "AttentionEncoder",
    "SmallCNN1d",
    "PatchAttention1d",
    "RNNClassifier",
    "GraphAttention",
    "token_accuracy",
    "min_time",
    "min_times",
    "ideal_window_accuracy",
    "rnn_loop",
]


class WindowTagger(nn.Module):
    """A fully connected tagger that sees the embeddings of the ``2·window + 1`` tokens around each position."""

    def __init__(self, vocab: int, n_classes: int, window: int, d_emb: int = 16, hidden: int = 64) -> None:
        super().__init__()
        self.window = _int(window, "window", 0)
        self.embed = nn.Embedding(vocab + 1, d_emb)  # the last index pads the sentence ends
        self.pad = vocab
        width = (2 * window + 1) * d_emb
        self.mlp = nn.Sequential(nn.Linear(width, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.window
        padded = F.pad(x, (w, w), value=self.pad)  # (B, N + 2w)
        windows = padded.unfold(1, 2 * w + 1, 1)  # (B, N, 2w + 1)
        return self.mlp(self.embed(windows).flatten(2))  # (B, N, C)


class AttentionEncoder(nn.Module):
    """Embedding (+ optional sinusoidal PE) → multi-head self-attention → per-token MLP on ``[x, attention]``.

    ``pool=None`` returns per-token logits ``(B, N, C)`` (sequence labelling); ``"mean"`` or ``"last"``
    returns one ``(B, C)`` row per sequence. ``forward(x, mask=None, return_weights=False)``.
    """

    def __init__(
        self,
        vocab: int,
        n_classes: int,
        *,
        d_model: int = 32,
        n_heads: int = 2,
        max_len: int = 64,
        use_pe: bool = True,
        pool: str | None = None,
        hidden: int = 64,
    ) -> None:
        super().__init__()
        if pool not in (None, "mean", "last"):
            raise ValueError(f"pool={pool!r}: expected None, 'mean' or 'last'")
        self.pool = pool
        self.embed = nn.Embedding(vocab, d_model)
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model) if use_pe else None)
        self.attn = MultiHeadSelfAttention(d_model, n_heads)
        self.mlp = nn.Sequential(nn.Linear(2 * d_model, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, return_weights: bool = False):
        h = self.embed(x)  # (B, N, d)
        if self.pe is not None:
            if x.shape[1] > len(self.pe):
                raise ValueError(f"x: sequences of {x.shape[1]} tokens, but max_len is {len(self.pe)}")
            h = h + self.pe[: x.shape[1]]
        a, weights = self.attn(h, mask)  # (B, N, d), (B, H, N, N)
        z = torch.cat([h, a], dim=-1)  # (B, N, 2d)
        if self.pool == "mean":
            z = z.mean(1)  # (B, 2d)
        elif self.pool == "last":
            z = z[:, -1]  # (B, 2d)
        out = self.mlp(z)
        return (out, weights) if return_weights else out


class SmallCNN1d(nn.Module):
    """Two 1-D convolutions (kernel 5) with max pooling and a linear read-out, for 40-sample MNIST-1D signals."""

    def __init__(self, channels: int = 16, n_classes: int = 10, length: int = 40) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(1, channels, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(channels, channels, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Flatten(), nn.Linear(channels * (length // 4), n_classes),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x[:, None, :])  # (B, 1, L) -> (B, C)


class PatchAttention1d(nn.Module):
    """A small self-attention classifier for 1-D signals: patches of ``patch`` samples are the tokens.

    Patches → linear embedding + sinusoidal PE → one multi-head self-attention layer (residual) →
    per-token MLP (residual) → mean over tokens → linear read-out.
    """

    def __init__(
        self, d_model: int = 32, n_heads: int = 4, patch: int = 4, length: int = 40, n_classes: int = 10
    ):
        super().__init__()
        if length % patch:
            raise ValueError(f"patch={patch}: expected a divisor of length={length}")
        self.patch = patch
        self.embed = nn.Linear(patch, d_model)
        self.register_buffer("pe", sinusoidal_positional_encoding(length // patch, d_model))
        self.attn = MultiHeadSelfAttention(d_model, n_heads)
        self.ff = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.ReLU(), nn.Linear(2 * d_model, d_model))
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x.unflatten(1, (-1, self.patch))) + self.pe  # (B, L/patch, d)
        h = h + self.attn(h)[0]
        h = h + self.ff(h)
        return self.head(h.mean(1))  # (B, C)


class RNNClassifier(nn.Module):
    """Embedding → a one-layer ``tanh`` RNN → linear read-out of the last hidden state."""

    def __init__(self, vocab: int, n_classes: int, d_emb: int = 16, hidden: int = 32) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, d_emb)
        self.rnn = nn.RNN(d_emb, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, h = self.rnn(self.embed(x))  # h: (1, B, hidden)
        return self.head(h[0])


class GraphAttention(nn.Module):
    """Two layers of single-head self-attention over a graph's nodes, each restricted by a mask.

    ``forward(features (n, d_in), mask (n, n) or None) -> logits (n, n_classes)``; with the adjacency mask a
    node only mixes in its neighbours (a graph attention network); with ``None`` it attends to every node.
    """

    def __init__(self, d_in: int = 1, d_model: int = 16, n_classes: int = 2) -> None:
        super().__init__()
        self.inp = nn.Linear(d_in, d_model)
        self.layers = nn.ModuleList([MultiHeadSelfAttention(d_model, 1) for _ in range(2)])
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, features: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        h = torch.relu(self.inp(features))[None]  # (1, n, d)
        for layer in self.layers:
            h = torch.relu(h + layer(h, mask)[0])
        return self.head(h[0])  # (n, C)


def rnn_loop(cell: nn.RNNCell, x: torch.Tensor) -> torch.Tensor:
    """Run an ``RNNCell`` over ``x (B, N, d)`` one position at a time; returns every hidden state ``(B, N, h)``."""
    h = torch.zeros(x.shape[0], cell.hidden_size, dtype=x.dtype, device=x.device)
    states = []
    for t in range(x.shape[1]):  # step t needs the state of step t - 1: no parallelism along the sequence
        h = cell(x[:, t], h)
        states.append(h)
    return torch.stack(states, dim=1)


def min_time(fn, *, repeats: int = 5, warmup: int = 1) -> float:
    """The fastest of ``repeats`` wall-clock timings of ``fn()`` in seconds (after ``warmup`` untimed calls)."""
    _int(repeats, "repeats")
    for _ in range(warmup):
        fn()
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def min_times(fns: dict, *, repeats: int = 5, warmup: int = 1) -> dict[str, float]:
    """The fastest wall-clock time (seconds) of each ``fns[name]()``, measured in interleaved rounds.

    Each round calls every function once, so a burst of load from another program slows all of them
    alike rather than only the one that happened to be running.
    """
    _int(repeats, "repeats")
    if not fns:
        raise ValueError("fns: expected at least one function to time")
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    best = dict.fromkeys(fns, math.inf)
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best
