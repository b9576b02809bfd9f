"""Chapter 03 experiments: the wall time of one update per batch size, and the curves of a mini-batch run."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

import mlnote_utils as mu
from mlnote_utils.experiments import ch03 as xp


def _data(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 5, generator=g)
    return x, (x[:, 0] > 0).long()


def _net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))


def test_time_per_update_shapes_and_epoch_formula():
    x, y = _data()
    t = xp.time_per_update(_net, nn.CrossEntropyLoss(), x, y, [1, 16, 64], repeats=2, min_seconds=0.001)
    assert t.updates_per_epoch.tolist() == [64, 4, 1]
    assert np.all(t.sec_per_update > 0)
    np.testing.assert_allclose(t.sec_per_epoch, t.updates_per_epoch * t.sec_per_update)
    with pytest.raises(ValueError, match="batch_size"):
        xp.time_per_update(_net, nn.CrossEntropyLoss(), x, y, [0])
    with pytest.raises(ValueError, match="same non-zero"):
        xp.time_per_update(_net, nn.CrossEntropyLoss(), x, y[:3], [1])


def test_plot_batch_curves_draws_batch_losses_and_full_loss_per_epoch():
    x, y = _data()
    net = _net()
    history = mu.fit(
        net,
        torch.optim.SGD(net.parameters(), lr=0.1),
        mu.ShuffledBatches(x, y, batch_size=10, seed=0),
        loss_fn=nn.CrossEntropyLoss(),
        epochs=2,
        valid={"train": (x, y)},
        eval_at_start=True,
        progress=False,
    )
    assert history.epoch_ends == [7, 14]
    fig, ax = plt.subplots()
    assert xp.plot_batch_curves(history, ax=ax) is ax
    batch, full = ax.get_lines()
    np.testing.assert_allclose(batch.get_xdata(), np.arange(1, 15) / 7)
    np.testing.assert_allclose(batch.get_ydata(), history["loss"])
    np.testing.assert_allclose(full.get_xdata(), [0.0, 1.0, 2.0])  # step 0 and each epoch end
    np.testing.assert_allclose(full.get_ydata(), history["train_loss"])
    assert ax.get_xlabel() == "epoch" and ax.get_title() == "14 updates"
    assert xp.plot_batch_curves(history, title="B = 10").get_title() == "B = 10"
