"""mu.model_selection: k-fold splits equal to scikit-learn's, and the public/private leaderboard trap."""

import numpy as np
import pytest
from sklearn.model_selection import KFold

import mlnote_utils as mu

ms = mu.model_selection


@pytest.mark.parametrize(
    "n,k,shuffle", [(10, 3, False), (10, 3, True), (103, 5, True), (7, 7, False), (50, 2, True)]
)
def test_kfold_matches_sklearn(n, k, shuffle):
    ours = ms.kfold_indices(n, k, shuffle=shuffle, seed=4)
    theirs = KFold(k, shuffle=shuffle, random_state=4 if shuffle else None).split(np.arange(n))
    for (tr, va), (tr_sk, va_sk) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(va, va_sk)
        np.testing.assert_array_equal(tr, tr_sk)


def test_kfold_validates():
    with pytest.raises(ValueError, match="k="):
        ms.kfold_indices(10, 1)
    with pytest.raises(ValueError, match="n="):
        ms.kfold_indices(3, 5)


def test_leaderboard_simulation():
    r = ms.leaderboard_simulation(2000, 100, 100, seed=0)
    assert r["public"].shape == (2000,) and r["best"] == int(np.argmax(r["public"]))
    assert r["best_public"] > 0.6 and abs(r["best_private"] - 0.5) < 0.15
    # one model: no selection, so no optimism on average
    gaps = [ms.leaderboard_simulation(1, 100, 100, seed=s)["best_public"] - 0.5 for s in range(300)]
    assert abs(np.mean(gaps)) < 0.01
    # per-model accuracies: with huge test sets the truly best model wins
    r = ms.leaderboard_simulation(3, 100000, 10, true_accuracy=np.array([0.5, 0.9, 0.6]), seed=0)
    assert r["best"] == 1 and r["best_true"] == 0.9
    with pytest.raises(ValueError, match="true_accuracy"):
        ms.leaderboard_simulation(3, 10, 10, true_accuracy=1.2)
    with pytest.raises(ValueError, match="n_public"):
        ms.leaderboard_simulation(3, 0, 10)


def test_plot_leaderboard_returns_axes():
    ax = ms.plot_leaderboard(ms.leaderboard_simulation(50, 20, 20, seed=0))
    assert ax.get_xlabel() == "public test accuracy"


def test_leaderboard_public_and_private_sizes_that_differ():
    # a small public set (40) and a large private one (1000): each score lies on its own grid k/n and
    # spreads like a binomial proportion of its own size, sqrt(p(1-p)/n). With 4000 models a sample std
    # has a relative error of about 1/sqrt(8000) ≈ 1 %; the band is ±5 %.
    p, n_pub, n_priv = 0.7, 40, 1000
    r = ms.leaderboard_simulation(4000, n_pub, n_priv, true_accuracy=p, seed=3)
    np.testing.assert_allclose(r["public"] * n_pub, np.round(r["public"] * n_pub), atol=1e-9)
    np.testing.assert_allclose(r["private"] * n_priv, np.round(r["private"] * n_priv), atol=1e-9)
    assert len(np.unique(r["public"])) <= n_pub + 1 < len(np.unique(r["private"]))
    assert r["public"].std() == pytest.approx(np.sqrt(p * (1 - p) / n_pub), rel=0.05)
    assert r["private"].std() == pytest.approx(np.sqrt(p * (1 - p) / n_priv), rel=0.05)
    assert r["public"].mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n_pub / 4000))
    assert r["private"].mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n_priv / 4000))
    best = r["best"]
    assert r["best_public"] == r["public"][best] == r["public"].max()
    assert r["best_private"] == r["private"][best] and r["best_true"] == p
    # the public winner's private score is an ordinary draw: its optimism is all on the public side
    # (the largest of 4000 normal draws lies about 3.4 sd above the mean; here 3.1 sd on a grid of 1/40)
    assert r["best_public"] - p > 2.5 * np.sqrt(p * (1 - p) / n_pub)
    assert abs(r["best_private"] - p) < 4 * np.sqrt(p * (1 - p) / n_priv)
