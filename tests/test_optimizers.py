"""Hand-written optimisers (mu.optimizers) against torch.optim, the notes' formulas and input checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mlnote_utils.landscape import optimizer_path
from mlnote_utils.optimizers import (
    GD,
    OPTIMIZER_CLASSES,
    RMS,
    Adam,
    Momentum,
    RMSProp,
    momentum_unrolled,
    optimizer_knobs,
)
from mlnote_utils.schedules import warmup_then_decay

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


def test_optimizer_knobs():
    with pytest.raises(ValueError, match="name='SGD'"):
        optimizer_knobs("SGD", 0.1)
    assert optimizer_knobs("RMSProp", 0.1, alpha=0.5) == {"lr": 0.1, "alpha": 0.5}
    assert set(OPTIMIZER_CLASSES) == {"GD", "Momentum", "RMS", "RMSProp", "Adam"}
