import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlnote_utils import classification as cl


def test_one_hot_matches_torch():
    y = torch.tensor([0, 3, 1, 3])
    torch.testing.assert_close(cl.one_hot(y, 4), F.one_hot(y, 4).float())


@pytest.mark.parametrize(
    "labels, n, match",
    [
        (torch.tensor([0, 5]), 3, "labels"),
        (torch.tensor([0.0, 1.0]), 3, "labels"),
        (torch.tensor([0, 1]), 1, "num_classes"),
    ],
)
def test_one_hot_rejects_bad_input(labels, n, match):
    with pytest.raises(ValueError, match=match):
        cl.one_hot(labels, n)


def test_softmax_stable_matches_torch_and_naive_overflows():
    torch.manual_seed(0)
    z = torch.randn(5, 7)
    torch.testing.assert_close(cl.softmax_stable(z), torch.softmax(z, -1))
    torch.testing.assert_close(cl.softmax_naive(z), torch.softmax(z, -1))
    big = torch.tensor([1000.0, 1001.0, 1002.0])
    assert torch.isnan(cl.softmax_naive(big)).any()
    torch.testing.assert_close(cl.softmax_stable(big), torch.softmax(big, -1))
    torch.testing.assert_close(cl.softmax_stable(z, dim=0), torch.softmax(z, 0))


def test_cross_entropy_matches_torch_including_huge_logits():
    torch.manual_seed(1)
    z, y = torch.randn(6, 4), torch.randint(0, 4, (6,))
    torch.testing.assert_close(cl.cross_entropy_by_hand(z, y), F.cross_entropy(z, y))
    z_big = z * 1000
    torch.testing.assert_close(cl.cross_entropy_by_hand(z_big, y), F.cross_entropy(z_big, y))


def test_mse_on_probabilities_by_formula():
    z, y = torch.tensor([[0.0, 0.0]]), torch.tensor([1])
    assert float(cl.mse_on_probabilities(z, y)) == pytest.approx(0.5)  # (0.5)^2 + (0.5)^2


def test_loss_input_checks():
    with pytest.raises(ValueError, match="logits"):
        cl.cross_entropy_by_hand(torch.zeros(3), torch.zeros(3, dtype=torch.long))
    with pytest.raises(TypeError, match="targets"):
        cl.mse_on_probabilities(torch.zeros(3, 2), torch.zeros(3))


def test_toy_loss_matches_library_losses():
    x, y = cl.make_toy_binary(10, seed=3)
    w, b = torch.tensor(1.5, dtype=torch.float64), torch.tensor(-0.2, dtype=torch.float64)
    logits = torch.stack([torch.zeros_like(x), w * x + b], 1)
    torch.testing.assert_close(cl.toy_classifier_loss(w, b, x, y, "ce"), F.cross_entropy(logits, y))
    torch.testing.assert_close(cl.toy_classifier_loss(w, b, x, y, "mse"), cl.mse_on_probabilities(logits, y))
    grid = cl.toy_classifier_loss(torch.zeros(2, 3), torch.zeros(2, 3), x, y, "ce")
    assert grid.shape == (2, 3)
    with pytest.raises(ValueError, match="kind"):
        cl.toy_classifier_loss(w, b, x, y, "hinge")
    with pytest.raises(ValueError, match="n="):
        cl.make_toy_binary(7)


def test_confusion_matrix_matches_sklearn():
    from sklearn.metrics import confusion_matrix as sk_cm

    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 5, 50), rng.integers(0, 5, 50)
    np.testing.assert_array_equal(cl.confusion_matrix(torch.tensor(p), t, 5), sk_cm(t, p, labels=range(5)))
    with pytest.raises(ValueError, match="labels in 0..1"):
        cl.confusion_matrix([0, 2], [0, 1], 2)
    with pytest.raises(ValueError, match="lengths"):
        cl.confusion_matrix([0, 1], [0], 2)


def test_plots_return_axes():
    import matplotlib

    matplotlib.use("Agg", force=True)
    ax = cl.plot_confusion_matrix(np.eye(3, dtype=int))
    assert ax.get_xlabel() == "predicted class"
    ax = cl.plot_misclassified(np.zeros((2, 64)), [1, 2], [3, 4])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1→3", "2→4"]
    with pytest.raises(ValueError, match="square"):
        cl.plot_misclassified(np.zeros((2, 10)), [1, 2], [3, 4])


def test_make_toy_binary_is_the_documented_mixture():
    x, y = cl.make_toy_binary(6, spread=0.5, seed=2)
    noise = torch.randn(6, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    assert y.tolist() == [0, 1, 0, 1, 0, 1] and x.dtype == torch.float64
    torch.testing.assert_close(x, (2 * y - 1).double() + 0.5 * noise, rtol=0, atol=1e-15)
    dx, dy = cl.make_toy_binary()
    ex, ey = cl.make_toy_binary(40, spread=0.7, seed=0)
    assert torch.equal(dx, ex) and torch.equal(dy, ey)
    assert cl.make_toy_binary(2)[1].tolist() == [0, 1]
    for bad, message in [
        ((4.0,), "n=4.0: expected an even int ≥ 2"),
        ((0,), "n=0: expected an even int ≥ 2"),
    ]:
        with pytest.raises(ValueError) as info:
            cl.make_toy_binary(*bad)
        assert str(info.value) == message
    with pytest.raises(ValueError) as info:
        cl.make_toy_binary(4, spread=0.0)
    assert str(info.value) == "spread=0.0: expected a positive number"


def test_toy_classifier_loss_on_a_grid_equals_each_point_and_one_class_batches():
    x, y = cl.make_toy_binary(8, seed=1)
    w = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]], dtype=torch.float64)
    b = torch.tensor([[0.1, 0.2, -0.4], [1.0, 0.0, 0.3]], dtype=torch.float64)
    for kind in ("mse", "ce"):
        grid = cl.toy_classifier_loss(w, b, x, y, kind)
        assert grid.shape == (2, 3)
        for i in range(2):
            for j in range(3):
                point = cl.toy_classifier_loss(w[i, j], b[i, j], x, y, kind)
                torch.testing.assert_close(grid[i, j], point)
    zeros = torch.zeros(4, dtype=torch.long)  # only class 0 in the batch: still two columns
    logits = torch.stack([torch.zeros(4, dtype=torch.float64), 0.5 * x[:4]], dim=1)
    torch.testing.assert_close(
        cl.toy_classifier_loss(torch.tensor(0.5), torch.tensor(0.0), x[:4], zeros, "ce"),
        F.cross_entropy(logits, zeros),
    )
    with pytest.raises(ValueError) as info:
        cl.toy_classifier_loss(torch.zeros(2), torch.zeros(3), x, y, "ce")
    assert str(info.value) == "w, b: expected the same shape, got (2,) and (3,)"


def test_one_hot_softmax_and_confusion_matrix_at_their_limits():
    torch.testing.assert_close(cl.one_hot(torch.tensor([1, 0]), 2), torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError) as info:
        cl.one_hot(torch.tensor([2]), 2)
    assert str(info.value) == "labels: expected values in 0..1"
    # rows of very different size: a shift by the global max would underflow the second row to 0/0
    z = torch.tensor([[1000.0, 999.0], [-1000.0, -1001.0]])
    torch.testing.assert_close(cl.softmax_stable(z), torch.softmax(z, dim=-1))
    m = cl.confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 2)
    assert m.dtype == np.int64 and m.tolist() == [[1, 1], [0, 1]]
    with pytest.raises(ValueError) as info:
        cl.confusion_matrix([0], [0], 2.0)
    assert str(info.value) == "num_classes=2.0: expected an int ≥ 2"
    with pytest.raises(TypeError) as info:
        cl.cross_entropy_by_hand([[0.0, 1.0]], torch.tensor([1]))
    assert str(info.value) == "logits, targets: expected torch tensors"
    # a batch without the last class still has C columns in the one-hot target
    logits = torch.tensor([[0.2, -0.1, 0.4], [1.0, 0.0, -1.0]])
    targets = torch.tensor([0, 1])
    expected = ((torch.softmax(logits, 1) - F.one_hot(targets, 3)) ** 2).sum(1).mean()
    torch.testing.assert_close(cl.mse_on_probabilities(logits, targets), expected)


def test_plot_confusion_matrix_draws_the_counts_and_labels():
    cm = np.array([[5, 0, 1], [2, 7, 0], [0, 3, 4]])
    ax = cl.plot_confusion_matrix(cm, title="digits")
    assert ax.get_title() == "digits"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted class", "true class")
    texts = {(t.get_position(), t.get_text()): t for t in ax.texts}
    assert len(texts) == 6  # zeros are left blank
    for (row, col), v in np.ndenumerate(cm):
        if v:
            t = texts[((col, row), str(v))]
            assert t.get_color() == ("white" if v > 3.5 else "black")
            assert (t.get_ha(), t.get_va()) == ("center", "center") and t.get_fontsize() == 7
    np.testing.assert_array_equal(ax.images[0].get_array(), cm)
    assert ax.images[0].get_cmap().name == "Blues"
    assert list(ax.get_xticks()) == [0, 1, 2] and list(ax.get_yticks()) == [0, 1, 2]
    assert ax.figure.axes[-1].get_ylabel() == "count"  # the colour bar
    assert cl.plot_confusion_matrix(np.eye(2, dtype=int)).get_title() == "confusion matrix"
    with pytest.raises(ValueError) as info:
        cl.plot_confusion_matrix(np.zeros((2, 3)))
    assert str(info.value) == "cm: expected a square matrix, got shape (2, 3)"


def test_plot_misclassified_lays_out_captioned_images():
    imgs = np.arange(2 * 3 * 3, dtype=float).reshape(2, 3, 3)
    ax = cl.plot_misclassified(imgs.reshape(2, 9), [1, 2], [7, 4], title="wrong")
    row = ax.images[0].get_array()
    assert row.shape == (3, 8)  # two 3×3 images, each followed by a one-pixel gap
    np.testing.assert_array_equal(row[:, :3], imgs[0])
    np.testing.assert_array_equal(row[:, 4:7], imgs[1])
    gaps = np.isnan(np.ma.filled(row, np.nan))  # imshow masks the NaN gap columns
    assert gaps[:, [3, 7]].all() and not gaps[:, [0, 1, 2, 4, 5, 6]].any()
    assert ax.images[0].get_cmap().name == "gray_r"
    assert list(ax.get_xticks()) == [1.0, 5.0] and list(ax.get_yticks()) == []
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1→7", "2→4"]
    assert (ax.get_title(), ax.get_xlabel()) == ("wrong", "true → predicted")
    assert cl.plot_misclassified(imgs, [1, 2], [7, 4]).get_title() == "misclassified test images"
    for args, message in [
        ((np.zeros((0, 3, 3)), [], []), "images: expected (K, H, W) with K ≥ 1, got shape (0, 3, 3)"),
        ((imgs, [1], [7, 4]), "images, true, pred: expected the same number of entries"),
        ((np.zeros((2, 10)), [1, 2], [3, 4]), "images: rows of length 10 are not square images"),
    ]:
        with pytest.raises(ValueError) as info:
            cl.plot_misclassified(*args)
        assert str(info.value) == message
