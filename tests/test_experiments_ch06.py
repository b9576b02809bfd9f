"""Chapter 06 experiments: the elongated bowl, counting loss spikes, and the optimiser race through mu.fit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlnote_utils.experiments import ch06 as xp
from mlnote_utils.optimizers import GD, Adam


def test_elongated_bowl_minimum_and_curvature():
    x = torch.tensor([4.0, 1.0], dtype=torch.float64)
    assert float(xp.elongated_bowl(x[0], x[1])) == 0.0
    hess = torch.autograd.functional.hessian(lambda v: xp.elongated_bowl(v[0], v[1]), x)
    eig = torch.linalg.eigvalsh(hess)
    assert 0.1 < float(eig[0]) < 0.3 and 100 < float(eig[1]) < 120


def test_loss_spikes():
    assert xp.loss_spikes([3.0, 2.0, 1.0, 0.5]).tolist() == []
    assert xp.loss_spikes([1.0, 0.01, 0.2, 0.3, 0.001, 0.02], factor=10).tolist() == [2, 5]
    with pytest.raises(ValueError, match="factor=0"):
        xp.loss_spikes([1.0, 2.0], factor=0)


def _race_data():
    g = torch.Generator().manual_seed(1)
    return torch.randn(60, 4, generator=g), torch.randint(0, 3, (60,), generator=g)


def _make():
    return torch.nn.Linear(4, 3)


OPTS = {"GD": lambda p: GD(p, lr=0.5), "Adam": lambda p: Adam(p, lr=0.05)}


def test_optimizer_race_shares_start_and_is_reproducible():
    x, y = _race_data()
    rng_before = torch.random.get_rng_state()
    kw = {"steps": 20, "batch_size": 16, "seeds": (0, 1), "eval_every": 5, "progress": False}
    a = xp.optimizer_race(_make, x, y, OPTS, **kw)
    b = xp.optimizer_race(_make, x, y, OPTS, **kw)
    assert torch.equal(torch.random.get_rng_state(), rng_before)  # models are built under seeded(seed)
    assert list(a) == ["GD", "Adam"] and len(a["GD"]) == len(a["Adam"]) == 2
    for name in OPTS:
        for h in a[name]:
            assert h.steps_of("train_loss").tolist() == [0, 5, 10, 15, 20]
            assert h["train_loss"].shape == (5,)
    for s, seed in enumerate((0, 1)):
        assert a["GD"][s]["train_loss"][0] == a["Adam"][s]["train_loss"][0]  # same initial weights per seed
        torch.manual_seed(seed)
        with torch.no_grad():
            start = torch.nn.functional.cross_entropy(_make()(x), y)  # the loss on the whole training set
        assert a["GD"][s]["train_loss"][0] == pytest.approx(float(start), rel=1e-6)
        assert a["GD"][s]["train_loss"][-1] < a["GD"][s]["train_loss"][0]
        np.testing.assert_array_equal(a["Adam"][s]["train_loss"], b["Adam"][s]["train_loss"])
    assert a["GD"][0]["train_loss"][0] != a["GD"][1]["train_loss"][0]


@pytest.mark.parametrize(
    ("kwargs", "n_labels", "match"),
    [
        pytest.param({"steps": 20, "eval_every": 0}, 60, "eval_every=0", id="eval_every=0"),
        pytest.param({"steps": 20, "eval_every": 30}, 60, "eval_every=30", id="eval_every>steps"),
        pytest.param({"steps": 0}, 60, "steps=0", id="steps=0"),
        pytest.param({"steps": 5, "eval_every": 5}, 10, "same length", id="x,y lengths"),
    ],
)
def test_optimizer_race_validates(kwargs, n_labels, match):
    x, y = _race_data()
    with pytest.raises(ValueError, match=match):
        xp.optimizer_race(_make, x, y[:n_labels], OPTS, progress=False, **kwargs)


def test_method_color_uses_the_course_palette():
    from mlnote_utils.plot import METHOD_COLORS

    assert xp.method_color("Adam η=0.1") == METHOD_COLORS["Adam"]
    assert xp.method_color("GD") == METHOD_COLORS["GD"] != xp.method_color("Momentum β=0.9")
    with pytest.raises(ValueError, match="label='Nesterov'"):
        xp.method_color("Nesterov")


def test_plot_paths_colours_by_method_and_keeps_limits():
    import matplotlib.pyplot as plt

    from mlnote_utils.landscape import Trajectory
    from mlnote_utils.plot import METHOD_COLORS

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    far = Trajectory(np.array([[0.5, 0.5], [5.0, -3.0]]), np.zeros(2), 0.1)
    xp.plot_paths({"Adam a": far, "GD b": far}, ax=ax)
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)
    colors = {
        line.get_label(): line.get_color() for line in ax.get_lines() if not line.get_label().startswith("_")
    }
    assert colors == {"Adam a": METHOD_COLORS["Adam"], "GD b": METHOD_COLORS["GD"]}
    xlim, ylim = xp.path_limits([far])
    assert xlim[0] < 0.5 and xlim[1] > 5.0 and ylim[0] < -3.0 and ylim[1] > 0.5
    plt.close(fig)


@pytest.mark.parametrize(
    ("eta_lambda", "beta"), [(0.5, 0.0), (1.9, 0.0), (0.05, 0.9), (0.001, 0.9), (3.0, 0.6)]
)
def test_momentum_rate_matches_torch_sgd_momentum(eta_lambda, beta):
    """The predicted per-step factor equals the one measured with torch.optim.SGD(momentum=beta) on λ x² / 2."""
    lam, lr = 2.0, eta_lambda / 2.0
    x = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr, momentum=beta)
    log_norms, log_scale = [], 0.0
    for _ in range(1500):
        opt.zero_grad()
        (0.5 * lam * x**2).sum().backward()
        opt.step()
        buf = opt.state[x].get("momentum_buffer", torch.zeros(1, dtype=torch.float64))
        norm = float(torch.linalg.vector_norm(torch.cat([x.detach(), lr * buf])))
        log_norms.append(log_scale + np.log(norm))
        with torch.no_grad():  # the map is linear: rescaling the state keeps the dynamics, avoids underflow
            x.div_(norm)
            buf.div_(norm)
        log_scale += np.log(norm)
    measured = np.exp(
        (log_norms[-1] - log_norms[299]) / 1200
    )  # long window: a rotating (complex) mode wobbles
    assert measured == pytest.approx(xp.momentum_rate(eta_lambda, beta), rel=3e-3)


def test_momentum_rate_stability_edge_and_validation():
    assert xp.momentum_rate(2 * 1.9 * 0.99, 0.9) < 1 < xp.momentum_rate(2 * 1.9 * 1.01, 0.9)
    with pytest.raises(ValueError, match="eta_lambda"):
        xp.momentum_rate(-1.0, 0.5)
    with pytest.raises(ValueError, match="beta"):
        xp.momentum_rate(0.1, 1.0)


def test_full_batch_stats_matches_autograd_and_keeps_grads():
    x, y = _race_data()
    torch.manual_seed(0)
    model = _make()
    for p in model.parameters():
        p.grad = torch.full_like(p, 7.0)
    out = xp.full_batch_stats(model, x, y)
    loss = torch.nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    assert out["loss"] == pytest.approx(float(loss.detach()))
    assert out["grad_norm"] == pytest.approx(float(torch.sqrt(sum((g**2).sum() for g in grads))))
    assert all(torch.all(p.grad == 7.0) for p in model.parameters())


def test_schedule_race_applies_each_schedule_from_a_shared_start():
    x, y = _race_data()
    runs = xp.schedule_race(
        _make,
        x,
        y,
        lambda p: torch.optim.SGD(p, lr=0.5),
        {"constant": None, "frozen": lambda t: 0.0, "half": lambda t: 0.5},
        steps=10,
        batch_size=16,
        seeds=(0, 1),
        eval_every=5,
    )
    for s in range(2):
        start = runs["constant"][s]["full_loss"][0]
        assert runs["frozen"][s]["full_loss"][0] == start == runs["half"][s]["full_loss"][0]
        np.testing.assert_allclose(runs["frozen"][s]["full_loss"], start)  # lr 0: nothing moves
        assert runs["constant"][s]["full_loss"][-1] < start
        assert runs["half"][s]["lr"][-1] == pytest.approx(0.25) and runs["constant"][s]["lr"][-1] == 0.5
        assert runs["constant"][s].steps_of("full_grad_norm").tolist() == [0, 5, 10]
    assert runs["constant"][0]["full_loss"][0] != runs["constant"][1]["full_loss"][0]
    with pytest.raises(ValueError, match="steps=0"):
        xp.schedule_race(_make, x, y, lambda p: torch.optim.SGD(p, lr=0.5), {"c": None}, steps=0)
