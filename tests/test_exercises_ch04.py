import numpy as np

import mlnote_utils as mu
from mlnote_utils.exercises import ch04


def test_fold_sizes():
    assert ch04.check_fold_sizes([21, 21, 21, 20, 20])
    assert not ch04.check_fold_sizes([20, 20, 20, 20, 23])  # remainder put in the last fold
    assert not ch04.check_fold_sizes([21, 21, 21, 20])  # wrong length
    assert not ch04.check_fold_sizes(None)
    assert not ch04.check_fold_sizes([21, 21, 20, 21, 20])  # near miss: right sizes, wrong order


def _reference(n, k):
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    return np.repeat(np.arange(k), sizes)


def test_fold_ids_accepts_the_reference_as_array_or_list():
    assert ch04.check_fold_ids(_reference)
    assert ch04.check_fold_ids(lambda n, k: _reference(n, k).tolist())


def test_fold_ids_reference_matches_kfold_indices_on_every_case():
    cases = ch04._fold_id_cases()
    assert len(set(cases)) == len(cases) >= 10
    for n, k in cases:
        ids = ch04._fold_ids_reference(n, k)
        for fold, (_, valid) in enumerate(mu.model_selection.kfold_indices(n, k)):
            assert np.all(ids[valid] == fold)


def test_fold_ids_rejects_slips_and_names_the_first_mismatch():
    def remainder_last(n, k):
        return np.minimum(np.arange(n) // (n // k), k - 1)

    def crashes(n, k):
        raise RuntimeError("boom")

    fb = ch04.check_fold_ids(remainder_last)
    assert not fb and "fold_ids(10, 3)" in fb.message and "样本 3 应在第 0 折" in fb.message
    assert not ch04.check_fold_ids(crashes)
    assert not ch04.check_fold_ids(None)
    assert "请实现" in ch04.check_fold_ids(lambda n, k: None).message
    assert not ch04.check_fold_ids(42)
    assert not ch04.check_fold_ids(lambda n, k: _reference(n, k)[:-1])  # one sample short

    def ceil_sizes(n, k):  # near miss: every fold gets ceil(n / k) -> only wrong where n % k != 0
        return np.minimum(np.arange(n) // -(-n // k), k - 1)

    assert not ch04.check_fold_ids(ceil_sizes)

    def extra_to_last(n, k):  # near miss: the n % k extra samples go to the LAST folds
        sizes = np.full(k, n // k)
        sizes[k - n % k :] += 1 if n % k else 0
        return np.repeat(np.arange(k), sizes)

    assert not ch04.check_fold_ids(extra_to_last)

    def last_sample_wrapped(n, k):  # off by one at the end: the last sample put back into fold 0
        ids = _reference(n, k)
        ids[-1] = 0
        return ids

    fb = ch04.check_fold_ids(last_sample_wrapped)
    assert not fb and "样本 9 应在第 2 折" in fb.message


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
