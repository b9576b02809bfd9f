"""Chapter 14 experiment helpers: the 180° rotation, class counts, per-label accuracy, the kept-classes metrics."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from mlnote_utils import gan_metrics as gm  # noqa: E402
from mlnote_utils.experiments import ch14 as xp  # noqa: E402


def test_rotate_half_turn_is_torch_rot90_twice_and_its_own_inverse():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(5, 64, generator=g)
    expected = torch.rot90(x.reshape(5, 8, 8), 2, dims=(1, 2)).reshape(5, 64)
    torch.testing.assert_close(xp.rotate_half_turn(x), expected, rtol=0, atol=0)
    torch.testing.assert_close(xp.rotate_half_turn(xp.rotate_half_turn(x)), x, rtol=0, atol=0)
    y = torch.randn(3, 9, generator=g)
    torch.testing.assert_close(xp.rotate_half_turn(y, side=3), y.flip(1), rtol=0, atol=0)
    with pytest.raises(
        ValueError, match=r"^images: expected \(N, 64\) flat images, got shape \(5, 1, 8, 8\)"
    ):
        xp.rotate_half_turn(x.reshape(5, 1, 8, 8))


def test_class_counts_is_bincount_with_all_classes():
    labels = torch.tensor([3, 3, 0, 9])
    assert xp.class_counts(labels).tolist() == [1, 0, 0, 2, 0, 0, 0, 0, 0, 1]
    assert xp.class_counts(torch.tensor([], dtype=torch.long), 3).tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match=r"^labels: expected a 1-D tensor of ints in \[0, 3\)"):
        xp.class_counts(torch.tensor([0, 3]), 3)
    with pytest.raises(ValueError, match=r"^labels: expected a 1-D tensor of ints"):
        xp.class_counts(torch.tensor([-1, 0]), 3)
    with pytest.raises(ValueError, match=r"^labels: expected a 1-D tensor of ints"):
        xp.class_counts(torch.tensor([0.0, 1.0]), 3)
    with pytest.raises(ValueError, match=r"^n_classes=0: expected a positive int"):
        xp.class_counts(labels, 0)


def test_per_label_accuracy_counts_hits_per_true_class():
    predicted = torch.tensor([0, 1, 1, 1, 2, 0])
    labels = torch.tensor([0, 0, 1, 1, 1, 2])
    acc = xp.per_label_accuracy(predicted, labels, 4)
    assert acc[:3].tolist() == [0.5, 2 / 3, 0.0]
    assert math.isnan(acc[3])
    with pytest.raises(
        ValueError, match=r"^predicted, labels: expected the same shape, got \(2,\) and \(3,\)"
    ):
        xp.per_label_accuracy(torch.tensor([0, 1]), torch.tensor([0, 1, 1]))


def _fake_set():
    g = torch.Generator().manual_seed(1)
    labels = torch.arange(4).repeat_interleave(10)
    probs = torch.nn.functional.one_hot(labels, 4).double() * 0.9 + 0.025
    features = torch.randn(40, 3, generator=g, dtype=torch.float64) + labels[:, None].double()
    return probs, features, labels


def test_kept_classes_metrics_keeps_the_first_k_classes():
    probs, features, labels = _fake_set()
    ref = features
    for k in (1, 2, 4):
        r = xp.kept_classes_metrics(probs, features, labels, ref, k)
        keep = labels < k
        assert r["n"] == 10 * k
        assert r["is"] == pytest.approx(gm.inception_score(probs[keep]), rel=1e-12)
        assert r["fid"] == pytest.approx(gm.fid_from_features(features[keep], ref), rel=1e-12)
        assert r["counts"].tolist() == [10] * k + [0] * (4 - k)
    assert xp.kept_classes_metrics(probs, features, labels, ref, 4)["fid"] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError, match=r"^k=0: expected an int from 1 to 4"):
        xp.kept_classes_metrics(probs, features, labels, ref, 0)
    with pytest.raises(ValueError, match=r"^k=5: expected an int from 1 to 4"):
        xp.kept_classes_metrics(probs, features, labels, ref, 5)
    with pytest.raises(
        ValueError, match=r"^probs, features, labels: expected the same number of rows, got 40, 39, 40"
    ):
        xp.kept_classes_metrics(probs, features[:39], labels, ref, 2)


def test_draw_class_histogram_draws_shares_and_returns_the_axes():
    fig, ax = plt.subplots()
    out = xp.draw_class_histogram(ax, torch.tensor([1, 3, 0, 4]), title="t", offset=0.2, width=0.4)
    assert out is ax and ax.get_title() == "t"
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([0.125, 0.375, 0.0, 0.5])
    assert [p.get_x() + p.get_width() / 2 for p in ax.patches] == pytest.approx([0.2, 1.2, 2.2, 3.2])
    assert (
        ax.get_xlabel() == "class predicted by the digit classifier" and ax.get_ylabel() == "share of samples"
    )
    with pytest.raises(ValueError, match=r"^counts: expected a 1-D array of non-negative counts"):
        xp.draw_class_histogram(ax, [0, 0])
    plt.close(fig)
