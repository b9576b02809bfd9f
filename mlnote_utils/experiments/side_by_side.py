"""Many small MLPs trained side by side in one batched computation: the arms of chapter 08's BN experiment.

Each arm (:class:`NetConfig`) is an MLP with its own activation, learning rate and BN setting; all arms and
seeds step together as stacked weight tensors, so a table of configurations × seeds costs little more than
one run. :func:`steps_to_reach` turns the accuracy curves into the steps-to-accuracy table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..device import cpu_threads, seeded
from ..models import mlp
from ..widgets import progress_bar

__all__ = ["NetConfig", "train_mlps_side_by_side", "steps_to_reach"]


@dataclass(frozen=True)
class NetConfig:
    """One arm of the BN experiment: activation, whether hidden layers use BN, and the SGD learning rate.

    ``bn_position`` says where BN sits in each hidden layer: ``"before"`` the activation (Linear → BN → act,
    as in the BN paper and :func:`~mlnote_utils.models.mlp`) or ``"after"`` it (Linear → act → BN).
    """

    name: str
    activation: str  # "relu" or "sigmoid"
    batch_norm: bool
    lr: float
    bn_position: str = "before"

    def __post_init__(self) -> None:
        if self.activation not in ("relu", "sigmoid"):
            raise ValueError(f"activation={self.activation!r}: expected 'relu' or 'sigmoid'")
        if self.bn_position not in ("before", "after"):
            raise ValueError(f"bn_position={self.bn_position!r}: expected 'before' or 'after'")
        if not self.lr > 0:
            raise ValueError(f"lr={self.lr!r}: expected a positive learning rate")


def _stack(models: list[nn.Sequential], device: torch.device | str) -> list[dict[str, torch.Tensor]]:
    """Per layer, the K models' parameters stacked along a new first dimension (weights as (K, in, out))."""

    def stacked(tensors) -> torch.Tensor:
        return torch.stack([t.detach() for t in tensors]).to(device)

    layers = []
    for mods in zip(*[list(m) for m in models], strict=True):
        if isinstance(mods[0], nn.Linear):
            w = stacked(m.weight.T for m in mods)  # (K, in, out)
            b = stacked(m.bias for m in mods)[:, None, :]  # (K, 1, out)
            layers.append({"w": w.requires_grad_(), "b": b.requires_grad_()})
        elif isinstance(mods[0], nn.BatchNorm1d):
            k, h = len(mods), mods[0].num_features
            gamma = stacked(m.weight for m in mods)[:, None]  # (K, 1, H)
            beta = stacked(m.bias for m in mods)[:, None]  # (K, 1, H)
            layers.append(
                {
                    "gamma": gamma.requires_grad_(),
                    "beta": beta.requires_grad_(),
                    "rm": torch.zeros(k, 1, h, device=device),  # running mean
                    "rv": torch.ones(k, 1, h, device=device),  # running variance
                }
            )
    return layers


def _activation(h: torch.Tensor, sig_mask: torch.Tensor, kinds: frozenset[str]) -> torch.Tensor:
    """ReLU or sigmoid per model; computes only the activations some model uses."""
    if kinds == {"relu"}:
        return torch.relu(h)
    if kinds == {"sigmoid"}:
        return torch.sigmoid(h)
    return torch.where(sig_mask, torch.sigmoid(h), torch.relu(h))


def _forward(
    layers,
    x: torch.Tensor,
    bn_mask: torch.Tensor,
    sig_mask: torch.Tensor,
    train: bool,
    after_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Forward pass of all K models: ``x`` is (K, B, in); BN, its position and the activation are chosen per
    model by boolean masks of shape (K, 1, 1)."""
    bn_layers = [lay for lay in layers if "gamma" in lay]
    lin_layers = [lay for lay in layers if "w" in lay]
    kinds = frozenset({"sigmoid", "relu"} if 0 < int(sig_mask.sum()) < len(sig_mask) else
                      {"sigmoid"} if bool(sig_mask.all()) else {"relu"})  # fmt: skip
    any_after = after_mask is not None and bool(after_mask.any())
    h = x
    for i, lin in enumerate(lin_layers):
        h = torch.baddbmm(lin["b"], h, lin["w"])  # (K, B, out)
        if i == len(lin_layers) - 1:
            return h
        if not bn_layers:
            h = _activation(h, sig_mask, kinds)
            continue
        bn = bn_layers[i]
        act = _activation(h, sig_mask, kinds) if any_after else None
        bn_in = torch.where(after_mask, act, h) if any_after else h  # what each model's BN normalises
        if train:
            mu = bn_in.mean(1, keepdim=True)  # (K, 1, H)
            centred = bn_in - mu
            var = (centred * centred).mean(1, keepdim=True)  # biased batch variance, (K, 1, H)
            with torch.no_grad():
                n = bn_in.shape[1]
                bn["rm"].mul_(0.9).add_(0.1 * mu)
                bn["rv"].mul_(0.9).add_(0.1 * var * n / (n - 1))
        else:
            centred, var = bn_in - bn["rm"], bn["rv"]
        normed = bn["gamma"] * centred * torch.rsqrt(var + 1e-5) + bn["beta"]  # (K, B, H)
        if any_after:  # BN after the activation for some models: their output is the normalised activation
            h = torch.where(
                bn_mask, torch.where(after_mask, normed, _activation(normed, sig_mask, kinds)), act
            )
        else:
            h = _activation(torch.where(bn_mask, normed, h), sig_mask, kinds)
    return h


def train_mlps_side_by_side(
    configs: Sequence[NetConfig],
    seeds: Sequence[int],
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    *,
    steps: int,
    batch_size: int = 60,
    eval_every: int = 100,
    hidden: int = 100,
    depth: int = 3,
    device: torch.device | str = "cpu",
    progress: bool = True,
    num_threads: int | None = 1,
) -> dict[str, np.ndarray]:
    """Train one MLP per (config, seed) with plain SGD, all at once with batched matrix products.

    Why it stays beside :func:`~mlnote_utils.train.fit`: it is faster for many tiny networks (measurements in
    ``docs/benchmarks/side_by_side.md``).

    Every model is exactly ``mlp(n_in, hidden, depth, n_out, activation=…, batch_norm=…)`` built under
    ``seeded(seed)`` (with BN after the activation where ``bn_position="after"``; same weights), trained on its own minibatch stream (seeded by ``seed``) with its own learning rate; the
    models do not interact (the tests compare with separately trained models). BN layers use batch statistics
    in training and running averages (momentum 0.1) for the test accuracy. ``progress`` shows a bar over the
    steps (its total is ``steps``, the number of SGD updates). ``num_threads`` (default 1; ``None`` leaves it alone) is torch's CPU thread count during the call.

    Returns:
        ``{"steps": (E,), "test_acc": (C, S, E), "train_loss": (C, S, E)}`` — ``E`` evaluation points (step 0
        included), ``C`` configs, ``S`` seeds; ``train_loss`` is the mean minibatch loss since the last point
        (``nan`` at step 0, and for a run that has diverged).
    """
    if not configs or not seeds:
        raise ValueError("configs, seeds: expected at least one of each")
    if not isinstance(steps, int) or steps < 1 or not isinstance(eval_every, int) or eval_every < 1:
        raise ValueError(f"steps={steps!r}, eval_every={eval_every!r}: expected positive ints")
    if batch_size < 2 or batch_size > len(x_train):
        raise ValueError(f"batch_size={batch_size!r}: expected 2..{len(x_train)} (BN needs ≥ 2 samples)")
    if num_threads is not None and (not isinstance(num_threads, int) or num_threads < 1):
        raise ValueError(f"num_threads={num_threads!r}: expected a positive int or None")
    with cpu_threads(num_threads):
        n_in, n_out = x_train.shape[1], int(y_train.max()) + 1
        models = []
        for cfg in configs:
            for seed in seeds:
                with seeded(seed):  # every arm gets BN layers; bn_mask switches them off where unused
                    models.append(mlp(n_in, hidden, depth, n_out, activation=cfg.activation, batch_norm=True))
        k = len(models)
        layers = _stack(models, device)
        params = [p for lay in layers for key, p in lay.items() if key not in ("rm", "rv")]
        lrs = torch.tensor([c.lr for c in configs for _ in seeds], device=device)  # (K,)
        bn_mask = torch.tensor([c.batch_norm for c in configs for _ in seeds], device=device)[:, None, None]
        after_mask = torch.tensor([c.bn_position == "after" for c in configs for _ in seeds], device=device)[
            :, None, None
        ]
        sig_mask = torch.tensor([c.activation == "sigmoid" for c in configs for _ in seeds], device=device)[
            :, None, None
        ]
        xtr, ytr = x_train.to(device), y_train.to(device)
        xte, yte = x_test.to(device).expand(k, *x_test.shape), y_test.to(device)
        per_epoch = len(x_train) // batch_size
        gens = {s: torch.Generator().manual_seed(s) for s in seeds}
        orders = {s: torch.empty(0, dtype=torch.long) for s in seeds}
        eval_steps, accs, losses, running = [], [], [], torch.zeros(k, device=device)
        bar = progress_bar(total=steps, enabled=progress, desc="step", unit="step")  # one tick per SGD update
        for step in range(steps + 1):
            if step % eval_every == 0 or step == steps:
                with torch.no_grad():
                    logits_test = _forward(
                        layers, xte, bn_mask, sig_mask, False, after_mask
                    )  # (K, N_test, C)
                    pred = logits_test.argmax(-1)  # (K, N_test)
                eval_steps.append(step)
                accs.append((pred == yte).float().mean(1).cpu().numpy())
                since = step - (eval_steps[-2] if len(eval_steps) > 1 else 0)
                losses.append((running / since).cpu().numpy() if since else np.full(k, np.nan))
                running.zero_()
            if step == steps:  # the last pass only evaluates
                break
            batch_idx = []
            for s in seeds:
                if len(orders[s]) < batch_size:
                    orders[s] = torch.randperm(len(x_train), generator=gens[s])[: per_epoch * batch_size]
                batch_idx.append(orders[s][:batch_size])
                orders[s] = orders[s][batch_size:]
            idx = torch.stack(batch_idx).repeat(len(configs), 1).to(device)  # (K, B)
            logits = _forward(layers, xtr[idx], bn_mask, sig_mask, True, after_mask)  # (K, B, C)
            loss_k = nn.functional.cross_entropy(logits.transpose(1, 2), ytr[idx], reduction="none").mean(
                1
            )  # (K,)
            grads = torch.autograd.grad(loss_k.sum(), params)
            with torch.no_grad():
                for p, g in zip(params, grads, strict=True):
                    p -= lrs.view(-1, *[1] * (p.ndim - 1)) * g
                running += loss_k.detach()
            bar.update(1)
        bar.close()
        c, s = len(configs), len(seeds)
        return {
            "steps": np.array(eval_steps),
            "test_acc": np.stack(accs, -1).reshape(c, s, -1),
            "train_loss": np.stack(losses, -1).reshape(c, s, -1),
        }


def steps_to_reach(steps: np.ndarray, accuracy: np.ndarray, threshold: float) -> np.ndarray:
    """First evaluated step at which ``accuracy ≥ threshold``, along the last axis (``nan`` if never)."""
    acc = np.asarray(accuracy, dtype=np.float64)
    hit = acc >= threshold
    first = np.argmax(hit, axis=-1)
    return np.where(hit.any(axis=-1), np.asarray(steps)[first], np.nan)
