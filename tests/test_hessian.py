"""mu.hessian (scalar functions and models) against torch.autograd.functional.hessian and exact eigvalsh."""

from __future__ import annotations

import copy
import math

import pytest
import torch
from torch import nn

from mlnote_utils import critical_points as cp
from mlnote_utils import hessian as hs


def _f_notes(w: torch.Tensor) -> torch.Tensor:
    # one pair (x=1, y_hat=1), model y = w1*w2*x, squared error
    return (1.0 - w[0] * w[1]) ** 2


def _rosen(x: torch.Tensor) -> torch.Tensor:
    return ((1 - x[:-1]) ** 2 + 10 * (x[1:] - x[:-1] ** 2) ** 2).sum() + torch.sin(x).prod()


def _small_model(seed: int = 0, bn: bool = False) -> nn.Module:
    torch.manual_seed(seed)
    layers = [nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)]
    if bn:
        layers.insert(1, nn.BatchNorm1d(5))
    return nn.Sequential(*layers).double()


def _batch(seed: int = 1, n: int = 16):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, generator=g, dtype=torch.float64), torch.randint(0, 2, (n,), generator=g)


def _reference_model_hessian(model, criterion, batch):
    params = [p.detach().clone() for p in model.parameters()]
    sizes = [p.numel() for p in params]
    names = [n for n, _ in model.named_parameters()]

    def f(flat):
        pieces = torch.split(flat, sizes)
        d = {n: t.view_as(p) for n, t, p in zip(names, pieces, params, strict=True)}
        return criterion(torch.func.functional_call(model, d, (batch[0],)), batch[1])

    return torch.autograd.functional.hessian(f, torch.cat([p.reshape(-1) for p in params]))


def test_notes_example_hessian_and_hvp():
    H = hs.hessian_matrix(_f_notes, torch.zeros(2))
    torch.testing.assert_close(H, torch.tensor([[0.0, -2.0], [-2.0, 0.0]]))
    torch.testing.assert_close(hs.hessian_matrix_loop(_f_notes, torch.zeros(2)), H)
    torch.testing.assert_close(
        hs.hvp(_f_notes, torch.zeros(2), torch.tensor([1.0, 1.0])), torch.tensor([-2.0, -2.0])
    )
    assert cp.classify_critical_point(torch.linalg.eigvalsh(H)) == "saddle point"


def test_hessian_matches_autograd_functional():
    x = torch.linspace(-1, 1.5, 6, dtype=torch.float64)
    ref = torch.autograd.functional.hessian(_rosen, x)
    torch.testing.assert_close(hs.hessian_matrix(_rosen, x), ref)
    torch.testing.assert_close(hs.hessian_matrix_loop(_rosen, x), ref)
    v = torch.arange(6, dtype=torch.float64) - 2.5
    torch.testing.assert_close(hs.hvp(_rosen, x, v), ref @ v)


def test_model_hessian_matches_reference_and_leaves_model_as_found():
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    model.train()
    for p in model.parameters():
        p.grad = torch.full_like(p, 7.0)
    before = [p.detach().clone() for p in model.parameters()]
    H = hs.model_hessian(model, crit, batch)
    torch.testing.assert_close(H, _reference_model_hessian(model, crit, batch))
    torch.testing.assert_close(H, H.T)
    torch.testing.assert_close(hs.model_hessian(model, crit, batch, method="loop"), H)
    torch.testing.assert_close(hs.model_hessian(model, crit, batch, method="func"), H)
    assert model.training
    for p, b in zip(model.parameters(), before, strict=True):
        assert torch.equal(p, b) and torch.equal(p.grad, torch.full_like(p, 7.0))


@pytest.mark.parametrize(
    ("n_in", "bn", "method", "expected"),
    [
        (299, False, "auto", "func"),  # 300 parameters: torch.func.hessian
        (300, False, "auto", "loop"),  # 301: one double-backward HVP per row
        (299, False, "loop", "loop"),
        (300, False, "func", "func"),
        (299, True, "func", "loop"),  # BatchNorm in training mode always loops (vmap gave a wrong Hessian)
        (19_999, False, "auto", "loop"),  # 20 000 parameters is still allowed
    ],
)
def test_model_hessian_picks_the_documented_method(monkeypatch, n_in, bn, method, expected):
    calls = []

    def fake_func(f, x):
        calls.append("func")
        return torch.zeros(2, 2)

    def fake_operator(model, criterion, batch):
        calls.append("loop")
        return (lambda v: v), 2, torch.zeros(1)

    monkeypatch.setattr(hs, "hessian_matrix", fake_func)
    monkeypatch.setattr(hs, "_hvp_operator", fake_operator)
    layers = [nn.Linear(n_in, 1)] + ([nn.BatchNorm1d(1)] if bn else [])
    model = nn.Sequential(*layers).train()
    x, y = torch.zeros(4, n_in), torch.zeros(4, 1)
    hs.model_hessian(model, nn.MSELoss(), (x, y), method=method)
    assert calls == [expected]


def test_model_hessian_refuses_more_than_20000_parameters():
    model = nn.Linear(20_000, 1)  # 20 001 parameters
    with pytest.raises(ValueError, match="model has 20001 parameters; an exact Hessian needs P² memory"):
        hs.model_hessian(model, nn.MSELoss(), (torch.zeros(2, 20_000), torch.zeros(2, 1)))


def test_random_vectors_are_seeded_on_the_device_of_like_and_rademacher_is_plus_minus_one():
    like = torch.zeros(1, dtype=torch.float64)
    r = hs._random_vector(1000, 7, like, rademacher=True)
    assert set(r.tolist()) == {-1.0, 1.0} and r.dtype == torch.float64
    assert abs(float(r.mean())) < 4 / math.sqrt(1000)  # both signs about equally often
    torch.manual_seed(0)
    g = hs._random_vector(5, 7, like, rademacher=False)
    torch.manual_seed(1)
    assert torch.equal(g, hs._random_vector(5, 7, like, rademacher=False))  # its own generator
    assert hs._random_vector(3, 0, torch.empty(1, device="meta"), rademacher=False).device.type == "meta"


def test_loss_function_of_params_matches_model():
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    f, theta = hs.loss_function_of_params(model, crit, batch)
    assert theta.numel() == sum(p.numel() for p in model.parameters())
    torch.testing.assert_close(f(theta), crit(model(batch[0]), batch[1]))


@pytest.mark.parametrize("which", ["largest", "smallest", "magnitude"])
def test_top_eigenvalues_match_eigvalsh(which):
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    H = hs.model_hessian(model, crit, batch)
    exact, vecs = torch.linalg.eigh(H)
    res = hs.top_eigenvalues(model, crit, batch, k=3, tol=1e-8, max_iter=60, which=which)
    order = {
        "largest": exact.flip(0),
        "smallest": exact,
        "magnitude": exact[exact.abs().argsort(descending=True)],
    }
    assert res.converged
    torch.testing.assert_close(res.eigenvalues, order[which][:3], rtol=1e-6, atol=1e-9)
    for lam, v in zip(res.eigenvalues, res.eigenvectors, strict=True):
        torch.testing.assert_close(H @ v, lam * v, rtol=1e-5, atol=1e-6)


def _scaled_identity_problem(c: float = 2.0):
    """Least squares whose Hessian is 2/n XᵀX = c²/2 · I (4 parameters): every vector is an eigenvector."""
    model = nn.Linear(4, 1, bias=False).double()
    x = c * torch.eye(4, dtype=torch.float64)
    return model, nn.MSELoss(), (x, torch.zeros(4, 1, dtype=torch.float64))


def test_lanczos_stops_at_the_first_step_whose_residual_is_below_tol():
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    H = hs.model_hessian(model, crit, batch)
    top = float(torch.linalg.eigvalsh(H)[-1])
    assert top < 1  # so a threshold tol·max(|θ|, 1) or tol/|θ| would differ from tol·|θ|
    for tol in (1e-3, 1e-6):
        res = hs.top_eigenvalues(model, crit, batch, k=1, tol=tol, max_iter=100)
        lam, v = float(res.eigenvalues[0]), res.eigenvectors[0]
        assert res.converged and 1 < res.n_hvp < 27  # 27 HVPs exhaust this Krylov space
        assert float((H @ v - lam * v).norm()) <= 1.01 * tol * abs(lam)  # the documented stopping rule
        fewer = hs.top_eigenvalues(model, crit, batch, k=1, tol=tol, max_iter=res.n_hvp - 1)
        assert not fewer.converged and fewer.n_hvp == res.n_hvp - 1  # it stopped at the first step allowed
    # a very loose tol is met by the first Ritz value already (one HVP)
    loose = hs.top_eigenvalues(model, crit, batch, k=1, tol=1e3, max_iter=10)
    assert loose.converged and loose.n_hvp == 1


def test_lanczos_to_full_precision_and_on_an_invariant_subspace():
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    exact = torch.linalg.eigvalsh(hs.model_hessian(model, crit, batch))
    res = hs.top_eigenvalues(model, crit, batch, k=2, tol=1e-300, max_iter=1000)
    assert res.converged and res.n_hvp <= 32  # stopped by the invariant subspace, not by max_iter
    torch.testing.assert_close(res.eigenvalues, exact.flip(0)[:2], rtol=1e-11, atol=1e-13)
    # H = 2·I: the start vector is an eigenvector, the first HVP finds the invariant subspace
    model, crit, batch = _scaled_identity_problem()
    one = hs.top_eigenvalues(model, crit, batch, k=1, tol=1e-12, max_iter=10)
    assert one.converged is True and one.n_hvp == 1
    torch.testing.assert_close(one.eigenvalues, torch.tensor([2.0], dtype=torch.float64))


def test_top_eigenvalues_defaults_and_limits():
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    default = hs.top_eigenvalues(model, crit, batch)
    explicit = hs.top_eigenvalues(model, crit, batch, k=1, tol=1e-3, max_iter=100, seed=0, which="largest")
    assert default.eigenvalues.shape == (1,) and default.eigenvectors.shape == (1, 32)
    assert default.n_hvp == explicit.n_hvp and torch.equal(default.eigenvectors, explicit.eigenvectors)
    # max_iter defaults to 100: 300 evenly spaced eigenvalues need 136 HVPs for tol=1e-14 (measured)
    wide = nn.Linear(300, 1, bias=False).double()
    x = torch.diag(torch.linspace(1, 2, 300, dtype=torch.float64).sqrt() * 10)
    capped = hs.top_eigenvalues(wide, nn.MSELoss(), (x, torch.zeros(300, 1, dtype=torch.float64)), tol=1e-14)
    assert capped.n_hvp == 100 and capped.converged is False
    # the smallest legal values work; one below is named in the error
    assert hs.top_eigenvalues(model, crit, batch, max_iter=1).n_hvp == 1
    assert hs.top_eigenvalues(model, crit, batch, k=3, max_iter=3).eigenvalues.shape == (3,)
    with pytest.raises(ValueError, match=r"k=4 exceeds the Krylov dimension min\(max_iter, P\)=3"):
        hs.top_eigenvalues(model, crit, batch, k=4, max_iter=3)
    with pytest.raises(ValueError, match="tol must be > 0, got 0"):
        hs.top_eigenvalues(model, crit, batch, tol=0)
    with pytest.raises(ValueError, match="max_iter must be a positive int, got 0"):
        hs.top_eigenvalues(model, crit, batch, max_iter=0)
    with pytest.raises(ValueError, match="max_iter must be a positive int"):
        hs.top_eigenvalues(model, crit, batch, max_iter=2.0)


def test_hessian_trace_defaults_and_smallest_sample_count():
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    default = hs.hessian_trace(model, crit, batch)
    assert default.samples.shape == (100,)
    assert torch.equal(default.samples, hs.hessian_trace(model, crit, batch, n_samples=100, seed=0).samples)
    two = hs.hessian_trace(model, crit, batch, n_samples=2, seed=1)
    assert two.samples.shape == (2,) and two.stderr > 0
    with pytest.raises(ValueError, match="n_samples must be an int ≥ 2"):
        hs.hessian_trace(model, crit, batch, n_samples=2.0)


def test_batchnorm_train_mode_hessian_and_buffers_restored():
    model, batch, crit = _small_model(bn=True), _batch(), nn.CrossEntropyLoss()
    model.train()
    stats = model[1].running_mean.clone(), int(model[1].num_batches_tracked)
    H = hs.model_hessian(model, crit, batch)
    torch.testing.assert_close(H, H.T)
    f, theta = hs.loss_function_of_params(copy.deepcopy(model), crit, batch)  # f updates BN stats
    torch.testing.assert_close(
        H, torch.autograd.functional.hessian(f, theta)
    )  # running stats unused in train mode
    exact = torch.linalg.eigvalsh(H)[-1]
    res = hs.top_eigenvalues(model, crit, batch, k=1, tol=1e-6, max_iter=80)
    torch.testing.assert_close(res.eigenvalues[0], exact, rtol=1e-5, atol=1e-8)
    assert torch.equal(model[1].running_mean, stats[0]) and int(model[1].num_batches_tracked) == stats[1]
    assert model.training


def _rademacher_sd(H: torch.Tensor) -> float:
    """Exact standard deviation of one Hutchinson sample vᵀHv for Rademacher v: Var = 2 Σ_{i≠j} H_ij²."""
    return math.sqrt(2.0 * float((H**2).sum() - (torch.diagonal(H) ** 2).sum()))


def test_hessian_trace_is_exact_on_a_diagonal_hessian():
    # Linear least squares with orthogonal input columns: H = 2/n XᵀX is diagonal, so every Rademacher
    # probe gives vᵀHv = Σ H_ii v_i² = tr(H) exactly (a factor, a Gaussian probe or a wrong mean shows up).
    model = nn.Linear(4, 1, bias=False).double()
    x = torch.diag(torch.tensor([1.0, 2.0, 3.0, 0.5], dtype=torch.float64))
    y = torch.zeros(4, 1, dtype=torch.float64)
    H = hs.model_hessian(model, nn.MSELoss(), (x, y))
    torch.testing.assert_close(H, torch.diag(torch.diagonal(H)))
    exact = float(torch.trace(H))
    assert exact == pytest.approx(2 / 4 * (1 + 4 + 9 + 0.25), rel=1e-12)
    est = hs.hessian_trace(model, nn.MSELoss(), (x, y), n_samples=7, seed=5)
    assert est.samples.shape == (7,)
    torch.testing.assert_close(est.samples, torch.full((7,), exact, dtype=torch.float64), rtol=1e-12, atol=0)
    assert est.mean == pytest.approx(exact, rel=1e-12) and est.stderr < 1e-12


def test_hessian_trace_close_to_exact_within_a_bound_from_the_exact_hessian():
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    H = hs.model_hessian(model, crit, batch)
    exact = float(torch.trace(H))
    n = 1000
    true_stderr = _rademacher_sd(H) / math.sqrt(n)  # from H, not from the estimator under test
    assert true_stderr < 0.1 * abs(exact)  # enough probes: the band below is ±40 % of tr(H) at most
    est = hs.hessian_trace(model, crit, batch, n_samples=n, seed=3)
    assert abs(est.mean - exact) < 4 * true_stderr
    assert est.mean == pytest.approx(float(est.samples.mean()), rel=1e-12)
    # the reported stderr is the sample std / √n; with 1000 probes it is within 10 % of the exact one
    assert est.stderr == pytest.approx(float(est.samples.std()) / math.sqrt(n), rel=1e-12)
    assert est.stderr == pytest.approx(true_stderr, rel=0.1)
    again = hs.hessian_trace(model, crit, batch, n_samples=n, seed=3)
    assert again.mean == est.mean  # seeded
    assert hs.hessian_trace(model, crit, batch, n_samples=20, seed=4).mean != est.mean


def test_hessian_trace_stderr_matches_the_spread_over_seeds():
    # 40 independent estimates of 50 probes: the std of their means is what stderr claims to be.
    # A std estimated from 40 values has a relative error of about 1/√78 ≈ 11 %; the band is ±30 %.
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    runs = [hs.hessian_trace(model, crit, batch, n_samples=50, seed=s) for s in range(40)]
    means = torch.tensor([r.mean for r in runs], dtype=torch.float64)
    reported = torch.tensor([r.stderr for r in runs], dtype=torch.float64)
    assert float(means.std()) == pytest.approx(float(reported.mean()), rel=0.3)
    assert len({r.samples[0].item() for r in runs}) > 1  # different seeds draw different probes


def test_bad_input_raises():
    with pytest.raises(TypeError, match="f must be a callable"):
        hs.hessian_matrix(3, torch.zeros(2))
    with pytest.raises(ValueError, match="x must be a flat"):
        hs.hessian_matrix(_f_notes, torch.zeros(2, 2))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        hs.hvp(_f_notes, [0.0, 0.0], torch.zeros(2))
    with pytest.raises(ValueError, match="v must be a tensor"):
        hs.hvp(_f_notes, torch.zeros(2), torch.zeros(3))
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    with pytest.raises(TypeError, match="model must be"):
        hs.top_eigenvalues("net", crit, batch)
    with pytest.raises(ValueError, match="batch must be a pair"):
        hs.hessian_trace(model, crit, batch[0])
    with pytest.raises(ValueError, match="k must be"):
        hs.top_eigenvalues(model, crit, batch, k=0)
    with pytest.raises(ValueError, match="method must be"):
        hs.model_hessian(model, crit, batch, method="fast")
    with pytest.raises(ValueError, match="which must be"):
        hs.top_eigenvalues(model, crit, batch, which="top")
    with pytest.raises(ValueError, match="n_samples"):
        hs.hessian_trace(model, crit, batch, n_samples=1)


def test_exact_zero_eigenvalue_with_tol_zero_is_neither_positive_nor_negative():
    # tol=0 means exact signs: a Hessian with an exact zero eigenvalue (a flat direction) is degenerate
    H = torch.tensor([[2.0, 0.0], [0.0, 0.0]], dtype=torch.float64)
    ev = torch.linalg.eigvalsh(H)
    assert ev.tolist() == [0.0, 2.0]
    assert cp.count_eigenvalue_signs(ev, tol=0) == {"positive": 1, "negative": 0, "zero": 1}
    assert cp.classify_critical_point(ev, tol=0) == "degenerate"
    assert cp.minimum_ratio([1.0, 0.0, -1.0], tol=0) == pytest.approx(1 / 3)
    assert cp.minimum_ratio([1.0, 0.0, -1.0], tol=0, exclude_zero=True) == pytest.approx(1 / 2)
    # and the smallest non-zero |λ| is not swallowed by tol=0
    assert cp.count_eigenvalue_signs([1.0, 1e-300, -1e-300], tol=0) == {
        "positive": 2,
        "negative": 1,
        "zero": 0,
    }


def test_bad_input_messages_name_the_argument_and_what_was_given():
    model, batch, crit = _small_model(), _batch(), nn.CrossEntropyLoss()
    cases = [
        (
            lambda: hs.hessian_matrix(3, torch.zeros(2)),
            TypeError,
            "f must be a callable returning a scalar tensor, got int",
        ),
        (
            lambda: hs.hvp(_f_notes, [0.0, 0.0], torch.zeros(2)),
            TypeError,
            "x must be a torch.Tensor, got list",
        ),
        (lambda: hs.model_hessian("net", crit, batch), TypeError, "model must be a torch.nn.Module, got str"),
        (
            lambda: hs.top_eigenvalues("net", crit, batch),
            TypeError,
            "model must be a torch.nn.Module, got str",
        ),
        (
            lambda: hs.model_hessian(model, 3, batch),
            TypeError,
            "criterion must be a callable loss such as nn.MSELoss(), got int",
        ),
        (
            lambda: hs.model_hessian(model, crit, (*batch, batch[1])),
            ValueError,
            "batch must be a pair (inputs, targets)",
        ),
        (lambda: hs.model_hessian(model, crit, "xy"), ValueError, "batch must be a pair (inputs, targets)"),
        (
            lambda: hs.model_hessian(copy.deepcopy(model).requires_grad_(False), crit, batch),
            ValueError,
            "model has no parameters with requires_grad=True",
        ),
    ]
    for call, err, message in cases:
        with pytest.raises(err) as info:
            call()
        assert str(info.value) == message


def test_hvp_accepts_a_direction_of_another_dtype():
    x = torch.linspace(-1, 1.5, 6, dtype=torch.float64)
    v = (torch.arange(6) - 2.5).float()  # float32 direction, float64 point
    ref = torch.autograd.functional.hessian(_rosen, x) @ v.double()
    out = hs.hvp(_rosen, x, v)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, ref)


def test_eigenvectors_are_unit_vectors_in_the_model_dtype():
    model, batch, crit = _small_model().float(), _batch(), nn.CrossEntropyLoss()
    batch = (batch[0].float(), batch[1])
    res = hs.top_eigenvalues(model, crit, batch, k=3, tol=1e-4, max_iter=32)
    assert res.eigenvalues.dtype == res.eigenvectors.dtype == torch.float32
    torch.testing.assert_close(res.eigenvectors.norm(dim=1), torch.ones(3), rtol=0, atol=1e-5)
    assert res.eigenvectors.shape == (3, 32) and isinstance(res.n_hvp, int)
