"""Hand-written optimisers (mu.optimizers) against torch.optim, the notes' formulas and input checks."""

from __future__ import annotations

import math
import re

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


# ---------------------------------------------------------------- contract details (mutation testing)
DEFAULTS = [
    (GD, {"lr": 0.01}),
    (Momentum, {"lr": 0.01, "momentum": 0.9}),
    (RMS, {"lr": 0.01, "eps": 1e-8}),
    (RMSProp, {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "init": "grad"}),
    (Adam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}),
]


@pytest.mark.parametrize(("cls", "defaults"), DEFAULTS, ids=[c.__name__ for c, _ in DEFAULTS])
def test_default_hyper_parameters(cls, defaults):
    opt = cls([torch.zeros(2, requires_grad=True)])
    assert opt.defaults == defaults
    assert {k: v for k, v in opt.param_groups[0].items() if k != "params"} == defaults


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        pytest.param(lambda p: GD(p), lambda p: torch.optim.SGD(p, lr=0.01), id="GD"),
        pytest.param(
            lambda p: Momentum(p), lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9), id="Momentum"
        ),
        pytest.param(
            lambda p: RMSProp(p, init="zero"),
            lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-8),
            id="RMSProp",
        ),
        pytest.param(lambda p: Adam(p), lambda p: torch.optim.Adam(p), id="Adam"),
        pytest.param(
            lambda p: Adam(p, lr=0.02, betas=[0.5, 0.7], eps=0.3),
            lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.5, 0.7), eps=0.3),
            id="Adam-large-eps-list-betas",
        ),
        pytest.param(
            lambda p: RMSProp(p, lr=0.02, alpha=0.5, eps=0.3, init="zero"),
            lambda p: torch.optim.RMSprop(p, lr=0.02, alpha=0.5, eps=0.3),
            id="RMSProp-large-eps",
        ),
    ],
)
def test_defaults_and_eps_match_torch_with_gradients_of_mixed_sizes(ours, theirs):
    """Tiny and large gradient coordinates make eps and the defaults visible in the path."""
    g = torch.Generator().manual_seed(1)
    scale = torch.tensor([1e-7, 1e-3, 1.0, 30.0], dtype=torch.float64)
    grads = [torch.randn(4, generator=g, dtype=torch.float64) * scale for _ in range(12)]
    paths = []
    for factory in (ours, theirs):
        w = torch.ones(4, dtype=torch.float64, requires_grad=True)
        opt = factory([w])
        for gr in grads:
            w.grad = gr.clone()
            opt.step()
        paths.append(w.detach().clone())
    torch.testing.assert_close(paths[0], paths[1], rtol=1e-9, atol=1e-15)
    assert (paths[0] != 1).all()  # every coordinate moved


def test_rms_eps_is_added_to_sigma():
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = RMS([p], lr=0.1, eps=0.5)
    for t, g in enumerate([3.0, -1.0, 0.5]):
        before, p.grad = p.item(), torch.tensor([g], dtype=torch.float64)
        opt.step()
        sigma = math.sqrt(sum(v * v for v in [3.0, -1.0, 0.5][: t + 1]) / (t + 1))
        assert p.item() - before == pytest.approx(-0.1 * g / (sigma + 0.5), rel=1e-12)
    assert opt.state[p]["step"] == 3


def test_rmsprop_first_step_of_the_notes_uses_grad_squared_and_eps():
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = RMSProp([p], lr=0.1, alpha=0.8, eps=0.5)
    p.grad = torch.tensor([2.0, -4.0], dtype=torch.float64)
    opt.step()
    torch.testing.assert_close(opt.state[p]["sq"], torch.tensor([4.0, 16.0], dtype=torch.float64))
    torch.testing.assert_close(p.detach(), torch.tensor([-0.2 / 2.5, 0.4 / 4.5], dtype=torch.float64))


def test_step_evaluates_the_closure_with_gradients_and_returns_its_loss():
    for cls in OPTIMIZER_CLASSES.values():
        x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
        opt = cls([x], lr=0.01)

        def closure(x=x, opt=opt):
            opt.zero_grad()
            loss = small_loss(x)
            loss.backward()  # fails unless grad mode is on inside step
            return loss

        loss = opt.step(closure)
        assert loss is not None and loss.item() == pytest.approx(
            small_loss(torch.tensor(X0, dtype=torch.float64)).item()
        )
        assert not torch.equal(x.detach(), torch.tensor(X0, dtype=torch.float64))
        assert opt.step() is None


def test_parameters_without_gradient_are_skipped_and_the_others_still_step():
    for cls in OPTIMIZER_CLASSES.values():
        a = torch.ones(2, requires_grad=True)
        b = torch.ones(2, requires_grad=True)
        opt = cls([a, b], lr=0.1)
        b.grad = torch.ones(2)
        opt.step()
        assert torch.equal(a.detach(), torch.ones(2)) and len(opt.state[a]) == 0
        assert (b.detach() < 1).all()


def test_sparse_gradients_are_refused():
    w = torch.zeros(3, requires_grad=True)
    opt = Adam([w])
    w.grad = torch.zeros(3).to_sparse()
    with pytest.raises(RuntimeError, match=r"^Adam does not support sparse gradients$"):
        opt.step()


def test_the_shared_base_class_has_no_rule():
    from mlnote_utils.optimizers import _Rule

    w = torch.zeros(1, requires_grad=True)
    opt = _Rule([w], {"lr": 0.1})
    w.grad = torch.ones(1)
    with pytest.raises(NotImplementedError):
        opt.step()


@pytest.mark.parametrize(
    ("factory", "exc", "message"),
    [
        (lambda p: GD(p, lr=0.0), ValueError, "lr=0.0: expected a positive number (> 0)"),
        (lambda p: GD(p, lr=float("inf")), ValueError, "lr=inf: expected a finite number"),
        (lambda p: GD(p, lr="0.1"), TypeError, "lr='0.1': expected a number, got str"),
        (lambda p: GD(p, lr=True), TypeError, "lr=True: expected a number, got bool"),
        (lambda p: RMS(p, eps=-1e-8), ValueError, "eps=-1e-08: expected a non-negative number (≥ 0)"),
        (lambda p: Momentum(p, momentum=1.0), ValueError, "momentum=1.0: expected a number in [0, 1)"),
        (lambda p: Momentum(p, momentum=-0.1), ValueError, "momentum=-0.1: expected a number in [0, 1)"),
        (
            lambda p: RMSProp(p, init="ones"),
            ValueError,
            "init='ones': expected 'grad' (the notes) or 'zero' (torch)",
        ),
        (lambda p: Adam(p, betas=0.9), ValueError, "betas=0.9: expected a pair (beta1, beta2)"),
        (lambda p: Adam(p, betas=(0.9,)), ValueError, "betas=(0.9,): expected a pair (beta1, beta2)"),
        (lambda p: Adam(p, betas=(0.9, 0.9, 0.9)), ValueError, "betas=(0.9, 0.9, 0.9): expected a pair"),
    ],
)
def test_error_messages_in_full(factory, exc, message):
    with pytest.raises(exc, match="^" + re.escape(message)):
        factory([torch.zeros(2, requires_grad=True)])


def test_boundary_values_and_numpy_numbers_are_accepted():
    p = [torch.zeros(2, requires_grad=True)]
    assert Momentum(p, lr=np.float32(0.5), momentum=0.0).defaults == {"lr": 0.5, "momentum": 0.0}
    assert type(GD(p, lr=np.int64(2)).defaults["lr"]) is float
    assert RMS(p, lr=1, eps=0).defaults == {"lr": 1.0, "eps": 0.0}
    assert Adam(p, betas=(0.0, 0.0), eps=0.0).defaults["betas"] == (0.0, 0.0)
    assert RMSProp(p, alpha=0.0, init="zero").defaults["alpha"] == 0.0
    assert np.isclose(momentum_unrolled(np.ones(2), lr=1, momentum=0).ravel(), [-1.0, -1.0]).all()


def test_optimizer_knobs_for_every_rule():
    assert optimizer_knobs("GD", 0.1, momentum=0.5, alpha=0.7) == {"lr": 0.1}
    assert optimizer_knobs("Momentum", 0.1, momentum=0.5) == {"lr": 0.1, "momentum": 0.5}
    assert optimizer_knobs("Momentum", 0.1) == {"lr": 0.1, "momentum": 0.9}
    assert optimizer_knobs("RMS", 0.1, momentum=0.5, alpha=0.7) == {"lr": 0.1}
    assert optimizer_knobs("RMSProp", 0.1) == {"lr": 0.1, "alpha": 0.99}
    assert optimizer_knobs("Adam", 0.1) == {"lr": 0.1, "betas": (0.9, 0.99)}
    assert optimizer_knobs("Adam", 0.1, momentum=0.8, alpha=0.9) == {"lr": 0.1, "betas": (0.8, 0.9)}
    with pytest.raises(
        ValueError, match=r"^name='SGD': expected one of \['GD', 'Momentum', 'RMS', 'RMSProp', 'Adam'\]$"
    ):
        optimizer_knobs("SGD", 0.1)
    for name, cls in OPTIMIZER_CLASSES.items():
        assert cls.__name__ == name
        cls([torch.zeros(1, requires_grad=True)], **optimizer_knobs(name, 0.1))


def test_momentum_unrolled_by_hand_and_shapes():
    g = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]])
    lr, lam = 0.1, 0.6
    m1 = -lr * g[0]
    m2 = -lr * (lam * g[0] + g[1])
    m3 = -lr * (lam**2 * g[0] + lam * g[1] + g[2])
    np.testing.assert_allclose(momentum_unrolled(g, lr, lam), np.array([m1, m2, m3]), rtol=1e-14)
    assert momentum_unrolled(g[:, 0], lr, lam).shape == (3, 1)
    with pytest.raises(ValueError, match=r"^grads: expected shape \(n, d\), got \(2, 2, 1\)$"):
        momentum_unrolled(np.zeros((2, 2, 1)), lr, lam)
    with pytest.raises(ValueError, match=r"^lr=0: expected a positive number"):
        momentum_unrolled(g, 0, lam)
    with pytest.raises(ValueError, match=r"^momentum=1: expected a number in \[0, 1\)"):
        momentum_unrolled(g, lr, 1)


def test_momentum_unrolled_with_zero_momentum_is_plain_gradient_steps_without_warnings():
    import warnings

    g = np.array([[1.0], [2.0], [-3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0 ** negative power above the diagonal
        np.testing.assert_array_equal(momentum_unrolled(g, 0.5, 0.0), -0.5 * g)


@pytest.mark.parametrize(
    ("cls", "name", "message"),
    [
        (GD, "lr", "expected a positive number (> 0)"),
        (Momentum, "lr", "expected a positive number (> 0)"),
        (Momentum, "momentum", "expected a number in [0, 1)"),
        (RMS, "lr", "expected a positive number (> 0)"),
        (RMS, "eps", "expected a non-negative number (≥ 0)"),
        (RMSProp, "lr", "expected a positive number (> 0)"),
        (RMSProp, "alpha", "expected a number in [0, 1)"),
        (RMSProp, "eps", "expected a non-negative number (≥ 0)"),
        (Adam, "lr", "expected a positive number (> 0)"),
        (Adam, "eps", "expected a non-negative number (≥ 0)"),
        (Adam, "betas[0]", "expected a number in [0, 1)"),
        (Adam, "betas[1]", "expected a number in [0, 1)"),
    ],
)
def test_each_hyper_parameter_is_checked_under_its_own_name(cls, name, message):
    """-1 is out of range for every knob; the error names the knob the caller set."""
    kwargs = (
        {"betas": (-1, 0.9) if name == "betas[0]" else (0.9, -1)} if name.startswith("betas") else {name: -1}
    )
    with pytest.raises(ValueError, match="^" + re.escape(f"{name}=-1: {message}") + "$"):
        cls([torch.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize(
    ("factory", "exc", "message"),
    [
        (lambda p: RMS(p, eps="small"), TypeError, "eps='small': expected a number, got str"),
        (lambda p: RMS(p, eps=float("inf")), ValueError, "eps=inf: expected a finite number"),
        (lambda p: Momentum(p, momentum=None), TypeError, "momentum=None: expected a number, got NoneType"),
        (lambda p: RMSProp(p, alpha=float("nan")), ValueError, "alpha=nan: expected a finite number"),
    ],
)
def test_every_range_check_first_asks_for_a_finite_number(factory, exc, message):
    with pytest.raises(exc, match="^" + re.escape(message) + "$"):
        factory([torch.zeros(2, requires_grad=True)])
