"""Chapter 14 checkers: each rejects wrong answers (including near-misses) and accepts the reference."""

import math

from mlnote_utils.exercises import ch14 as ex

IS_REF = math.exp(-(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)))  # 2 sqrt 2


def test_inception_score_checker():
    assert ex.check_inception_score(IS_REF)
    assert ex.check_inception_score(2 * math.sqrt(2))
    assert not ex.check_inception_score(None)
    assert not ex.check_inception_score(None).answered
    assert not ex.check_inception_score(3.0)  # classes taken as balanced
    assert not ex.check_inception_score(math.log(IS_REF))  # forgot the exp
    assert not ex.check_inception_score(IS_REF * 1.01)  # off by 1 %
    assert not ex.check_inception_score(IS_REF * 0.99)
    assert not ex.check_inception_score(1.5)  # the entropy in bits, not the score
    assert not ex.check_inception_score(2.0)  # two classes counted, the split 1/2, 1/4, 1/4 ignored


def _fid_ref(mu1, var1, mu2, var2):
    return (mu1 - mu2) ** 2 + var1 + var2 - 2 * math.sqrt(var1 * var2)


def test_fid_1d_checker_accepts_the_reference_and_the_std_form():
    assert ex.check_fid_1d(_fid_ref)
    assert ex.check_fid_1d(lambda m1, v1, m2, v2: (m1 - m2) ** 2 + (math.sqrt(v1) - math.sqrt(v2)) ** 2)


def test_fid_1d_checker_rejects_near_misses():
    assert not ex.check_fid_1d(None)
    assert not ex.check_fid_1d(None).answered
    assert not ex.check_fid_1d(lambda m1, v1, m2, v2: None).answered
    assert not ex.check_fid_1d(
        lambda m1, v1, m2, v2: (m1 - m2) ** 2 + (v1 - v2) ** 2
    )  # variances taken as stds
    assert not ex.check_fid_1d(
        lambda m1, v1, m2, v2: (m1 - m2) ** 2 + v1 + v2 - math.sqrt(v1 * v2)
    )  # factor 2 lost
    assert not ex.check_fid_1d(
        lambda m1, v1, m2, v2: abs(m1 - m2) + (math.sqrt(v1) - math.sqrt(v2)) ** 2
    )  # not squared
    assert not ex.check_fid_1d(lambda m1, v1, m2, v2: (m1 - m2) ** 2)  # means only
    assert not ex.check_fid_1d(lambda m1, v1, m2, v2: _fid_ref(m1, v1, m2, v2) * 1.01)  # off by 1 %
    # wrong only when the means differ in sign: (|m1| - |m2|)^2; the first case (0 vs 3) still passes
    msg = ex.check_fid_1d(lambda m1, v1, m2, v2: _fid_ref(abs(m1), v1, abs(m2), v2)).message
    assert "第 2 个" in msg
    assert not ex.check_fid_1d(lambda *a: "fid")
    assert not ex.check_fid_1d(lambda m1, v1: 0.0)  # wrong signature: reported, not raised


def test_memorization_detector_checker():
    assert ex.check_memorization_detector("nearest-train-distance")
    for wrong in ("IS", "FID", "loss_D"):
        assert not ex.check_memorization_detector(wrong)
    assert not ex.check_memorization_detector(None)
    assert not ex.check_memorization_detector("nearest")
