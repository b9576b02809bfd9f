import numpy as np
import pytest
import torch
from torch import nn

import mlnote_utils as mu


def test_hard_sigmoid_equals_relu_pair():
    x = np.linspace(-3, 3, 101)
    np.testing.assert_allclose(
        mu.hard_sigmoid(x, -1, 2, 1.5), mu.hard_sigmoid_from_relus(x, -1, 2, 1.5), atol=1e-12
    )
    with pytest.raises(ValueError, match="lo < hi"):
        mu.hard_sigmoid(x, 1, 1, 1)
    with pytest.raises(ValueError, match="lo < hi"):
        mu.hard_sigmoid_from_relus(x, 2, 1, 1)


def test_hard_sigmoids_reproduce_piecewise_linear_curve():
    kx, ky = np.array([0.0, 1.0, 2.5, 4.0]), np.array([1.0, -2.0, 0.5, 0.5])
    const, pieces = mu.hard_sigmoids_for_curve(kx, ky)
    x = np.linspace(-1, 5, 200)
    expected = np.interp(x, kx, ky)  # numpy's piecewise-linear interpolation (flat outside)
    np.testing.assert_allclose(mu.sum_of_hard_sigmoids(x, const, pieces), expected, atol=1e-12)
    np.testing.assert_allclose(mu.sum_of_hard_sigmoids(x, const, pieces, use_relu=True), expected, atol=1e-12)
    with pytest.raises(ValueError, match="strictly increasing"):
        mu.hard_sigmoids_for_curve([0, 0], [1, 2])
    with pytest.raises(ValueError, match="equal length"):
        mu.hard_sigmoids_for_curve([0, 1, 2], [1, 2])


def test_soft_sigmoid_matches_centre_and_slope():
    piece = mu.HardSigmoid(1.0, 3.0, 2.0)
    c, b, w = mu.soft_sigmoid_params(piece)
    np.testing.assert_allclose(mu.sigmoid_curve(2.0, c, b, w), 1.0)  # half height at the centre
    eps = 1e-6
    slope = (mu.sigmoid_curve(2.0 + eps, c, b, w) - mu.sigmoid_curve(2.0 - eps, c, b, w)) / (2 * eps)
    np.testing.assert_allclose(slope, 1.0, rtol=1e-6)  # ramp slope = height / width
    z = torch.linspace(-30, 30, 7, dtype=torch.float64)
    np.testing.assert_allclose(
        mu.sigmoid_curve(z.numpy(), 1.0, 0.0, 1.0), torch.sigmoid(z).numpy(), atol=1e-12
    )
    with pytest.raises(ValueError, match="sharpness"):
        mu.soft_sigmoid_params(piece, 0.0)


def test_sigmoid_sum_fit_improves_with_pieces():
    x = np.linspace(0, 6, 300)
    t = mu.wiggly_target(x)
    errs = [mu.sigmoid_sum_fit(x, t, n)[3] for n in (4, 16, 64)]
    assert errs[0] > errs[1] > errs[2]
    with pytest.raises(ValueError, match="n_pieces"):
        mu.sigmoid_sum_fit(x, t, 0)
    with pytest.raises(ValueError, match="increasing"):
        mu.sigmoid_sum_fit(x[::-1], t, 3)


def test_one_hidden_layer_matches_autograd_and_sequential():
    g = torch.Generator().manual_seed(0)
    x, y = (
        torch.randn(9, 3, generator=g, dtype=torch.float64),
        torch.randn(9, generator=g, dtype=torch.float64),
    )
    W, bv, c, b = (
        torch.randn(s, generator=g, dtype=torch.float64, requires_grad=True)
        for s in ((4, 3), (4,), (4,), (1,))
    )
    y_hat = mu.one_hidden_layer_forward(x, W, bv, c, b)
    net = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(W), net[0].bias.copy_(bv), net[2].weight.copy_(c[None]), net[2].bias.copy_(b)
    torch.testing.assert_close(y_hat, net(x).squeeze(-1))
    loss = ((y_hat - y) ** 2).mean()
    auto = torch.autograd.grad(loss, [W, bv, c, b])
    hand = mu.one_hidden_layer_backward(x, y, W.detach(), bv.detach(), c.detach(), b.detach())
    torch.testing.assert_close(hand["loss"], loss.detach())
    for name, ga in zip(("W", "b_vec", "c", "b"), auto, strict=True):
        torch.testing.assert_close(hand[name], ga)
    with pytest.raises(ValueError, match="W"):
        mu.one_hidden_layer_forward(x, W[:, :2], bv, c, b)


def test_updates_per_epoch_matches_dataloader():
    ds = torch.utils.data.TensorDataset(torch.zeros(103, 1))
    for bs in (1, 10, 32, 103, 200):
        assert mu.updates_per_epoch(103, bs) == len(torch.utils.data.DataLoader(ds, batch_size=bs))
        assert mu.updates_per_epoch(103, bs, drop_last=True) == len(
            torch.utils.data.DataLoader(ds, batch_size=bs, drop_last=True)
        )
    with pytest.raises(ValueError, match="batch_size"):
        mu.updates_per_epoch(10, 0)


def test_make_mlp_and_block_split():
    net = mu.make_mlp(7, 16, 3)
    assert sum(isinstance(m, nn.Linear) for m in net) == 4
    assert net(torch.zeros(2, 7)).shape == (2, 1)
    assert isinstance(mu.make_mlp(2, 3, 1, activation="sigmoid")[1], nn.Sigmoid)
    with pytest.raises(ValueError, match="activation"):
        mu.make_mlp(2, 3, 1, activation="tanh")
    tr, te = mu.block_split(20, block=5, gap=2)
    assert not np.any(tr & te) and tr.sum() == 10 and te.sum() == 6
    with pytest.raises(ValueError, match="gap"):
        mu.block_split(20, block=5, gap=5)


def test_train_full_batch_regressor_fits_a_line():
    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 50)[:, None]
    y = 3 * x[:, 0] + 1
    train, test = mu.train_full_batch_regressor(mu.make_mlp(1, 8, 0), x, y, x, y, epochs=300, lr=0.1)
    assert train < 1e-3 and test == pytest.approx(train)
    with pytest.raises(ValueError, match="epochs"):
        mu.train_full_batch_regressor(mu.make_mlp(1, 8, 0), x, y, x, y, epochs=0, lr=0.1)


def test_depth_table_linear_row_is_least_squares():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(40, 3, generator=g)
    y = x @ torch.tensor([1.0, -2.0, 0.5]) + 0.3
    table = mu.depth_table(x[:30], y[:30], x[30:], y[30:], [0, 1], [0, 1], width=4, epochs=5)
    assert table.shape == (2, 2, 2)
    np.testing.assert_allclose(table[0], 0.0, atol=1e-8)  # the exact linear rule is found
    assert np.all(table[1] > 0)
    with pytest.raises(ValueError, match="depths"):
        mu.depth_table(x, y, x, y, [-1], [0])
