"""Chapter 14 experiments: what IS and FID say when classes are dropped, class histograms, the CycleGAN domains.

The metrics themselves live in :mod:`mlnote_utils.gan_metrics`; the GAN updates are written in the notebook.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes

from .. import gan_metrics

__all__ = [
    "rotate_half_turn",
    "class_counts",
    "per_label_accuracy",
    "kept_classes_metrics",
    "draw_class_histogram",
]


def rotate_half_turn(images: torch.Tensor, side: int = 8) -> torch.Tensor:
    """Rotate flat ``(N, side*side)`` images by 180° (the second domain of the CycleGAN experiment).

    A fixed pixel permutation, its own inverse.

    >>> rotate_half_turn(torch.arange(4.0)[None], side=2).tolist()
    [[3.0, 2.0, 1.0, 0.0]]
    """
    if images.ndim != 2 or images.shape[1] != side * side:
        raise ValueError(f"images: expected (N, {side * side}) flat images, got shape {tuple(images.shape)}")
    return images.reshape(-1, side, side).flip(1, 2).reshape(len(images), side * side)


def class_counts(labels: torch.Tensor, n_classes: int = 10) -> torch.Tensor:
    """How many of ``labels`` (predicted classes, ``(N,)`` ints) fall in each of ``n_classes`` classes.

    >>> class_counts(torch.tensor([0, 2, 2]), 3).tolist()
    [1, 0, 2]
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"n_classes={n_classes!r}: expected a positive int")
    labels = torch.as_tensor(labels)
    if labels.ndim != 1 or labels.is_floating_point() or bool(((labels < 0) | (labels >= n_classes)).any()):
        raise ValueError(f"labels: expected a 1-D tensor of ints in [0, {n_classes})")
    return torch.bincount(labels, minlength=n_classes)


def per_label_accuracy(predicted: torch.Tensor, labels: torch.Tensor, n_classes: int = 10) -> torch.Tensor:
    """For each class ``c``: the share of rows with ``labels == c`` whose ``predicted`` class is ``c`` (NaN if none).

    >>> per_label_accuracy(torch.tensor([0, 1, 1, 1]), torch.tensor([0, 0, 1, 1]), 3).tolist()
    [0.5, 1.0, nan]
    """
    predicted, labels = torch.as_tensor(predicted), torch.as_tensor(labels)
    if predicted.shape != labels.shape:
        raise ValueError(
            f"predicted, labels: expected the same shape, got {tuple(predicted.shape)} and {tuple(labels.shape)}"
        )
    hits = class_counts(labels[predicted == labels], n_classes).double()
    total = class_counts(labels, n_classes).double()
    return torch.where(total > 0, hits / total.clamp_min(1), torch.nan)


def kept_classes_metrics(
    probs: torch.Tensor,
    features: torch.Tensor,
    labels: torch.Tensor,
    reference_features: torch.Tensor,
    k: int,
) -> dict:
    """IS and FID of the real images of classes ``0 … k-1`` only: a "generator" that dropped the other modes.

    Args:
        probs: ``(N, K)`` classifier probabilities of real images.
        features: ``(N, d)`` their features.
        labels: ``(N,)`` their true classes.
        reference_features: ``(M, d)`` features of the reference set (all classes) for FID.
        k: number of classes kept, ``1 … K``.

    Returns:
        ``{"is": float, "fid": float, "counts": (K,) predicted-class counts, "n": images kept}``.
    """
    n_classes = probs.shape[1]
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= n_classes:
        raise ValueError(f"k={k!r}: expected an int from 1 to {n_classes}")
    if not len(probs) == len(features) == len(labels):
        raise ValueError(
            f"probs, features, labels: expected the same number of rows, got {len(probs)}, {len(features)}, {len(labels)}"
        )
    keep = labels < k
    return {
        "is": gan_metrics.inception_score(probs[keep]),
        "fid": gan_metrics.fid_from_features(features[keep], reference_features),
        "counts": class_counts(probs[keep].argmax(dim=1), n_classes),
        "n": int(keep.sum()),
    }


def draw_class_histogram(ax: Axes, counts, *, title: str = "", color: str = "C0", label: str | None = None,
                         offset: float = 0.0, width: float = 0.8) -> Axes:  # fmt: skip
    """Bars of the share of samples per class (``counts`` normalised), classes on the x axis."""
    c = np.asarray(counts, dtype=float)
    if c.ndim != 1 or not c.sum() > 0:
        raise ValueError("counts: expected a 1-D array of non-negative counts with a positive sum")
    ax.bar(np.arange(len(c)) + offset, c / c.sum(), width=width, color=color, label=label)
    ax.set(
        xticks=np.arange(len(c)), xlabel="class predicted by the digit classifier", ylabel="share of samples"
    )
    ax.set_title(title)
    return ax
