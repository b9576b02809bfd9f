"""mu.regression: the linear model's losses, hand-derived gradient, least squares and the GD stability limit."""

import numpy as np
import pytest
import torch

import mlnote_utils as mu
from mlnote_utils.experiments import ch08

rg = mu.regression


def _data(n=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g, dtype=torch.float64) * 2 + 3
    return x, 1.5 * x - 0.7 + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)


def test_losses_match_torch_and_broadcast_over_grid():
    x, y = _data()
    torch.testing.assert_close(rg.mse(0.3, 0.1, x, y), torch.nn.functional.mse_loss(0.1 + 0.3 * x, y))
    torch.testing.assert_close(rg.mae(0.3, 0.1, x, y), torch.nn.functional.l1_loss(0.1 + 0.3 * x, y))
    W, B = torch.meshgrid(torch.tensor([0.0, 1.0]), torch.tensor([2.0, 3.0, 4.0]), indexing="ij")
    grid = rg.mse(W, B, x, y)
    assert grid.shape == (2, 3)
    torch.testing.assert_close(grid[1, 2], rg.mse(1.0, 4.0, x, y))


def test_mse_gradient_matches_autograd():
    x, y = _data()
    w = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    rg.mse(w, b, x, y).backward()
    gw, gb = rg.mse_gradient(0.4, -1.0, x, y)
    torch.testing.assert_close(gw, w.grad)
    torch.testing.assert_close(gb, b.grad)


def test_least_squares_matches_sklearn():
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + rng.normal(scale=0.1, size=40)
    w, b = rg.least_squares(X, y)
    ref = LinearRegression().fit(X, y)
    np.testing.assert_allclose(w, ref.coef_, rtol=1e-10)
    assert b == pytest.approx(ref.intercept_)
    with pytest.raises(ValueError, match="X \\(N, d\\)"):
        rg.least_squares(X[:, 0], y)


def test_stability_limit_is_sharp():
    x, y = _data()
    limit = rg.gd_stability_limit(x)
    loss = lambda p: rg.mse(p[0], p[1], x, y)  # noqa: E731
    below = mu.landscape.gradient_descent(loss, [0.0, 0.0], lr=0.99 * limit, steps=3000)
    above = mu.landscape.gradient_descent(loss, [0.0, 0.0], lr=1.01 * limit, steps=3000)
    assert below.losses[-1] < 0.05 and above.losses[-1] > 1e3
    H = torch.autograd.functional.hessian(lambda p: loss(p), torch.zeros(2, dtype=torch.float64))
    assert limit == pytest.approx(2 / float(torch.linalg.eigvalsh(H).max()))
    with pytest.raises(ValueError, match="x:"):
        rg.gd_stability_limit(torch.tensor([]))


def test_linear_predict_broadcasts_over_a_grid():
    x = torch.tensor([1.0, 2.0, 3.0])
    torch.testing.assert_close(rg.linear_predict(2.0, 0.5, x), 0.5 + 2.0 * x)
    W, B = torch.zeros(2, 4), torch.ones(2, 4)
    assert rg.linear_predict(W, B, x).shape == (2, 4, 3)
    with pytest.raises(ValueError, match="x and y"):
        rg.mse(0.0, 0.0, x, x[:2])


def test_stability_limit_without_bias_separates_converging_from_diverging():
    # two features of very different scales, no bias column (what chapter 08's widget uses)
    x, y = ch08.make_two_scale_regression(5.0, n=100, seed=2)
    limit = rg.gd_stability_limit(x, bias=False)

    def loss(w):
        return ((y - x @ w) ** 2).mean()

    below = mu.landscape.gradient_descent(loss, [0.0, 0.0], lr=0.95 * limit, steps=300)
    above = mu.landscape.gradient_descent(loss, [0.0, 0.0], lr=1.05 * limit, steps=300)
    assert below.losses[-1] < below.losses[0]
    assert not np.isfinite(above.losses[-1]) or above.losses[-1] > above.losses[0]
    H = torch.autograd.functional.hessian(loss, torch.zeros(2, dtype=torch.float64))
    assert limit == pytest.approx(2 / float(torch.linalg.eigvalsh(H).max()))
    assert limit == pytest.approx(float(2 / torch.linalg.eigvalsh(2 * x.T @ x / len(x)).max()))  # 2·xᵀx/N


def test_stability_limit_accepts_1d_and_column_features():
    x, _ = _data()
    assert rg.gd_stability_limit(x) == pytest.approx(rg.gd_stability_limit(x[:, None]))
    assert rg.gd_stability_limit(x.numpy(), bias=False) == pytest.approx(
        rg.gd_stability_limit(x[:, None], bias=False)
    )
    assert rg.gd_stability_limit(x, bias=False) == pytest.approx(1 / float((x**2).mean()))  # H = 2·mean(x²)
    with pytest.raises(ValueError, match="x:"):
        rg.gd_stability_limit(torch.zeros(2, 3, 4))
