import numpy as np

import mlnote_utils as mu
from mlnote_utils.exercises import ch04


def test_fold_sizes():
    assert ch04.check_fold_sizes([21, 21, 21, 20, 20])
    assert not ch04.check_fold_sizes([20, 20, 20, 20, 23])  # remainder put in the last fold
    assert not ch04.check_fold_sizes([21, 21, 21, 20])  # wrong length
    assert not ch04.check_fold_sizes(None)


def test_fold_ids():
    def reference(n, k):
        sizes = np.full(k, n // k)
        sizes[: n % k] += 1
        return np.repeat(np.arange(k), sizes)

    def remainder_last(n, k):
        ids = np.minimum(np.arange(n) // (n // k), k - 1)
        return ids

    def crashes(n, k):
        raise RuntimeError("boom")

    assert ch04.check_fold_ids(reference)
    assert not ch04.check_fold_ids(remainder_last)
    assert not ch04.check_fold_ids(crashes)
    assert not ch04.check_fold_ids(None)
    assert not ch04.check_fold_ids(42)


def test_deep_net_diagnosis():
    assert ch04.check_deep_net_diagnosis("optimization")
    assert not ch04.check_deep_net_diagnosis("overfitting")
    assert not ch04.check_deep_net_diagnosis("model bias")
    assert not ch04.check_deep_net_diagnosis("vanishing")  # not an option
    assert not ch04.check_deep_net_diagnosis(None)


def test_leaderboard_gap():
    r = mu.model_selection.leaderboard_simulation(
        n_models=500, n_public=200, n_private=200, true_accuracy=0.7, seed=1
    )
    assert ch04.check_leaderboard_gap(r["best_public"] - r["best_private"])
    assert not ch04.check_leaderboard_gap(r["best_private"] - r["best_public"])  # sign flipped
    wrong_seed = mu.model_selection.leaderboard_simulation(
        n_models=500, n_public=200, n_private=200, true_accuracy=0.7, seed=0
    )
    if wrong_seed["best_public"] - wrong_seed["best_private"] != r["best_public"] - r["best_private"]:
        assert not ch04.check_leaderboard_gap(wrong_seed["best_public"] - wrong_seed["best_private"])
    assert not ch04.check_leaderboard_gap(None)
