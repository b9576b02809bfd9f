"""Model selection (chapter 04): k-fold splits (equal to scikit-learn's) and the public/private leaderboard trap."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from ._checks import positive_int

__all__ = [
    "kfold_indices",
    "leaderboard_simulation",
    "plot_leaderboard",
]


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
    k = positive_int(k, "k", 2)
    n = positive_int(n, "n", k)
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
    n_models = positive_int(n_models, "n_models")
    n_public = positive_int(n_public, "n_public")
    n_private = positive_int(n_private, "n_private")
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
