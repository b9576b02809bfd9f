"""mu.critical_points: eigenvalue signs, the minimum ratio, the second-order test, Newton to a critical
point, and the escape direction from a saddle (on chapter 05's toy surfaces)."""

from __future__ import annotations

import pytest
import torch

from mlnote_utils import critical_points as cp
from mlnote_utils.experiments.ch05 import flat_surface


def test_counts_ratio_and_classification():
    assert cp.count_eigenvalue_signs([1.0, -1.0, 1e-9, 0.0]) == {"positive": 1, "negative": 1, "zero": 2}
    assert cp.minimum_ratio([1.0, 2.0, 3.0]) == 1.0
    assert cp.minimum_ratio([1.0, -1.0, 0.0, 0.0]) == 0.25
    assert cp.minimum_ratio([1.0, -1.0, 0.0, 0.0], exclude_zero=True) == 0.5
    assert cp.classify_critical_point([1.0, 2.0]) == "local minimum"
    assert cp.classify_critical_point([-1.0, -2.0]) == "local maximum"
    assert cp.classify_critical_point([1.0, -2.0, 0.0]) == "saddle point"
    assert cp.classify_critical_point([1.0, 0.0]) == "degenerate"
    assert cp.classify_critical_point([0.0]) == "degenerate"  # x**3 at 0
    assert cp.classify_critical_point([1.0, 1e-3], tol=1e-2) == "degenerate"


def test_bad_input_raises():
    with pytest.raises(ValueError, match="eigenvalues must be"):
        cp.minimum_ratio([])
    with pytest.raises(ValueError, match="tol must be"):
        cp.classify_critical_point([1.0], tol=-1)


def test_inspect_and_find_critical_point():
    f = flat_surface("two minima (w1^2-1)^2 + w2^2")
    info = cp.inspect_point(f, [0.3, 0.4])
    assert info.kind == "not critical"
    torch.testing.assert_close(info.grad, torch.tensor([4 * 0.3 * (0.09 - 1), 0.8], dtype=torch.float64))
    torch.testing.assert_close(info.hessian, torch.autograd.functional.hessian(f, info.point))
    crit = cp.find_critical_point(f, [0.8, 0.3])
    torch.testing.assert_close(crit, torch.tensor([1.0, 0.0], dtype=torch.float64))
    assert cp.inspect_point(f, crit).kind == "local minimum"
    assert (
        cp.inspect_point(f, cp.find_critical_point(f, [0.1, 0.3])).kind == "saddle point"
    )  # Newton likes saddles
    peak = flat_surface("peak and ring (w1^2+w2^2-1)^2")
    assert cp.inspect_point(peak, [0.0, 0.0]).kind == "local maximum"
    valley = cp.inspect_point(flat_surface("notes (1 - w1*w2)^2"), [2.0, 0.5])
    assert valley.kind == "degenerate"  # flat along the valley w1*w2 = 1


def test_escape_direction_lowers_loss():
    f = flat_surface("notes (1 - w1*w2)^2")
    info = cp.inspect_point(f, [0.0, 0.0])
    u = cp.escape_direction(info)
    torch.testing.assert_close(u.abs(), torch.full((2,), 2**-0.5, dtype=torch.float64))
    assert float(f(0.1 * u)) < float(f(torch.zeros(2, dtype=torch.float64)))
    with pytest.raises(ValueError, match="no negative eigenvalue"):
        cp.escape_direction(cp.inspect_point(f, [1.0, 1.0]))
