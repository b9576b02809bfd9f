"""mlnote_utils.gan: mixtures, densities, the GAN losses against torch's BCE, D*, mode coverage."""

import math

import pytest
import torch
import torch.nn.functional as F

from mlnote_utils import gan


def test_ring_and_grid_centres():
    ring = gan.ring_centers(8, 2.0)
    assert ring.shape == (8, 2)
    torch.testing.assert_close(ring.norm(dim=1), torch.full((8,), 2.0))
    angles = torch.atan2(ring[:, 1], ring[:, 0]).remainder(2 * math.pi)
    torch.testing.assert_close(angles.diff(), torch.full((7,), 2 * math.pi / 8))
    grid = gan.grid_centers(5, 2.0)
    assert grid.shape == (25, 2)
    torch.testing.assert_close(grid.mean(dim=0), torch.zeros(2))
    assert sorted(set(grid[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    with pytest.raises(ValueError, match="k="):
        gan.ring_centers(0)
    with pytest.raises(ValueError, match="spacing="):
        gan.grid_centers(3, -1.0)


def test_sample_mixture_has_the_right_modes_and_spread():
    g = torch.Generator().manual_seed(0)
    centers = gan.ring_centers(4, 3.0)
    x = gan.sample_mixture(centers, 0.1, 8000, generator=g)
    assert x.shape == (8000, 2)
    nearest = torch.cdist(x, centers).argmin(dim=1)
    share = torch.bincount(nearest, minlength=4).float() / len(x)
    torch.testing.assert_close(share, torch.full((4,), 0.25), atol=0.02, rtol=0)
    spread = (x - centers[nearest]).std(dim=0)
    torch.testing.assert_close(spread, torch.full((2,), 0.1), atol=0.005, rtol=0)
    one_d = gan.sample_mixture([-1.0, 1.0], 0.2, 100, generator=g, weights=[1.0, 0.0])
    assert one_d.shape == (100, 1) and (one_d < 0).all()
    first = gan.sample_mixture(centers, 0.1, 50, generator=torch.Generator().manual_seed(7))
    torch.testing.assert_close(
        first, gan.sample_mixture(centers, 0.1, 50, generator=torch.Generator().manual_seed(7))
    )
    with pytest.raises(ValueError, match="weights"):
        gan.sample_mixture(centers, 0.1, 10, weights=[1.0, 1.0])
    with pytest.raises(ValueError, match="std="):
        gan.sample_mixture(centers, 0.0, 10)
    with pytest.raises(ValueError, match="centers"):
        gan.sample_mixture(torch.zeros(2, 2, 2), 0.1, 10)


def test_mixture_density_matches_torch_distributions():
    centers = torch.tensor([[0.0, 0.0], [2.0, -1.0], [-1.0, 3.0]])
    weights = torch.tensor([0.2, 0.5, 0.3])
    mix = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(weights),
        torch.distributions.Independent(torch.distributions.Normal(centers, 0.7), 1),
    )
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(1)) * 2
    torch.testing.assert_close(gan.mixture_density(x, centers, 0.7, weights), mix.log_prob(x).exp())
    y = torch.linspace(-3, 3, 31)
    torch.testing.assert_close(
        gan.gaussian_density(y, 0.5, 1.5), torch.distributions.Normal(0.5, 1.5).log_prob(y).exp()
    )
    with pytest.raises(ValueError, match="x: expected"):
        gan.mixture_density(torch.zeros(4, 3), centers, 0.7)


def test_optimal_discriminator_maximises_the_pointwise_objective():
    a = torch.tensor([0.3, 1.0, 0.0, 2.0], dtype=torch.float64)
    b = torch.tensor([0.1, 1.0, 1.0, 0.0], dtype=torch.float64)
    torch.testing.assert_close(
        gan.optimal_discriminator(a, b), torch.tensor([0.75, 0.5, 0.0, 1.0], dtype=torch.float64)
    )
    assert float(gan.optimal_discriminator(torch.tensor(0.0), torch.tensor(0.0))) == 0.5
    d = torch.linspace(1e-4, 1 - 1e-4, 20001, dtype=torch.float64)
    for ai, bi in [(0.3, 0.1), (0.05, 0.9), (1.0, 1.0)]:
        f = ai * torch.log(d) + bi * torch.log1p(-d)
        best = d[f.argmax()]
        torch.testing.assert_close(
            best, gan.optimal_discriminator(torch.tensor(ai), torch.tensor(bi)).double(), atol=1e-4, rtol=0
        )
    with pytest.raises(ValueError, match="p_data, p_g"):
        gan.optimal_discriminator(torch.tensor(-1.0), torch.tensor(1.0))


def test_losses_agree_with_torch_bce():
    g = torch.Generator().manual_seed(3)
    real, fake = (
        torch.randn(16, 1, generator=g, dtype=torch.float64),
        torch.randn(9, 1, generator=g, dtype=torch.float64),
    )
    bce = F.binary_cross_entropy_with_logits
    torch.testing.assert_close(
        gan.discriminator_loss(real, fake),
        bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake)),
    )
    torch.testing.assert_close(
        gan.value_function(torch.sigmoid(real), torch.sigmoid(fake)), -gan.discriminator_loss(real, fake)
    )
    torch.testing.assert_close(gan.generator_loss(fake), bce(fake, torch.ones_like(fake)))
    torch.testing.assert_close(gan.generator_loss(fake, saturating=True), -bce(fake, torch.zeros_like(fake)))
    big = torch.tensor([[300.0]])
    assert (
        torch.isfinite(gan.discriminator_loss(-big, big))
        and float(gan.discriminator_loss(-big, big)) == 600.0
    )
    with pytest.raises(ValueError, match="d_real"):
        gan.value_function(torch.tensor([1.5]), torch.tensor([0.5]))


def test_generator_and_discriminator_shapes():
    G, D = gan.make_generator(8, 2, width=16), gan.make_discriminator(2, width=16, depth=1)
    z = torch.randn(5, 8)
    assert G(z).shape == (5, 2) and D(G(z)).shape == (5, 1)
    assert sum(isinstance(m, torch.nn.Linear) for m in D) == 2


def test_mode_coverage_counts_modes_and_quality():
    centers = gan.ring_centers(8, 2.0)
    std = 0.05
    g = torch.Generator().manual_seed(0)
    full = gan.sample_mixture(centers, std, 2000, generator=g)
    r = gan.mode_coverage(full, centers, std, min_count=20)
    assert (
        r["modes"] == 8
        and r["high_quality"] > 0.98
        and int(r["counts"].sum()) == round(r["high_quality"] * 2000)
    )
    half = gan.sample_mixture(centers[:3], std, 2000, generator=g)
    assert gan.mode_coverage(half, centers, std, min_count=20)["modes"] == 3
    junk = torch.zeros(100, 2)  # all at the origin, 2 units (40 std) from every mode
    r = gan.mode_coverage(junk, centers, std)
    assert r["modes"] == 0 and r["high_quality"] == 0.0
    # 3 std is the boundary: 2.9 std counts, 3.1 std does not
    pts = torch.stack([centers[0] * (1 + 2.9 * std / 2), centers[1] * (1 + 3.1 * std / 2)])
    r = gan.mode_coverage(pts, centers, std)
    assert r["counts"].tolist() == [1, 0, 0, 0, 0, 0, 0, 0] and r["high_quality"] == 0.5
    few = torch.cat([centers[:1].repeat(19, 1), centers[1:2].repeat(20, 1)])
    assert gan.mode_coverage(few, centers, std, min_count=20)["modes"] == 1
    with pytest.raises(ValueError, match="samples"):
        gan.mode_coverage(torch.zeros(3, 3), centers, std)
    with pytest.raises(ValueError, match="min_count"):
        gan.mode_coverage(full, centers, std, min_count=0)


def test_divergence_pieces_are_re_exported_from_wgan():
    from mlnote_utils import wgan

    for name in ("js_divergence", "wasserstein_1d", "spectral_norm_power", "gradient_penalty"):
        assert getattr(gan, name) is getattr(wgan, name) and name in gan.__all__


def test_evaluation_measures_are_re_exported_from_gan_metrics():
    from mlnote_utils import gan_metrics

    for name in ("frechet_distance", "inception_score"):  # the API: mlnote_utils.gan
        assert getattr(gan, name) is getattr(gan_metrics, name) and name in gan.__all__


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda: gan.ring_centers(0), r"^k=0: expected a positive int$", id="ring-k"),
        pytest.param(lambda: gan.ring_centers(True), r"^k=True: expected a positive int$", id="ring-k-bool"),
        pytest.param(lambda: gan.ring_centers(2.0), r"^k=2.0: expected a positive int$", id="ring-k-float"),
        pytest.param(
            lambda: gan.ring_centers(8, 0), r"^radius=0: expected a positive number$", id="ring-radius"
        ),
        pytest.param(
            lambda: gan.ring_centers(8, True), r"^radius=True: expected a positive", id="radius-bool"
        ),
        pytest.param(lambda: gan.ring_centers(8, "2"), r"^radius='2': expected a positive", id="radius-str"),
        pytest.param(lambda: gan.grid_centers(0), r"^k=0: expected a positive int$", id="grid-k"),
        pytest.param(lambda: gan.grid_centers(3, -1.0), r"^spacing=-1.0: expected a positive", id="spacing"),
        pytest.param(lambda: gan.sample_mixture([0.0], 0.1, 0), r"^n=0: expected a positive int$", id="n"),
        pytest.param(lambda: gan.sample_mixture([0.0], 0.0, 5), r"^std=0.0: expected a positive", id="std"),
        pytest.param(
            lambda: gan.sample_mixture(torch.zeros(2, 2, 2), 0.1, 5),
            r"^centers: expected a \(K, d\) array of K ≥ 1 mode centres, got shape \(2, 2, 2\)$",
            id="centers-3d",
        ),
        pytest.param(
            lambda: gan.sample_mixture(torch.zeros(0, 2), 0.1, 5),
            r"^centers: expected a \(K, d\)",
            id="centers-empty",
        ),
        pytest.param(
            lambda: gan.sample_mixture([0.0, 1.0], 0.1, 5, weights=[2.0, -1.0]),  # positive sum
            r"^weights: expected 2 non-negative numbers with a positive sum$",
            id="weights-negative",
        ),
        pytest.param(
            lambda: gan.sample_mixture([0.0, 1.0], 0.1, 5, weights=[0.0, 0.0]),
            r"^weights: expected 2 non-negative",
            id="weights-zero",
        ),
        pytest.param(
            lambda: gan.sample_mixture([0.0, 1.0], 0.1, 5, weights=[1.0]),
            r"^weights: expected 2",
            id="weights-len",
        ),
        pytest.param(
            lambda: gan.mixture_density(torch.zeros(4, 3), torch.zeros(2, 2), 0.7),
            r"^x: expected \(N, 2\) points, got shape \(4, 3\)$",
            id="density-x",
        ),
        pytest.param(
            lambda: gan.mixture_density(torch.zeros(4, 2), torch.zeros(2, 2), -1.0),
            r"^std=-1.0: expected a positive",
            id="density-std",
        ),
        pytest.param(
            lambda: gan.optimal_discriminator(torch.tensor(1.0), torch.tensor(-1.0)),
            r"^p_data, p_g: expected densities \(non-negative\)$",
            id="d-star-p-g",
        ),
        pytest.param(
            lambda: gan.value_function(torch.tensor([1.5]), torch.tensor([0.5])),
            r"^d_real: expected probabilities in \[0, 1\] \(apply sigmoid to logits first\)$",
            id="v-real-high",
        ),
        pytest.param(
            lambda: gan.value_function(torch.tensor([-0.1]), torch.tensor([0.5])),
            r"^d_real: expected",
            id="v-real-low",
        ),
        pytest.param(
            lambda: gan.value_function(torch.tensor([0.5]), torch.tensor([-0.1])),
            r"^d_fake: expected",
            id="v-fake-low",
        ),
        pytest.param(
            lambda: gan.value_function(torch.tensor([0.5]), torch.tensor([1.1])),
            r"^d_fake: expected",
            id="v-fake-high",
        ),
        pytest.param(
            lambda: gan.mode_coverage(torch.zeros(3, 3), torch.zeros(2, 2), 0.1),
            r"^samples: expected \(N, 2\) points with N ≥ 1, got shape \(3, 3\)$",
            id="coverage-samples",
        ),
        pytest.param(
            lambda: gan.mode_coverage(torch.zeros(0, 2), torch.zeros(2, 2), 0.1),
            r"^samples: expected \(N, 2\) points with N ≥ 1, got shape \(0, 2\)$",
            id="coverage-empty",
        ),
        pytest.param(
            lambda: gan.mode_coverage(torch.zeros(3, 2), torch.zeros(2, 2), 0.0),
            r"^std=0.0: expected",
            id="cov-std",
        ),
        pytest.param(
            lambda: gan.mode_coverage(torch.zeros(3, 2), torch.zeros(2, 2), 0.1, n_std=0),
            r"^n_std=0: expected a positive number$",
            id="coverage-n-std",
        ),
        pytest.param(
            lambda: gan.mode_coverage(torch.zeros(3, 2), torch.zeros(2, 2), 0.1, min_count=0),
            r"^min_count=0: expected a positive int$",
            id="coverage-min-count",
        ),
    ],
)
def test_bad_arguments_are_named_in_the_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_gaussian_density_in_two_dimensions_and_probability_edges():
    x = torch.randn(40, 2, generator=torch.Generator().manual_seed(9))
    normal = torch.distributions.Independent(torch.distributions.Normal(torch.tensor([0.5, -1.0]), 0.7), 1)
    torch.testing.assert_close(gan.gaussian_density(x, [0.5, -1.0], 0.7), normal.log_prob(x).exp())
    torch.testing.assert_close(
        gan.gaussian_density(torch.tensor([2.0]), 2, 1.0), torch.tensor([(2 * math.pi) ** -0.5])
    )
    # D = 1 on real and D = 0 on generated samples are valid probabilities: V = log 1 + log 1 = 0
    assert float(gan.value_function(torch.tensor([1.0]), torch.tensor([0.0]))) == 0.0
    assert float(gan.value_function(torch.tensor([0.0]), torch.tensor([1.0]))) == -math.inf


def test_mode_coverage_defaults_boundary_and_far_from_the_origin():
    centers = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
    one = gan.mode_coverage(torch.tensor([[0.0, 0.0]]), centers, 0.5)  # a single sample, default min_count=1
    assert one["modes"] == 1 and one["high_quality"] == 1.0 and one["counts"].tolist() == [1, 0]
    # the default n_std = 3: exactly 3 std away counts (<=), a little more does not
    edge = gan.mode_coverage(torch.tensor([[1.5, 0.0], [10.0, 1.5001]]), centers, 0.5)
    assert edge["counts"].tolist() == [1, 0] and edge["high_quality"] == 0.5
    # 60 samples (cdist would switch to the matrix-product formula) at coordinates ~1000, 2.9 and 3.1 std off
    far = torch.tensor([[1000.0, 1000.0], [1001.0, 1000.0]])
    std = 0.01
    angle = torch.linspace(0, 2 * math.pi, 30)
    ring = torch.stack([angle.cos(), angle.sin()], dim=1)
    pts = torch.cat([far[0] + 2.9 * std * ring, far[1] + 3.1 * std * ring])
    r = gan.mode_coverage(pts, far, std)
    assert r["counts"].tolist() == [30, 0] and r["high_quality"] == 0.5


def test_mixture_density_normalises_weights_takes_float64_points_and_stays_exact_far_out():
    centers = torch.tensor([[0.0, 0.0], [2.0, -1.0], [-1.0, 3.0]])
    x = (
        torch.randn(30, 2, generator=torch.Generator().manual_seed(2), dtype=torch.float64) * 2
    )  # float64 points
    mix = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(torch.tensor([0.2, 0.5, 0.3])),
        torch.distributions.Independent(torch.distributions.Normal(centers, 0.7), 1),
    )
    expected = mix.log_prob(x.float()).exp()
    torch.testing.assert_close(gan.mixture_density(x, centers, 0.7, [2.0, 5.0, 3.0]), expected)  # sum 10
    # 40 points around centres near (1000, 1000): the product formula for distances would be off by ~10 %
    far = centers + 1000.0
    pts = far[torch.arange(40) % 3] + 0.5 * torch.randn(40, 2, generator=torch.Generator().manual_seed(3))
    far_mix = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(torch.full((3,), 1 / 3)),
        torch.distributions.Independent(torch.distributions.Normal(far.double(), 0.7), 1),
    )
    torch.testing.assert_close(
        gan.mixture_density(pts, far, 0.7).double(), far_mix.log_prob(pts.double()).exp(), rtol=1e-3, atol=0
    )


def test_generator_and_discriminator_default_sizes():
    def shapes(net):
        return [tuple(m.weight.shape) for m in net if isinstance(m, torch.nn.Linear)]

    assert shapes(gan.make_generator(4, 2)) == [(64, 4), (64, 64), (2, 64)]  # width 64, depth 2
    assert shapes(gan.make_discriminator(3)) == [(64, 3), (64, 64), (1, 64)]
    assert shapes(gan.make_discriminator(3, width=8, depth=3)) == [(8, 3), (8, 8), (8, 8), (1, 8)]
    assert shapes(gan.make_generator(5, 7, width=16, depth=1)) == [(16, 5), (7, 16)]


def test_centre_defaults_and_float64_centres():
    grid = gan.grid_centers()  # defaults: 5 x 5, spacing 2
    assert grid.shape == (25, 2) and sorted(set(grid[:, 1].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    ring = gan.ring_centers()  # defaults: 8 modes, radius 2
    assert ring.shape == (8, 2)
    torch.testing.assert_close(ring.norm(dim=1), torch.full((8,), 2.0))
    c64 = torch.tensor([[0.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    x = torch.zeros(3, 2)
    torch.testing.assert_close(gan.mixture_density(x, c64, 1.0), gan.mixture_density(x, c64.float(), 1.0))
    assert gan.sample_mixture(c64, 0.1, 4).dtype == torch.float32


def test_mode_coverage_takes_float64_and_one_dimensional_samples_and_grid_centers_does_not_warn():
    import warnings

    centers = gan.ring_centers(8, 2.0)
    pts = centers[:3].double()  # float64 samples
    assert gan.mode_coverage(pts, centers, 0.05)["modes"] == 3
    line = gan.mode_coverage(torch.tensor([-2.0, 0.1, 2.05, 5.0]), [-2.0, 0.0, 2.0], 0.1)  # 1-D target
    assert line["counts"].tolist() == [1, 1, 1] and line["high_quality"] == 0.75
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. torch.meshgrid without indexing= warns
        gan.grid_centers(3)
