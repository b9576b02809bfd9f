"""The Transformer's sinusoidal positional encoding and the fixed linear map that shifts it by ``k`` positions.

The public names are also reachable from :mod:`mlnote_utils.attention`.
"""

from __future__ import annotations

import torch

from ._checks import positive_int

__all__ = ["sinusoidal_positional_encoding", "pe_shift_matrix"]


def _frequencies(d_model: int) -> torch.Tensor:
    """``ω_i = 10000^(−2i/d)`` for ``i = 0 .. d/2 − 1`` (float64)."""
    return 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)


def sinusoidal_positional_encoding(n_positions: int, d_model: int) -> torch.Tensor:
    """The Transformer's sinusoidal table ``(n_positions, d_model)``.

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d))`` and ``PE[pos, 2i+1] = cos(pos / 10000^(2i/d))``.

    >>> [round(v, 4) for v in sinusoidal_positional_encoding(2, 4)[1].tolist()]  # sin 1, cos 1, sin 0.01, cos 0.01
    [0.8415, 0.5403, 0.01, 0.9999]
    """
    positive_int(n_positions, "n_positions")
    positive_int(d_model, "d_model")
    if d_model % 2:
        raise ValueError(f"d_model={d_model}: expected an even number (sin/cos pairs)")
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]  # (P, 1)
    angle = pos * _frequencies(d_model)  # (P, d/2)
    pe = torch.zeros(n_positions, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.float()


def pe_shift_matrix(k: int, d_model: int) -> torch.Tensor:
    """The fixed ``(d_model, d_model)`` matrix ``M_k`` with ``PE[pos + k] = M_k @ PE[pos]`` for every ``pos``.

    Each (sin, cos) pair with frequency ω is rotated by the angle ``kω``:
    ``sin(a + b) = sin a cos b + cos a sin b`` and ``cos(a + b) = cos a cos b − sin a sin b``.

    >>> pe_shift_matrix(0, 4).equal(torch.eye(4))
    True
    """
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k={k!r}: expected an int (a shift in positions)")
    if isinstance(d_model, bool) or not isinstance(d_model, int) or d_model < 2 or d_model % 2:
        raise ValueError(f"d_model={d_model!r}: expected a positive even int")
    freq = _frequencies(d_model)
    c, s = torch.cos(k * freq), torch.sin(k * freq)
    m = torch.zeros(d_model, d_model, dtype=torch.float64)
    idx = torch.arange(0, d_model, 2)
    m[idx, idx], m[idx, idx + 1] = c, s  # new sin = cos(kω)·sin + sin(kω)·cos
    m[idx + 1, idx], m[idx + 1, idx + 1] = -s, c  # new cos = −sin(kω)·sin + cos(kω)·cos
    return m.float()
