"""mu.initialization: a deeper ReLU net computing the same function, and the signal left after each layer."""

import numpy as np
import pytest
import torch
from torch import nn

import mlnote_utils as mu

init = mu.initialization


def test_deepen_with_identity_keeps_the_function():
    torch.manual_seed(0)
    net = mu.mlp(6, 5, 2, 3)
    deep = init.deepen_with_identity(net, 3)
    x = torch.randn(20, 6)
    assert sum(isinstance(m, nn.Linear) for m in deep) == sum(isinstance(m, nn.Linear) for m in net) + 3
    torch.testing.assert_close(deep(x), net(x))
    deep[0].weight.data.add_(1.0)  # a deep copy: the original is untouched
    torch.testing.assert_close(net(x), init.deepen_with_identity(net, 1)(x))
    with pytest.raises(ValueError, match="ReLU"):
        init.deepen_with_identity(mu.mlp(6, 5, 2, 3, activation="tanh"), 1)
    with pytest.raises(TypeError, match=r"nn\.Sequential built by mu\.mlp"):
        init.deepen_with_identity(nn.Linear(3, 3), 1)
    with pytest.raises(ValueError, match="extra_layers"):
        init.deepen_with_identity(net, 0)


def test_layer_signal_std_matches_manual():
    torch.manual_seed(0)
    net = mu.mlp(4, 6, 2, 3)
    x = torch.randn(50, 4)
    stds = init.layer_signal_std(net, x)
    h1 = net[0](x)
    h2 = net[2](net[1](h1))
    out = net(x)
    expected = [t.std(dim=0).mean().item() for t in (h1, h2, out)]
    np.testing.assert_allclose(stds, expected, rtol=1e-6)
    with pytest.raises(ValueError, match="N ≥ 2"):
        init.layer_signal_std(net, x[:1])
