"""Chapter 08 experiments: feature scales vs the error surface, and MLPs trained side by side (with and
without BN) against separately trained models."""

import numpy as np
import pytest
import torch
from torch import nn

import mlnote_utils as mu
from mlnote_utils.experiments import ch08 as xp
from mlnote_utils.experiments import side_by_side  # the batched trainer chapter 08 re-exports


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
    with pytest.raises(ValueError, match="bn_position"):
        xp.NetConfig("x", "relu", True, 0.1, bn_position="middle")


def _separate_run(cfg, seed, x, y, xt, yt, steps, batch):
    torch.manual_seed(seed)
    model = mu.mlp(x.shape[1], 6, 2, int(y.max()) + 1, activation=cfg.activation, batch_norm=cfg.batch_norm)
    if cfg.batch_norm and cfg.bn_position == "after":  # Linear -> act -> BN: swap each BN with its activation
        mods = list(model)
        for i in [i for i, m in enumerate(mods) if isinstance(m, nn.BatchNorm1d)]:
            mods[i], mods[i + 1] = mods[i + 1], mods[i]
        model = nn.Sequential(*mods)
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
    configs = [
        xp.NetConfig("a", "relu", False, 0.5),
        xp.NetConfig("b", "sigmoid", True, 2.0),
        xp.NetConfig("c", "relu", True, 0.5, bn_position="after"),
        xp.NetConfig("d", "sigmoid", True, 2.0, bn_position="after"),
    ]
    res = xp.train_mlps_side_by_side(
        configs, [3, 4], x, y, xt, yt, steps=5, batch_size=10, eval_every=5, hidden=6, depth=2, progress=False
    )
    assert res["steps"].tolist() == [0, 5]
    assert res["test_acc"].shape == res["train_loss"].shape == (4, 2, 2)
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


class _RecordingBar:
    """A stand-in for tqdm that records its total, its count and whether it was closed."""

    made: list = []

    def __init__(self, iterable=None, *, total=None, **options):
        self.total, self.n, self.closed = total, 0, False
        _RecordingBar.made.append(self)

    def update(self, k=1):
        self.n += k

    def close(self):
        self.closed = True


@pytest.mark.parametrize("steps, eval_every", [(3, 2), (4, 2), (1, 5)])
def test_side_by_side_progress_bar_ends_at_its_true_total(monkeypatch, steps, eval_every):
    # a notebook bar closed below its total turns red ("interrupted"): it must count exactly the SGD updates
    _RecordingBar.made = []
    monkeypatch.setattr(side_by_side, "progress_bar", _RecordingBar)
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(40, 5, generator=g), torch.randint(0, 3, (40,), generator=g)
    res = xp.train_mlps_side_by_side([xp.NetConfig("a", "relu", True, 0.1)], [0], x, y, x, y, steps=steps,
                                     batch_size=8, eval_every=eval_every, hidden=4, depth=1)  # fmt: skip
    (bar,) = _RecordingBar.made
    assert bar.total == steps and bar.n == steps and bar.closed
    assert res["steps"][-1] == steps


def test_activations_by_depth():
    torch.manual_seed(0)
    net = mu.mlp(5, 7, 3, 2, activation="tanh", batch_norm=True)
    x = torch.randn(16, 5)
    acts = xp.activations_by_depth(net, x)
    assert len(acts) == 3 and all(a.shape == (16, 7) for a in acts)
    h = x
    with torch.no_grad():
        for i in range(3):  # Linear, BN, Tanh per hidden layer
            h = net[3 * i + 2](net[3 * i + 1](net[3 * i](h)))
            torch.testing.assert_close(acts[i], h)
    with pytest.raises(ValueError, match="ReLU, Sigmoid or Tanh"):
        xp.activations_by_depth(nn.Sequential(nn.Linear(5, 2)), x)
    with pytest.raises(TypeError, match="nn.Sequential"):
        xp.activations_by_depth(nn.Linear(5, 2), x)


@pytest.mark.parametrize("position", ["before", "after"])
def test_side_by_side_running_statistics_match_batchnorm1d(position):
    # the stacked forward pass keeps running averages exactly as nn.BatchNorm1d does (momentum 0.1, unbiased var)
    torch.manual_seed(0)
    model = mu.mlp(5, 6, 2, 3, batch_norm=True)
    if position == "after":
        mods = list(model)
        for i in [i for i, m in enumerate(mods) if isinstance(m, nn.BatchNorm1d)]:
            mods[i], mods[i + 1] = mods[i + 1], mods[i]
        model = nn.Sequential(*mods)
    layers = side_by_side._stack([mu.mlp(5, 6, 2, 3, batch_norm=True)], "cpu")
    for lay, lin in zip(
        [la for la in layers if "w" in la], [m for m in model if isinstance(m, nn.Linear)], strict=True
    ):
        with torch.no_grad():
            lay["w"].copy_(lin.weight.T[None])
            lay["b"].copy_(lin.bias[None, None])
    masks = {
        "bn_mask": torch.ones(1, 1, 1, dtype=torch.bool),
        "sig_mask": torch.zeros(1, 1, 1, dtype=torch.bool),
    }
    after = torch.full((1, 1, 1), position == "after")
    g = torch.Generator().manual_seed(1)
    for _ in range(4):
        x = torch.randn(7, 5, generator=g) * 3 + 1
        out = side_by_side._forward(layers, x[None], train=True, after_mask=after, **masks)
        torch.testing.assert_close(out[0], model(x))
    bns = [m for m in model if isinstance(m, nn.BatchNorm1d)]
    for lay, bn in zip([la for la in layers if "gamma" in la], bns, strict=True):
        torch.testing.assert_close(lay["rm"][0, 0], bn.running_mean)
        torch.testing.assert_close(lay["rv"][0, 0], bn.running_var)
    model.eval()
    x = torch.randn(9, 5, generator=g)
    torch.testing.assert_close(
        side_by_side._forward(layers, x[None], train=False, after_mask=after, **masks)[0], model(x)
    )


def test_side_by_side_notebook_bar_ends_green(monkeypatch):
    # the widget JupyterLab shows: tqdm.notebook marks a bar closed below its total as 'danger' (red)
    from tqdm.notebook import tqdm as notebook_tqdm

    bars = []

    def notebook_bar(iterable=None, *, enabled=True, **options):
        bars.append(notebook_tqdm(iterable, **options))
        return bars[-1]

    monkeypatch.setattr(side_by_side, "progress_bar", notebook_bar)
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(40, 5, generator=g), torch.randint(0, 3, (40,), generator=g)
    xp.train_mlps_side_by_side([xp.NetConfig("a", "relu", True, 0.1)], [0], x, y, x, y, steps=7, batch_size=8,
                               eval_every=3, hidden=4, depth=1)  # fmt: skip
    (bar,) = bars
    widget = bar.container.children[1]
    assert (bar.n, bar.total, widget.value, widget.max) == (7, 7, 7, 7)
    assert widget.bar_style == "success"


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
