"""mu.landscape: plain gradient descent, any optimiser's path on a small function, and loss grids."""

import numpy as np
import pytest
import torch

import mlnote_utils as mu

ls = mu.landscape

_A = torch.tensor(
    [[1.0, 2.0, -0.5], [0.3, -1.0, 2.0], [2.0, 0.1, 0.4], [-1.0, 0.5, 1.5]], dtype=torch.float64
)
_Y = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.float64)
X0 = [0.5, -1.0, 2.0]


def small_loss(x: torch.Tensor) -> torch.Tensor:
    """A smooth non-quadratic loss of three parameters."""
    return ((_A @ x - _Y) ** 2).mean() + 0.1 * (x**4).sum()


def test_gradient_descent_matches_closed_form_on_a_quadratic():
    # L(x) = 0.5 * x^T A x  ->  x_{t+1} = (I - lr A) x_t
    A = torch.tensor([[3.0, 0.5], [0.5, 1.0]], dtype=torch.float64)
    traj = ls.gradient_descent(lambda x: 0.5 * x @ A @ x, [1.0, -2.0], lr=0.1, steps=20)
    x = np.array([1.0, -2.0])
    M = np.eye(2) - 0.1 * A.numpy()
    for t in range(21):
        np.testing.assert_allclose(traj.points[t], x, rtol=1e-12)
        assert traj.losses[t] == pytest.approx(0.5 * x @ A.numpy() @ x)
        x = M @ x
    assert traj.points.shape == (21, 2) and traj.final.shape == (2,)


def test_gradient_descent_keeps_diverging_values():
    traj = ls.gradient_descent(lambda x: (x**2).sum(), [1.0], lr=1.5, steps=3)  # factor -2 per step
    np.testing.assert_allclose(traj.points.ravel(), [1, -2, 4, -8])


@pytest.mark.parametrize(
    ("lr", "steps", "match"),
    [(0.0, 3, "lr="), (-1.0, 3, "lr="), (float("nan"), 3, "lr="), (0.1, -1, "steps=")],
)
def test_gradient_descent_rejects_bad_arguments(lr, steps, match):
    with pytest.raises(ValueError, match=match):
        ls.gradient_descent(lambda x: (x**2).sum(), [1.0], lr=lr, steps=steps)


def test_gradient_descent_requires_scalar_loss():
    with pytest.raises(ValueError, match="scalar"):
        ls.gradient_descent(lambda x: x**2, [1.0, 2.0], lr=0.1, steps=1)


def test_evaluate_grid_layout():
    xs, ys = np.linspace(-1, 1, 5), np.linspace(0, 2, 3)
    Z = ls.evaluate_grid(lambda w, b: w + 10 * b, xs, ys)
    assert Z.shape == (3, 5)
    assert Z[2, 4] == pytest.approx(xs[4] + 10 * ys[2])
    with pytest.raises(ValueError, match="output shape"):
        ls.evaluate_grid(lambda w, b: w.sum(), xs, ys)
    with pytest.raises(ValueError, match="1-D"):
        ls.evaluate_grid(lambda w, b: w, np.zeros((2, 2)), ys)


def test_gd_path_equals_landscape_gradient_descent():
    ours = ls.optimizer_path(small_loss, X0, mu.optimizers.GD, 30, lr=0.05)
    ref = ls.gradient_descent(small_loss, X0, lr=0.05, steps=30)
    assert isinstance(ours, ls.Trajectory) and ours.lr == 0.05
    np.testing.assert_allclose(ours.points, ref.points, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.losses, ref.losses, rtol=0, atol=1e-12)
    by_name = ls.optimizer_path(small_loss, X0, "GD", 30, lr=0.05)
    np.testing.assert_array_equal(by_name.points, ours.points)


def test_optimizer_path_errors():
    with pytest.raises(ValueError, match="optimizer='Nadam'"):
        ls.optimizer_path(small_loss, X0, "Nadam", 3, lr=0.1)
    with pytest.raises(ValueError, match="steps=-1"):
        ls.optimizer_path(small_loss, X0, "GD", -1, lr=0.1)
    with pytest.raises(ValueError, match="scalar"):
        ls.optimizer_path(lambda x: x**2, X0, "GD", 1, lr=0.1)
