"""Helpers for chapter 04 (diagnosing a training run, model selection).

Compute helpers are pure (model, tensors, seed and device come in; arrays and dicts go out); the two
plot helpers take ``ax=None`` and return the Axes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn
from torch.nn import functional as F

__all__ = [
    "plot_decision_flow",
    "plain_mlp",
    "deepen_with_identity",
    "layer_signal_std",
    "train_classifier",
    "augment_signals",
    "make_mnist1d_variant",
    "kfold_indices",
    "leaderboard_simulation",
    "plot_leaderboard",
]

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def _positive_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}={value!r}: expected an int ≥ {minimum}")
    return int(value)


# ----------------------------------------------------------------------------------------------------------
# The decision flow
# ----------------------------------------------------------------------------------------------------------

_FLOW_BOXES = {  # name: (x, y, text, colour)
    "start": (0.50, 0.90, "Training loss large?", "#dbe9f6"),
    "which": (0.20, 0.62, "Does a simpler model reach\na LOWER training loss?", "#dbe9f6"),
    "bias": (0.09, 0.30, "Model bias\n(add features,\nmore flexible model)", "#fde2c8"),
    "optim": (0.31, 0.30, "Optimisation\n(better optimiser\nor initialisation)", "#fde2c8"),
    "test": (0.73, 0.62, "Test (validation)\nloss large?", "#dbe9f6"),
    "over": (0.53, 0.30, "Overfitting\n(more data, augmentation,\nsimpler model)", "#fde2c8"),
    "mismatch": (0.75, 0.30, "Mismatch\n(train/test differ;\nmore data won't help)", "#fde2c8"),
    "done": (0.94, 0.30, "Done:\nboth small", "#d6f0d2"),
}
_FLOW_ARROWS = [  # (from, to, label)
    ("start", "which", "yes"),
    ("start", "test", "no"),
    ("which", "bias", "no"),
    ("which", "optim", "yes"),
    ("test", "over", "yes"),
    ("test", "mismatch", "yes"),
    ("test", "done", "no"),
]


def plot_decision_flow(*, ax: Axes | None = None) -> Axes:
    """Draw the lecture's diagnosis flow chart (training loss first, then test loss) on ``ax``.

    Args:
        ax: the Axes to draw on; a new 11×4-inch figure is made when missing.

    Returns:
        The Axes, with its axis frame hidden and a title set.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(11, 4))
    ax.set_xlim(0, 1)
    ax.set_ylim(0.12, 1)
    ax.axis("off")
    for x, y, text, colour in _FLOW_BOXES.values():
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=9,
            bbox={"boxstyle": "round,pad=0.5", "fc": colour, "ec": "0.3"},
        )
    for start, end, label in _FLOW_ARROWS:
        x0, y0 = _FLOW_BOXES[start][:2]
        x1, y1 = _FLOW_BOXES[end][:2]
        ax.annotate(
            "",
            xy=(x1, y1 + 0.1),
            xytext=(x0, y0 - 0.07),
            arrowprops={"arrowstyle": "->", "color": "0.25", "lw": 1.2},
        )
        ax.text(
            (x0 + x1) / 2,
            (y0 - 0.07 + y1 + 0.1) / 2,
            label,
            fontsize=8.5,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
        )
    ax.set_title("How to diagnose a training run (train loss first, then test loss)")
    return ax


# ----------------------------------------------------------------------------------------------------------
# Models and a step-level training loop
# ----------------------------------------------------------------------------------------------------------


def plain_mlp(
    in_features: int, width: int, depth: int, n_classes: int, *, activation: str = "relu"
) -> nn.Sequential:
    """A plain fully connected network (no residual connections, no normalisation).

    ``depth`` counts hidden layers: ``Linear(in, width)``, act, then ``depth - 1`` × (``Linear(width, width)``,
    act), then ``Linear(width, n_classes)``. PyTorch's default initialisation is kept.

    Args:
        in_features: input size; width: hidden size; depth: number of hidden layers (≥ 1);
        n_classes: output size; activation: ``"relu"``, ``"tanh"`` or ``"sigmoid"``.

    >>> plain_mlp(40, 8, 3, 10)[4]
    Linear(in_features=8, out_features=8, bias=True)
    """
    for name, value in (
        ("in_features", in_features),
        ("width", width),
        ("depth", depth),
        ("n_classes", n_classes),
    ):
        _positive_int(value, name)
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation={activation!r}: expected one of {sorted(_ACTIVATIONS)}")
    act = _ACTIVATIONS[activation]
    layers: list[nn.Module] = [nn.Linear(in_features, width), act()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), act()]
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)


def deepen_with_identity(model: nn.Sequential, extra_layers: int) -> nn.Sequential:
    """A deeper copy of a ReLU :func:`plain_mlp` that computes exactly the same function.

    After a ReLU every hidden value is ≥ 0, so ``relu(I·h + 0) = h``: inserting identity layers before the
    output layer changes nothing. The deeper network can therefore do at least as well as the shallow one —
    if it trains worse, the optimiser is to blame, not the model's flexibility.

    Args:
        model: a ``plain_mlp(..., activation="relu")`` (not modified).
        extra_layers: how many identity hidden layers to add (≥ 1).

    Returns:
        A new ``nn.Sequential`` with ``extra_layers`` more hidden layers.
    """
    if not isinstance(model, nn.Sequential) or len(model) < 3 or not isinstance(model[-1], nn.Linear):
        raise TypeError("model: expected an nn.Sequential built by plain_mlp")
    if not all(isinstance(m, nn.ReLU) for m in list(model)[1:-1:2]):
        raise ValueError("model: the identity trick needs ReLU activations (relu(h) = h for h ≥ 0)")
    extra_layers = _positive_int(extra_layers, "extra_layers")
    import copy

    layers = [copy.deepcopy(m) for m in model]
    width = layers[-1].in_features
    ref = layers[-1].weight
    for _ in range(extra_layers):
        eye = nn.Linear(width, width).to(device=ref.device, dtype=ref.dtype)
        with torch.no_grad():
            eye.weight.copy_(torch.eye(width, dtype=ref.dtype))
            eye.bias.zero_()
        layers[-1:-1] = [eye, nn.ReLU()]
    return nn.Sequential(*layers)


@torch.no_grad()
def layer_signal_std(model: nn.Sequential, x: torch.Tensor) -> np.ndarray:
    """How much each ``Linear`` layer's output still depends on the input: its std across the batch.

    For every ``nn.Linear`` in ``model`` (in order) the output's standard deviation over the batch is
    taken per unit and averaged over units. A value that shrinks layer after layer means the input's
    signal is fading (the gradients fade with it).

    Args:
        model: an ``nn.Sequential`` such as :func:`plain_mlp`. x: a batch ``(N, in_features)``, N ≥ 2.

    Returns:
        ``(number of Linear layers,)`` float array.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model: expected an nn.Sequential, got {type(model).__name__}")
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"x: expected a batch (N, features) with N ≥ 2, got {tuple(x.shape)}")
    stds = []
    h = x
    for layer in model:
        h = layer(h)
        if isinstance(layer, nn.Linear):
            stds.append(float(h.std(dim=0).mean()))
    return np.asarray(stds)


def train_classifier(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    lr: float,
    batch_size: int | None = None,
    optimizer: str = "sgd",
    momentum: float = 0.9,
    weight_decay: float = 0.0,
    augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
    eval_sets: Mapping[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
    eval_every: int | None = None,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> dict[str, np.ndarray]:
    """Train ``model`` in place with cross-entropy for ``steps`` updates and log losses along the way.

    Each step draws a mini-batch (with replacement, from a generator seeded with ``seed``) or uses the full
    set when ``batch_size`` is None; ``augment(x_batch, generator)`` may transform the batch. Logged
    losses are always on the *un-augmented* data, in eval mode; the model's mode is restored at the end.

    Args:
        model: a classifier returning logits; moved to ``device``.
        x, y: training inputs ``(N, ...)`` and integer labels ``(N,)``.
        steps: number of updates (≥ 1). lr: learning rate (> 0).
        batch_size: mini-batch size, or None for full batch.
        optimizer: ``"sgd"`` (with ``momentum``) or ``"adam"``. weight_decay: L2 penalty passed to the optimiser.
        augment: optional batch transform. eval_sets: extra ``{name: (x, y)}`` sets to log.
        eval_every: log every this many steps (default: only at the end, plus step 0).
        seed: seed of the batch sampler and of ``augment``'s generator. device: where to train.

    Returns:
        ``{"step", "train_loss", "train_acc", "<name>_loss", "<name>_acc" for each eval set}`` as arrays.
    """
    steps = _positive_int(steps, "steps")
    if not lr > 0:
        raise ValueError(f"lr={lr!r}: expected a positive learning rate")
    if x.shape[0] != y.shape[0] or y.ndim != 1:
        raise ValueError(
            f"x {tuple(x.shape)} and y {tuple(y.shape)}: expected (N, ...) inputs and (N,) labels"
        )
    n = x.shape[0]
    if batch_size is not None:
        _positive_int(batch_size, "batch_size")
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer={optimizer!r}: expected 'sgd' or 'adam'")
    eval_every = steps if eval_every is None else _positive_int(eval_every, "eval_every")
    model.to(device)
    x, y = x.to(device), y.to(device)
    sets = {"train": (x, y)}
    for name, (xe, ye) in (eval_sets or {}).items():
        sets[name] = (xe.to(device), ye.to(device))
    params = list(model.parameters())
    opt = (
        torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
        if optimizer == "sgd"
        else torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    )
    gen = torch.Generator().manual_seed(seed)
    log: dict[str, list[float]] = {"step": []}
    was_training = model.training

    def record(step: int) -> None:
        model.eval()
        with torch.no_grad():
            log["step"].append(step)
            for name, (xe, ye) in sets.items():
                out = model(xe)
                log.setdefault(f"{name}_loss", []).append(float(F.cross_entropy(out, ye)))
                log.setdefault(f"{name}_acc", []).append(float((out.argmax(1) == ye).float().mean()))
        model.train()

    record(0)
    for step in range(1, steps + 1):
        if batch_size is None:
            xb, yb = x, y
        else:
            idx = torch.randint(0, n, (batch_size,), generator=gen).to(device)
            xb, yb = x[idx], y[idx]
        if augment is not None:
            xb = augment(xb, gen)
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
        if step % eval_every == 0 or step == steps:
            if log["step"][-1] != step:
                record(step)
    model.train(was_training)
    return {k: np.asarray(v) for k, v in log.items()}


# ----------------------------------------------------------------------------------------------------------
# Data: augmentation and a shifted variant of MNIST-1D
# ----------------------------------------------------------------------------------------------------------


def augment_signals(
    x: torch.Tensor,
    generator: torch.Generator,
    *,
    max_shift: int = 4,
    scale: float = 0.2,
    noise: float = 0.05,
) -> torch.Tensor:
    """Label-preserving random changes of 1-D signals ``(N, L)``, in the spirit of MNIST-1D's own generator.

    Each row is circularly shifted by an integer in ``[-max_shift, max_shift]``, multiplied by a factor in
    ``[1 - scale, 1 + scale]`` and given i.i.d. Gaussian noise of standard deviation ``noise``. (The generator
    itself translates, rescales and adds noise, so these do not change what a digit looks like.)

    Args:
        x: signals ``(N, L)``. generator: a CPU ``torch.Generator`` (reproducibility).
        max_shift: largest shift (≥ 0). scale: relative amplitude change in [0, 1). noise: noise std (≥ 0).

    Returns:
        A new tensor with ``x``'s shape, dtype and device.
    """
    if x.ndim != 2:
        raise ValueError(f"x: expected signals of shape (N, L), got {tuple(x.shape)}")
    if not isinstance(max_shift, int) or max_shift < 0:
        raise ValueError(f"max_shift={max_shift!r}: expected an int ≥ 0")
    if not 0.0 <= scale < 1.0:
        raise ValueError(f"scale={scale!r}: expected a number in [0, 1)")
    if not noise >= 0.0:
        raise ValueError(f"noise={noise!r}: expected a non-negative number")
    n, length = x.shape
    shift = torch.randint(-max_shift, max_shift + 1, (n, 1), generator=generator)
    cols = (torch.arange(length)[None, :] - shift) % length  # (N, L): row i is rolled by shift[i]
    factor = 1.0 + scale * (2.0 * torch.rand(n, 1, generator=generator) - 1.0)
    eps = noise * torch.randn(n, length, generator=generator)
    out = torch.gather(x.cpu(), 1, cols) * factor + eps
    return out.to(device=x.device, dtype=x.dtype)


def make_mnist1d_variant(
    num_samples: int = 1000, seed: int = 1, **overrides: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST-1D signals from the ``mnist1d`` generator with some of its settings changed (a shifted distribution).

    Every signal (train and test part of the generator's output) is returned, cached under ``data/cache/``.

    Args:
        num_samples: number of signals (a multiple of 10, ≥ 10).
        seed: the generator's seed.
        **overrides: numeric generator settings to change, e.g. ``shear_scale=4.0`` (a stronger baseline
            drift) or ``iid_noise_scale=0.3``.

    Returns:
        ``(x, y)``: ``(num_samples, 40)`` float32 signals and int64 labels.
    """
    if not isinstance(num_samples, int) or num_samples < 10 or num_samples % 10:
        raise ValueError(f"num_samples={num_samples!r}: expected an int ≥ 10 that is a multiple of 10")
    from mnist1d.data import get_dataset_args, make_dataset

    from .data import cached_arrays

    args = get_dataset_args(as_dict=True)
    unknown = sorted(set(overrides) - set(args))
    if unknown:
        raise ValueError(
            f"overrides: unknown generator setting(s) {unknown}; expected some of {sorted(args)}"
        )
    for key, value in overrides.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{key}={value!r}: expected a number (list-valued settings cannot be overridden)")

    def build() -> dict[str, np.ndarray]:
        from mnist1d.utils import ObjectView

        settings = dict(args, num_samples=num_samples, seed=seed, **overrides)
        state = np.random.get_state()
        try:
            d = make_dataset(ObjectView(settings))
        finally:
            np.random.set_state(state)
        return {"x": np.concatenate([d["x"], d["x_test"]]), "y": np.concatenate([d["y"], d["y_test"]])}

    params = {"num_samples": num_samples, "seed": seed, **{k: float(v) for k, v in overrides.items()}}
    arrays = cached_arrays("mnist1d_variant", params, build, verbose=False)
    return torch.as_tensor(arrays["x"], dtype=torch.float32), torch.as_tensor(arrays["y"], dtype=torch.int64)


# ----------------------------------------------------------------------------------------------------------
# Model selection
# ----------------------------------------------------------------------------------------------------------


def kfold_indices(
    n: int, k: int, *, shuffle: bool = False, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split ``range(n)`` into ``k`` folds; each fold is the validation set once.

    The first ``n % k`` folds get one extra item. With ``shuffle=True`` the items are first put in the order
    ``np.random.RandomState(seed).permutation(n)`` and cut into folds there, so the folds equal
    ``sklearn.model_selection.KFold(k, shuffle=True, random_state=seed)``'s. Indices come back sorted.

    Args:
        n: number of items (≥ k). k: number of folds (≥ 2). shuffle: permute first. seed: permutation seed.

    Returns:
        ``k`` pairs ``(train_idx, valid_idx)`` of int64 arrays.

    >>> [v.tolist() for _, v in kfold_indices(5, 2)]
    [[0, 1, 2], [3, 4]]
    """
    k = _positive_int(k, "k", 2)
    n = _positive_int(n, "n", k)
    order = np.random.RandomState(seed).permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    folds = []
    for i in range(k):
        valid = np.sort(order[bounds[i] : bounds[i + 1]])
        train = np.sort(np.concatenate([order[: bounds[i]], order[bounds[i + 1] :]]))
        folds.append((train.astype(np.int64), valid.astype(np.int64)))
    return folds


def leaderboard_simulation(
    n_models: int,
    n_public: int,
    n_private: int,
    *,
    true_accuracy: float | np.ndarray = 0.5,
    seed: int = 0,
) -> dict[str, np.ndarray | int | float]:
    """Score many models on a public and a private test set and pick the one that is best on the public set.

    Every model gets each test example right independently with probability ``true_accuracy`` (one number
    for all models, or one per model), so its public and private scores are independent
    ``Binomial(n, p) / n`` draws.

    Args:
        n_models: number of submitted models (≥ 1). n_public, n_private: test-set sizes (≥ 1).
        true_accuracy: each model's real accuracy, in [0, 1]. seed: random seed.

    Returns:
        ``{"public", "private"}`` accuracy arrays ``(n_models,)``, ``"best"`` (index of the public winner),
        ``"best_public"``, ``"best_private"`` and ``"best_true"`` (that model's real accuracy).

    >>> r = leaderboard_simulation(1000, 100, 100, seed=0)
    >>> bool(r["best_public"] > r["best_private"])
    True
    """
    n_models = _positive_int(n_models, "n_models")
    n_public = _positive_int(n_public, "n_public")
    n_private = _positive_int(n_private, "n_private")
    p = np.broadcast_to(np.asarray(true_accuracy, dtype=np.float64), (n_models,))
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError("true_accuracy: expected values in [0, 1], one number or one per model")
    rng = np.random.default_rng(seed)
    public = rng.binomial(n_public, p) / n_public
    private = rng.binomial(n_private, p) / n_private
    best = int(np.argmax(public))
    return {
        "public": public,
        "private": private,
        "best": best,
        "best_public": float(public[best]),
        "best_private": float(private[best]),
        "best_true": float(p[best]),
    }


def plot_leaderboard(result: Mapping, *, ax: Axes | None = None) -> Axes:
    """Public vs private accuracy of every model in a :func:`leaderboard_simulation`, the public winner marked."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 4))
    pub, priv, best = np.asarray(result["public"]), np.asarray(result["private"]), int(result["best"])
    ax.scatter(pub, priv, s=8, alpha=0.35, color="tab:blue", label=f"{len(pub)} models")
    ax.scatter([pub[best]], [priv[best]], s=90, marker="*", color="tab:red", zorder=3, label="best on public")
    lo, hi = min(pub.min(), priv.min()), max(pub.max(), priv.max())
    ax.plot([lo, hi], [lo, hi], "k:", lw=1, label="public = private")
    ax.set_xlabel("public test accuracy")
    ax.set_ylabel("private test accuracy")
    ax.set_title(f"Public winner: {pub[best]:.2f} public, {priv[best]:.2f} private")
    ax.legend(fontsize="small", loc="upper left")
    return ax
