"""Helpers for chapter 07: one-hot targets, softmax, cross-entropy vs MSE, confusion matrices.

Everything here is pure compute (tensors in, tensors/arrays out) except the ``plot_*`` helpers,
which draw on an ``Axes`` and return it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.axes import Axes

__all__ = [
    "one_hot",
    "softmax_naive",
    "softmax_stable",
    "cross_entropy_by_hand",
    "mse_on_probabilities",
    "make_toy_binary",
    "toy_classifier_loss",
    "confusion_matrix",
    "plot_confusion_matrix",
    "plot_misclassified",
]

_LOSS_KINDS = ("mse", "ce")


def _check_logits_targets(logits: torch.Tensor, targets: torch.Tensor) -> None:
    if not isinstance(logits, torch.Tensor) or not isinstance(targets, torch.Tensor):
        raise TypeError("logits, targets: expected torch tensors")
    if logits.ndim != 2 or targets.shape != logits.shape[:1]:
        raise ValueError(
            f"logits (N, C) and targets (N,) expected, got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )
    if targets.dtype not in (torch.int64, torch.int32, torch.uint8):
        raise TypeError(f"targets: expected integer class labels, got dtype {targets.dtype}")


def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """One-hot rows: row ``n`` has a 1 in column ``labels[n]`` and 0 elsewhere.

    Args:
        labels: ``(N,)`` integer class labels in ``0..num_classes-1``.
        num_classes: number of classes ``C`` (≥ 2).

    Returns:
        ``(N, C)`` float32 tensor.

    >>> one_hot(torch.tensor([2, 0]), 3)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes={num_classes!r}: expected an int ≥ 2")
    labels = torch.as_tensor(labels)
    if labels.ndim != 1 or labels.dtype.is_floating_point:
        raise ValueError(
            f"labels: expected a 1-D integer tensor, got shape {tuple(labels.shape)} {labels.dtype}"
        )
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels: expected values in 0..{num_classes - 1}")
    out = torch.zeros(len(labels), num_classes)
    out[torch.arange(len(labels)), labels.long()] = 1.0
    return out


def softmax_naive(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax straight from the formula ``exp(z_i) / Σ_j exp(z_j)`` (overflows for large logits)."""
    e = torch.exp(logits)
    return e / e.sum(dim=dim, keepdim=True)


def softmax_stable(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax with the max-subtraction trick: ``softmax(z) = softmax(z − max z)``, so ``exp`` never overflows.

    >>> softmax_stable(torch.tensor([1000.0, 1000.0]))
    tensor([0.5000, 0.5000])
    """
    shifted = logits - logits.amax(dim=dim, keepdim=True)
    e = torch.exp(shifted)  # every entry in (0, 1]
    return e / e.sum(dim=dim, keepdim=True)


def cross_entropy_by_hand(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy ``−(1/N) Σ_n ln softmax(z_n)[y_n]``, computed stably from logits.

    Uses ``ln softmax(z)_k = z_k − m − ln Σ_j exp(z_j − m)`` with ``m = max_j z_j``.

    Args:
        logits: ``(N, C)`` raw network outputs.
        targets: ``(N,)`` integer class labels.

    Returns:
        A scalar tensor; equals ``torch.nn.functional.cross_entropy(logits, targets)``.
    """
    _check_logits_targets(logits, targets)
    m = logits.amax(dim=1, keepdim=True)  # (N, 1)
    log_probs = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))  # (N, C)
    return -log_probs.gather(1, targets.long()[:, None]).mean()


def mse_on_probabilities(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean over samples of ``Σ_i (ŷ_i − y'_i)²`` between one-hot targets ``ŷ`` and softmax outputs ``y'``."""
    _check_logits_targets(logits, targets)
    probs = torch.softmax(logits, dim=1)
    target = torch.nn.functional.one_hot(targets.long(), logits.shape[1]).to(probs.dtype)
    return ((target - probs) ** 2).sum(dim=1).mean()


def make_toy_binary(n: int = 40, spread: float = 0.7, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A 1-D two-class toy set: class 0 around −1, class 1 around +1 (float64 inputs).

    Args:
        n: number of points (even, ≥ 2); the classes alternate so they are balanced.
        spread: standard deviation of each cluster (> 0).
        seed: noise seed.

    Returns:
        ``(x, y)``: ``(n,)`` float64 inputs and ``(n,)`` int64 labels.
    """
    if not isinstance(n, int) or n < 2 or n % 2:
        raise ValueError(f"n={n!r}: expected an even int ≥ 2")
    if not spread > 0:
        raise ValueError(f"spread={spread!r}: expected a positive number")
    gen = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = (2 * y - 1).double() + spread * torch.randn(n, generator=gen, dtype=torch.float64)
    return x, y


def toy_classifier_loss(
    w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor, kind: str
) -> torch.Tensor:
    """Loss of the two-parameter classifier ``logits = [0, w·x + b]`` → softmax, for any shape of ``w, b``.

    ``w`` and ``b`` broadcast together (a grid from ``evaluate_grid`` or scalars from ``gradient_descent``);
    the result has their shape.

    Args:
        w, b: weight and bias tensors of the same shape.
        x: ``(N,)`` inputs; y: ``(N,)`` labels in {0, 1}.
        kind: ``"mse"`` (squared error between one-hot and softmax) or ``"ce"`` (cross-entropy).

    >>> x, y = torch.tensor([1.0]), torch.tensor([1])
    >>> round(float(toy_classifier_loss(torch.tensor(0.0), torch.tensor(0.0), x, y, "ce")), 4)  # ln 2
    0.6931
    """
    if kind not in _LOSS_KINDS:
        raise ValueError(f"kind={kind!r}: expected one of {_LOSS_KINDS}")
    w, b = torch.as_tensor(w), torch.as_tensor(b)
    if w.shape != b.shape:
        raise ValueError(f"w, b: expected the same shape, got {tuple(w.shape)} and {tuple(b.shape)}")
    z = w[..., None] * x + b[..., None]  # (..., N)
    logits = torch.stack([torch.zeros_like(z), z], dim=-1)  # (..., N, 2)
    target = torch.nn.functional.one_hot(y.long(), 2).to(logits.dtype)  # (N, 2)
    if kind == "mse":
        return ((target - torch.softmax(logits, dim=-1)) ** 2).sum(-1).mean(-1)
    return -(target * torch.log_softmax(logits, dim=-1)).sum(-1).mean(-1)


def confusion_matrix(predictions, targets, num_classes: int) -> np.ndarray:
    """Count matrix ``M[t, p]`` = number of samples of true class ``t`` predicted as ``p``.

    >>> confusion_matrix([0, 1, 1], [0, 0, 1], 2).tolist()
    [[1, 1], [0, 1]]
    """
    pred = np.asarray(torch.as_tensor(predictions).cpu()).astype(np.int64).ravel()
    true = np.asarray(torch.as_tensor(targets).cpu()).astype(np.int64).ravel()
    if pred.shape != true.shape:
        raise ValueError(f"predictions, targets: expected equal lengths, got {len(pred)} and {len(true)}")
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes={num_classes!r}: expected an int ≥ 2")
    both = np.concatenate([pred, true])
    if both.size and (both.min() < 0 or both.max() >= num_classes):
        raise ValueError(f"predictions/targets: expected labels in 0..{num_classes - 1}")
    m = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(m, (true, pred), 1)
    return m


def plot_confusion_matrix(cm: np.ndarray, *, ax: Axes | None = None, title: str = "confusion matrix") -> Axes:
    """Draw a confusion matrix (rows: true class, columns: predicted) with the counts written in."""
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm: expected a square matrix, got shape {cm.shape}")
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(5, 4.5)).add_subplot()
    im = ax.imshow(cm, cmap="Blues")
    ax.figure.colorbar(im, ax=ax, label="count")
    for (t, p), v in np.ndenumerate(cm):
        if v:
            ax.text(
                p,
                t,
                str(v),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v > cm.max() / 2 else "black",
            )
    ax.set_xticks(range(len(cm)))
    ax.set_yticks(range(len(cm)))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return ax


def plot_misclassified(
    images: np.ndarray | torch.Tensor,
    true: Sequence[int],
    pred: Sequence[int],
    *,
    ax: Axes | None = None,
    title: str = "misclassified test images",
) -> Axes:
    """Show square grey images side by side in one Axes, each captioned ``true→pred``.

    Args:
        images: ``(K, H, W)`` or ``(K, H*W)`` with a square ``H*W``.
        true, pred: ``K`` labels each.
    """
    imgs = np.asarray(torch.as_tensor(images).detach().cpu(), dtype=np.float64)
    if imgs.ndim == 2:
        side = int(round(np.sqrt(imgs.shape[1])))
        if side * side != imgs.shape[1]:
            raise ValueError(f"images: rows of length {imgs.shape[1]} are not square images")
        imgs = imgs.reshape(len(imgs), side, side)
    if imgs.ndim != 3 or len(imgs) == 0:
        raise ValueError(f"images: expected (K, H, W) with K ≥ 1, got shape {imgs.shape}")
    if not len(true) == len(pred) == len(imgs):
        raise ValueError("images, true, pred: expected the same number of entries")
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(1.2 * len(imgs), 1.8)).add_subplot()
    k, h, w = imgs.shape
    gap = np.full((h, 1), np.nan)
    row = np.concatenate([np.concatenate([im, gap], axis=1) for im in imgs], axis=1)  # (H, K*(W+1))
    ax.imshow(row, cmap="gray_r")
    ax.set_xticks([i * (w + 1) + (w - 1) / 2 for i in range(k)])
    ax.set_xticklabels([f"{t}→{p}" for t, p in zip(true, pred, strict=True)])
    ax.set_yticks([])
    ax.set_xlabel("true → predicted")
    ax.set_title(title)
    return ax
