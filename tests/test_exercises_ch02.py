import numpy as np

from mlnote_utils.exercises import ch02


def test_total_updates():
    assert ch02.check_total_updates(80)
    assert not ch02.check_total_updates(None)
    assert not ch02.check_total_updates(75)  # floor instead of ceil
    assert not ch02.check_total_updates("80x")


def _relu_ramp(x, lo, hi, height):
    s = height / (hi - lo)
    return s * np.maximum(0, x - lo) - s * np.maximum(0, x - hi)


def test_relu_ramp():
    assert ch02.check_relu_ramp(_relu_ramp)
    assert not ch02.check_relu_ramp(None)
    assert not ch02.check_relu_ramp(
        lambda x, lo, hi, h: h / (hi - lo) * np.maximum(0, x - lo)
    )  # never flattens
    assert not ch02.check_relu_ramp(lambda x, lo, hi, h: 1 / 0)  # errors become hints


def test_param_count():
    assert ch02.check_param_count(26)
    assert not ch02.check_param_count(None)
    assert not ch02.check_param_count(25)  # forgot the final bias
