"""mlnote_utils.wgan: JS vs W1 against scipy, the earth mover's LP, spectral norm vs torch, gradient penalty."""

import math

import pytest
import torch

from mlnote_utils import wgan


def test_js_divergence_matches_scipy_and_saturates():
    from scipy.spatial.distance import jensenshannon

    g = torch.Generator().manual_seed(4)
    p, q = torch.rand(20, generator=g), torch.rand(20, generator=g)
    assert wgan.js_divergence(p, q) == pytest.approx(jensenshannon(p.numpy(), q.numpy()) ** 2, abs=1e-6)
    disjoint = [
        (torch.tensor([1.0, 0, 0, 0, 0]), torch.roll(torch.tensor([1.0, 0, 0, 0, 0]), k)) for k in (1, 2, 4)
    ]
    for a, b in disjoint:
        assert wgan.js_divergence(a, b) == pytest.approx(math.log(2), abs=1e-12)
    assert wgan.js_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="p, q"):
        wgan.js_divergence(torch.ones(3), torch.ones(4))
    with pytest.raises(ValueError, match="p, q"):
        wgan.js_divergence(torch.tensor([1.0, -1.0]), torch.ones(2))


def test_wasserstein_1d_matches_scipy():
    from scipy.stats import wasserstein_distance

    g = torch.Generator().manual_seed(5)
    x, y = torch.randn(300, generator=g), torch.randn(300, generator=g) * 2 + 1
    assert wgan.wasserstein_1d(x, y) == pytest.approx(wasserstein_distance(x.numpy(), y.numpy()), rel=1e-6)
    assert wgan.wasserstein_1d(x, x + 3.0) == pytest.approx(3.0, rel=1e-6)  # a shift moves every grain by 3
    with pytest.raises(ValueError, match="x, y"):
        wgan.wasserstein_1d(x, y[:10])


def test_spectral_norm_power_matches_svd_and_torch_parametrization():
    g = torch.Generator().manual_seed(6)
    w = torch.randn(16, 9, generator=g, dtype=torch.float64)
    sigma = wgan.spectral_norm_power(w, 200, generator=g)
    torch.testing.assert_close(sigma, torch.linalg.matrix_norm(w, ord=2))
    layer = torch.nn.Linear(9, 16).double()
    with torch.no_grad():
        layer.weight.copy_(w)
    sn = torch.nn.utils.parametrizations.spectral_norm(layer, n_power_iterations=200)
    sn.train()
    sn(torch.zeros(1, 9, dtype=torch.float64))  # runs the power iteration
    torch.testing.assert_close(sn.weight, w / sigma)
    with pytest.raises(ValueError, match="weight"):
        wgan.spectral_norm_power(torch.randn(2, 3, 4))


def test_gradient_penalty_is_zero_for_a_unit_slope_critic_and_matches_autograd():
    real, fake = torch.randn(32, 3), torch.randn(32, 3)
    unit = torch.nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        unit.weight.copy_(torch.tensor([[0.6, 0.0, 0.8]]))  # gradient norm 1 everywhere
    assert wgan.gradient_penalty(unit, real, fake).item() == pytest.approx(0.0, abs=1e-10)
    with torch.no_grad():
        unit.weight.mul_(3.0)  # norm 3 -> penalty (3 - 1)^2 = 4
    assert wgan.gradient_penalty(unit, real, fake).item() == pytest.approx(4.0, rel=1e-6)
    critic = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    g1, g2 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
    pen = wgan.gradient_penalty(critic, real, fake, generator=g1)
    t = torch.rand(32, 1, generator=g2)
    x_hat = (t * real + (1 - t) * fake).requires_grad_(True)
    slopes = torch.func.vmap(torch.func.grad(lambda x: critic(x[None]).sum()))(x_hat)
    torch.testing.assert_close(pen, (slopes.norm(dim=1) - 1).pow(2).mean())
    pen.backward()  # the penalty reaches the critic's parameters
    assert critic[0].weight.grad is not None and critic[0].weight.grad.abs().sum() > 0


def test_critic_slopes_match_per_sample_autograd_and_leave_the_critic_alone():
    g = torch.Generator().manual_seed(7)
    critic = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    critic.eval()
    x = torch.randn(20, 2, generator=g)
    expected = torch.func.vmap(torch.func.grad(lambda p: critic(p[None]).sum()))(x).norm(dim=1)
    slopes = wgan.critic_slopes(critic, x)
    torch.testing.assert_close(slopes, expected)
    assert slopes.shape == (20,) and not slopes.requires_grad and not x.requires_grad
    assert not critic.training and all(p.grad is None for p in critic.parameters())
    with pytest.raises(ValueError, match=r"^x: expected \(N, d\) points"):
        wgan.critic_slopes(critic, torch.zeros(3))


def test_earth_mover_lp_matches_scipy_and_the_1d_closed_form():
    from scipy.stats import wasserstein_distance

    g = torch.Generator().manual_seed(8)
    xs, ys = (
        torch.randn(6, generator=g, dtype=torch.float64),
        torch.randn(4, generator=g, dtype=torch.float64) + 1,
    )
    a, b = torch.rand(6, generator=g, dtype=torch.float64), torch.rand(4, generator=g, dtype=torch.float64)
    cost = (xs[:, None] - ys[None, :]).abs()
    dist, plan = wgan.earth_mover_lp(a * 3, b, cost)  # weights are normalised
    expected = wasserstein_distance(xs.numpy(), ys.numpy(), a.numpy(), b.numpy())
    assert dist == pytest.approx(expected, rel=1e-7)
    assert plan.shape == (6, 4) and bool((plan >= -1e-12).all())
    torch.testing.assert_close(plan.sum(dim=1), a / a.sum())
    torch.testing.assert_close(plan.sum(dim=0), b / b.sum())
    assert float((plan * cost).sum()) == pytest.approx(dist, rel=1e-9)
    # equal-size uniform samples: the LP agrees with wasserstein_1d (sorted matching)
    u, v = (
        torch.randn(5, generator=g, dtype=torch.float64),
        torch.randn(5, generator=g, dtype=torch.float64) * 2,
    )
    lp, _ = wgan.earth_mover_lp(torch.ones(5), torch.ones(5), (u[:, None] - v[None, :]).abs())
    assert lp == pytest.approx(wgan.wasserstein_1d(u, v), rel=1e-9)
    with pytest.raises(ValueError, match=r"^a, b, cost: expected \(m,\), \(n,\) and \(m, n\)"):
        wgan.earth_mover_lp(torch.ones(2), torch.ones(3), torch.zeros(3, 2))
    with pytest.raises(ValueError, match=r"^a, b: expected non-negative weights"):
        wgan.earth_mover_lp(torch.tensor([1.0, -1.0]), torch.ones(2), torch.zeros(2, 2))
    with pytest.raises(ValueError, match=r"^a, b: expected non-negative weights"):
        wgan.earth_mover_lp(torch.zeros(2), torch.ones(2), torch.zeros(2, 2))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: wgan.js_divergence(torch.ones(3), torch.ones(4)),
            r"^p, q: expected two 1-D histograms of the same length, got \(3,\), \(4,\)$",
            id="js-length",
        ),
        pytest.param(
            lambda: wgan.js_divergence(torch.ones(2, 2), torch.ones(2, 2)),
            r"^p, q: expected two 1-D",
            id="js-2d",
        ),
        pytest.param(
            lambda: wgan.js_divergence(torch.ones(2), torch.tensor([1.0, -1.0])),
            r"^p, q: expected non-negative weights with a positive sum$",
            id="js-negative-q",
        ),
        pytest.param(
            lambda: wgan.js_divergence(torch.zeros(2), torch.ones(2)),
            r"^p, q: expected non-negative",
            id="js-zero-p",
        ),
        pytest.param(
            lambda: wgan.js_divergence(torch.ones(2), torch.zeros(2)),
            r"^p, q: expected non-negative",
            id="js-zero-q",
        ),
        pytest.param(
            lambda: wgan.wasserstein_1d(torch.ones(3), torch.ones(2)),
            r"^x, y: expected two non-empty samples of the same size, got 3 and 2$",
            id="w1-size",
        ),
        pytest.param(
            lambda: wgan.wasserstein_1d(torch.ones(0), torch.ones(0)),
            r"^x, y: expected .* got 0 and 0$",
            id="w1-empty",
        ),
        pytest.param(
            lambda: wgan.spectral_norm_power(torch.ones(2, 3, 4)),
            r"^weight: expected a 2-D matrix, got shape \(2, 3, 4\)$",
            id="sn-3d",
        ),
        pytest.param(
            lambda: wgan.spectral_norm_power(torch.ones(2, 3), n_iter=0),
            r"^n_iter=0: expected an int ≥ 1$",
            id="sn-n",
        ),
        pytest.param(
            lambda: wgan.gradient_penalty(torch.nn.Linear(3, 1), torch.ones(4, 3), torch.ones(5, 3)),
            r"^real, fake: expected the same shape, got \(4, 3\) and \(5, 3\)$",
            id="gp-shape",
        ),
        pytest.param(
            lambda: wgan.earth_mover_lp(torch.ones(2), torch.tensor([1.0, -2.0]), torch.zeros(2, 2)),
            r"^a, b: expected non-negative weights with a positive sum$",
            id="lp-negative-b",
        ),
        pytest.param(
            lambda: wgan.earth_mover_lp(torch.ones(2), torch.zeros(2), torch.zeros(2, 2)),
            r"^a, b: expected non-negative",
            id="lp-zero-b",
        ),
        pytest.param(
            lambda: wgan.earth_mover_lp(torch.ones(2, 1), torch.ones(2), torch.zeros(2, 2)),
            r"^a, b, cost: expected \(m,\), \(n,\) and \(m, n\), got \(2, 1\), \(2,\), \(2, 2\)$",
            id="lp-2d-a",
        ),
    ],
)
def test_bad_arguments_are_named_in_the_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_js_is_scale_free_and_w1_flattens_columns():
    g = torch.Generator().manual_seed(10)
    p, q = torch.rand(12, generator=g, dtype=torch.float64), torch.rand(12, generator=g, dtype=torch.float64)
    assert wgan.js_divergence(2 * p, 5 * q) == pytest.approx(wgan.js_divergence(p, q), abs=1e-12)
    half = torch.tensor([1.0, 1.0, 0.0])
    other = torch.tensor([0.0, 1.0, 1.0])  # overlap 1/2: JS = (1/2) log 2
    assert wgan.js_divergence(half, other) == pytest.approx(0.5 * math.log(2), abs=1e-12)
    x, y = torch.randn(7, 1, generator=g), torch.randn(7, generator=g)
    assert wgan.wasserstein_1d(x, y) == pytest.approx(wgan.wasserstein_1d(x.flatten(), y), abs=1e-12)
    assert isinstance(wgan.wasserstein_1d(x, y), float)


def test_gradient_penalty_draws_one_t_per_sample_for_image_shaped_input():
    critic = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 1)
    )
    g = torch.Generator().manual_seed(11)
    real, fake = torch.randn(5, 1, 2, 2, generator=g), torch.randn(5, 1, 2, 2, generator=g)
    pen = wgan.gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(3))
    t = torch.rand(5, 1, 1, 1, generator=torch.Generator().manual_seed(3))
    x_hat = (t * real + (1 - t) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat)
    torch.testing.assert_close(pen, (grad.flatten(1).norm(dim=1) - 1).pow(2).mean())
    assert real.grad is None and fake.grad is None and pen.requires_grad


def test_spectral_norm_power_default_iterations_and_generator():
    w = (
        torch.diag(torch.tensor([3.0, 1.0, 0.5]))
        @ torch.linalg.qr(torch.randn(3, 3, generator=torch.Generator().manual_seed(12)))[0]
    )
    torch.testing.assert_close(wgan.spectral_norm_power(w), torch.tensor(3.0))  # default: 50 iterations
    a = wgan.spectral_norm_power(w, 2, generator=torch.Generator().manual_seed(1))
    b = wgan.spectral_norm_power(w, 2, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and float(a) <= 3.0 + 1e-6  # u^T W v never exceeds sigma_max


def test_earth_mover_lp_accepts_zero_weights_and_small_sums_but_not_negative_entries():
    cost = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    d, plan = wgan.earth_mover_lp([0.3, 0.0], [0.1, 0.1], cost)  # a zero pile; sums 0.3 and 0.2 (< 1)
    assert d == pytest.approx(0.5) and plan.tolist() == [[0.5, 0.5], [0.0, 0.0]]
    d, _ = wgan.earth_mover_lp([0.5, 0.5], [0.0, 0.2], cost)  # a zero hole
    assert d == pytest.approx(0.5)
    for a, b in (([2.0, -1.0], [1.0, 1.0]), ([1.0, 1.0], [2.0, -1.0])):  # negative entry, positive sum
        with pytest.raises(ValueError, match=r"^a, b: expected non-negative weights"):
            wgan.earth_mover_lp(a, b, cost)


def test_earth_mover_lp_plan_has_no_negative_zeros():
    _, plan = wgan.earth_mover_lp([1.0, 0.0], [0.0, 1.0], [[0.0, 3.0], [3.0, 0.0]])  # HiGHS returns -0.0 here
    assert plan.tolist() == [[0.0, 1.0], [0.0, 0.0]] and not bool(torch.signbit(plan).any())


def test_js_rejects_a_negative_entry_even_with_a_positive_sum_and_lp_keeps_float64_costs():
    for p, q in (([2.0, -1.0], [1.0, 1.0]), ([1.0, 1.0], [2.0, -1.0])):
        with pytest.raises(ValueError, match=r"^p, q: expected non-negative weights"):
            wgan.js_divergence(torch.tensor(p), torch.tensor(q))
    # Python floats as costs are used in float64 (0.1 is not rounded to float32's 0.100000001)
    d, _ = wgan.earth_mover_lp([1.0, 1.0], [1.0, 1.0], [[0.1, 5.0], [5.0, 0.1]])
    assert abs(d - 0.1) < 1e-15


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_penalty_and_power_iteration_run_on_the_inputs_device():
    critic = torch.nn.Linear(3, 1).cuda()
    real, fake = torch.randn(8, 3, device="cuda"), torch.randn(8, 3, device="cuda")
    assert wgan.gradient_penalty(critic, real, fake).device.type == "cuda"
    w = torch.randn(6, 4, device="cuda", dtype=torch.float64)
    torch.testing.assert_close(wgan.spectral_norm_power(w, 200), torch.linalg.matrix_norm(w, ord=2))
