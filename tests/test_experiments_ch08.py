"""Chapter 08 experiments: feature scales vs the error surface, and MLPs trained side by side (with and
without BN) against separately trained models."""

import numpy as np
import pytest
import torch
from torch import nn

import mlnote_utils as mu
from mlnote_utils.experiments import ch08 as xp


def test_two_scale_regression_and_surface():
    x, y = xp.make_two_scale_regression(20.0, n=400, seed=0)
    assert x[:, 1].std() / x[:, 0].std() == pytest.approx(20.0, rel=0.15)
    w = torch.tensor([1.5, -0.5], dtype=torch.float64)
    direct = ((y - x @ w) ** 2).mean()
    torch.testing.assert_close(xp.linear_mse_surface(w[0], w[1], x, y), direct)
    assert xp.linear_mse_surface(torch.zeros(3, 4), torch.zeros(3, 4), x, y).shape == (3, 4)
    with pytest.raises(ValueError, match="scale_ratio"):
        xp.make_two_scale_regression(0.0)
    with pytest.raises(ValueError, match="w1, w2"):
        xp.linear_mse_surface(torch.zeros(2), torch.zeros(3), x, y)


def test_steps_to_tolerance():
    assert xp.steps_to_tolerance([5.0, 2.0, 1.05, 1.0], target=1.0, tol=0.1) == 2
    assert xp.steps_to_tolerance([5.0, 4.0], target=1.0, tol=0.1) is None


def test_feature_scale_demo_standardizing_speeds_up_gd():
    raw = xp.feature_scale_demo(10.0, False, steps=400, grid=5)
    std = xp.feature_scale_demo(10.0, True, steps=400, grid=5)
    assert isinstance(raw, xp.ScaleDemo)
    assert raw.surface.shape == (5, 5)
    assert std.steps_to_converge is not None and raw.steps_to_converge is not None
    assert std.steps_to_converge * 5 < raw.steps_to_converge
    with pytest.raises(ValueError, match="lr_fraction"):
        xp.feature_scale_demo(10.0, False, lr_fraction=1.5)


def test_net_config_validation():
    with pytest.raises(ValueError, match="activation"):
        xp.NetConfig("x", "tanh", False, 0.1)
    with pytest.raises(ValueError, match="lr"):
        xp.NetConfig("x", "relu", False, 0.0)


def _separate_run(cfg, seed, x, y, xt, yt, steps, batch):
    torch.manual_seed(seed)
    model = mu.mlp(x.shape[1], 6, 2, int(y.max()) + 1, activation=cfg.activation, batch_norm=cfg.batch_norm)
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
    configs = [xp.NetConfig("a", "relu", False, 0.5), xp.NetConfig("b", "sigmoid", True, 2.0)]
    res = xp.train_mlps_side_by_side(
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
    cfg = [xp.NetConfig("a", "relu", True, 0.1)]
    with pytest.raises(ValueError, match="batch_size"):
        xp.train_mlps_side_by_side(cfg, [0], x, y, x, y, steps=2, batch_size=1)
    with pytest.raises(ValueError, match="configs, seeds"):
        xp.train_mlps_side_by_side([], [0], x, y, x, y, steps=2)


def test_side_by_side_restores_thread_count():
    x, y = torch.randn(20, 3), torch.randint(0, 2, (20,))
    before = torch.get_num_threads()
    xp.train_mlps_side_by_side(
        [xp.NetConfig("a", "relu", True, 0.1)], [0], x, y, x, y, steps=2, batch_size=5, progress=False
    )
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="num_threads"):
        xp.train_mlps_side_by_side(
            [xp.NetConfig("a", "relu", True, 0.1)], [0], x, y, x, y, steps=2, batch_size=5, num_threads=0
        )


def test_steps_to_reach():
    steps = np.array([0, 10, 20, 30])
    acc = np.array([[0.1, 0.4, 0.6, 0.7], [0.1, 0.2, 0.3, 0.3]])
    out = xp.steps_to_reach(steps, acc, 0.5)
    assert out[0] == 20 and np.isnan(out[1])


def test_side_by_side_progress_bar_runs_to_its_end(monkeypatch):
    finished = []

    def recording_bar(iterable, **options):  # a stand-in bar that notes whether the loop ran to the end
        yield from iterable
        finished.append(True)

    monkeypatch.setattr(xp, "progress_bar", recording_bar)
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(40, 5, generator=g), torch.randint(0, 3, (40,), generator=g)
    xp.train_mlps_side_by_side([xp.NetConfig("a", "relu", True, 0.1)], [0], x, y, x, y, steps=3, batch_size=8,
                               eval_every=2, hidden=4, depth=1, progress=False)  # fmt: skip
    assert finished == [True]  # a loop left by `break` leaves a notebook bar red ("interrupted")


def test_side_by_side_running_statistics_match_nn_batchnorm1d():
    # The stacked forward pass keeps its own BN running mean/variance; after the same training batches they
    # must be nn.BatchNorm1d's (momentum 0.1, unbiased variance), and the eval-mode output must agree too.
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(3, 7, 4, generator=gen) * 3 + 1  # three batches of 7 (so n/(n−1) is not ≈ 1)
    seeds = [1, 2]
    models = []
    for s in seeds:
        with mu.seeded(s):
            models.append(mu.mlp(4, 5, 2, 3, activation="relu", batch_norm=True))
    layers = xp._stack(models, "cpu")
    bn_mask = torch.ones(2, 1, 1, dtype=torch.bool)
    sig_mask = torch.zeros(2, 1, 1, dtype=torch.bool)
    for xb in x:
        with torch.no_grad():
            out = xp._forward(layers, xb.expand(2, *xb.shape), bn_mask, sig_mask, train=True)
        for k, m in enumerate(models):
            m.train()
            with torch.no_grad():
                ref = m(xb)
            torch.testing.assert_close(out[k], ref, rtol=1e-5, atol=1e-5)
    stacked_bn = [lay for lay in layers if "rm" in lay]
    for k, m in enumerate(models):
        torch_bn = [mod for mod in m if isinstance(mod, nn.BatchNorm1d)]
        assert len(torch_bn) == len(stacked_bn) == 2
        for lay, bn in zip(stacked_bn, torch_bn, strict=True):
            torch.testing.assert_close(lay["rm"][k, 0], bn.running_mean, rtol=1e-5, atol=1e-6)
            torch.testing.assert_close(lay["rv"][k, 0], bn.running_var, rtol=1e-5, atol=1e-6)
    xt = torch.randn(9, 4, generator=gen)
    with torch.no_grad():
        out = xp._forward(layers, xt.expand(2, *xt.shape), bn_mask, sig_mask, train=False)
    for k, m in enumerate(models):
        m.eval()
        with torch.no_grad():
            torch.testing.assert_close(out[k], m(xt), rtol=1e-5, atol=1e-5)


def test_side_by_side_reshuffles_every_epoch_when_the_batch_does_not_divide_n():
    # 23 rows, batches of 5: 4 batches per epoch (3 rows left out, a new permutation each epoch); 11 steps
    # cross two epoch boundaries. The reference draws its own permutations, so a stream that does not
    # reshuffle, reuses one order or starts the epoch at the wrong place gives other losses.
    gen = torch.Generator().manual_seed(1)
    x, y = torch.randn(23, 4, generator=gen), torch.randint(0, 3, (23,), generator=gen)
    cfg, seed, batch, steps = xp.NetConfig("a", "relu", False, 0.3), 6, 5, 11
    res = xp.train_mlps_side_by_side(
        [cfg],
        [seed],
        x,
        y,
        x,
        y,
        steps=steps,
        batch_size=batch,
        eval_every=1,
        hidden=6,
        depth=2,
        progress=False,
    )
    with mu.seeded(seed):
        model = mu.mlp(4, 6, 2, 3, activation="relu", batch_norm=True)
    plain = nn.Sequential(*[m for m in model if not isinstance(m, nn.BatchNorm1d)])  # BN switched off
    opt = torch.optim.SGD(plain.parameters(), lr=cfg.lr)
    order_gen, order, losses = torch.Generator().manual_seed(seed), torch.empty(0, dtype=torch.long), []
    for _ in range(steps):
        if len(order) < batch:
            order = torch.randperm(23, generator=order_gen)[:20]
        idx, order = order[:batch], order[batch:]
        loss = nn.functional.cross_entropy(plain(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    np.testing.assert_allclose(res["train_loss"][0, 0, 1:], losses, rtol=1e-5)
