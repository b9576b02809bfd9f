"""mu.mlp, the one MLP builder (it replaces make_mlp, plain_mlp and make_config_mlp): layers, shapes, seeding."""

import pytest
import torch
from torch import nn

import mlnote_utils as mu


def _kinds(net):
    return [type(m) for m in net]


def test_default_relu_structure_matches_the_docstring():
    net = mu.mlp(7, 32, 2)
    assert _kinds(net) == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]
    assert [(m.in_features, m.out_features) for m in net if isinstance(m, nn.Linear)] == [
        (7, 32),
        (32, 32),
        (32, 1),
    ]
    assert str(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=7, out_features=32, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=32, out_features=32, bias=True)\n"
        "  (3): ReLU()\n"
        "  (4): Linear(in_features=32, out_features=1, bias=True)\n"
        ")"
    )


def test_regression_mlp_shapes_and_activation():  # what make_mlp's test checked
    net = mu.mlp(7, 16, 3)
    assert sum(isinstance(m, nn.Linear) for m in net) == 4
    assert net(torch.zeros(2, 7)).shape == (2, 1)
    assert isinstance(mu.mlp(2, 3, 1, activation="sigmoid")[1], nn.Sigmoid)
    linear = mu.mlp(1, 8, 0)  # depth 0 is a linear model; width is unused
    assert _kinds(linear) == [nn.Linear] and (linear[0].in_features, linear[0].out_features) == (1, 1)


def test_classifier_mlp_shapes_and_layers():  # what plain_mlp's test checked
    net = mu.mlp(40, 8, 3, 10, activation="tanh")
    assert sum(isinstance(m, nn.Linear) for m in net) == 4
    assert sum(isinstance(m, nn.Tanh) for m in net) == 3
    assert net(torch.zeros(5, 40)).shape == (5, 10)
    hidden = mu.mlp(40, 8, 3, 10)[4]
    assert isinstance(hidden, nn.Linear) and (hidden.in_features, hidden.out_features) == (8, 8)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_batch_norm_goes_between_linear_and_activation(activation):  # what make_config_mlp built
    act = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}[activation]
    net = mu.mlp(5, 6, 2, 3, activation=activation, batch_norm=True)
    assert _kinds(net) == [nn.Linear, nn.BatchNorm1d, act, nn.Linear, nn.BatchNorm1d, act, nn.Linear]
    assert [m.num_features for m in net if isinstance(m, nn.BatchNorm1d)] == [6, 6]
    assert net(torch.randn(4, 5)).shape == (4, 3)
    plain = mu.mlp(5, 6, 2, 3, activation=activation)
    assert _kinds(plain) == [nn.Linear, act, nn.Linear, act, nn.Linear]


def test_same_seed_same_weights_with_or_without_batch_norm():
    torch.manual_seed(3)
    a = mu.mlp(4, 6, 2, 3)
    torch.manual_seed(3)
    b = mu.mlp(4, 6, 2, 3)
    torch.manual_seed(3)
    bn = mu.mlp(4, 6, 2, 3, batch_norm=True)  # BN layers draw no random numbers
    for m in (b, bn):
        lin_a = [p for layer in a if isinstance(layer, nn.Linear) for p in layer.parameters()]
        lin_m = [p for layer in m if isinstance(layer, nn.Linear) for p in layer.parameters()]
        for p, q in zip(lin_a, lin_m, strict=True):
            assert torch.equal(p, q)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        pytest.param((2, 3, 1), {"activation": "gelu"}, "activation", id="activation=gelu"),
        pytest.param((40, 8, 2, 10), {"activation": "softmax"}, "activation", id="activation=softmax"),
        pytest.param((40, 8, -1, 10), {}, "depth", id="depth=-1"),
        pytest.param((40, 8, 1.5, 10), {}, "depth", id="depth=1.5"),
        pytest.param((40, 8, True, 10), {}, "depth", id="depth=True"),
        pytest.param((0, 8, 1), {}, "n_in", id="n_in=0"),
        pytest.param((4, 0, 1), {}, "width", id="width=0"),
        pytest.param((4, 8, 1, 0), {}, "n_out", id="n_out=0"),
    ],
)
def test_bad_arguments_raise(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mu.mlp(*args, **kwargs)
