"""Each chapter 05 checker rejects None and a wrong answer, and accepts the reference answer."""

from __future__ import annotations

import torch

from mlnote_utils.critical_points import minimum_ratio
from mlnote_utils.exercises import ch05


def test_hessian_at_point():
    assert not ch05.check_hessian_at_point(None)
    assert not ch05.check_hessian_at_point([[2.0, 8.0], [8.0, 8.0]])  # forgot the -2
    assert not ch05.check_hessian_at_point([2.0, 6.0, 6.0, 8.0])  # wrong shape
    assert ch05.check_hessian_at_point([[2.0, 6.0], [6.0, 8.0]])
    assert ch05.check_hessian_at_point(torch.tensor([[2.0, 6.0], [6.0, 8.0]]))


def test_point_type():
    assert not ch05.check_point_type(None)
    assert not ch05.check_point_type("local minimum")
    assert not ch05.check_point_type("saddle")  # not an option
    assert ch05.check_point_type("saddle point")


def test_minimum_ratio_checker():
    assert not ch05.check_minimum_ratio(None)
    assert not ch05.check_minimum_ratio(lambda ev, tol: None)

    def counts_zero_as_positive(ev, tol):
        ev = torch.as_tensor(ev, dtype=torch.float64)
        return float((ev >= 0).sum()) / ev.numel()

    assert not ch05.check_minimum_ratio(counts_zero_as_positive)
    assert not ch05.check_minimum_ratio(lambda ev, tol: 1 / 0)  # errors become hints
    assert ch05.check_minimum_ratio(lambda ev, tol: minimum_ratio(ev, tol))


def test_escape_loss():
    assert not ch05.check_escape_loss(None)
    assert not ch05.check_escape_loss(1 - 1.2**2)  # the Taylor prediction
    assert ch05.check_escape_loss((1 - 1.2**2 / 2) ** 2)
