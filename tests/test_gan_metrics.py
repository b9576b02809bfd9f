"""mlnote_utils.gan_metrics: Inception Score and Fréchet distance against closed forms and scipy."""

import math

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import torch

from mlnote_utils import gan_metrics as gm


def _random_cov(d, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(d, d + 3, generator=g, dtype=torch.float64) * scale
    return a @ a.T / (d + 3)


def _fid_scipy(mu1, s1, mu2, s2):
    """The textbook formula with scipy's general matrix square root of the (non-symmetric) product."""
    covmean = scipy.linalg.sqrtm(np.asarray(s1) @ np.asarray(s2))
    covmean = np.real(covmean)
    diff = np.asarray(mu1) - np.asarray(mu2)
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


# --- Inception Score -----------------------------------------------------------------------------


def test_inception_score_is_one_for_a_uniform_classifier_output():
    for k in (2, 3, 10):
        assert gm.inception_score(torch.full((7, k), 1.0 / k)) == pytest.approx(1.0, abs=1e-12)


def test_inception_score_is_one_when_every_sample_gets_the_same_output():
    row = torch.tensor([0.7, 0.2, 0.1])
    assert gm.inception_score(row.repeat(5, 1)) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("k", [1, 2, 5, 10])
def test_inception_score_is_k_for_k_confident_balanced_classes(k):
    probs = torch.eye(k).repeat(3, 1)  # 3 samples per class, each classified with certainty
    assert gm.inception_score(probs) == pytest.approx(k, rel=1e-12)


def test_inception_score_of_confident_unbalanced_classes_is_exp_of_the_label_entropy():
    probs = torch.eye(3)[[0, 0, 1, 2]]  # shares 1/2, 1/4, 1/4
    expected = math.exp(-(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)))  # 2 sqrt 2
    assert gm.inception_score(probs) == pytest.approx(expected, rel=1e-12)
    assert gm.inception_score(probs) == pytest.approx(2 * math.sqrt(2), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inception_score_matches_scipy_entropy(seed):
    g = torch.Generator().manual_seed(seed)
    probs = torch.softmax(torch.randn(40, 6, generator=g, dtype=torch.float64) * 2, dim=1)
    marginal = probs.mean(dim=0).numpy()
    kl = [scipy.stats.entropy(row, marginal) for row in probs.numpy()]
    assert gm.inception_score(probs) == pytest.approx(math.exp(np.mean(kl)), rel=1e-10)
    assert gm.inception_score(probs.numpy()) == pytest.approx(math.exp(np.mean(kl)), rel=1e-10)
    assert gm.inception_score(probs.float()) == pytest.approx(math.exp(np.mean(kl)), rel=1e-5)


def test_inception_score_lies_between_one_and_k_and_zero_probabilities_are_allowed():
    g = torch.Generator().manual_seed(3)
    probs = torch.softmax(torch.randn(30, 4, generator=g) * 5, dim=1)
    probs[:, 3] = 0.0
    probs = probs / probs.sum(dim=1, keepdim=True)
    score = gm.inception_score(probs)
    assert 1.0 < score < 3.0
    assert isinstance(gm.inception_score(torch.eye(2)), float)


def test_inception_score_accepts_rows_within_its_tolerance_and_rejects_bad_input():
    nearly = torch.tensor([[0.5, 0.5 + 0.9e-4], [1.0, 0.0]], dtype=torch.float64)
    assert gm.inception_score(nearly) > 1.0
    with pytest.raises(ValueError, match=r"^probs: expected every row to sum to 1"):
        gm.inception_score(torch.tensor([[0.5, 0.5 + 1.1e-4], [1.0, 0.0]], dtype=torch.float64))
    with pytest.raises(ValueError, match=r"^probs: expected every row to sum to 1"):
        gm.inception_score(torch.tensor([[0.5, 0.4], [1.0, 0.0]]))
    with pytest.raises(ValueError, match=r"^probs: expected every row to sum to 1"):
        gm.inception_score(torch.rand(4, 3) + 0.5)  # scores, not probabilities
    with pytest.raises(ValueError, match=r"^probs: expected non-negative probabilities"):
        gm.inception_score(torch.tensor([[1.5, -0.5], [0.5, 0.5]]))
    with pytest.raises(
        ValueError, match=r"^probs: expected an \(N, K\) array with N, K ≥ 1, got shape \(3,\)"
    ):
        gm.inception_score(torch.tensor([0.2, 0.3, 0.5]))
    with pytest.raises(ValueError, match=r"^probs: expected an \(N, K\) array"):
        gm.inception_score(torch.zeros(0, 3))
    with pytest.raises(ValueError, match=r"^probs: expected an \(N, K\) array"):
        gm.inception_score(torch.zeros(3, 0))
    with pytest.raises(ValueError, match=r"^probs: expected finite values"):
        gm.inception_score(torch.tensor([[float("nan"), 1.0]]))
    with pytest.raises(TypeError, match=r"^probs: expected a numeric array or tensor, got str"):
        gm.inception_score("probs")


# --- Fréchet distance ----------------------------------------------------------------------------


def test_frechet_distance_is_zero_for_identical_statistics():
    s = _random_cov(5, 0)
    m = torch.arange(5, dtype=torch.float64)
    assert gm.frechet_distance(m, s, m, s) == pytest.approx(0.0, abs=1e-9)
    assert gm.frechet_distance(m, s, m.clone(), s.clone()) >= 0.0


def test_frechet_distance_in_one_dimension_is_the_closed_form():
    for m1, v1, m2, v2 in [(0.0, 4.0, 3.0, 1.0), (1.5, 0.25, -0.5, 9.0), (2.0, 2.0, 2.0, 2.0)]:
        expected = (m1 - m2) ** 2 + (math.sqrt(v1) - math.sqrt(v2)) ** 2
        assert gm.frechet_distance([m1], [[v1]], [m2], [[v2]]) == pytest.approx(
            expected, rel=1e-12, abs=1e-12
        )


def test_frechet_distance_of_diagonal_covariances_is_the_sum_over_coordinates():
    g = torch.Generator().manual_seed(1)
    m1, m2 = (
        torch.randn(6, generator=g, dtype=torch.float64),
        torch.randn(6, generator=g, dtype=torch.float64),
    )
    v1 = torch.rand(6, generator=g, dtype=torch.float64) + 0.1
    v2 = torch.rand(6, generator=g, dtype=torch.float64) + 0.1
    expected = float(((m1 - m2) ** 2 + (v1.sqrt() - v2.sqrt()) ** 2).sum())
    got = gm.frechet_distance(m1, torch.diag(v1), m2, torch.diag(v2))
    assert got == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_only_of_the_means_is_their_squared_distance():
    s = _random_cov(4, 2)
    m1 = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    m2 = torch.tensor([0.0, 2.0, 5.0, 4.0], dtype=torch.float64)
    assert gm.frechet_distance(m1, s, m2, s) == pytest.approx(5.0, rel=1e-9)


@pytest.mark.parametrize("d, seed", [(2, 0), (5, 1), (12, 2)])
def test_frechet_distance_matches_a_direct_scipy_sqrtm_computation(d, seed):
    s1, s2 = _random_cov(d, seed), _random_cov(d, seed + 100, scale=2.0)
    g = torch.Generator().manual_seed(seed)
    m1, m2 = (
        torch.randn(d, generator=g, dtype=torch.float64),
        torch.randn(d, generator=g, dtype=torch.float64),
    )
    expected = _fid_scipy(m1.numpy(), s1.numpy(), m2.numpy(), s2.numpy())
    assert gm.frechet_distance(m1, s1, m2, s2) == pytest.approx(expected, rel=1e-8)
    assert gm.frechet_distance(m2, s2, m1, s1) == pytest.approx(expected, rel=1e-8)  # symmetric
    assert gm.frechet_distance(m1.numpy(), s1.numpy(), m2.numpy(), s2.numpy()) == pytest.approx(
        expected, rel=1e-8
    )


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")
def test_frechet_distance_with_a_singular_covariance_is_finite_and_matches_scipy():
    s1 = torch.diag(torch.tensor([1.0, 0.0, 2.0], dtype=torch.float64))  # rank 2
    s2 = _random_cov(3, 5)
    m = torch.zeros(3, dtype=torch.float64)
    expected = _fid_scipy(m.numpy(), s1.numpy(), m.numpy(), s2.numpy())
    assert gm.frechet_distance(m, s1, m, s2) == pytest.approx(expected, rel=1e-6)
    assert gm.frechet_distance(m, torch.zeros(3, 3), m, torch.zeros(3, 3)) == 0.0


def test_frechet_distance_rejects_bad_input_naming_the_argument():
    m, s = torch.zeros(3), torch.eye(3)
    with pytest.raises(
        ValueError, match=r"^sigma1: expected a square \(3, 3\) covariance matching mu1, got shape \(3, 2\)"
    ):
        gm.frechet_distance(m, torch.zeros(3, 2), m, s)
    with pytest.raises(ValueError, match=r"^sigma2: expected a square \(3, 3\) covariance matching mu2"):
        gm.frechet_distance(m, s, m, torch.eye(2))
    with pytest.raises(ValueError, match=r"^sigma2: expected a symmetric covariance matrix"):
        gm.frechet_distance(m, s, m, torch.tensor([[1.0, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"^sigma1: expected a symmetric covariance matrix"):
        gm.frechet_distance(m, s + torch.tensor([[0.0, 1e-5, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), m, s)
    with pytest.raises(ValueError, match=r"^mu1: expected a 1-D mean vector, got shape \(1, 3\)"):
        gm.frechet_distance(m[None], s, m, s)
    with pytest.raises(ValueError, match=r"^mu2: expected a 1-D mean vector, got shape \(0,\)"):
        gm.frechet_distance(m, s, torch.zeros(0), torch.zeros(0, 0))
    with pytest.raises(ValueError, match=r"^mu1, mu2: expected the same dimension, got 3 and 2"):
        gm.frechet_distance(m, s, torch.zeros(2), torch.eye(2))
    with pytest.raises(ValueError, match=r"^sigma1: expected finite values"):
        gm.frechet_distance(m, torch.full((3, 3), float("inf")), m, s)
    with pytest.raises(TypeError, match=r"^mu2: expected a numeric array or tensor"):
        gm.frechet_distance(m, s, "mean", s)


def test_frechet_distance_accepts_a_covariance_symmetric_within_rounding():
    s = _random_cov(4, 3)
    s_rounded = s.clone()
    s_rounded[0, 1] += 1e-12
    m = torch.zeros(4, dtype=torch.float64)
    assert gm.frechet_distance(m, s_rounded, m, s) == pytest.approx(0.0, abs=1e-6)


# --- statistics and FID from features ------------------------------------------------------------


def test_gaussian_stats_match_numpy_mean_and_unbiased_cov():
    g = torch.Generator().manual_seed(4)
    f = torch.randn(30, 4, generator=g)
    m, s = gm.gaussian_stats(f)
    assert m.dtype == torch.float64 and s.dtype == torch.float64
    np.testing.assert_allclose(m.numpy(), f.double().mean(dim=0).numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.numpy(), np.cov(f.double().numpy(), rowvar=False), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(s, torch.cov(f.double().T))
    m2, s2 = gm.gaussian_stats(torch.tensor([[1.0], [3.0]]))
    assert m2.tolist() == [2.0] and s2.tolist() == [[2.0]]


def test_gaussian_stats_rejects_bad_input():
    with pytest.raises(
        ValueError, match=r"^features: expected an \(N, d\) array with N ≥ 2 rows, got shape \(1, 3\)"
    ):
        gm.gaussian_stats(torch.zeros(1, 3))
    with pytest.raises(ValueError, match=r"^features: expected an \(N, d\) array"):
        gm.gaussian_stats(torch.zeros(5))
    with pytest.raises(ValueError, match=r"^features: expected an \(N, d\) array"):
        gm.gaussian_stats(torch.zeros(5, 0))


def test_fid_from_features_is_frechet_distance_of_the_stats():
    g = torch.Generator().manual_seed(5)
    a, b = torch.randn(200, 3, generator=g), torch.randn(150, 3, generator=g) * 1.5 + 1.0
    ma, sa = gm.gaussian_stats(a)
    mb, sb = gm.gaussian_stats(b)
    assert gm.fid_from_features(a, b) == pytest.approx(gm.frechet_distance(ma, sa, mb, sb), rel=1e-12)
    assert gm.fid_from_features(a, b) == pytest.approx(
        _fid_scipy(ma.numpy(), sa.numpy(), mb.numpy(), sb.numpy()), rel=1e-8
    )
    assert gm.fid_from_features(a, a) == pytest.approx(0.0, abs=1e-9)
    assert gm.fid_from_features(a, a + 2.0) == pytest.approx(12.0, rel=1e-7)  # shift by 2 in 3 coordinates
    with pytest.raises(
        ValueError, match=r"^features_a, features_b: expected the same feature dimension, got 3 and 2"
    ):
        gm.fid_from_features(a, b[:, :2])


def test_inception_score_row_sum_tolerance_is_absolute_1e_4():
    # documented contract: rows must sum to 1 within an absolute 1e-4, with no extra relative slack
    ok = torch.tensor([[0.5, 0.5 + 0.95e-4], [1.0, 0.0]], dtype=torch.float64)
    assert gm.inception_score(ok) > 1.0
    with pytest.raises(ValueError, match=r"^probs: expected every row to sum to 1"):
        gm.inception_score(torch.tensor([[0.5, 0.5 + 1.05e-4], [1.0, 0.0]], dtype=torch.float64))
    with pytest.raises(ValueError, match=r"^probs: expected every row to sum to 1"):
        gm.inception_score(torch.tensor([[0.5, 0.5 - 1.05e-4], [1.0, 0.0]], dtype=torch.float64))


def test_frechet_distance_symmetry_tolerance_is_relative_1e_6():
    # documented contract: symmetric within torch.allclose(sigma, sigma.T, rtol=1e-6, atol=1e-8)
    s = torch.tensor([[4.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    m = torch.zeros(2, dtype=torch.float64)
    nearly = s.clone()
    nearly[0, 1] = 1.0 + 0.5e-6
    assert gm.frechet_distance(m, nearly, m, s) == pytest.approx(0.0, abs=1e-5)
    skewed = s.clone()
    skewed[0, 1] = 1.0 + 5e-6  # relative 5e-6: over rtol 1e-6, under the default rtol 1e-5
    with pytest.raises(ValueError, match=r"^sigma1: expected a symmetric covariance matrix"):
        gm.frechet_distance(m, skewed, m, s)
    with pytest.raises(ValueError, match=r"^sigma2: expected a symmetric covariance matrix"):
        gm.frechet_distance(m, s, m, skewed)


def test_gaussian_stats_and_fid_name_the_argument_for_non_numeric_or_non_finite_input():
    with pytest.raises(ValueError, match=r"^features: expected finite values"):
        gm.gaussian_stats(torch.tensor([[0.0, float("nan")], [1.0, 2.0]]))
    with pytest.raises(TypeError, match=r"^features: expected a numeric array or tensor, got str"):
        gm.gaussian_stats("features")
    with pytest.raises(ValueError, match=r"^features: expected finite values"):
        gm.fid_from_features(torch.zeros(3, 2), torch.full((3, 2), float("inf")))
