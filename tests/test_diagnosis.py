import numpy as np
import pytest
import torch
from sklearn.model_selection import KFold
from torch import nn

import mlnote_utils as mu


def test_plain_mlp_shapes_and_layers():
    net = mu.plain_mlp(40, 8, 3, 10, activation="tanh")
    assert sum(isinstance(m, nn.Linear) for m in net) == 4
    assert sum(isinstance(m, nn.Tanh) for m in net) == 3
    assert net(torch.zeros(5, 40)).shape == (5, 10)
    with pytest.raises(ValueError, match="depth"):
        mu.plain_mlp(40, 8, 0, 10)
    with pytest.raises(ValueError, match="activation"):
        mu.plain_mlp(40, 8, 2, 10, activation="gelu")


def test_deepen_with_identity_keeps_the_function():
    torch.manual_seed(0)
    net = mu.plain_mlp(6, 5, 2, 3)
    deep = mu.deepen_with_identity(net, 3)
    x = torch.randn(20, 6)
    assert sum(isinstance(m, nn.Linear) for m in deep) == sum(isinstance(m, nn.Linear) for m in net) + 3
    torch.testing.assert_close(deep(x), net(x))
    deep[0].weight.data.add_(1.0)  # a deep copy: the original is untouched
    torch.testing.assert_close(net(x), mu.deepen_with_identity(net, 1)(x))
    with pytest.raises(ValueError, match="ReLU"):
        mu.deepen_with_identity(mu.plain_mlp(6, 5, 2, 3, activation="tanh"), 1)
    with pytest.raises(TypeError, match="plain_mlp"):
        mu.deepen_with_identity(nn.Linear(3, 3), 1)
    with pytest.raises(ValueError, match="extra_layers"):
        mu.deepen_with_identity(net, 0)


def test_layer_signal_std_matches_manual():
    torch.manual_seed(0)
    net = mu.plain_mlp(4, 6, 2, 3)
    x = torch.randn(50, 4)
    stds = mu.layer_signal_std(net, x)
    h1 = net[0](x)
    h2 = net[2](net[1](h1))
    out = net(x)
    expected = [t.std(dim=0).mean().item() for t in (h1, h2, out)]
    np.testing.assert_allclose(stds, expected, rtol=1e-6)
    with pytest.raises(ValueError, match="N ≥ 2"):
        mu.layer_signal_std(net, x[:1])


def test_train_classifier_reduces_loss_and_logs():
    torch.manual_seed(0)
    x = torch.randn(64, 5)
    y = (x[:, 0] > 0).long()
    net = mu.plain_mlp(5, 8, 1, 2)
    net.eval()
    log = mu.train_classifier(
        net, x, y, steps=60, lr=0.1, batch_size=16, eval_every=20, eval_sets={"hold": (x[:10], y[:10])}
    )
    assert log["step"].tolist() == [0, 20, 40, 60]
    assert set(log) == {"step", "train_loss", "train_acc", "hold_loss", "hold_acc"}
    assert log["train_loss"][-1] < log["train_loss"][0]
    assert not net.training  # mode restored
    # the logged loss is the plain cross-entropy of the final model
    with torch.no_grad():
        final = nn.functional.cross_entropy(net(x), y).item()
    assert log["train_loss"][-1] == pytest.approx(final, rel=1e-6)


def test_train_classifier_is_seeded_and_validates():
    x = torch.randn(32, 3)
    y = torch.randint(0, 2, (32,))

    def run(seed):
        torch.manual_seed(0)
        return mu.train_classifier(mu.plain_mlp(3, 4, 1, 2), x, y, steps=5, lr=0.05, batch_size=8, seed=seed)

    np.testing.assert_array_equal(run(1)["train_loss"], run(1)["train_loss"])
    assert run(1)["train_loss"][-1] != run(2)["train_loss"][-1]
    net = mu.plain_mlp(3, 4, 1, 2)
    with pytest.raises(ValueError, match="lr"):
        mu.train_classifier(net, x, y, steps=5, lr=0.0)
    with pytest.raises(ValueError, match="steps"):
        mu.train_classifier(net, x, y, steps=0, lr=0.1)
    with pytest.raises(ValueError, match="optimizer"):
        mu.train_classifier(net, x, y, steps=1, lr=0.1, optimizer="rmsprop")
    with pytest.raises(ValueError, match="labels"):
        mu.train_classifier(net, x, y[:5], steps=1, lr=0.1)


def test_full_batch_adam_matches_a_manual_loop():
    torch.manual_seed(0)
    x, y = torch.randn(20, 3), torch.randint(0, 3, (20,))
    net = mu.plain_mlp(3, 4, 1, 3)
    twin = mu.plain_mlp(3, 4, 1, 3)
    twin.load_state_dict(net.state_dict())
    mu.train_classifier(net, x, y, steps=7, lr=0.01, optimizer="adam", weight_decay=0.1)
    opt = torch.optim.Adam(twin.parameters(), lr=0.01, weight_decay=0.1)
    for _ in range(7):
        opt.zero_grad()
        nn.functional.cross_entropy(twin(x), y).backward()
        opt.step()
    for a, b in zip(net.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(a, b)


def test_augment_signals():
    x = torch.arange(12, dtype=torch.float32).reshape(2, 6)
    g = torch.Generator().manual_seed(0)
    same = mu.augment_signals(x, g, max_shift=0, scale=0.0, noise=0.0)
    torch.testing.assert_close(same, x)
    g = torch.Generator().manual_seed(0)
    rolled = mu.augment_signals(x, g, max_shift=2, scale=0.0, noise=0.0)
    for row, orig in zip(rolled, x, strict=True):  # every row is a circular shift of its original
        assert any(torch.equal(row, torch.roll(orig, s)) for s in range(-2, 3))
    g = torch.Generator().manual_seed(0)
    scaled = mu.augment_signals(x + 1, g, max_shift=0, scale=0.3, noise=0.0)
    ratio = scaled / (x + 1)
    assert torch.allclose(ratio, ratio[:, :1].expand_as(ratio)) and ((ratio - 1).abs() <= 0.3).all()
    with pytest.raises(ValueError, match="scale"):
        mu.augment_signals(x, g, scale=1.5)
    with pytest.raises(ValueError, match="shape"):
        mu.augment_signals(x[0], g)


def test_make_mnist1d_variant(tmp_path, monkeypatch):
    monkeypatch.setenv("MLNOTE_CACHE_DIR", str(tmp_path))
    x, y = mu.make_mnist1d_variant(100, seed=3, shear_scale=2.0)
    assert x.shape == (100, 40) and x.dtype == torch.float32 and y.shape == (100,)
    assert torch.bincount(y).tolist() == [10] * 10
    x2, _ = mu.make_mnist1d_variant(100, seed=3, shear_scale=2.0)  # from the cache
    torch.testing.assert_close(x, x2)
    x3, _ = mu.make_mnist1d_variant(100, seed=3)
    assert not torch.allclose(x, x3)
    with pytest.raises(ValueError, match="unknown"):
        mu.make_mnist1d_variant(100, bogus=1.0)
    with pytest.raises(TypeError, match="number"):
        mu.make_mnist1d_variant(100, padding=[1, 2])
    with pytest.raises(ValueError, match="multiple of 10"):
        mu.make_mnist1d_variant(105)


@pytest.mark.parametrize(
    "n,k,shuffle", [(10, 3, False), (10, 3, True), (103, 5, True), (7, 7, False), (50, 2, True)]
)
def test_kfold_matches_sklearn(n, k, shuffle):
    ours = mu.kfold_indices(n, k, shuffle=shuffle, seed=4)
    theirs = KFold(k, shuffle=shuffle, random_state=4 if shuffle else None).split(np.arange(n))
    for (tr, va), (tr_sk, va_sk) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(va, va_sk)
        np.testing.assert_array_equal(tr, tr_sk)


def test_kfold_validates():
    with pytest.raises(ValueError, match="k="):
        mu.kfold_indices(10, 1)
    with pytest.raises(ValueError, match="n="):
        mu.kfold_indices(3, 5)


def test_leaderboard_simulation():
    r = mu.leaderboard_simulation(2000, 100, 100, seed=0)
    assert r["public"].shape == (2000,) and r["best"] == int(np.argmax(r["public"]))
    assert r["best_public"] > 0.6 and abs(r["best_private"] - 0.5) < 0.15
    # one model: no selection, so no optimism on average
    gaps = [mu.leaderboard_simulation(1, 100, 100, seed=s)["best_public"] - 0.5 for s in range(300)]
    assert abs(np.mean(gaps)) < 0.01
    # per-model accuracies: with huge test sets the truly best model wins
    r = mu.leaderboard_simulation(3, 100000, 10, true_accuracy=np.array([0.5, 0.9, 0.6]), seed=0)
    assert r["best"] == 1 and r["best_true"] == 0.9
    with pytest.raises(ValueError, match="true_accuracy"):
        mu.leaderboard_simulation(3, 10, 10, true_accuracy=1.2)
    with pytest.raises(ValueError, match="n_public"):
        mu.leaderboard_simulation(3, 0, 10)


def test_plots_return_axes():
    ax = mu.plot_decision_flow()
    assert "diagnose" in ax.get_title()
    assert any("Overfitting" in t.get_text() for t in ax.texts)
    ax = mu.plot_leaderboard(mu.leaderboard_simulation(50, 20, 20, seed=0))
    assert ax.get_xlabel() == "public test accuracy"
