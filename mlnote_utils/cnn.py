"""Convolution by hand: output sizes, receptive fields, im2col convolution and max pooling (chapter 09).

Everything here is checked in ``tests/test_cnn.py`` against ``torch.nn.functional`` on random shapes.
Only ``groups=1`` and ``dilation=1`` are covered: that is the convolution of the lecture.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
import torch.nn.functional as F

from ._checks import positive_int as _int

__all__ = [
    "conv_output_size",
    "receptive_field",
    "input_window",
    "conv2d",
    "max_pool2d",
    "conv1d_as_matrix",
    "conv_parameter_count",
    "linear_parameter_count",
]


def _pair(value, name: str, *, minimum: int) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name}={value!r}: expected an int or a pair of ints")
        return _int(value[0], name, minimum=minimum), _int(value[1], name, minimum=minimum)
    v = _int(value, name, minimum=minimum)
    return v, v


def conv_output_size(n: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Length of a convolution's (or pooling's) output along one axis: ``floor((n + 2p - k) / s) + 1``.

    >>> conv_output_size(100, 3), conv_output_size(100, 3, padding=1), conv_output_size(100, 3, stride=2)
    (98, 100, 49)
    """
    n = _int(n, "n", minimum=1)
    k = _int(kernel_size, "kernel_size", minimum=1)
    s = _int(stride, "stride", minimum=1)
    p = _int(padding, "padding", minimum=0)
    if k > n + 2 * p:
        raise ValueError(f"kernel_size={k}: larger than the padded input n + 2*padding = {n + 2 * p}")
    return (n + 2 * p - k) // s + 1


def _kernel_and_stride(layer) -> tuple[int, int]:
    if isinstance(layer, (tuple, list)) and len(layer) == 2:
        return _int(layer[0], "kernel_size", minimum=1), _int(layer[1], "stride", minimum=1)
    k, s = getattr(layer, "kernel_size", None), getattr(layer, "stride", None)
    if k is None:
        raise TypeError(f"layers: expected (kernel_size, stride) pairs or conv/pool modules, got {layer!r}")
    k = k[0] if isinstance(k, tuple) else k
    s = k if s is None else (s[0] if isinstance(s, tuple) else s)
    return _int(k, "kernel_size", minimum=1), _int(s, "stride", minimum=1)


def receptive_field(layers: Iterable) -> list[int]:
    """Receptive-field size (in input pixels, along one axis) after each layer of a stack.

    Each layer is a ``(kernel_size, stride)`` pair or a conv/pool module (its first spatial size is used).
    With ``r_0 = 1`` and ``j_0 = 1`` (the distance, in input pixels, between neighbouring units):
    ``r_l = r_{l-1} + (k_l - 1) * j_{l-1}`` and ``j_l = j_{l-1} * s_l``.

    >>> receptive_field([(3, 1), (3, 1), (3, 1)]), receptive_field([(3, 2), (3, 2), (3, 2)])
    ([3, 5, 7], [3, 7, 15])
    """
    sizes, r, jump = [], 1, 1
    for layer in layers:
        k, s = _kernel_and_stride(layer)
        r += (k - 1) * jump
        jump *= s
        sizes.append(r)
    if not sizes:
        raise ValueError("layers: expected at least one layer")
    return sizes


def input_window(index: int, kernel_size: int, stride: int = 1, padding: int = 0) -> range:
    """Input positions (along one axis, in unpadded coordinates) that output position ``index`` reads.

    Positions below 0 or at/after the input length are padding. ``range(index*s - p, index*s - p + k)``.

    >>> list(input_window(2, kernel_size=3, stride=2, padding=1))
    [3, 4, 5]
    """
    i = _int(index, "index", minimum=0)
    k = _int(kernel_size, "kernel_size", minimum=1)
    s = _int(stride, "stride", minimum=1)
    p = _int(padding, "padding", minimum=0)
    start = i * s - p
    return range(start, start + k)


def _check_4d(x: torch.Tensor, name: str) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != 4:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name}: expected a 4-D tensor (N, C, H, W), got {shape}")


def conv2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride=1, padding=0):
    """2-D convolution (cross-correlation, as in deep learning) by im2col: unfold patches, then one matmul.

    Same shapes and values as ``F.conv2d(x, weight, bias, stride, padding)`` with ``groups=1``,
    ``dilation=1``. ``x`` is ``(N, C, H, W)``, ``weight`` is ``(O, C, kh, kw)``, ``bias`` is ``(O,)``;
    the result is ``(N, O, H_out, W_out)``.
    """
    _check_4d(x, "x")
    _check_4d(weight, "weight")
    n, c, h, w = x.shape
    o, c_w, kh, kw = weight.shape
    if c_w != c:
        raise ValueError(f"weight: expected {c} input channels (x has shape {tuple(x.shape)}), got {c_w}")
    if bias is not None and tuple(bias.shape) != (o,):
        raise ValueError(f"bias: expected shape ({o},), got {tuple(bias.shape)}")
    sh, sw = _pair(stride, "stride", minimum=1)
    ph, pw = _pair(padding, "padding", minimum=0)
    h_out = conv_output_size(h, kh, sh, ph)
    w_out = conv_output_size(w, kw, sw, pw)
    cols = F.unfold(x, (kh, kw), padding=(ph, pw), stride=(sh, sw))  # (N, C*kh*kw, L): one column per patch
    out = weight.reshape(o, -1) @ cols  # (N, O, L): every patch meets the same (shared) filters
    if bias is not None:
        out = out + bias.reshape(1, o, 1)
    return out.reshape(n, o, h_out, w_out)


def max_pool2d(x: torch.Tensor, kernel_size, stride=None) -> torch.Tensor:
    """Max pooling by hand (no padding): the largest value of each window, per channel.

    Same as ``F.max_pool2d(x, kernel_size, stride)``; ``stride`` defaults to ``kernel_size``.
    """
    _check_4d(x, "x")
    kh, kw = _pair(kernel_size, "kernel_size", minimum=1)
    sh, sw = _pair(kernel_size if stride is None else stride, "stride", minimum=1)
    n, c, h, w = x.shape
    h_out, w_out = conv_output_size(h, kh, sh), conv_output_size(w, kw, sw)
    cols = F.unfold(x, (kh, kw), stride=(sh, sw))  # (N, C*kh*kw, L)
    return cols.reshape(n, c, kh * kw, -1).amax(dim=2).reshape(n, c, h_out, w_out)


def conv1d_as_matrix(weight: torch.Tensor, n: int, stride: int = 1, padding: int = 0) -> torch.Tensor:
    """The fully connected weight matrix that a one-channel 1-D convolution is.

    ``weight`` is a 1-D kernel of length ``k``; the result ``M`` is ``(n_out, n)`` with
    ``M @ x == F.conv1d(x[None, None], weight[None, None], stride=stride, padding=padding).flatten()``:
    every row holds the same ``k`` numbers, shifted by ``stride`` (parameter sharing), and zeros
    elsewhere (each output looks only at its receptive field). Taps that fall on padding are dropped.
    """
    if not isinstance(weight, torch.Tensor) or weight.dim() != 1:
        raise ValueError(f"weight: expected a 1-D kernel tensor, got {getattr(weight, 'shape', weight)!r}")
    k = weight.numel()
    n_out = conv_output_size(n, k, stride, padding)
    m = weight.new_zeros(n_out, n)
    for i in range(n_out):
        for t, j in enumerate(input_window(i, k, stride, padding)):
            if 0 <= j < n:
                m[i, j] = weight[t]
    return m


def conv_parameter_count(in_channels: int, out_channels: int, kernel_size, bias: bool = True) -> int:
    """Learnable numbers in a 2-D conv layer: ``out * in * kh * kw`` (+ ``out`` biases); the image size never enters."""
    kh, kw = _pair(kernel_size, "kernel_size", minimum=1)
    c_in = _int(in_channels, "in_channels", minimum=1)
    c_out = _int(out_channels, "out_channels", minimum=1)
    return c_out * c_in * kh * kw + (c_out if bias else 0)


def linear_parameter_count(in_features: int | Sequence[int], out_features: int, bias: bool = True) -> int:
    """Learnable numbers in a fully connected layer; ``in_features`` may be an input shape such as (3, 100, 100)."""
    if isinstance(in_features, (tuple, list)):
        n_in = 1
        for d in in_features:
            n_in *= _int(d, "in_features", minimum=1)
    else:
        n_in = _int(in_features, "in_features", minimum=1)
    n_out = _int(out_features, "out_features", minimum=1)
    return n_in * n_out + (n_out if bias else 0)
