"""Chapter 12 checkers: each rejects wrong answers (including near-misses) and accepts the reference."""

import torch
import torch.nn.functional as F

from mlnote_utils.exercises import ch12 as ex


def test_optimal_d():
    assert ex.check_optimal_d(0.75)
    assert ex.check_optimal_d(0.3 / 0.4)
    assert not ex.check_optimal_d(None)
    assert not ex.check_optimal_d(0.25)  # p_G / (p_data + p_G): the two swapped
    assert not ex.check_optimal_d(0.3)  # p_data alone
    assert not ex.check_optimal_d(0.75 * 1.01)  # off by 1 %


def _ref(real, fake):
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def test_discriminator_loss_accepts_the_reference_and_rejects_near_misses():
    assert ex.check_discriminator_loss(_ref)
    assert ex.check_discriminator_loss(
        lambda r, f: (
            F.binary_cross_entropy_with_logits(r, torch.ones_like(r))
            + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
        )
    )
    assert not ex.check_discriminator_loss(None)
    assert "实现" in ex.check_discriminator_loss(None).message
    assert not ex.check_discriminator_loss(lambda r, f: -_ref(r, f))  # V instead of -V
    assert not ex.check_discriminator_loss(
        lambda r, f: F.softplus(r).mean() + F.softplus(-f).mean()
    )  # labels swapped
    assert not ex.check_discriminator_loss(lambda r, f: 0.5 * _ref(r, f))  # averaged the two terms
    assert not ex.check_discriminator_loss(lambda r, f: _ref(r, f) * 1.01)  # off by 1 %
    assert not ex.check_discriminator_loss(
        lambda r, f: F.softplus(-r).sum() + F.softplus(f).sum()
    )  # sums, not means
    # one mean over both batches pooled: equal to the reference only when the batches have the same size
    pooled = lambda r, f: torch.cat([F.softplus(-r), F.softplus(f)]).mean() * 2  # noqa: E731
    msg = ex.check_discriminator_loss(pooled).message
    assert not ex.check_discriminator_loss(pooled) and "第 2 个" in msg
    naive = lambda r, f: -(torch.log(torch.sigmoid(r)).mean() + torch.log(1 - torch.sigmoid(f)).mean())  # noqa: E731
    msg = ex.check_discriminator_loss(naive).message
    assert not ex.check_discriminator_loss(naive) and "第 4 个" in msg  # log(0) on the large logits
    assert not ex.check_discriminator_loss(lambda r, f: "loss")


def test_frozen_network():
    assert ex.check_frozen_network("G")
    for wrong in ("D", "both", "neither"):
        assert not ex.check_frozen_network(wrong)
    assert not ex.check_frozen_network(None)
    assert not ex.check_frozen_network("g")
