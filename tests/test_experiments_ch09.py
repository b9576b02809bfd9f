"""Chapter 09 drivers: data loaders, benchmark models, shifting, the Go board, the drawings."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from mlnote_utils.experiments import ch09 as xp  # noqa: E402


def test_photo_is_grey_in_unit_range_and_downsampled():
    photo = xp.load_photo()
    assert photo.shape == (213, 320)
    assert 0.0 <= float(photo.min()) and float(photo.max()) <= 1.0
    assert xp.load_photo(downsample=1).shape == (427, 640)
    with pytest.raises(ValueError, match="name="):
        xp.load_photo("cat.jpg")
    with pytest.raises(ValueError, match="downsample=0"):
        xp.load_photo(downsample=0)


@pytest.mark.parametrize("kind", xp.BENCHMARK_KINDS)
def test_benchmark_models_map_signals_to_ten_logits(kind):
    model = xp.benchmark_model(kind)
    assert model(torch.randn(7, 40)).shape == (7, 10)


def test_benchmark_model_sizes_and_unknown_kind():
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(xp.benchmark_model("logistic regression")) == 410
    assert count(xp.benchmark_model("MLP")) == 40 * 100 + 100 + 100 * 100 + 100 + 100 * 10 + 10
    assert count(xp.benchmark_model("CNN")) < count(xp.benchmark_model("MLP"))
    with pytest.raises(ValueError, match="kind='RNN'"):
        xp.benchmark_model("RNN")


def test_shift_signals_moves_right_and_left_filling_with_edges():
    x = torch.arange(6.0)[None]
    assert xp.shift_signals(x, 2).tolist() == [[0.0, 0.0, 0.0, 1.0, 2.0, 3.0]]
    assert xp.shift_signals(x, -2).tolist() == [[2.0, 3.0, 4.0, 5.0, 5.0, 5.0]]
    assert xp.shift_signals(x, 0).tolist() == x.tolist()
    with pytest.raises(ValueError, match="shift=6"):
        xp.shift_signals(x, 6)
    with pytest.raises(ValueError, match="x: expected"):
        xp.shift_signals(torch.zeros(3), 1)


def test_shifted_accuracy_at_zero_is_plain_accuracy():
    torch.manual_seed(1)
    model = xp.benchmark_model("MLP")
    x, y = torch.randn(50, 40), torch.randint(0, 10, (50,))
    plain = (model(x).argmax(1) == y).float().mean().item()
    acc = xp.shifted_accuracy(model, x, y, [0, 3])
    assert acc[0] == pytest.approx(plain)
    shifted = (model(xp.shift_signals(x, 3)).argmax(1) == y).float().mean().item()
    assert acc[1] == pytest.approx(shifted)


def test_go_board_planes_are_consistent():
    b = xp.go_board_planes(seed=3)
    assert b.shape == (48, 19, 19)
    torch.testing.assert_close(b[0] + b[1] + b[2], torch.ones(19, 19))
    assert int(b[0].sum()) == 30 and int(b[1].sum()) == 30
    assert torch.all(b[4:] <= b[2])  # extra features only on empty points
    with pytest.raises(ValueError, match="n_planes=3"):
        xp.go_board_planes(n_planes=3)


def test_go_policy_net_keeps_the_board_size():
    net = xp.go_policy_net(width=8, depth=3)
    assert net(xp.go_board_planes()[None]).shape == (1, 361)
    assert not any(isinstance(m, torch.nn.MaxPool2d) for m in net)


def test_draw_receptive_window_highlights_k_squared_cells_in_the_right_place():
    fig, ax = plt.subplots()
    xp.draw_receptive_window(ax, n=7, kernel_size=3, stride=2, padding=1, out_row=1, out_col=2)
    orange = [p for p in ax.patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb("#f2b134")]
    assert len(orange) == 9
    assert sorted({int(p.get_y()) for p in orange}) == [1, 2, 3]  # rows 1*2-1 .. +2
    assert sorted({int(p.get_x()) for p in orange}) == [3, 4, 5]  # cols 2*2-1 .. +2
    assert "4x4" in ax.get_title()
    plt.close(fig)


def test_plot_image_grid_uses_one_colour_scale():
    fig, axes = plt.subplots(1, 3)
    xp.plot_image_grid(axes, [np.zeros((2, 2)), np.full((2, 2), 4.0)], ["a", "b"])
    assert axes[0].images[0].get_clim() == axes[1].images[0].get_clim() == (0.0, 4.0)
    assert not axes[2].axison
    with pytest.raises(ValueError, match="images: 4 images"):
        xp.plot_image_grid(axes, [np.zeros((2, 2))] * 4)
    plt.close(fig)
