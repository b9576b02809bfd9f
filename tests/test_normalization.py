"""mu.normalization: feature standardisation and batch normalisation written out by hand, against torch."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from mlnote_utils import normalization as nz
from mlnote_utils.experiments import ch08 as xp


def test_standardize_features_matches_sklearn():
    from sklearn.preprocessing import StandardScaler

    x, _ = xp.make_two_scale_regression(10.0, n=50, seed=1)
    xt, mean, std = nz.standardize_features(x)
    np.testing.assert_allclose(xt.numpy(), StandardScaler().fit_transform(x.numpy()), atol=1e-10)
    torch.testing.assert_close(xt.mean(0), torch.zeros(2, dtype=torch.float64))
    with pytest.raises(ValueError, match="x: expected"):
        nz.standardize_features(torch.zeros(5))


def _bn_pair(h=4):
    torch.manual_seed(0)
    ref = nn.BatchNorm1d(h)
    with torch.no_grad():
        ref.weight.uniform_(0.5, 2.0)
        ref.bias.uniform_(-1.0, 1.0)
    hand = nz.HandBatchNorm1d(h)
    hand.load_state_dict(ref.state_dict(), strict=False)
    return ref, hand


def test_batch_norm_forward_and_grads_match_torch():
    ref, _ = _bn_pair()
    z = (torch.randn(8, 4) * 3 + 1).requires_grad_(True)
    out, mu, var = nz.batch_norm_forward(z, ref.weight, ref.bias, ref.eps)
    expected = ref(z)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(mu, z.mean(0))
    (g_hand,) = torch.autograd.grad(out.pow(3).sum(), z)
    (g_ref,) = torch.autograd.grad(expected.pow(3).sum(), z)
    torch.testing.assert_close(g_hand, g_ref)
    with pytest.raises(ValueError, match="z: expected"):
        nz.batch_norm_forward(torch.zeros(3), ref.weight, ref.bias)


def test_hand_module_tracks_running_stats_and_eval_like_torch():
    ref, hand = _bn_pair()
    for _ in range(5):
        z = torch.randn(6, 4) * 2 + 3
        torch.testing.assert_close(hand(z), ref(z))
    torch.testing.assert_close(hand.running_mean, ref.running_mean)
    torch.testing.assert_close(hand.running_var, ref.running_var)
    ref.eval()
    hand.eval()
    z = torch.randn(1, 4)
    torch.testing.assert_close(hand(z), ref(z))


def test_update_running_stats_checks():
    with pytest.raises(ValueError, match="momentum"):
        nz.update_running_stats(torch.zeros(1), torch.ones(1), torch.zeros(1), torch.ones(1), 4, momentum=0.0)
    with pytest.raises(ValueError, match="n="):
        nz.update_running_stats(torch.zeros(1), torch.ones(1), torch.zeros(1), torch.ones(1), 1)


def test_hand_module_batch_of_one_outputs_beta_and_keeps_running_stats():
    hand = nz.HandBatchNorm1d(3)
    with torch.no_grad():
        hand.bias.copy_(torch.tensor([0.5, -1.0, 2.0]))
    out = hand(torch.tensor([[10.0, -3.0, 7.0]]))
    torch.testing.assert_close(out, hand.bias.detach()[None])
    torch.testing.assert_close(hand.running_mean, torch.zeros(3))


def test_hand_bn_with_other_eps_and_momentum_and_a_batch_of_two_matches_torch():
    # non-default eps and momentum must reach every step; a batch of two is the smallest that updates the
    # running averages (n/(n−1) = 2 there)
    gen = torch.Generator().manual_seed(4)
    hand, ref = nz.HandBatchNorm1d(3, eps=0.5, momentum=0.3), nn.BatchNorm1d(3, eps=0.5, momentum=0.3)
    for n in (2, 5, 2):
        z = torch.randn(n, 3, generator=gen) * 2 + 1
        torch.testing.assert_close(hand(z), ref(z))
        torch.testing.assert_close(hand.running_mean, ref.running_mean)
        torch.testing.assert_close(hand.running_var, ref.running_var)
    hand.eval(), ref.eval()
    z = torch.randn(4, 3, generator=gen)
    torch.testing.assert_close(hand(z), ref(z))


def test_default_eps_is_1e_5_as_in_torch():
    gen = torch.Generator().manual_seed(5)
    z = torch.randn(6, 3, generator=gen, dtype=torch.float64) * 1e-2  # variance ~1e-4: eps matters
    g, b = torch.ones(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    out, _, _ = nz.batch_norm_forward(z, g, b)
    torch.testing.assert_close(out, F.batch_norm(z, None, None, g, b, training=True, eps=1e-5))
    rm, rv = z.mean(0), z.var(0)
    torch.testing.assert_close(
        nz.batch_norm_inference(z, rm, rv, g, b), F.batch_norm(z, rm, rv, g, b, training=False, eps=1e-5)
    )


def test_limits_of_standardize_and_running_stats():
    two = torch.tensor([[1.0, 5.0], [3.0, 5.0]])  # N = 2 is enough; a constant column needs eps
    xt, _, _ = nz.standardize_features(two, eps=1e-8)
    torch.testing.assert_close(xt, torch.tensor([[-1.0, 0.0], [1.0, 0.0]]), rtol=0, atol=1e-6)
    with pytest.raises(ValueError) as info:
        nz.standardize_features(torch.zeros(1, 2))
    assert str(info.value) == "x: expected a 2-D tensor (N, d) with N ≥ 2"
    m0, v0 = torch.zeros(2), torch.ones(2)
    bm, bv = torch.tensor([1.0, 2.0]), torch.tensor([0.5, 2.0])
    m, v = nz.update_running_stats(m0, v0, bm, bv, n=2, momentum=1.0)  # momentum 1: only the new batch
    torch.testing.assert_close(m, bm)
    torch.testing.assert_close(v, 2 * bv)
    with pytest.raises(ValueError, match=r"momentum=1.5: expected a number in \(0, 1\]"):
        nz.update_running_stats(m0, v0, bm, bv, n=2, momentum=1.5)
    with pytest.raises(ValueError, match="n=1: batch statistics need at least 2 samples"):
        nz.update_running_stats(m0, v0, bm, bv, n=1)
