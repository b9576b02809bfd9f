"""Chapter 06 checkers: reject wrong and missing answers, accept the reference ones."""

from __future__ import annotations

import numpy as np
import pytest

from mlnote_utils.exercises import ch06


def test_momentum_step():
    assert ch06.check_momentum_step([0.25, -1.0])
    assert not ch06.check_momentum_step(None)
    wrong = ch06.check_momentum_step([0.65, -0.8])  # + η g instead of − η g
    assert not wrong and "提示" in wrong.message
    assert not ch06.check_momentum_step([0.25])


def test_rms_sigma():
    assert ch06.check_rms_sigma(lambda g: float(np.sqrt(np.mean(np.square(g)))))
    assert not ch06.check_rms_sigma(None)
    summed = ch06.check_rms_sigma(lambda g: float(np.sqrt(np.sum(np.square(g)))))  # Adagrad's sum
    assert not summed and "提示" in summed.message
    assert not ch06.check_rms_sigma(lambda g: 1 / 0)


@pytest.mark.parametrize("wrong", list(ch06.SGD_MAPPING_OPTIONS[1:]) + ["lr=λ"])
def test_sgd_mapping_rejects(wrong):
    assert not ch06.check_sgd_mapping(wrong)


def test_sgd_mapping_accepts_reference():
    assert ch06.check_sgd_mapping("SGD(lr=η, momentum=λ)")
    assert not ch06.check_sgd_mapping(None)
