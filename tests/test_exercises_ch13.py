"""Chapter 13 checkers: each rejects wrong answers (including near-misses) and accepts the reference."""

import math

import torch

from mlnote_utils.exercises import ch13 as ex


def test_js_disjoint():
    assert ex.check_js_disjoint(math.log(2))
    assert ex.check_js_disjoint(0.6931)
    assert not ex.check_js_disjoint(None) and not ex.check_js_disjoint(None).answered
    assert not ex.check_js_disjoint(1.0)  # log base 2
    assert not ex.check_js_disjoint(2 * math.log(2))  # 2 JS, as in V(G, D*) + log 4
    assert not ex.check_js_disjoint(0.0)
    assert not ex.check_js_disjoint(math.log(2) * 1.01)  # off by 1 %


def _ref(x, y):
    return (x.sort().values - y.sort().values).abs().mean()


def test_w1_accepts_the_reference_and_rejects_near_misses():
    assert ex.check_w1(_ref)
    assert ex.check_w1(lambda x, y: float(_ref(x, y)))
    assert not ex.check_w1(None) and not ex.check_w1(None).answered
    assert not ex.check_w1(lambda x, y: (x - y).abs().mean())  # no sorting
    assert not ex.check_w1(lambda x, y: (x.sort().values - y.sort().values).abs().sum())  # sum, not mean
    assert not ex.check_w1(lambda x, y: (x.sort().values - y.sort().values).pow(2).mean())  # squared
    assert not ex.check_w1(
        lambda x, y: (x.sort().values - y.sort().values).mean().abs()
    )  # |mean|, not mean |.|
    assert not ex.check_w1(lambda x, y: _ref(x, y) * 1.01)  # off by 1 %
    n_minus_1 = lambda x, y: (x.sort().values - y.sort().values).abs().sum() / max(len(x) - 1, 1)  # noqa: E731
    assert not ex.check_w1(n_minus_1)
    # only wrong on the case with one grain each: returns 0 when n == 1
    one_off = lambda x, y: _ref(x, y) if len(x) > 1 else 0.0  # noqa: E731
    fb = ex.check_w1(one_off)
    assert not fb and "第 4 个" in fb.message
    assert not ex.check_w1(lambda x, y: "w1")


def test_spectral_norm():
    w = torch.tensor(ex.SPECTRAL_MATRIX, dtype=torch.float64)
    ref = float(torch.linalg.svdvals(w)[0])
    assert abs(ref - math.sqrt(45)) < 1e-12
    assert ex.check_spectral_norm(ref) and ex.check_spectral_norm(math.sqrt(45))
    assert not ex.check_spectral_norm(None)
    assert not ex.check_spectral_norm(5.0)  # largest eigenvalue of W itself
    assert not ex.check_spectral_norm(math.sqrt(50))  # Frobenius norm (5 % too large)
    assert not ex.check_spectral_norm(45.0)  # forgot the square root
    assert not ex.check_spectral_norm(ref * 1.01)  # off by 1 %
