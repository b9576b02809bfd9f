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
