"""Self-attention by hand: scaled dot-product attention, multi-head self-attention, an attention-map plot.

The masks (:mod:`mlnote_utils.attention_masks`) and the sinusoidal positional encoding
(:mod:`mlnote_utils.positional_encoding`) live in their own modules; their public names are re-exported
here, so ``mu.attention.causal_mask`` and ``mu.attention.sinusoidal_positional_encoding`` work as well.

Everything here is checked against the torch built-ins in ``tests/test_attention.py``:
:func:`scaled_dot_product_attention` against ``F.scaled_dot_product_attention`` (with boolean and additive
masks) and :class:`MultiHeadSelfAttention` against ``nn.MultiheadAttention`` with copied weights.

Masks follow ``F.scaled_dot_product_attention``: a boolean mask is ``True`` where a query *may* attend to
a key (``nn.MultiheadAttention``'s boolean ``attn_mask`` means the opposite); a float mask is added to the
scores.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .attention_masks import adjacency_mask, causal_mask, local_mask
from .positional_encoding import pe_shift_matrix, sinusoidal_positional_encoding

__all__ = [
    "scaled_dot_product_attention",
    "self_attention",
    "MultiHeadSelfAttention",
    "sinusoidal_positional_encoding",
    "pe_shift_matrix",
    "causal_mask",
    "local_mask",
    "adjacency_mask",
    "plot_attention_map",
]


def _shape(t: torch.Tensor) -> tuple[int, ...]:
    return tuple(t.shape)


def _check_tensor(t, name: str, min_dim: int = 2) -> None:
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor, got {type(t).__name__}")
    if t.ndim < min_dim:
        raise ValueError(f"{name}: expected at least {min_dim} dimensions (..., N, d), got shape {_shape(t)}")


def _check_mask(mask: torch.Tensor, n_q: int, n_k: int) -> None:
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"mask: expected a torch.Tensor (bool or float), got {type(mask).__name__}")
    if mask.ndim < 2 or mask.shape[-2:] != (n_q, n_k):
        raise ValueError(f"mask: expected shape (..., {n_q}, {n_k}) (queries, keys), got {_shape(mask)}")
    if mask.dtype == torch.bool and not mask.any(dim=-1).all():
        raise ValueError("mask: some query may attend to no key (a row of the boolean mask is all False)")


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    *,
    need_weights: bool = True,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``softmax(q kᵀ / √d + mask) v``, written out; returns ``(output, weights)``.

    Args:
        q: queries ``(..., N, d)``.
        k: keys ``(..., M, d)``.
        v: values ``(..., M, d_v)``.
        mask: ``(..., N, M)``, boolean (``True`` = may attend) or float (added to the scores).
        need_weights: return the ``(..., N, M)`` weights. With ``False`` the same formula runs one
            (batch, head) slice at a time, so each ``N × M`` score matrix stays in the CPU cache instead
            of one huge array being written and read three times (and ``None`` is returned for the weights).

    Returns:
        ``output (..., N, d_v)`` and the attention weights ``(..., N, M)`` (each row sums to 1), or ``None``.

    >>> out, w = scaled_dot_product_attention(torch.zeros(2, 3), torch.zeros(4, 3), torch.eye(4))
    >>> w[0].tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    for t, name in ((q, "q"), (k, "k"), (v, "v")):
        _check_tensor(t, name)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q, k: expected the same last dimension d, got q {_shape(q)} and k {_shape(k)}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"k, v: expected the same number of keys and values, got k {_shape(k)} and v {_shape(v)}"
        )
    if mask is not None:
        _check_mask(mask, q.shape[-2], k.shape[-2])
        if mask.dtype == torch.bool:
            mask = torch.zeros(mask.shape, dtype=q.dtype, device=q.device).masked_fill(~mask, float("-inf"))
    q = q * (1.0 / math.sqrt(q.shape[-1]))  # scale the (N, d) queries rather than the (N, M) scores
    if need_weights:
        scores = q @ k.transpose(-2, -1)  # (..., N, M)
        if mask is not None:
            scores = scores + mask
        weights = torch.softmax(scores, dim=-1)  # (..., N, M): softmax over the keys of each query
        return weights @ v, weights  # (..., N, d_v)
    n, m = q.shape[-2], k.shape[-2]
    lead = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    if mask is not None:
        lead = torch.broadcast_shapes(lead, mask.shape[:-2])
    qs, ks, vs = (t.expand(*lead, *t.shape[-2:]).reshape(-1, *t.shape[-2:]) for t in (q, k, v))  # (L, ·, ·)
    ms = None if mask is None else mask.expand(*lead, n, m).reshape(-1, n, m)  # (L, N, M)
    out = torch.empty(len(qs), n, vs.shape[-1], dtype=vs.dtype, device=vs.device)  # (L, N, d_v)
    block = max(1, 65536 // (n * m))  # slices per block: about 256 KiB of scores
    for i in range(0, len(qs), block):
        scores = torch.bmm(qs[i : i + block], ks[i : i + block].transpose(-2, -1))  # (b, N, M)
        if ms is not None:
            scores = scores + ms[i : i + block]
        torch.bmm(torch.softmax(scores, dim=-1), vs[i : i + block], out=out[i : i + block])
    return out.view(*lead, n, vs.shape[-1]), None


def self_attention(
    x: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
    w_v: torch.Tensor,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One head of self-attention: ``Q = x W_q``, ``K = x W_k``, ``V = x W_v``, then scaled dot-product attention.

    Args:
        x: the input vectors ``(..., N, d_in)``.
        w_q, w_k: ``(d_in, d_k)``; w_v: ``(d_in, d_v)``.
        mask: as in :func:`scaled_dot_product_attention`.

    Returns:
        ``(output (..., N, d_v), weights (..., N, N))``.
    """
    _check_tensor(x, "x")
    for w, name in ((w_q, "w_q"), (w_k, "w_k"), (w_v, "w_v")):
        if not isinstance(w, torch.Tensor) or w.ndim != 2 or w.shape[0] != x.shape[-1]:
            got = _shape(w) if isinstance(w, torch.Tensor) else type(w).__name__
            raise ValueError(f"{name}: expected a matrix of shape ({x.shape[-1]}, d), got {got}")
    return scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v, mask)


class MultiHeadSelfAttention(nn.Module):
    """Multi-head self-attention with separate ``w_q``, ``w_k``, ``w_v`` and output ``w_o`` (all ``nn.Linear``).

    ``forward(x (B, N, d_model), mask=None) -> (out (B, N, d_model), weights (B, H, N, N))``.
    """

    def __init__(self, d_model: int, n_heads: int, *, bias: bool = True) -> None:
        super().__init__()
        if not isinstance(d_model, int) or not isinstance(n_heads, int) or d_model < 1 or n_heads < 1:
            raise ValueError(f"d_model={d_model!r}, n_heads={n_heads!r}: expected positive ints")
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads}: expected a divisor of d_model={d_model}")
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)

    def split_heads(self, t: torch.Tensor) -> torch.Tensor:
        """``(B, N, d_model) -> (B, H, N, d_head)``."""
        b, n, _ = t.shape
        return t.view(b, n, self.n_heads, self.d_head).transpose(1, 2)  # (B, H, N, d_head)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[-1] != self.d_model:
            got = _shape(x) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x: expected shape (B, N, {self.d_model}), got {got}")
        b, n, _ = x.shape
        q, k, v = (self.split_heads(w(x)) for w in (self.w_q, self.w_k, self.w_v))  # (B, H, N, d_head)
        if mask is not None and mask.ndim == 3:  # (B, N, N): one mask per sequence, shared by the heads
            mask = mask[:, None]  # (B, 1, N, N)
        heads, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, H, N, d_head), (B, H, N, N)
        concat = heads.transpose(1, 2).reshape(b, n, self.d_model)  # (B, N, H * d_head)
        return self.w_o(concat), weights

    @torch.no_grad()
    def copy_from(self, mha: nn.MultiheadAttention) -> MultiHeadSelfAttention:
        """Copy the weights of an ``nn.MultiheadAttention`` with the same sizes (its packed ``in_proj`` is split)."""
        if not isinstance(mha, nn.MultiheadAttention):
            raise TypeError(f"mha: expected nn.MultiheadAttention, got {type(mha).__name__}")
        if mha.embed_dim != self.d_model or mha.num_heads != self.n_heads or mha.in_proj_weight is None:
            raise ValueError(
                f"mha: expected embed_dim={self.d_model}, num_heads={self.n_heads} and one packed in_proj_weight"
            )
        for lin, w in zip((self.w_q, self.w_k, self.w_v), mha.in_proj_weight.chunk(3), strict=True):
            lin.weight.copy_(w)
        if self.w_q.bias is not None:
            for lin, bias in zip((self.w_q, self.w_k, self.w_v), mha.in_proj_bias.chunk(3), strict=True):
                lin.bias.copy_(bias)
            self.w_o.bias.copy_(mha.out_proj.bias)
        self.w_o.weight.copy_(mha.out_proj.weight)
        return self


def plot_attention_map(
    weights,
    *,
    ax=None,
    query_labels=None,
    key_labels=None,
    title: str = "attention weights",
    highlight_query: int | None = None,
    vmax: float | None = 1.0,
    colorbar_label: str = "attention weight α′",
):
    """Heatmap of an ``(N_q, N_k)`` attention matrix with token labels and a colour bar; returns the Axes.

    Args:
        weights: ``(N_q, N_k)`` tensor or array (rows: queries, columns: keys).
        ax: where to draw (a new figure when ``None``).
        query_labels, key_labels: one label per row / column (default: integer positions).
        title: the Axes title.
        highlight_query: draw a red frame around this row.
        vmax: top of the colour scale (``None``: the largest weight).
        colorbar_label: what the colour means.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    w = weights.detach().cpu().numpy() if isinstance(weights, torch.Tensor) else weights
    if getattr(w, "ndim", None) != 2:
        raise ValueError(
            f"weights: expected a 2-D (queries, keys) matrix, got shape {getattr(w, 'shape', None)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    im = ax.imshow(w, cmap="viridis", vmin=0.0, vmax=vmax, aspect="auto")
    ax.figure.colorbar(im, ax=ax, label=colorbar_label)
    for labels, setter, n in (
        (key_labels, ax.set_xticks, w.shape[1]),
        (query_labels, ax.set_yticks, w.shape[0]),
    ):
        if labels is not None:
            if len(labels) != n:
                raise ValueError(f"labels: expected {n} labels, got {len(labels)}")
            setter(range(n), [str(t) for t in labels])
    if key_labels is None:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # positions, not fractions
    if query_labels is None:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if key_labels is not None and w.shape[1] > 8:
        ax.tick_params(axis="x", labelrotation=90)
    if highlight_query is not None:
        ax.add_patch(plt.Rectangle((-0.5, highlight_query - 0.5), w.shape[1], 1, fill=False, ec="red", lw=2))
    ax.set_xlabel("key (attended-to token)")
    ax.set_ylabel("query token")
    ax.set_title(title)
    return ax
