"""Chapter 13 drivers: the sliding uniform pair (JS vs W1 against closed forms and scipy), plots, the table."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from mlnote_utils import gan  # noqa: E402
from mlnote_utils.experiments import ch13 as xp  # noqa: E402


def test_uniform_pair_puts_each_distribution_on_its_interval():
    edges, p, q = xp.uniform_pair(2.5, bin_width=0.5, lim=4.0)
    assert edges.shape == (17,) and p.shape == q.shape == (16,)
    np.testing.assert_allclose(edges[[0, -1]], [-4.0, 4.0])
    np.testing.assert_allclose(p[edges[:-1] == 0.0], [0.5])  # [0, 0.5) and [0.5, 1) carry half each
    assert p.sum() == pytest.approx(1.0) and q.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(edges[:-1][q > 0], [2.5, 3.0])
    _, p2, q2 = xp.uniform_pair(0.25, bin_width=0.5, lim=2.0)  # a shift inside a bin splits its mass
    np.testing.assert_allclose(q2[p2 > 0], [0.25, 0.5])
    with pytest.raises(ValueError, match=r"^shift=5.5: expected \|shift\| \+ 1 ≤ lim"):
        xp.uniform_pair(5.5)
    with pytest.raises(ValueError, match=r"^bin_width=0: expected a positive number"):
        xp.uniform_pair(1.0, bin_width=0)


def test_slide_divergences_match_the_closed_forms_and_scipy():
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import wasserstein_distance

    shifts = [-2.0, -0.3, 0.0, 0.25, 0.5, 0.99, 1.0, 1.5, 4.0]
    d = xp.slide_divergences(shifts)
    overlap = np.clip(1 - np.abs(shifts), 0, None)
    np.testing.assert_allclose(d["js"], (1 - overlap) * math.log(2), atol=1e-9)
    np.testing.assert_allclose(d["w1"], np.abs(shifts), atol=1e-9)
    np.testing.assert_array_equal(d["shift"], shifts)
    edges, p, q = xp.uniform_pair(0.5)
    assert d["js"][4] == pytest.approx(jensenshannon(p, q) ** 2, abs=1e-12)
    mids = (edges[:-1] + edges[1:]) / 2
    assert d["w1"][4] == pytest.approx(wasserstein_distance(mids, mids, p, q), abs=1e-9)
    with pytest.raises(ValueError, match=r"^shifts: expected at least one shift"):
        xp.slide_divergences([])


def test_draw_uniform_pair_and_samples_label_what_they_draw():
    fig, (a, b) = plt.subplots(1, 2)
    assert xp.draw_uniform_pair(a, 1.5) is a
    assert a.get_title() == "shift 1.50:  JS = 0.693,  W1 = 1.500" and a.get_xlabel() == "x"
    assert a.get_ylabel() == "density"
    ring = gan.ring_centers(8)
    pts = np.array([[0.0, 0.0], [9.0, 0.0]])  # the second lies outside ±3 and is not drawn
    assert xp.draw_samples(b, pts, ring, lim=3.0, title="t") is b
    assert b.get_title() == "t" and b.get_xlim() == (-3.0, 3.0) and b.get_xlabel() == "$x_1$"
    assert len(b.collections[0].get_offsets()) == 1 and len(b.collections[1].get_offsets()) == 8
    with pytest.raises(ValueError, match=r"^samples: expected \(N, 2\) points"):
        xp.draw_samples(b, np.zeros((3, 3)), ring, lim=3.0)
    plt.close(fig)


def test_coverage_table_and_summarise():
    table = xp.coverage_table(
        {("ring", "GAN"): [(8, 8, 0.9), (6, 8, 0.7)], ("grid", "WGAN-GP"): [(25, 25, 0.5)]}
    )
    lines = table.splitlines()
    assert lines[0].split("  ")[0] == "target" and "8/8, 6/8" in lines[1] and "90%, 70%" in lines[1]
    assert lines[2].startswith("grid") and "25/25" in lines[2] and "50%" in lines[2]
    with pytest.raises(ValueError, match=r"^results: expected at least one"):
        xp.coverage_table({})
    ring = gan.ring_centers(8, 2.0)
    pts = torch.cat([ring[:3].repeat(10, 1), torch.zeros(30, 2)])  # 3 modes, half the samples far off
    assert xp.summarise(pts, ring, 0.05, min_count=10) == (3, 8, 0.5)
    assert xp.summarise(pts, ring, 0.05, min_count=11) == (0, 8, 0.5)
