"""Alignment of a seq2seq model's cross-attention: the guided-attention penalty and a diagonal-ness score.

When input and output run in the same order (speech synthesis, reading a number aloud), output position
``i`` of ``T`` should look near input position ``j ≈ i·S/T`` of ``S``. Guided attention (Tachibana et al.,
2018) adds ``mean(A ⊙ W)`` to the loss, with the penalty ``W[i, j] = 1 − exp(−(i/T − j/S)² / (2g²))``: zero on
the diagonal, close to 1 far from it. The loss term itself is written in the chapter's step function; this
module builds ``W`` for a padded batch and measures how much attention lies near the diagonal.
"""

from __future__ import annotations

import torch

__all__ = ["guided_attention_weights", "diagonal_mass"]


def _lengths(value, name: str) -> torch.Tensor:
    lengths = torch.as_tensor(value)
    if (
        lengths.ndim != 1
        or len(lengths) == 0
        or lengths.dtype.is_floating_point
        or lengths.dtype == torch.bool
    ):
        raise ValueError(f"{name}: expected a non-empty 1-D integer tensor of lengths, got {value!r}")
    if (lengths < 1).any():
        raise ValueError(f"{name}: expected every length ≥ 1, got {lengths.tolist()}")
    return lengths.long()


def _grid(out_lengths, in_lengths, out_size, in_size):
    """Normalised positions ``i/T`` (B, T, 1) and ``j/S`` (B, 1, S), and the mask of real cells (B, T, S)."""
    out_n, in_n = _lengths(out_lengths, "out_lengths"), _lengths(in_lengths, "in_lengths")
    if len(out_n) != len(in_n):
        raise ValueError(
            f"out_lengths, in_lengths: expected the same batch size, got {len(out_n)} and {len(in_n)}"
        )
    sizes = []
    for name, size, n in (("out_size", out_size, out_n), ("in_size", in_size, in_n)):
        size = int(n.max()) if size is None else size
        if isinstance(size, bool) or not isinstance(size, int) or size < int(n.max()):
            raise ValueError(f"{name}={size!r}: expected an int ≥ the longest length {int(n.max())}")
        sizes.append(size)
    i = torch.arange(sizes[0], dtype=torch.float64)[None, :, None]  # (1, T, 1)
    j = torch.arange(sizes[1], dtype=torch.float64)[None, None, :]  # (1, 1, S)
    real = (i < out_n[:, None, None]) & (j < in_n[:, None, None])  # (B, T, S)
    return i / out_n[:, None, None], j / in_n[:, None, None], real


def guided_attention_weights(out_lengths, in_lengths, *, g: float = 0.2, out_size: int | None = None,
                             in_size: int | None = None) -> torch.Tensor:  # fmt: skip
    """Penalty ``W`` of shape ``(B, out_size, in_size)`` for cross-attention maps ``A`` of the same shape.

    ``W[b, i, j] = 1 − exp(−(i/T_b − j/S_b)² / (2g²))`` for the real cells ``i < T_b``, ``j < S_b``, and 0 on the
    padding, so ``(A * W).sum() / (T · S).sum()`` is the mean penalty over the real cells. The sizes default
    to the longest lengths.

    Args:
        out_lengths: ``(B,)`` number of output (query) positions ``T_b`` of each sequence.
        in_lengths: ``(B,)`` number of input (key) positions ``S_b``.
        g: width of the band around the diagonal, in units of the whole sequence (Tachibana et al.: 0.2).

    >>> w = guided_attention_weights([2], [2], g=0.5)  # (1, 2, 2); off the diagonal 1 - exp(-1/2)
    >>> [[round(v, 3) for v in row] for row in w[0].tolist()]
    [[0.0, 0.393], [0.393, 0.0]]
    """
    if isinstance(g, bool) or not isinstance(g, (int, float)) or not g > 0:
        raise ValueError(f"g={g!r}: expected a positive number")
    row, col, real = _grid(out_lengths, in_lengths, out_size, in_size)
    w = 1 - torch.exp(-((row - col) ** 2) / (2 * g**2))
    return torch.where(real, w, 0.0).float()


def diagonal_mass(weights: torch.Tensor, out_lengths, in_lengths, *, width: float = 0.2) -> torch.Tensor:
    """Per sequence, the mean over its real output rows of the attention mass with ``|i/T − j/S| ≤ width``.

    1 means every output position looks only near the diagonal; a uniform map scores about ``2·width``.

    Args:
        weights: ``(B, T, S)`` cross-attention, each real row summing to 1.
        out_lengths, in_lengths: ``(B,)`` real sizes, as in :func:`guided_attention_weights`.
        width: half-width of the band, in units of the whole sequence.

    Returns:
        ``(B,)`` scores in ``[0, 1]``.

    >>> diagonal_mass(torch.eye(3)[None], [3], [3]).tolist()
    [1.0]
    """
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not width >= 0:
        raise ValueError(f"width={width!r}: expected a number ≥ 0")
    if weights.ndim != 3:
        raise ValueError(f"weights: expected shape (B, T, S), got {tuple(weights.shape)}")
    b, t, s = weights.shape
    row, col, real = _grid(out_lengths, in_lengths, t, s)
    if len(real) != b:
        raise ValueError(f"weights: expected a batch of {len(real)} maps (one per length), got {b}")
    near = real & ((row - col).abs() <= width + 1e-12)
    per_row = (weights.double() * near).sum(-1)  # (B, T)
    n_rows = _lengths(out_lengths, "out_lengths")
    return per_row.sum(-1) / n_rows
