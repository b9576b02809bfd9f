import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import mlnote_utils as mu


def _grid():
    xs, ys = np.linspace(-2, 2, 21), np.linspace(-1, 1, 11)
    return xs, ys, mu.evaluate_grid(lambda w, b: w**2 + 3 * b**2, xs, ys)


def test_plot_contour_uses_given_axes_and_labels():
    fig, ax = plt.subplots()
    out = mu.plot_contour(*_grid(), ax=ax, labels=("w", "b"), title="t")
    assert out is ax
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("w", "b", "t")


def test_plot_contour_makes_axes_when_missing_and_log_scale():
    ax = mu.plot_contour(*_grid(), log=True)
    assert ax.figure is not None


def test_plot_trajectory_keeps_surface_limits_when_a_path_diverges():
    fig, ax = plt.subplots()
    mu.plot_contour(*_grid(), ax=ax)
    limits = ax.get_xlim(), ax.get_ylim()
    paths = {
        "ok": mu.gradient_descent(lambda x: x[0] ** 2 + 3 * x[1] ** 2, [1.5, 0.5], lr=0.1, steps=10),
        "diverge": mu.gradient_descent(lambda x: x[0] ** 2 + 3 * x[1] ** 2, [1.5, 0.5], lr=0.5, steps=10),
    }
    mu.plot_trajectory(paths, ax=ax)
    assert (ax.get_xlim(), ax.get_ylim()) == limits
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ok", "diverge"]


def test_plot_trajectory_single_label_from_lr():
    ax = mu.plot_trajectory(mu.gradient_descent(lambda x: (x**2).sum(), [1.0, 1.0], lr=0.1, steps=3))
    assert ax.get_legend().get_texts()[0].get_text() == "η=0.1"


def test_plot_surface3d_needs_3d_axes():
    xs, ys, Z = _grid()
    fig = plt.figure()
    ax3 = fig.add_subplot(projection="3d")
    traj = mu.gradient_descent(lambda x: x[0] ** 2 + 3 * x[1] ** 2, [1.5, 0.5], lr=0.1, steps=5)
    assert mu.plot_surface3d(xs, ys, Z, ax=ax3, trajectory=traj) is ax3
    _, ax2 = plt.subplots()
    with pytest.raises(ValueError, match="3-D Axes"):
        mu.plot_surface3d(xs, ys, Z, ax=ax2)


def test_plot_history_and_curve_fit():
    model = torch.nn.Linear(2, 2)
    data = torch.utils.data.TensorDataset(torch.randn(8, 2), torch.randint(0, 2, (8,)))
    loader = mu.make_loader(data, 4)
    hist = mu.fit(
        model,
        torch.nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        loader,
        2,
        valid_loader=loader,
        metric=mu.accuracy,
        progress=False,
    )
    ax = mu.plot_history(hist, log=True)
    assert len(ax.get_lines()) == 2 and ax.get_yscale() == "log"
    ax = mu.plot_history(hist, metric=True)
    assert ax.get_ylabel() == "metric"
    x = np.linspace(0, 1, 10)
    ax = mu.plot_curve_fit(x, x**2, {"line": x}, labels=("day", "views"), title="fit")
    assert ax.get_title() == "fit" and len(ax.get_lines()) == 2


def test_plot_helpers_do_not_change_global_style():
    before = dict(plt.rcParams)
    mu.plot_contour(*_grid())
    assert dict(plt.rcParams) == before
