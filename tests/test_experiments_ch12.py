"""Chapter 12 drivers: the two-answer task, snapshots, their drawing, nearest distances, digit tiles."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from mlnote_utils import gan  # noqa: E402
from mlnote_utils.experiments import ch12 as xp  # noqa: E402


def test_two_answer_data_has_two_equally_likely_answers():
    x, y = xp.two_answer_data(4000, generator=torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4000, 1)
    assert x.min() >= -1 and x.max() <= 1
    move = (y - x).flatten()
    torch.testing.assert_close(move.abs(), torch.ones(4000))
    assert abs(float((move > 0).float().mean()) - 0.5) < 0.03
    assert abs(float(torch.corrcoef(torch.stack([x.flatten(), move]))[0, 1])) < 0.05  # the turn ignores x
    x2, y2 = xp.two_answer_data(10, generator=torch.Generator().manual_seed(0), step=0.5)
    torch.testing.assert_close((y2 - x2).abs(), torch.full((10, 1), 0.5))
    with pytest.raises(ValueError, match="n="):
        xp.two_answer_data(0)
    with pytest.raises(ValueError, match="step="):
        xp.two_answer_data(5, step=-1.0)


def test_snapshot_grid_orientation_and_mode_kept():
    G = torch.nn.Linear(3, 2)
    D = torch.nn.Linear(2, 1)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[5.0, 0.0]]))  # D grows with x1 only
        D.bias.zero_()
    G.eval()
    snap = xp.take_snapshot(G, D, torch.randn(7, 3), lim=2.0, n_grid=11)
    assert snap["samples"].shape == (7, 2) and snap["d"].shape == (11, 11) and snap["axis"].shape == (11,)
    assert not G.training
    d = snap["d"]
    assert (np.diff(d, axis=1) > 0).all() and np.allclose(np.diff(d, axis=0), 0)  # columns are x1, rows x2
    np.testing.assert_allclose(d[0, -1], torch.sigmoid(torch.tensor(10.0)).item(), rtol=1e-6)
    with pytest.raises(ValueError, match="G: expected 2-D"):
        xp.take_snapshot(torch.nn.Linear(3, 1), D, torch.randn(4, 3))
    with pytest.raises(ValueError, match="lim="):
        xp.take_snapshot(G, D, torch.randn(4, 3), lim=0)


def test_draw_snapshot_labels_and_colour_bar():
    snap = xp.take_snapshot(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1), torch.randn(20, 3), n_grid=10)
    fig, ax = plt.subplots()
    out = xp.draw_snapshot(ax, snap, gan.ring_centers(8), title="t")
    assert out is ax and ax.get_title() == "t" and ax.get_xlabel() and ax.get_ylabel()
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "D(x) = P(real)"
    plt.close(fig)


def test_nearest_distance_matches_brute_force():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(30, 5, generator=g), torch.randn(40, 5, generator=g)
    brute = torch.stack([min((ai - bj).norm() for bj in b) for ai in a])
    torch.testing.assert_close(xp.nearest_distance(a, b), brute)
    assert float(xp.nearest_distance(b[:3], b).max()) < 1e-3  # copies of the reference are at distance ~0
    with pytest.raises(ValueError, match="samples, reference"):
        xp.nearest_distance(a, torch.randn(4, 6))


def test_tile_images_places_each_image():
    imgs = np.arange(5 * 4, dtype=float).reshape(5, 4)
    tiled = xp.tile_images(imgs, nrow=2, side=2, pad=1)
    assert tiled.shape == (5, 8)
    np.testing.assert_array_equal(tiled[0:2, 0:2], imgs[0].reshape(2, 2))
    np.testing.assert_array_equal(tiled[3:5, 3:5], imgs[4].reshape(2, 2))
    assert np.isnan(tiled[2]).all() and np.isnan(tiled[3:5, 6:8]).all()
    with pytest.raises(ValueError, match="images"):
        xp.tile_images(np.zeros((3, 5)), nrow=1, side=2)
    with pytest.raises(ValueError, match="nrow="):
        xp.tile_images(imgs, nrow=0, side=2)
