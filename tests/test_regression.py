import numpy as np
import pytest
import torch

import mlnote_utils as mu


def _data(n=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g, dtype=torch.float64) * 2 + 3
    return x, 1.5 * x - 0.7 + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)


def test_losses_match_torch_and_broadcast_over_grid():
    x, y = _data()
    torch.testing.assert_close(mu.mse(0.3, 0.1, x, y), torch.nn.functional.mse_loss(0.1 + 0.3 * x, y))
    torch.testing.assert_close(mu.mae(0.3, 0.1, x, y), torch.nn.functional.l1_loss(0.1 + 0.3 * x, y))
    W, B = torch.meshgrid(torch.tensor([0.0, 1.0]), torch.tensor([2.0, 3.0, 4.0]), indexing="ij")
    grid = mu.mse(W, B, x, y)
    assert grid.shape == (2, 3)
    torch.testing.assert_close(grid[1, 2], mu.mse(1.0, 4.0, x, y))


def test_mse_gradient_matches_autograd():
    x, y = _data()
    w = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    mu.mse(w, b, x, y).backward()
    gw, gb = mu.mse_gradient(0.4, -1.0, x, y)
    torch.testing.assert_close(gw, w.grad)
    torch.testing.assert_close(gb, b.grad)


def test_least_squares_matches_sklearn():
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + rng.normal(scale=0.1, size=40)
    w, b = mu.least_squares(X, y)
    ref = LinearRegression().fit(X, y)
    np.testing.assert_allclose(w, ref.coef_, rtol=1e-10)
    assert b == pytest.approx(ref.intercept_)
    with pytest.raises(ValueError, match="X \\(N, d\\)"):
        mu.least_squares(X[:, 0], y)


def test_stability_limit_is_sharp():
    x, y = _data()
    limit = mu.gd_stability_limit(x)
    loss = lambda p: mu.mse(p[0], p[1], x, y)  # noqa: E731
    below = mu.gradient_descent(loss, [0.0, 0.0], lr=0.99 * limit, steps=3000)
    above = mu.gradient_descent(loss, [0.0, 0.0], lr=1.01 * limit, steps=3000)
    assert below.losses[-1] < 0.05 and above.losses[-1] > 1e3
    H = torch.autograd.functional.hessian(lambda p: loss(p), torch.zeros(2, dtype=torch.float64))
    assert limit == pytest.approx(2 / float(torch.linalg.eigvalsh(H).max()))
    with pytest.raises(ValueError, match="x:"):
        mu.gd_stability_limit(torch.tensor([]))


def test_lag_table_uses_a_common_future_split():
    s = np.sin(np.arange(200) * 2 * np.pi / 7).astype(np.float32)
    rows = mu.lag_table(s, [1, 7], split=150)
    assert [r["lags"] for r in rows] == [1, 7]
    assert rows[1]["test"] < 1e-4 < rows[0]["test"]  # a sine of period 7 is a linear recurrence of order 2
    with pytest.raises(ValueError, match="split="):
        mu.lag_table(s, [1], split=10_000)


def test_quartic_loss_has_two_minima():
    w = torch.linspace(-3, 3, 6001)
    L = mu.quartic_loss(w)
    interior = (L[1:-1] < L[:-2]) & (L[1:-1] < L[2:])
    assert int(interior.sum()) == 2
