"""mu.augmentation: label-preserving shifts, rescaling and noise of 1-D signals."""

import pytest
import torch

import mlnote_utils as mu


def test_augment_signals():
    augment = mu.augmentation.augment_signals
    x = torch.arange(12, dtype=torch.float32).reshape(2, 6)
    g = torch.Generator().manual_seed(0)
    same = augment(x, g, max_shift=0, scale=0.0, noise=0.0)
    torch.testing.assert_close(same, x)
    g = torch.Generator().manual_seed(0)
    rolled = augment(x, g, max_shift=2, scale=0.0, noise=0.0)
    for row, orig in zip(rolled, x, strict=True):  # every row is a circular shift of its original
        assert any(torch.equal(row, torch.roll(orig, s)) for s in range(-2, 3))
    g = torch.Generator().manual_seed(0)
    scaled = augment(x + 1, g, max_shift=0, scale=0.3, noise=0.0)
    ratio = scaled / (x + 1)
    assert torch.allclose(ratio, ratio[:, :1].expand_as(ratio)) and ((ratio - 1).abs() <= 0.3).all()
    with pytest.raises(ValueError, match="scale"):
        augment(x, g, scale=1.5)
    with pytest.raises(ValueError, match="shape"):
        augment(x[0], g)
