import numpy as np
import pytest
import torch
from torch import nn

from mlnote_utils import normalization as nz


def test_standardize_features_matches_sklearn():
    from sklearn.preprocessing import StandardScaler

    x, _ = nz.make_two_scale_regression(10.0, n=50, seed=1)
    xt, mean, std = nz.standardize_features(x)
    np.testing.assert_allclose(xt.numpy(), StandardScaler().fit_transform(x.numpy()), atol=1e-10)
    torch.testing.assert_close(xt.mean(0), torch.zeros(2, dtype=torch.float64))
    with pytest.raises(ValueError, match="x: expected"):
        nz.standardize_features(torch.zeros(5))


def test_two_scale_regression_and_surface():
    x, y = nz.make_two_scale_regression(20.0, n=400, seed=0)
    assert x[:, 1].std() / x[:, 0].std() == pytest.approx(20.0, rel=0.15)
    w = torch.tensor([1.5, -0.5], dtype=torch.float64)
    direct = ((y - x @ w) ** 2).mean()
    torch.testing.assert_close(nz.linear_mse_surface(w[0], w[1], x, y), direct)
    assert nz.linear_mse_surface(torch.zeros(3, 4), torch.zeros(3, 4), x, y).shape == (3, 4)
    with pytest.raises(ValueError, match="scale_ratio"):
        nz.make_two_scale_regression(0.0)
    with pytest.raises(ValueError, match="w1, w2"):
        nz.linear_mse_surface(torch.zeros(2), torch.zeros(3), x, y)


def test_lr_stability_limit_separates_converging_from_diverging():
    from mlnote_utils.landscape import gradient_descent

    x, y = nz.make_two_scale_regression(5.0, n=100, seed=2)
    limit = nz.lr_stability_limit(x)

    def loss(w):
        return nz.linear_mse_surface(w[0], w[1], x, y)

    below = gradient_descent(loss, [0.0, 0.0], lr=0.95 * limit, steps=300)
    above = gradient_descent(loss, [0.0, 0.0], lr=1.05 * limit, steps=300)
    assert below.losses[-1] < below.losses[0]
    assert not np.isfinite(above.losses[-1]) or above.losses[-1] > above.losses[0]


def test_steps_to_tolerance():
    assert nz.steps_to_tolerance([5.0, 2.0, 1.05, 1.0], target=1.0, tol=0.1) == 2
    assert nz.steps_to_tolerance([5.0, 4.0], target=1.0, tol=0.1) is None


def _bn_pair(h=4):
    torch.manual_seed(0)
    ref = nn.BatchNorm1d(h)
    with torch.no_grad():
        ref.weight.uniform_(0.5, 2.0)
        ref.bias.uniform_(-1.0, 1.0)
    hand = nz.HandBatchNorm1d(h)
    hand.load_state_dict(ref.state_dict(), strict=False)
    return ref, hand


def test_batch_norm_forward_and_grads_match_torch():
    ref, _ = _bn_pair()
    z = (torch.randn(8, 4) * 3 + 1).requires_grad_(True)
    out, mu, var = nz.batch_norm_forward(z, ref.weight, ref.bias, ref.eps)
    expected = ref(z)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(mu, z.mean(0))
    (g_hand,) = torch.autograd.grad(out.pow(3).sum(), z)
    (g_ref,) = torch.autograd.grad(expected.pow(3).sum(), z)
    torch.testing.assert_close(g_hand, g_ref)
    with pytest.raises(ValueError, match="z: expected"):
        nz.batch_norm_forward(torch.zeros(3), ref.weight, ref.bias)


def test_hand_module_tracks_running_stats_and_eval_like_torch():
    ref, hand = _bn_pair()
    for _ in range(5):
        z = torch.randn(6, 4) * 2 + 3
        torch.testing.assert_close(hand(z), ref(z))
    torch.testing.assert_close(hand.running_mean, ref.running_mean)
    torch.testing.assert_close(hand.running_var, ref.running_var)
    ref.eval()
    hand.eval()
    z = torch.randn(1, 4)
    torch.testing.assert_close(hand(z), ref(z))


def test_update_running_stats_checks():
    with pytest.raises(ValueError, match="momentum"):
        nz.update_running_stats(torch.zeros(1), torch.ones(1), torch.zeros(1), torch.ones(1), 4, momentum=0.0)
    with pytest.raises(ValueError, match="n="):
        nz.update_running_stats(torch.zeros(1), torch.ones(1), torch.zeros(1), torch.ones(1), 1)


def test_net_config_validation():
    with pytest.raises(ValueError, match="activation"):
        nz.NetConfig("x", "tanh", False, 0.1)
    with pytest.raises(ValueError, match="lr"):
        nz.NetConfig("x", "relu", False, 0.0)


def _separate_run(cfg, seed, x, y, xt, yt, steps, batch):
    torch.manual_seed(seed)
    model = nz.make_config_mlp(cfg, x.shape[1], int(y.max()) + 1, hidden=6, depth=2)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(x), generator=gen)[: (len(x) // batch) * batch]
    losses = []
    for step in range(steps):
        idx = order[step * batch : (step + 1) * batch]
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    model.eval()
    with torch.no_grad():
        acc = float((model(xt).argmax(1) == yt).float().mean())
    return np.mean(losses), acc


def test_side_by_side_training_equals_separate_models():
    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(60, 5, generator=gen), torch.randint(0, 3, (60,), generator=gen)
    xt, yt = torch.randn(30, 5, generator=gen), torch.randint(0, 3, (30,), generator=gen)
    configs = [nz.NetConfig("a", "relu", False, 0.5), nz.NetConfig("b", "sigmoid", True, 2.0)]
    res = nz.train_mlps_side_by_side(
        configs, [3, 4], x, y, xt, yt, steps=5, batch_size=10, eval_every=5, hidden=6, depth=2, progress=False
    )
    assert res["steps"].tolist() == [0, 5]
    assert res["test_acc"].shape == res["train_loss"].shape == (2, 2, 2)
    for i, cfg in enumerate(configs):
        for j, seed in enumerate([3, 4]):
            loss, acc = _separate_run(cfg, seed, x, y, xt, yt, steps=5, batch=10)
            assert res["train_loss"][i, j, -1] == pytest.approx(loss, rel=1e-5)
            assert res["test_acc"][i, j, -1] == pytest.approx(acc)


def test_side_by_side_rejects_bad_arguments():
    x, y = torch.randn(20, 3), torch.randint(0, 2, (20,))
    cfg = [nz.NetConfig("a", "relu", True, 0.1)]
    with pytest.raises(ValueError, match="batch_size"):
        nz.train_mlps_side_by_side(cfg, [0], x, y, x, y, steps=2, batch_size=1)
    with pytest.raises(ValueError, match="configs, seeds"):
        nz.train_mlps_side_by_side([], [0], x, y, x, y, steps=2)


def test_steps_to_reach():
    steps = np.array([0, 10, 20, 30])
    acc = np.array([[0.1, 0.4, 0.6, 0.7], [0.1, 0.2, 0.3, 0.3]])
    out = nz.steps_to_reach(steps, acc, 0.5)
    assert out[0] == 20 and np.isnan(out[1])


def test_hand_module_batch_of_one_outputs_beta_and_keeps_running_stats():
    hand = nz.HandBatchNorm1d(3)
    with torch.no_grad():
        hand.bias.copy_(torch.tensor([0.5, -1.0, 2.0]))
    out = hand(torch.tensor([[10.0, -3.0, 7.0]]))
    torch.testing.assert_close(out, hand.bias.detach()[None])
    torch.testing.assert_close(hand.running_mean, torch.zeros(3))


def test_feature_scale_demo_standardizing_speeds_up_gd():
    raw = nz.feature_scale_demo(10.0, False, steps=400, grid=5)
    std = nz.feature_scale_demo(10.0, True, steps=400, grid=5)
    assert raw.surface.shape == (5, 5)
    assert std.steps_to_converge is not None and raw.steps_to_converge is not None
    assert std.steps_to_converge * 5 < raw.steps_to_converge
    with pytest.raises(ValueError, match="lr_fraction"):
        nz.feature_scale_demo(10.0, False, lr_fraction=1.5)


def test_side_by_side_restores_thread_count():
    x, y = torch.randn(20, 3), torch.randint(0, 2, (20,))
    before = torch.get_num_threads()
    nz.train_mlps_side_by_side(
        [nz.NetConfig("a", "relu", True, 0.1)], [0], x, y, x, y, steps=2, batch_size=5, progress=False
    )
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="num_threads"):
        nz.train_mlps_side_by_side(
            [nz.NetConfig("a", "relu", True, 0.1)], [0], x, y, x, y, steps=2, batch_size=5, num_threads=0
        )
