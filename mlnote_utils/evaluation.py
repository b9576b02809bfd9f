"""Evaluation: accuracy and the mean loss/metrics of a model over a data set (in eval mode)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import nn
from torch.utils.data import Dataset

__all__ = ["accuracy", "evaluate"]

Metric = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Fraction of rows whose arg-max matches the integer target.

    >>> accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0]))
    tensor(0.5000)
    """
    if logits.ndim != 2 or targets.shape != logits.shape[:1]:
        raise ValueError(
            f"logits (N, C) and targets (N,) expected, got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )
    return (logits.argmax(dim=1) == targets).float().mean()


@torch.no_grad()
def evaluate(
    model: nn.Module,
    data,
    *,
    loss_fn: Callable | None = None,
    metrics: Mapping[str, Metric] | None = None,
    device: torch.device | str | None = None,
) -> dict[str, float]:
    """Mean loss and metrics of ``model`` over ``data`` (batches, or one ``(x, y)`` pair), in eval mode.

    Means are weighted by batch size; the model's train/eval mode is restored afterwards.

    Returns:
        ``{"loss": …, name: … for each metric}`` (``"loss"`` only when ``loss_fn`` is given).
    """
    if loss_fn is None and not metrics:
        raise ValueError("loss_fn, metrics: expected a loss function or at least one metric to evaluate")
    if isinstance(data, Dataset):
        raise TypeError(
            f"data: got a {type(data).__name__}, which yields single samples; pass an (x, y) pair of tensors "
            "or batches, e.g. mu.make_loader(dataset, batch_size=256, shuffle=False)"
        )
    device = torch.device(device) if device is not None else _model_device(model)
    batches = [data] if _is_tensor_pair(data) else data
    was_training = model.training
    model.eval()
    totals: dict[str, float] = {}
    count = 0
    try:
        for x, y in batches:
            x, y = x.to(device), y.to(device)
            out = model(x)
            n = len(y)
            scores = {"loss": loss_fn(out, y)} if loss_fn is not None else {}
            scores |= {name: m(out, y) for name, m in (metrics or {}).items()}
            for name, value in scores.items():
                totals[name] = totals.get(name, 0.0) + float(value) * n
            count += n
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("data: it yielded no batches")
    return {name: total / count for name, total in totals.items()}


def _is_tensor_pair(data) -> bool:
    return isinstance(data, tuple) and len(data) > 0 and all(isinstance(t, torch.Tensor) for t in data)


def _model_device(model: nn.Module) -> torch.device:
    p = next(iter(model.parameters()), None)
    return p.device if p is not None else torch.device("cpu")
