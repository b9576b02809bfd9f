"""mu.backprop: the hand-written forward and backward pass of a one-hidden-layer network against autograd."""

import pytest
import torch
from torch import nn

import mlnote_utils as mu

bp = mu.backprop


def test_one_hidden_layer_matches_autograd_and_sequential():
    g = torch.Generator().manual_seed(0)
    x, y = (
        torch.randn(9, 3, generator=g, dtype=torch.float64),
        torch.randn(9, generator=g, dtype=torch.float64),
    )
    W, bv, c, b = (
        torch.randn(s, generator=g, dtype=torch.float64, requires_grad=True)
        for s in ((4, 3), (4,), (4,), (1,))
    )
    y_hat = bp.one_hidden_layer_forward(x, W, bv, c, b)
    net = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(W), net[0].bias.copy_(bv), net[2].weight.copy_(c[None]), net[2].bias.copy_(b)
    torch.testing.assert_close(y_hat, net(x).squeeze(-1))
    loss = ((y_hat - y) ** 2).mean()
    auto = torch.autograd.grad(loss, [W, bv, c, b])
    hand = bp.one_hidden_layer_backward(x, y, W.detach(), bv.detach(), c.detach(), b.detach())
    torch.testing.assert_close(hand["loss"], loss.detach())
    for name, ga in zip(("W", "b_vec", "c", "b"), auto, strict=True):
        torch.testing.assert_close(hand[name], ga)
    with pytest.raises(ValueError, match="W"):
        bp.one_hidden_layer_forward(x, W[:, :2], bv, c, b)
