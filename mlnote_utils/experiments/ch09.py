"""Chapter 09 experiments: images to convolve, the MNIST-1D benchmark models, shifted inputs, a Go board.

The convolution itself (by hand, checked against torch) lives in :mod:`mlnote_utils.cnn`; this module
holds what only chapter 09 needs: data, the three benchmark models, and the drawings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from torch import nn

from .. import cnn

__all__ = [
    "EDGE_FILTERS",
    "PUBLISHED_MNIST1D",
    "BENCHMARK_KINDS",
    "load_photo",
    "benchmark_model",
    "shift_signals",
    "shifted_accuracy",
    "draw_receptive_window",
    "plot_image_grid",
    "go_board_planes",
    "go_policy_net",
]

#: Hand-set 3x3 filters (Sobel): each responds to one kind of edge.
EDGE_FILTERS = {
    "vertical edge": torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
    "horizontal edge": torch.tensor([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]),
    "blur (mean)": torch.full((3, 3), 1.0 / 9.0),
}

#: Test accuracy published with MNIST-1D (Greydanus 2020, README of github.com/greydanus/mnist1d):
#: the default 4000/1000 split, and the same data with the 40 positions shuffled by one fixed permutation.
PUBLISHED_MNIST1D = {
    "logistic regression": {"default": 0.32, "shuffled": 0.32},
    "MLP": {"default": 0.68, "shuffled": 0.68},
    "CNN": {"default": 0.94, "shuffled": 0.56},
}


#: The model kinds :func:`benchmark_model` builds.
BENCHMARK_KINDS = ("logistic regression", "MLP", "CNN", "CNN + global max pool")


def load_photo(name: str = "china.jpg", downsample: int = 2) -> torch.Tensor:
    """A photograph that scikit-learn ships (no download), as a grey ``(H, W)`` float tensor in [0, 1].

    ``downsample`` averages ``downsample x downsample`` blocks (427x640 → 213x320 by default).
    """
    from sklearn.datasets import load_sample_image

    if name not in ("china.jpg", "flower.jpg"):
        raise ValueError(
            f"name={name!r}: expected 'china.jpg' or 'flower.jpg' (the images scikit-learn ships)"
        )
    if isinstance(downsample, bool) or not isinstance(downsample, int) or downsample < 1:
        raise ValueError(f"downsample={downsample!r}: expected an int ≥ 1")
    rgb = torch.tensor(np.array(load_sample_image(name)), dtype=torch.float32) / 255.0  # a writable copy
    grey = rgb @ torch.tensor([0.299, 0.587, 0.114])
    return torch.nn.functional.avg_pool2d(grey[None, None], downsample)[0, 0]


def benchmark_model(kind: str, n_in: int = 40, n_classes: int = 10, channels: int = 32) -> nn.Module:
    """One of the three MNIST-1D benchmark models, taking ``(N, n_in)`` signals.

    ``"logistic regression"``: one linear layer. ``"MLP"``: two hidden layers of 100 ReLU units.
    ``"CNN"``: three 1-D conv layers (kernel 5, 3, 3; stride 2; ``channels`` filters each; ReLU),
    then flatten and one linear layer — no pooling, as in the benchmark.
    ``"CNN + global max pool"``: four conv layers, then each filter's largest response over all positions
    feeds the linear layer, so where a pattern sits matters much less.
    """
    if kind == "logistic regression":
        return nn.Linear(n_in, n_classes)
    if kind == "MLP":
        return nn.Sequential(
            nn.Linear(n_in, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, n_classes)
        )
    if kind == "CNN":
        length = n_in
        for k, s, p in ((5, 2, 2), (3, 2, 1), (3, 2, 1)):
            length = cnn.conv_output_size(length, k, s, p)
        return nn.Sequential(
            nn.Unflatten(1, (1, n_in)),  # (N, 40) -> (N, 1 channel, 40 positions)
            nn.Conv1d(1, channels, 5, stride=2, padding=2),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(channels * length, n_classes),
        )
    if kind == "CNN + global max pool":
        return nn.Sequential(
            nn.Unflatten(1, (1, n_in)),
            nn.Conv1d(1, channels, 5, padding=2),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveMaxPool1d(1),  # the largest response of each filter, wherever it is
            nn.Flatten(),
            nn.Linear(channels, n_classes),
        )
    raise ValueError(f"kind={kind!r}: expected one of {BENCHMARK_KINDS}")


def shift_signals(x: torch.Tensor, shift: int) -> torch.Tensor:
    """Move every signal ``shift`` positions to the right (left if negative), filling with its edge value."""
    if x.dim() != 2:
        raise ValueError(f"x: expected (N, length) signals, got shape {tuple(x.shape)}")
    if abs(shift) >= x.shape[1]:
        raise ValueError(f"shift={shift}: expected |shift| < signal length {x.shape[1]}")
    if shift == 0:
        return x.clone()
    if shift > 0:
        return torch.cat([x[:, :1].expand(-1, shift), x[:, :-shift]], dim=1)
    return torch.cat([x[:, -shift:], x[:, -1:].expand(-1, -shift)], dim=1)


@torch.no_grad()
def shifted_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, shifts: Sequence[int]) -> np.ndarray:
    """Test accuracy of ``model`` on the signals shifted by each of ``shifts``."""
    model.eval()
    device = next(model.parameters()).device
    return np.array(
        [(model(shift_signals(x, s).to(device)).argmax(1).cpu() == y).float().mean().item() for s in shifts]
    )


def draw_receptive_window(
    ax: Axes, *, n: int, kernel_size: int, stride: int, padding: int, out_row: int, out_col: int
) -> Axes:
    """The padded ``n x n`` input grid with the pixels that output ``(out_row, out_col)`` reads highlighted."""
    n_out = cnn.conv_output_size(n, kernel_size, stride, padding)
    out_row, out_col = min(out_row, n_out - 1), min(out_col, n_out - 1)
    rows = cnn.input_window(out_row, kernel_size, stride, padding)
    cols = cnn.input_window(out_col, kernel_size, stride, padding)
    for i in range(-padding, n + padding):
        for j in range(-padding, n + padding):
            pad = not (0 <= i < n and 0 <= j < n)
            inside = i in rows and j in cols
            face = "#f2b134" if inside else ("#eeeeee" if pad else "white")
            ax.add_patch(
                Rectangle((j, i), 1, 1, facecolor=face, edgecolor="#999999", lw=0.6, ls=":" if pad else "-")
            )
    ax.add_patch(Rectangle((0, 0), n, n, fill=False, edgecolor="black", lw=1.5))
    ax.set_xlim(-padding - 0.2, n + padding + 0.2)
    ax.set_ylim(n + padding + 0.2, -padding - 0.2)
    ax.set_aspect("equal")
    ax.set_xlabel("input column (grey: padding)")
    ax.set_ylabel("input row")
    ax.set_title(
        f"output ({out_row}, {out_col}) of {n_out}x{n_out} reads {kernel_size}x{kernel_size} inputs\n"
        f"k={kernel_size}, stride={stride}, padding={padding}",
        fontsize=10,
    )
    return ax


def plot_image_grid(
    axes, images: Sequence, titles: Sequence[str] | None = None, cmap: str = "gray", symmetric=False
):
    """Draw ``images`` (2-D arrays/tensors) into a flat sequence of ``axes``, without ticks; returns ``axes``.

    All images share one colour scale, so one colour bar (``fig.colorbar(axes[0].images[0], ...)``) reads
    for all of them. ``symmetric=True`` centres it on 0 (blue negative, red positive), as filters need.
    """
    axes = np.asarray(axes).ravel()
    if len(images) > len(axes):
        raise ValueError(f"images: {len(images)} images for only {len(axes)} axes")
    stack = [torch.as_tensor(img).detach().cpu().float().numpy() for img in images]
    lo = min(float(img.min()) for img in stack)
    hi = max(float(img.max()) for img in stack)
    lim = max(abs(lo), abs(hi)) or 1.0
    for k, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= len(images):
            ax.axis("off")
            continue
        if symmetric:
            ax.imshow(stack[k], cmap="RdBu_r", vmin=-lim, vmax=lim)
        else:
            ax.imshow(stack[k], cmap=cmap, vmin=lo, vmax=hi)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
    return axes


def go_board_planes(n_planes: int = 48, size: int = 19, seed: int = 0, stones: int = 60) -> torch.Tensor:
    """An AlphaGo-style input: ``(n_planes, size, size)`` binary feature planes for a random position.

    Planes 0–2 are black stone / white stone / empty; plane 3 is all ones (marks the board, so zero
    padding means "off the board"); the rest are random sparse stand-ins for the hand-made features
    (liberties, captures, …) — the shapes, not the Go knowledge, are what chapter 09 uses.
    """
    if n_planes < 4:
        raise ValueError(f"n_planes={n_planes}: expected ≥ 4 (black, white, empty, ones)")
    g = torch.Generator().manual_seed(seed)
    cells = torch.randperm(size * size, generator=g)[:stones]
    board = torch.zeros(size * size, dtype=torch.long)
    board[cells[: stones // 2]] = 1  # black
    board[cells[stones // 2 :]] = 2  # white
    planes = torch.zeros(n_planes, size * size)
    planes[0] = (board == 1).float()
    planes[1] = (board == 2).float()
    planes[2] = (board == 0).float()
    planes[3] = 1.0
    planes[4:] = (torch.rand(n_planes - 4, size * size, generator=g) < 0.05).float() * planes[2]
    return planes.reshape(n_planes, size, size)


def go_policy_net(n_planes: int = 48, width: int = 64, depth: int = 4) -> nn.Sequential:
    """A policy network in the style of AlphaGo's: padded convolutions only, so every layer stays 19x19.

    A 5x5 first layer, ``depth - 1`` 3x3 layers, then a 1x1 convolution to one score per point;
    flattened, the 361 scores are the logits of "play here". No pooling: a move is one exact point.
    """
    layers: list[nn.Module] = [nn.Conv2d(n_planes, width, 5, padding=2), nn.ReLU()]
    for _ in range(depth - 1):
        layers += [nn.Conv2d(width, width, 3, padding=1), nn.ReLU()]
    layers += [nn.Conv2d(width, 1, 1), nn.Flatten()]
    return nn.Sequential(*layers)
