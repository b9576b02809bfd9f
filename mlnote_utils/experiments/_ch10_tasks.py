"""Chapter 10's generated tasks: audio frame counts, word-sense labelling, an order task, long-range recall,
a two-community graph, and the best accuracy a fixed window allows. Re-exported by
:mod:`mlnote_utils.experiments.ch10`, which holds the models and timing helpers.
"""

from __future__ import annotations

import math

import torch

from .._checks import positive_int as _int

__all__ = [
    "n_frames",
    "make_topic_labelling",
    "make_order_task",
    "make_recall_task",
    "make_two_community_graph",
    "token_accuracy",
    "ideal_window_accuracy",
]


def n_frames(duration_ms: float, window_ms: float = 25.0, hop_ms: float = 10.0) -> int:
    """How many feature vectors a signal of ``duration_ms`` gives with a ``window_ms`` window every ``hop_ms``.

    >>> n_frames(1000)
    98
    """
    if not (duration_ms > 0 and window_ms > 0 and hop_ms > 0):
        raise ValueError(
            f"duration_ms, window_ms, hop_ms = {duration_ms}, {window_ms}, {hop_ms}: expected > 0"
        )
    if duration_ms < window_ms:
        return 0
    return int(math.floor((duration_ms - window_ms) / hop_ms + 1e-9)) + 1


def make_topic_labelling(
    n_sequences: int, seq_len: int = 16, n_words: int = 8, *, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequence labelling where each word's label (its "sense") depends on a topic word somewhere in the sentence.

    Tokens ``0..n_words-1`` are words, ``n_words`` and ``n_words + 1`` the two topic words; each sentence has
    exactly one topic word at a uniformly random position. A word ``w`` is labelled ``2w + t`` (``t`` the
    topic), the topic word itself ``2 * n_words``. Knowing only the word gives the right label half the time.

    Returns:
        ``x, y``: ``(n_sequences, seq_len)`` int64 tokens and labels (``2 * n_words + 1`` classes).
    """
    _int(n_sequences, "n_sequences")
    _int(seq_len, "seq_len", 2)
    _int(n_words, "n_words")
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, n_words, (n_sequences, seq_len), generator=g)
    topic = torch.randint(0, 2, (n_sequences,), generator=g)
    where = torch.randint(0, seq_len, (n_sequences,), generator=g)
    rows = torch.arange(n_sequences)
    y = 2 * x + topic[:, None]
    x[rows, where] = n_words + topic
    y[rows, where] = 2 * n_words
    return x, y


def make_order_task(
    n_sequences: int, seq_len: int = 8, n_fillers: int = 6, *, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Does token A come before token B? One A (token 0) and one B (token 1) among filler tokens ``2..``.

    Returns:
        ``x (n_sequences, seq_len)`` int64 tokens and ``y (n_sequences,)`` = 1 when A is before B.
    """
    _int(n_sequences, "n_sequences")
    _int(seq_len, "seq_len", 2)
    _int(n_fillers, "n_fillers")
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(2, 2 + n_fillers, (n_sequences, seq_len), generator=g)
    pos = torch.argsort(torch.rand(n_sequences, seq_len, generator=g), dim=1)[:, :2]  # two distinct places
    rows = torch.arange(n_sequences)
    x[rows, pos[:, 0]] = 0
    x[rows, pos[:, 1]] = 1
    return x, (pos[:, 0] < pos[:, 1]).long()


def make_recall_task(
    n_sequences: int, distance: int, n_keys: int = 4, n_fillers: int = 8, *, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Recall the key token seen ``distance`` steps before the end: key first, then ``distance`` fillers.

    Keys are tokens ``0..n_keys-1`` (they appear only at position 0), fillers ``n_keys..``; the label is the key.

    Returns:
        ``x (n_sequences, distance + 1)`` int64 tokens and ``y (n_sequences,)`` int64 keys.
    """
    _int(n_sequences, "n_sequences")
    _int(distance, "distance")
    _int(n_keys, "n_keys", 2)
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, n_keys, (n_sequences,), generator=g)
    fill = torch.randint(n_keys, n_keys + _int(n_fillers, "n_fillers"), (n_sequences, distance), generator=g)
    return torch.cat([y[:, None], fill], dim=1), y


def make_two_community_graph(
    n_nodes: int = 60, *, p_in: float = 0.25, p_out: float = 0.02, feature_noise: float = 1.5, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A stochastic block model with two communities and noisy one-number node features.

    Nodes ``i < n_nodes // 2`` are community 0. An edge joins two nodes of the same community with
    probability ``p_in`` and of different ones with ``p_out`` (undirected, no self loops). Each node's
    feature is ``±1`` (its community) plus Gaussian noise of standard deviation ``feature_noise``.

    Returns:
        ``adjacency (n, n)`` float 0/1 symmetric, ``features (n, 1)`` float, ``labels (n,)`` int64.
    """
    _int(n_nodes, "n_nodes", 4)
    for p, name in ((p_in, "p_in"), (p_out, "p_out")):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name}={p!r}: expected a probability in [0, 1]")
    g = torch.Generator().manual_seed(seed)
    labels = (torch.arange(n_nodes) >= n_nodes // 2).long()
    same = labels[:, None] == labels[None, :]
    prob = torch.where(same, torch.tensor(p_in), torch.tensor(p_out))
    upper = (torch.rand(n_nodes, n_nodes, generator=g) < prob).triu(1)
    adjacency = (upper | upper.T).float()
    features = (2.0 * labels - 1.0)[:, None] + feature_noise * torch.randn(n_nodes, 1, generator=g)
    return adjacency, features, labels


def token_accuracy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Accuracy over every token: ``logits (B, N, C)``, ``targets (B, N)``."""
    if logits.ndim != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(
            f"logits (B, N, C) and targets (B, N) expected, got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )
    return (logits.argmax(-1) == targets).float().mean()


def ideal_window_accuracy(seq_len: int, window: int) -> float:
    """The best token accuracy on :func:`make_topic_labelling` for a model that sees ``±window`` tokens.

    A token sees the topic word when ``|i − p| ≤ window`` (``i`` its position, ``p`` the topic's, both
    uniform on ``0..seq_len-1``) and is then always right; otherwise the best guess of the topic is right
    half the time. So the accuracy is ``1/2 + 1/2 · P(|i − p| ≤ window)``.

    >>> ideal_window_accuracy(16, 0), ideal_window_accuracy(16, 15)
    (0.53125, 1.0)
    """
    _int(seq_len, "seq_len", 2)
    _int(window, "window", 0)
    i = torch.arange(seq_len)
    seen = ((i[:, None] - i[None, :]).abs() <= window).double().mean()
    return float(0.5 + 0.5 * seen)
