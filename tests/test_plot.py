import matplotlib.pyplot as plt
import numpy as np
import pytest

import mlnote_utils as mu


def _grid():
    xs, ys = np.linspace(-2, 2, 21), np.linspace(-1, 1, 11)
    return xs, ys, mu.landscape.evaluate_grid(lambda w, b: w**2 + 3 * b**2, xs, ys)


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
        "ok": mu.landscape.gradient_descent(
            lambda x: x[0] ** 2 + 3 * x[1] ** 2, [1.5, 0.5], lr=0.1, steps=10
        ),
        "diverge": mu.landscape.gradient_descent(
            lambda x: x[0] ** 2 + 3 * x[1] ** 2, [1.5, 0.5], lr=0.5, steps=10
        ),
    }
    mu.plot_trajectory(paths, ax=ax)
    assert (ax.get_xlim(), ax.get_ylim()) == limits
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ok", "diverge"]


def test_plot_trajectory_single_label_from_lr():
    ax = mu.plot_trajectory(
        mu.landscape.gradient_descent(lambda x: (x**2).sum(), [1.0, 1.0], lr=0.1, steps=3)
    )
    assert ax.get_legend().get_texts()[0].get_text() == "η=0.1"


def test_plot_surface3d_needs_3d_axes():
    xs, ys, Z = _grid()
    fig = plt.figure()
    ax3 = fig.add_subplot(projection="3d")
    traj = mu.landscape.gradient_descent(lambda x: x[0] ** 2 + 3 * x[1] ** 2, [1.5, 0.5], lr=0.1, steps=5)
    assert mu.plot_surface3d(xs, ys, Z, ax=ax3, trajectory=traj) is ax3
    _, ax2 = plt.subplots()
    with pytest.raises(ValueError, match="3-D Axes"):
        mu.plot_surface3d(xs, ys, Z, ax=ax2)


def _history():
    h = mu.History()
    for step in range(1, 7):
        h.log(step, loss=1.0 / step)
        if step % 3 == 0:
            h.epoch_ends.append(step)
            h.log(step, valid_loss=2.0 / step)
    return h


def test_plot_history_draws_any_series_at_its_steps():
    h = _history()
    ax = mu.plot_history(h, log=True)
    assert len(ax.get_lines()) == 2 and ax.get_yscale() == "log" and ax.get_xlabel() == "step"
    loss_line, valid_line = ax.get_lines()
    assert loss_line.get_xdata().tolist() == [1, 2, 3, 4, 5, 6]
    assert valid_line.get_xdata().tolist() == [3, 6] and valid_line.get_ydata().tolist() == [2 / 3, 1 / 3]
    ax = mu.plot_history(h, ["valid_loss"])
    assert ax.get_ylabel() == "valid_loss" and len(ax.get_lines()) == 1
    assert mu.plot_history(h, ylabel="MAE").get_ylabel() == "MAE"


def test_plot_history_by_epoch():
    h = mu.History()
    for step in range(1, 101):  # a long per-step series becomes per-epoch means
        h.log(step, loss=float(step))
        if step % 50 == 0:
            h.epoch_ends.append(step)
            h.log(step, valid_loss=0.5)
    ax = mu.plot_history(h, x="epoch")
    loss_line, valid_line = ax.get_lines()
    assert loss_line.get_xdata().tolist() == [1.0, 2.0] and loss_line.get_ydata().tolist() == [25.5, 75.5]
    assert valid_line.get_xdata().tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="x="):
        mu.plot_history(h, x="time")
    with pytest.raises(ValueError, match="no finished epoch"):
        empty = mu.History()
        empty.log(1, loss=1.0)
        mu.plot_history(empty, x="epoch")
    with pytest.raises(KeyError, match="no such series"):
        mu.plot_history(h, ["acc"])


def test_plot_seed_band_mean_and_min_max():
    runs = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 5.0]])
    ax = mu.plot_seed_band(runs, x=[0, 10, 20], label="m", color="C3")
    (line,) = ax.get_lines()
    assert line.get_ydata().tolist() == [2.0, 2.0, 4.0] and line.get_xdata().tolist() == [0, 10, 20]
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == 1.0 and band[:, 1].max() == 5.0
    hists = [_history(), _history()]
    ax = mu.plot_seed_band(hists, "valid_loss")
    assert ax.get_lines()[0].get_xdata().tolist() == [3, 6]
    shifted = _history()
    shifted._steps["valid_loss"] = [2, 6]
    with pytest.raises(ValueError, match="different steps"):
        mu.plot_seed_band([hists[0], shifted], "valid_loss")
    with pytest.raises(ValueError, match="positions"):
        mu.plot_seed_band(runs, x=[0, 1])
    with pytest.raises(ValueError, match="seeds, T"):
        mu.plot_seed_band(np.ones(3))


def test_live_figure_redraws_outside_a_notebook():
    fig = mu.LiveFigure(["loss"])
    fig.update(_history())
    assert len(fig.ax.get_lines()) == 1


def test_plot_curve_fit():
    x = np.linspace(0, 1, 10)
    ax = mu.plot_curve_fit(x, x**2, {"line": x}, labels=("day", "views"), title="fit")
    assert ax.get_title() == "fit" and len(ax.get_lines()) == 2


def test_plot_helpers_do_not_change_global_style():
    before = dict(plt.rcParams)
    mu.plot_contour(*_grid())
    assert dict(plt.rcParams) == before


def test_method_colors_one_distinct_colour_per_method():
    import matplotlib.colors as mcolors

    colors = mu.METHOD_COLORS
    assert {"GD", "SGD", "Momentum", "RMS", "Adagrad", "RMSProp", "Adam"} <= set(colors)
    assert colors["GD"] == colors["SGD"]  # the same rule, full batch or mini-batch
    others = [c for name, c in colors.items() if name != "SGD"]
    assert len(set(others)) == len(others)  # otherwise two methods would look alike
    for c in colors.values():
        assert mcolors.is_color_like(c)
