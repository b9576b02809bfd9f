"""Chapter 05 widget surfaces: the toy two-parameter losses and the drawing of the second-order test."""

import numpy as np
import pytest
import torch

from mlnote_utils import critical_points as cp
from mlnote_utils.experiments import ch05 as xp


def test_toy_surfaces_are_grid_friendly_and_flat_surface_wraps_them():
    for name, fn in xp.TOY_SURFACES.items():
        assert fn(torch.zeros(3, 4), torch.ones(3, 4)).shape == (3, 4)  # grid-friendly
        w = torch.tensor([0.7, -1.3], dtype=torch.float64)
        torch.testing.assert_close(xp.flat_surface(name)(w), fn(w[0], w[1]))
    with pytest.raises(ValueError, match="name must be one of"):
        xp.flat_surface("banana")


def test_plot_point_info_returns_axes():
    xs = np.linspace(-1, 1, 11)
    Z = np.add.outer(xs**2, -(xs**2))
    ax = xp.plot_point_info(xs, xs, Z, cp.inspect_point(xp.flat_surface("saddle w1^2 - w2^2"), [0.0, 0.0]))
    assert ax.get_title().startswith("saddle point")


def test_plot_log1p_contour_labels_what_it_shows():
    xs, ys = np.linspace(-1, 1, 11), np.linspace(-2, 2, 7)
    Z = np.add.outer(ys**2, xs**2)  # (7, 11)
    ax = xp.plot_log1p_contour(xs, ys, Z, title="t")
    cbar_ax = [a for a in ax.figure.axes if a is not ax][0]
    assert cbar_ax.get_ylabel() == "log(1 + L)"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("w1", "w2", "t")
    levels = ax.collections[0].levels
    assert levels.max() >= np.log1p(Z.max()) - 1e-9 and levels.max() < Z.max()  # drawn on the log scale
    with pytest.raises(ValueError, match="Z: expected shape"):
        xp.plot_log1p_contour(xs, ys, Z.T)
    with pytest.raises(ValueError, match="values >= 0"):
        xp.plot_log1p_contour(xs, ys, Z - 1)
