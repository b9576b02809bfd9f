"""mu.sharpness: random unit directions, 1-D slices of the loss, and the mean rise over random directions."""

import numpy as np
import pytest
import torch
from torch import nn

import mlnote_utils as mu

sh = mu.sharpness


def test_random_direction_is_a_seeded_unit_vector(tiny_net):
    net = tiny_net()
    n = sum(p.numel() for p in net.parameters())
    d = sh.random_direction(net, seed=1)
    assert d.shape == (n,) and float(d.norm()) == pytest.approx(1.0)
    assert torch.equal(d, sh.random_direction(net, seed=1))
    assert not torch.equal(d, sh.random_direction(net, seed=2))


def test_loss_along_direction_matches_quadratic_and_restores_parameters():
    # A linear least-squares model has an exactly quadratic loss: L(θ+αd) = L(θ) + α gᵀd + ½ α² dᵀHd.
    torch.manual_seed(0)
    model = nn.Linear(3, 1, bias=False).double()
    x = torch.randn(20, 3, dtype=torch.float64)
    y = torch.randn(20, 1, dtype=torch.float64)
    mse = nn.MSELoss()
    before = model.weight.detach().clone()
    d = sh.random_direction(model, seed=1)
    assert float(d.norm()) == pytest.approx(1.0)
    alphas = np.array([-1.0, 0.0, 0.5, 2.0])
    got = sh.loss_along_direction(model, mse, (x, y), d, alphas)
    H = 2 * x.T @ x / 20  # Hessian of the mean squared error
    w = before.reshape(-1)
    g = 2 * x.T @ (x @ w - y[:, 0]) / 20
    expected = [float(mse(x @ (w + a * d), y[:, 0])) for a in alphas]
    quad = float(mse(x @ w, y[:, 0])) + alphas * float(g @ d) + 0.5 * alphas**2 * float(d @ H @ d)
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    np.testing.assert_allclose(got, quad, rtol=1e-10)
    torch.testing.assert_close(model.weight, before)  # parameters restored
    with pytest.raises(ValueError, match="direction"):
        sh.loss_along_direction(model, mse, (x, y), torch.ones(2), [0.0])


def test_random_direction_increase_grows_with_radius(tiny_blobs, tiny_net):
    x, y = tiny_blobs()
    net = tiny_net()
    # full-batch Adam until the training loss is below 0.1 (what train_until_loss did)
    history = mu.fit(
        net,
        torch.optim.Adam(net.parameters(), lr=0.05),
        mu.ShuffledBatches(x, y, batch_size=64, seed=0),
        loss_fn=nn.CrossEntropyLoss(),
        epochs=500,
        valid={"train": (x, y)},
        callbacks=[mu.stop_when("train_loss", below=0.1)],
        progress=False,
    )
    assert history.last("train_loss") < 0.1  # trained (stopping early is tested in test_train.py)
    small, _ = sh.random_direction_increase(net, nn.CrossEntropyLoss(), (x, y), radius=0.5, n_directions=5)
    big, _ = sh.random_direction_increase(net, nn.CrossEntropyLoss(), (x, y), radius=2.0, n_directions=5)
    assert big > small
    with pytest.raises(ValueError, match="radius"):
        sh.random_direction_increase(net, nn.CrossEntropyLoss(), (x, y), radius=0.0)
