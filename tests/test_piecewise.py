"""mu.piecewise: hard sigmoids as ReLU pairs, piecewise-linear curves as their sums, and sigmoid fits."""

import numpy as np
import pytest
import torch

import mlnote_utils as mu

pw = mu.piecewise


def test_hard_sigmoid_equals_relu_pair():
    x = np.linspace(-3, 3, 101)
    np.testing.assert_allclose(
        pw.hard_sigmoid(x, -1, 2, 1.5), pw.hard_sigmoid_from_relus(x, -1, 2, 1.5), atol=1e-12
    )
    with pytest.raises(ValueError, match="lo < hi"):
        pw.hard_sigmoid(x, 1, 1, 1)
    with pytest.raises(ValueError, match="lo < hi"):
        pw.hard_sigmoid_from_relus(x, 2, 1, 1)


def test_hard_sigmoids_reproduce_piecewise_linear_curve():
    kx, ky = np.array([0.0, 1.0, 2.5, 4.0]), np.array([1.0, -2.0, 0.5, 0.5])
    const, pieces = pw.hard_sigmoids_for_curve(kx, ky)
    x = np.linspace(-1, 5, 200)
    expected = np.interp(x, kx, ky)  # numpy's piecewise-linear interpolation (flat outside)
    np.testing.assert_allclose(pw.sum_of_hard_sigmoids(x, const, pieces), expected, atol=1e-12)
    np.testing.assert_allclose(pw.sum_of_hard_sigmoids(x, const, pieces, use_relu=True), expected, atol=1e-12)
    with pytest.raises(ValueError, match="strictly increasing"):
        pw.hard_sigmoids_for_curve([0, 0], [1, 2])
    with pytest.raises(ValueError, match="equal length"):
        pw.hard_sigmoids_for_curve([0, 1, 2], [1, 2])


def test_soft_sigmoid_matches_centre_and_slope():
    piece = pw.HardSigmoid(1.0, 3.0, 2.0)
    c, b, w = pw.soft_sigmoid_params(piece)
    np.testing.assert_allclose(pw.sigmoid_curve(2.0, c, b, w), 1.0)  # half height at the centre
    eps = 1e-6
    slope = (pw.sigmoid_curve(2.0 + eps, c, b, w) - pw.sigmoid_curve(2.0 - eps, c, b, w)) / (2 * eps)
    np.testing.assert_allclose(slope, 1.0, rtol=1e-6)  # ramp slope = height / width
    z = torch.linspace(-30, 30, 7, dtype=torch.float64)
    np.testing.assert_allclose(
        pw.sigmoid_curve(z.numpy(), 1.0, 0.0, 1.0), torch.sigmoid(z).numpy(), atol=1e-12
    )
    with pytest.raises(ValueError, match="sharpness"):
        pw.soft_sigmoid_params(piece, 0.0)


def test_sigmoid_sum_fit_improves_with_pieces():
    x = np.linspace(0, 6, 300)
    t = pw.wiggly_target(x)
    errs = [pw.sigmoid_sum_fit(x, t, n)[3] for n in (4, 16, 64)]
    assert errs[0] > errs[1] > errs[2]
    with pytest.raises(ValueError, match="n_pieces"):
        pw.sigmoid_sum_fit(x, t, 0)
    with pytest.raises(ValueError, match="increasing"):
        pw.sigmoid_sum_fit(x[::-1], t, 3)


def test_plot_sigmoid_fit_draws_target_and_both_fits():
    x = np.linspace(0, 6, 50)
    ax = pw.plot_sigmoid_fit(x, pw.wiggly_target(x), 4)
    assert ax.get_title() == "4 pieces, sharpness 1" and len(ax.get_lines()) == 3
    np.testing.assert_allclose(
        ax.get_lines()[1].get_ydata(), pw.sigmoid_sum_fit(x, pw.wiggly_target(x), 4)[0]
    )
