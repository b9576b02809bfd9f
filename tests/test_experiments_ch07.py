"""Chapter 07 experiments: the spiral data, the decision-region grid and the double-softmax loss floor."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

from mlnote_utils.experiments import ch07 as xp


def test_make_spirals_shapes_balance_and_seed():
    x, y = xp.make_spirals(50, 3, noise=0.1, seed=1)
    assert x.shape == (150, 2) and y.shape == (150,)
    assert torch.bincount(y).tolist() == [50, 50, 50]
    assert x.norm(dim=1).max() <= 1.0 + 1e-6  # radii run from 0.05 to 1
    torch.testing.assert_close(xp.make_spirals(50, 3, noise=0.1, seed=1)[0], x)
    assert not torch.equal(xp.make_spirals(50, 3, noise=0.1, seed=2)[0], x)
    x0, _ = xp.make_spirals(4, 2, noise=0.0)
    angle = 3.0 * 1.0 + math.pi  # class 1, outermost point, no noise
    torch.testing.assert_close(x0[-1], torch.tensor([math.cos(angle), math.sin(angle)]))
    with pytest.raises(ValueError, match="n_per_class"):
        xp.make_spirals(0)
    with pytest.raises(ValueError, match="num_classes"):
        xp.make_spirals(10, 1)
    with pytest.raises(ValueError, match="noise"):
        xp.make_spirals(10, 3, noise=-1.0)


def test_predict_grid_follows_argmax_and_keeps_mode():
    model = nn.Linear(2, 3)
    # class 0 where x1 is large, class 1 where x2 is large, class 2 where both are small
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]))
        model.bias.copy_(torch.tensor([0.0, 0.0, 0.5]))
    model.train()
    xs, ys, classes = xp.predict_grid(model, (-1.0, 1.0), (-2.0, 2.0), resolution=5)
    assert model.training
    assert xs.tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0] and ys.tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0]
    gx, gy = np.meshgrid(xs, ys)
    expected = np.argmax(np.stack([gx, gy, np.full_like(gx, 0.5)]), axis=0)
    np.testing.assert_array_equal(classes, expected)
    assert classes[0, 4] == 0 and classes[4, 0] == 1  # rows follow ys
    with pytest.raises(ValueError, match="resolution"):
        xp.predict_grid(model, (0, 1), (0, 1), resolution=1)
    with pytest.raises(ValueError, match="xlim"):
        xp.predict_grid(model, (1, 0), (0, 1))


def test_plot_decision_regions_returns_ax():
    x, y = xp.make_spirals(10, 3)
    xs, ys, classes = xp.predict_grid(nn.Linear(2, 3), (-1, 1), (-1, 1), resolution=8)
    fig, ax = plt.subplots()
    out = xp.plot_decision_regions(xs, ys, classes, x, y, ax=ax, title="t")
    assert out is ax and ax.get_title() == "t" and ax.get_xlim() == (-1.0, 1.0)
    with pytest.raises(ValueError, match="classes"):
        xp.plot_decision_regions(xs, ys, classes[:, :3], x, y, ax=ax)
    plt.close(fig)


@pytest.mark.parametrize("c", [2, 3, 10])
def test_double_softmax_loss_floor_matches_torch(c):
    best_inner = torch.eye(c)  # the inner softmax at its best: one-hot
    floor = torch.nn.functional.cross_entropy(best_inner, torch.arange(c))
    assert xp.double_softmax_loss_floor(c) == pytest.approx(float(floor), rel=1e-6)
    z = torch.randn(64, c, generator=torch.Generator().manual_seed(c)) * 20  # any logits stay above it
    y = torch.randint(0, c, (64,), generator=torch.Generator().manual_seed(1))
    per_sample = torch.nn.functional.cross_entropy(torch.softmax(z, 1), y, reduction="none")
    assert per_sample.min() >= xp.double_softmax_loss_floor(c) - 1e-6
    with pytest.raises(ValueError, match="num_classes"):
        xp.double_softmax_loss_floor(1)
