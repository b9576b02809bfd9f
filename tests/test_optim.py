"""Hand-written optimisers against torch.optim, the notes' formulas, schedules and input checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mlnote_utils.landscape import Trajectory, gradient_descent
from mlnote_utils.optim import (
    GD,
    RMS,
    Adam,
    Momentum,
    RMSProp,
    elongated_bowl,
    loss_spikes,
    momentum_unrolled,
    optimizer_knobs,
    optimizer_path,
    schedule_factors,
    training_curves,
    warmup_then_decay,
)

_A = torch.tensor(
    [[1.0, 2.0, -0.5], [0.3, -1.0, 2.0], [2.0, 0.1, 0.4], [-1.0, 0.5, 1.5]], dtype=torch.float64
)
_Y = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.float64)
X0 = [0.5, -1.0, 2.0]


def small_loss(x: torch.Tensor) -> torch.Tensor:
    """A smooth non-quadratic loss of three parameters."""
    return ((_A @ x - _Y) ** 2).mean() + 0.1 * (x**4).sum()


MATCHES = [
    pytest.param("GD", {"lr": 0.05}, torch.optim.SGD, {"lr": 0.05}, None, id="GD=SGD"),
    pytest.param(
        "Momentum",
        {"lr": 0.03, "momentum": 0.9},
        torch.optim.SGD,
        {"lr": 0.03, "momentum": 0.9},
        None,
        id="Momentum=SGD(momentum)",
    ),
    pytest.param(
        "RMSProp",
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-8, "init": "zero"},
        torch.optim.RMSprop,
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-8},
        None,
        id="RMSProp(init=zero)=RMSprop",
    ),
    pytest.param(
        "Adam",
        {"lr": 0.05, "betas": (0.8, 0.99)},
        torch.optim.Adam,
        {"lr": 0.05, "betas": (0.8, 0.99)},
        None,
        id="Adam=Adam",
    ),
    pytest.param(
        "RMS",
        {"lr": 0.05, "eps": 0.0},
        torch.optim.Adagrad,
        {"lr": 0.05, "eps": 0.0},
        lambda t: math.sqrt(t + 1),
        id="RMS=Adagrad*sqrt(t+1)",
    ),
]


@pytest.mark.parametrize(("ours", "our_hp", "theirs", "their_hp", "their_schedule"), MATCHES)
def test_trajectory_matches_torch(ours, our_hp, theirs, their_hp, their_schedule):
    mine = optimizer_path(small_loss, X0, ours, 200, **our_hp)
    ref = optimizer_path(small_loss, X0, theirs, 200, schedule=their_schedule, **their_hp)
    assert np.all(np.isfinite(mine.points))
    assert np.abs(mine.points - ref.points).max() <= 1e-6
    assert abs(mine.losses[-1] - mine.losses[0]) > 1e-2  # the path really moved


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        pytest.param(
            lambda p: Momentum(p, lr=0.05, momentum=0.8),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8),
            id="Momentum",
        ),
        pytest.param(lambda p: Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01), id="Adam"),
    ],
)
def test_network_training_matches_torch(ours, theirs):
    """Several parameter tensors and mini-batch training in float64."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(64, 5, generator=g, dtype=torch.float64), torch.randint(0, 3, (64,), generator=g)
    runs = []
    for factory in (ours, theirs):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
        opt = factory(net.parameters())
        for i in range(30):
            idx = slice(8 * (i % 8), 8 * (i % 8) + 8)
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()
        runs.append(torch.cat([p.detach().ravel() for p in net.parameters()]))
    torch.testing.assert_close(runs[0], runs[1], rtol=0, atol=1e-6)


def test_where_rules_differ_from_torch():
    # Adagrad sums the squared gradients: same lr, slower steps than the notes' mean rule.
    rms = optimizer_path(small_loss, X0, "RMS", 100, lr=0.05, eps=0.0)
    adagrad = optimizer_path(small_loss, X0, torch.optim.Adagrad, 100, lr=0.05, eps=0.0)
    assert np.abs(rms.points - adagrad.points).max() > 0.1
    # The notes' RMSProp starts from σ⁰ = |g⁰|; torch starts from 0 (first step 1/sqrt(1 − α) longer).
    notes = optimizer_path(small_loss, X0, "RMSProp", 1, lr=0.01, alpha=0.99, eps=0.0)
    torch_rule = optimizer_path(small_loss, X0, torch.optim.RMSprop, 1, lr=0.01, alpha=0.99, eps=0.0)
    step_notes = np.abs(notes.points[1] - notes.points[0])
    step_torch = np.abs(torch_rule.points[1] - torch_rule.points[0])
    np.testing.assert_allclose(step_notes, 0.01, rtol=1e-12)
    np.testing.assert_allclose(step_torch, 0.01 / math.sqrt(0.01), rtol=1e-12)
    # With a changing lr, the notes' m keeps each step's η; torch rescales its buffer by today's η.
    sched = warmup_then_decay(5)
    ours = optimizer_path(small_loss, X0, "Momentum", 50, lr=0.03, momentum=0.9, schedule=sched)
    theirs = optimizer_path(small_loss, X0, torch.optim.SGD, 50, lr=0.03, momentum=0.9, schedule=sched)
    assert np.abs(ours.points - theirs.points).max() > 1e-3


def test_momentum_recurrence_equals_unrolled_sum():
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = Momentum([x], lr=0.02, momentum=0.7)
    grads, ms = [], []
    for _ in range(25):
        opt.zero_grad()
        small_loss(x).backward()
        grads.append(x.grad.numpy().copy())
        opt.step()
        ms.append(opt.state[x]["m"].numpy().copy())
    np.testing.assert_allclose(
        np.array(ms), momentum_unrolled(np.array(grads), 0.02, 0.7), rtol=1e-12, atol=1e-14
    )


def test_rms_and_rmsprop_sigma_by_hand():
    grads = [3.0, -1.0, 0.5, 2.0]
    for cls, hp in [(RMS, {}), (RMSProp, {"alpha": 0.6})]:
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = cls([p], lr=0.1, eps=0.0, **hp)
        sq = None
        for t, g in enumerate(grads):
            before = p.item()
            p.grad = torch.tensor([g], dtype=torch.float64)
            opt.step()
            if cls is RMS:
                sigma = math.sqrt(sum(v * v for v in grads[: t + 1]) / (t + 1))
            else:
                sq = g * g if sq is None else 0.6 * sq + 0.4 * g * g
                sigma = math.sqrt(sq)
            assert p.item() - before == pytest.approx(-0.1 * g / sigma, rel=1e-12)


def test_gd_path_equals_landscape_gradient_descent():
    ours = optimizer_path(small_loss, X0, GD, 30, lr=0.05)
    ref = gradient_descent(small_loss, X0, lr=0.05, steps=30)
    assert isinstance(ours, Trajectory) and ours.lr == 0.05
    np.testing.assert_allclose(ours.points, ref.points, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.losses, ref.losses, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda p: GD(p, lr=0.0), "lr=0.0"),
        (lambda p: GD(p, lr=-1), "lr=-1"),
        (lambda p: GD(p, lr=float("nan")), "lr=nan"),
        (lambda p: Momentum(p, lr=0.1, momentum=-0.1), "momentum=-0.1"),
        (lambda p: Momentum(p, lr=0.1, momentum=1.0), "momentum=1.0"),
        (lambda p: RMS(p, lr=0.1, eps=-1e-8), "eps=-1e-08"),
        (lambda p: RMSProp(p, lr=0.1, alpha=1.0), "alpha=1.0"),
        (lambda p: RMSProp(p, lr=0.1, init="ones"), "init='ones'"),
        (lambda p: Adam(p, lr=0.1, betas=(0.9, 1.0)), r"betas\[1\]=1.0"),
        (lambda p: Adam(p, lr=0.1, betas=(-0.1, 0.9)), r"betas\[0\]=-0.1"),
        (lambda p: Adam(p, lr=0.1, betas=0.9), "betas=0.9"),
        (lambda p: Adam(p, lr=0.1, eps=-1.0), "eps=-1.0"),
    ],
)
def test_invalid_hyper_parameters_raise(factory, match):
    with pytest.raises(ValueError, match=match):
        factory([torch.zeros(2, requires_grad=True)])


def test_non_numeric_hyper_parameter_is_a_type_error():
    with pytest.raises(TypeError, match="lr='0.1'"):
        GD([torch.zeros(1, requires_grad=True)], lr="0.1")


def test_warmup_then_decay_shapes():
    f = warmup_then_decay(4, decay="cosine", total_steps=14, floor=0.1)
    v = schedule_factors(f, 20)
    np.testing.assert_allclose(v[:4], [0.25, 0.5, 0.75, 1.0])
    assert v[4] == pytest.approx(1.0) and v[14] == pytest.approx(0.1) and v[19] == pytest.approx(0.1)
    assert np.all(np.diff(v[3:]) <= 1e-12)
    lin = schedule_factors(warmup_then_decay(0, decay="linear", total_steps=10), 11)
    np.testing.assert_allclose(lin, [1 - i / 10 for i in range(10)] + [0.0])
    np.testing.assert_allclose(schedule_factors(warmup_then_decay(0), 4), 1 / np.sqrt([1, 2, 3, 4]))
    assert set(schedule_factors(warmup_then_decay(3, decay="none"), 6)[2:]) == {1.0}


def test_schedule_works_with_lambda_lr():
    p = torch.zeros(1, requires_grad=True)
    opt = GD([p], lr=0.2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_then_decay(2, decay="inverse_sqrt"))
    seen = []
    for _ in range(4):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(seen, [0.1, 0.2, 0.2, 0.2 / math.sqrt(2)])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"warmup_steps": -1}, "warmup_steps=-1"),
        ({"decay": "exp"}, "decay='exp'"),
        ({"decay": "cosine"}, "total_steps=None"),
        ({"warmup_steps": 10, "decay": "linear", "total_steps": 10}, "total_steps=10"),
        ({"floor": 1.5}, "floor=1.5"),
    ],
)
def test_bad_schedule_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        warmup_then_decay(**kwargs)


def test_optimizer_path_and_knobs_errors():
    with pytest.raises(ValueError, match="optimizer='Nadam'"):
        optimizer_path(small_loss, X0, "Nadam", 3, lr=0.1)
    with pytest.raises(ValueError, match="steps=-1"):
        optimizer_path(small_loss, X0, "GD", -1, lr=0.1)
    with pytest.raises(ValueError, match="name='SGD'"):
        optimizer_knobs("SGD", 0.1)
    assert optimizer_knobs("RMSProp", 0.1, alpha=0.5) == {"lr": 0.1, "alpha": 0.5}


def test_elongated_bowl_minimum_and_curvature():
    x = torch.tensor([4.0, 1.0], dtype=torch.float64)
    assert float(elongated_bowl(x[0], x[1])) == 0.0
    hess = torch.autograd.functional.hessian(lambda v: elongated_bowl(v[0], v[1]), x)
    eig = torch.linalg.eigvalsh(hess)
    assert 0.1 < float(eig[0]) < 0.3 and 100 < float(eig[1]) < 120


def test_loss_spikes():
    assert loss_spikes([3.0, 2.0, 1.0, 0.5]).tolist() == []
    assert loss_spikes([1.0, 0.01, 0.2, 0.3, 0.001, 0.02], factor=10).tolist() == [2, 5]
    with pytest.raises(ValueError, match="factor=0"):
        loss_spikes([1.0, 2.0], factor=0)


def test_training_curves_share_start_and_are_reproducible():
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(60, 4, generator=g), torch.randint(0, 3, (60,), generator=g)

    def make():
        return torch.nn.Linear(4, 3)

    opts = {"GD": lambda p: GD(p, lr=0.5), "Adam": lambda p: Adam(p, lr=0.05)}
    a = training_curves(make, x, y, opts, steps=20, batch_size=16, seeds=(0, 1), eval_every=5)
    b = training_curves(make, x, y, opts, steps=20, batch_size=16, seeds=(0, 1), eval_every=5)
    assert a["steps"].tolist() == [0, 5, 10, 15, 20]
    assert a["GD"].shape == (2, 5)
    np.testing.assert_array_equal(a["GD"][:, 0], a["Adam"][:, 0])  # same initial weights per seed
    np.testing.assert_array_equal(a["Adam"], b["Adam"])
    assert np.all(a["GD"][:, -1] < a["GD"][:, 0])
    with pytest.raises(ValueError, match="eval_every=0"):
        training_curves(make, x, y, opts, steps=20, eval_every=0)
