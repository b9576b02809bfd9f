import numpy as np
import pytest
import torch

import mlnote_utils as mu


def test_gradient_descent_matches_closed_form_on_a_quadratic():
    # L(x) = 0.5 * x^T A x  ->  x_{t+1} = (I - lr A) x_t
    A = torch.tensor([[3.0, 0.5], [0.5, 1.0]], dtype=torch.float64)
    traj = mu.gradient_descent(lambda x: 0.5 * x @ A @ x, [1.0, -2.0], lr=0.1, steps=20)
    x = np.array([1.0, -2.0])
    M = np.eye(2) - 0.1 * A.numpy()
    for t in range(21):
        np.testing.assert_allclose(traj.points[t], x, rtol=1e-12)
        assert traj.losses[t] == pytest.approx(0.5 * x @ A.numpy() @ x)
        x = M @ x
    assert traj.points.shape == (21, 2) and traj.final.shape == (2,)


def test_gradient_descent_keeps_diverging_values():
    traj = mu.gradient_descent(lambda x: (x**2).sum(), [1.0], lr=1.5, steps=3)  # factor -2 per step
    np.testing.assert_allclose(traj.points.ravel(), [1, -2, 4, -8])


@pytest.mark.parametrize(
    ("lr", "steps", "match"),
    [(0.0, 3, "lr="), (-1.0, 3, "lr="), (float("nan"), 3, "lr="), (0.1, -1, "steps=")],
)
def test_gradient_descent_rejects_bad_arguments(lr, steps, match):
    with pytest.raises(ValueError, match=match):
        mu.gradient_descent(lambda x: (x**2).sum(), [1.0], lr=lr, steps=steps)


def test_gradient_descent_requires_scalar_loss():
    with pytest.raises(ValueError, match="scalar"):
        mu.gradient_descent(lambda x: x**2, [1.0, 2.0], lr=0.1, steps=1)


def test_evaluate_grid_layout():
    xs, ys = np.linspace(-1, 1, 5), np.linspace(0, 2, 3)
    Z = mu.evaluate_grid(lambda w, b: w + 10 * b, xs, ys)
    assert Z.shape == (3, 5)
    assert Z[2, 4] == pytest.approx(xs[4] + 10 * ys[2])
    with pytest.raises(ValueError, match="output shape"):
        mu.evaluate_grid(lambda w, b: w.sum(), xs, ys)
    with pytest.raises(ValueError, match="1-D"):
        mu.evaluate_grid(lambda w, b: w, np.zeros((2, 2)), ys)
