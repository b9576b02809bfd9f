"""Chapter 03 experiments: the wall time of one update per batch size, and the curves of a mini-batch run."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

import mlnote_utils as mu
from mlnote_utils.experiments import ch03 as xp


def test_time_per_update_shapes_and_epoch_formula(tiny_blobs, tiny_net):
    x, y = tiny_blobs()
    t = xp.time_per_update(tiny_net, nn.CrossEntropyLoss(), x, y, [1, 16, 64], repeats=2, min_seconds=0.001)
    assert t.updates_per_epoch.tolist() == [64, 4, 1]
    assert np.all(t.sec_per_update > 0)
    np.testing.assert_allclose(t.sec_per_epoch, t.updates_per_epoch * t.sec_per_update)
    with pytest.raises(ValueError, match="batch_size"):
        xp.time_per_update(tiny_net, nn.CrossEntropyLoss(), x, y, [0])
    with pytest.raises(ValueError, match="same non-zero"):
        xp.time_per_update(tiny_net, nn.CrossEntropyLoss(), x, y[:3], [1])


def test_plot_batch_curves_draws_batch_losses_and_full_loss_per_epoch(tiny_blobs, tiny_net):
    x, y = tiny_blobs()
    net = tiny_net()
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


def test_batch_gradients_match_autograd_per_batch_and_average_to_the_full_gradient(tiny_blobs, tiny_net):
    x, y = tiny_blobs(n=50)
    net = tiny_net().double()
    x = x.double()
    crit = nn.CrossEntropyLoss()
    g = xp.batch_gradients(net, crit, x, y, 16, seed=3)
    assert g.shape == (4, sum(p.numel() for p in net.parameters()))  # 16 + 16 + 16 + 2: the ragged batch kept
    order = torch.randperm(50, generator=torch.Generator().manual_seed(3))
    for row, start in zip(g, range(0, 50, 16), strict=True):
        idx = order[start : start + 16]
        net.zero_grad()
        crit(net(x[idx]), y[idx]).backward()
        expected = torch.cat([p.grad.reshape(-1) for p in net.parameters()])
        torch.testing.assert_close(row, expected)
    # batches follow ShuffledBatches' order for the same seed
    (first_x, _), *_ = mu.ShuffledBatches(x, y, batch_size=16, seed=3)
    net.zero_grad()
    crit(net(first_x), y[order[:16]]).backward()
    torch.testing.assert_close(g[0], torch.cat([p.grad.reshape(-1) for p in net.parameters()]))
    # the full loss is the size-weighted mean of the batch losses, so its gradient is the weighted mean
    full = xp.batch_gradients(net, crit, x, y, 50)
    assert full.shape[0] == 1
    weights = torch.tensor([16, 16, 16, 2], dtype=torch.float64) / 50
    torch.testing.assert_close(weights @ g, full[0])


def test_batch_gradients_leave_the_model_untouched_and_check_arguments(tiny_blobs, tiny_net):
    x, y = tiny_blobs(n=20)
    net = tiny_net()
    net.eval()
    before = [p.detach().clone() for p in net.parameters()]
    xp.batch_gradients(net, nn.CrossEntropyLoss(), x, y, 7)
    assert not net.training and all(p.grad is None for p in net.parameters())
    for p, q in zip(net.parameters(), before, strict=True):
        assert torch.equal(p, q)
    with pytest.raises(ValueError, match="batch_size"):
        xp.batch_gradients(net, nn.CrossEntropyLoss(), x, y, 21)
    with pytest.raises(ValueError, match="same non-zero"):
        xp.batch_gradients(net, nn.CrossEntropyLoss(), x, y[:5], 2)
