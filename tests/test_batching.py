import numpy as np
import pytest
import torch
from torch import nn

import mlnote_utils as mu


def _data(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 5, generator=g)
    return x, (x[:, 0] > 0).long()


def _net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))


def test_time_per_update_shapes_and_epoch_formula():
    x, y = _data()
    t = mu.time_per_update(_net, nn.CrossEntropyLoss(), x, y, [1, 16, 64], repeats=2, min_seconds=0.001)
    assert t.updates_per_epoch.tolist() == [64, 4, 1]
    assert np.all(t.sec_per_update > 0)
    np.testing.assert_allclose(t.sec_per_epoch, t.updates_per_epoch * t.sec_per_update)
    with pytest.raises(ValueError, match="batch_size"):
        mu.time_per_update(_net, nn.CrossEntropyLoss(), x, y, [0])
    with pytest.raises(ValueError, match="same non-zero"):
        mu.time_per_update(_net, nn.CrossEntropyLoss(), x, y[:3], [1])


def test_train_minibatch_full_batch_equals_plain_gradient_descent():
    x, y = _data()
    crit = nn.CrossEntropyLoss()
    run = mu.train_minibatch(_net(), crit, x, y, batch_size=len(x), epochs=3, lr=0.5)
    ref = _net()  # same init; hand-written gradient descent on the full data
    for _ in range(3):
        ref.zero_grad()
        crit(ref(x), y).backward()
        with torch.no_grad():
            for p in ref.parameters():
                p -= 0.5 * p.grad
    with torch.no_grad():
        assert run.epoch_loss[-1] == pytest.approx(float(crit(ref(x), y)), rel=1e-5)
    assert run.n_updates == 3 and len(run.epoch_loss) == 4
    run_small = mu.train_minibatch(_net(), crit, x, y, batch_size=10, epochs=2, lr=0.1)
    assert run_small.n_updates == 2 * 7
    with pytest.raises(ValueError, match="optimizer"):
        mu.train_minibatch(_net(), crit, x, y, batch_size=10, epochs=1, lr=0.1, optimizer="lbfgs")


def test_train_until_loss_stops_at_target():
    x, y = _data()
    epochs, loss = mu.train_until_loss(
        _net(), nn.CrossEntropyLoss(), x, y, batch_size=16, lr=0.05, target=0.2, max_epochs=300
    )
    assert loss < 0.2 and epochs < 300
    with pytest.raises(ValueError, match="target"):
        mu.train_until_loss(
            _net(), nn.CrossEntropyLoss(), x, y, batch_size=16, lr=0.05, target=0, max_epochs=3
        )


def test_loss_along_direction_matches_quadratic_and_restores_parameters():
    # A linear least-squares model has an exactly quadratic loss: L(θ+αd) = L(θ) + α gᵀd + ½ α² dᵀHd.
    torch.manual_seed(0)
    model = nn.Linear(3, 1, bias=False).double()
    x = torch.randn(20, 3, dtype=torch.float64)
    y = torch.randn(20, 1, dtype=torch.float64)
    mse = nn.MSELoss()
    before = model.weight.detach().clone()
    d = mu.flat_direction(model, seed=1)
    assert float(d.norm()) == pytest.approx(1.0)
    alphas = np.array([-1.0, 0.0, 0.5, 2.0])
    got = mu.loss_along_direction(model, mse, (x, y), d, alphas)
    H = 2 * x.T @ x / 20  # Hessian of the mean squared error
    w = before.reshape(-1)
    g = 2 * x.T @ (x @ w - y[:, 0]) / 20
    expected = [float(mse(x @ (w + a * d), y[:, 0])) for a in alphas]
    quad = float(mse(x @ w, y[:, 0])) + alphas * float(g @ d) + 0.5 * alphas**2 * float(d @ H @ d)
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    np.testing.assert_allclose(got, quad, rtol=1e-10)
    torch.testing.assert_close(model.weight, before)  # parameters restored
    with pytest.raises(ValueError, match="direction"):
        mu.loss_along_direction(model, mse, (x, y), torch.ones(2), [0.0])


def test_random_direction_increase_grows_with_radius():
    x, y = _data()
    net = _net()
    mu.train_until_loss(net, nn.CrossEntropyLoss(), x, y, batch_size=64, lr=0.05, target=0.1, max_epochs=500)
    small, _ = mu.random_direction_increase(net, nn.CrossEntropyLoss(), (x, y), radius=0.5, n_directions=5)
    big, _ = mu.random_direction_increase(net, nn.CrossEntropyLoss(), (x, y), radius=2.0, n_directions=5)
    assert big > small
    with pytest.raises(ValueError, match="radius"):
        mu.random_direction_increase(net, nn.CrossEntropyLoss(), (x, y), radius=0.0)
