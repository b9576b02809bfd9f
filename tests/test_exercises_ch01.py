import torch

import mlnote_utils as mu
from mlnote_utils.exercises import ch01

x = torch.tensor([1.0, 2.0, 4.0], dtype=torch.float64)
y = torch.tensor([2.0, 2.5, 3.0], dtype=torch.float64)


def test_grad_b():
    assert ch01.check_grad_b(2 * (x - y).mean(), x, y)
    assert not ch01.check_grad_b((x - y).mean(), x, y)  # forgot the factor 2
    assert not ch01.check_grad_b(None, x, y)


def test_scaled_limit():
    assert ch01.check_scaled_limit(mu.regression.gd_stability_limit(10 * x), x, 10.0)
    assert not ch01.check_scaled_limit(mu.regression.gd_stability_limit(x) / 100, x, 10.0)
    assert not ch01.check_scaled_limit(None, x, 10.0)


def test_gap_source():
    assert ch01.check_gap_source("noise")
    assert not ch01.check_gap_source("model bias")
    assert not ch01.check_gap_source("nothing")
    assert not ch01.check_gap_source(None)
