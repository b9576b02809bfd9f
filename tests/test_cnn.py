"""mlnote_utils.cnn against torch.nn / torch.nn.functional on many shapes."""

import itertools
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mlnote_utils import cnn


@pytest.mark.parametrize(
    "n,k,s,p", list(itertools.product([5, 7, 8, 28], [1, 2, 3, 5], [1, 2, 3], [0, 1, 2]))
)
def test_conv_output_size_matches_nn_conv2d(n, k, s, p):
    if k > n + 2 * p:
        pytest.skip("kernel larger than the padded input")
    layer = nn.Conv2d(1, 1, k, stride=s, padding=p)
    got = layer(torch.zeros(1, 1, n, n + 3)).shape
    assert got[2] == cnn.conv_output_size(n, k, s, p)
    assert got[3] == cnn.conv_output_size(n + 3, k, s, p)


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        (dict(n=0, kernel_size=3), "n=0"),
        (dict(n=5, kernel_size=0), "kernel_size=0"),
        (dict(n=5, kernel_size=3, stride=0), "stride=0"),
        (dict(n=5, kernel_size=3, padding=-1), "padding=-1"),
        (dict(n=5, kernel_size=3, stride=1.5), "stride=1.5"),
        (dict(n=3, kernel_size=6, padding=1), "kernel_size=6"),
    ],
)
def test_conv_output_size_rejects_bad_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle.replace(".", r"\.")):
        cnn.conv_output_size(**kwargs)


def test_kernel_as_large_as_the_padded_input_is_allowed():
    assert cnn.conv_output_size(3, 5, padding=1) == 1


def _empirical_receptive_field(layers, n=64):
    """Width of the input region whose gradient reaches the centre output unit (ones weights, no ReLU)."""
    modules = []
    for k, s in layers:
        conv = nn.Conv1d(1, 1, k, stride=s, bias=False)
        nn.init.ones_(conv.weight)
        modules.append(conv)
    x = torch.ones(1, 1, n, requires_grad=True)
    y = nn.Sequential(*modules)(x)
    y[0, 0, y.shape[-1] // 2].backward()
    nz = (x.grad[0, 0] != 0).nonzero().flatten()
    return int(nz.max() - nz.min() + 1)


@pytest.mark.parametrize(
    "layers",
    [
        [(3, 1)] * 4,
        [(3, 2)] * 3,
        [(5, 2), (3, 1), (3, 2)],
        [(2, 2), (3, 1), (2, 2), (3, 1)],
        [(1, 1), (7, 3)],
    ],
)
def test_receptive_field_matches_the_gradient_footprint(layers):
    sizes = cnn.receptive_field(layers)
    for depth in range(1, len(layers) + 1):
        assert sizes[depth - 1] == _empirical_receptive_field(layers[:depth])


def test_receptive_field_reads_modules():
    layers = [nn.Conv2d(1, 4, 5, stride=2), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3)]
    assert cnn.receptive_field(layers) == cnn.receptive_field([(5, 2), (2, 2), (3, 1)]) == [5, 7, 15]


def test_receptive_field_rejects_bad_layers():
    with pytest.raises(ValueError, match="at least one"):
        cnn.receptive_field([])
    with pytest.raises(TypeError, match="layers"):
        cnn.receptive_field([nn.ReLU()])
    with pytest.raises(ValueError, match="stride=0"):
        cnn.receptive_field([(3, 0)])


@pytest.mark.parametrize("k,s,p", [(3, 1, 0), (3, 2, 1), (5, 1, 2), (2, 3, 1)])
def test_input_window_is_what_the_output_reads(k, s, p):
    """Perturb one input position: exactly the outputs whose window contains it change."""
    n = 11
    w = torch.randn(1, 1, k, dtype=torch.float64)
    x = torch.randn(1, 1, n, dtype=torch.float64)
    base = F.conv1d(x, w, stride=s, padding=p)[0, 0]
    for j in range(n):
        x2 = x.clone()
        x2[0, 0, j] += 1.0
        changed = (F.conv1d(x2, w, stride=s, padding=p)[0, 0] != base).nonzero().flatten().tolist()
        expected = [i for i in range(base.numel()) if j in cnn.input_window(i, k, s, p)]
        assert changed == expected


@pytest.mark.parametrize("seed", range(6))
def test_conv2d_matches_f_conv2d_on_random_shapes(seed):
    g = torch.Generator().manual_seed(seed)
    n, c, o = (int(v) for v in torch.randint(1, 4, (3,), generator=g))
    kh, kw = (int(v) for v in torch.randint(1, 5, (2,), generator=g))
    h, w = kh + int(torch.randint(0, 6, (1,), generator=g)), kw + int(torch.randint(0, 6, (1,), generator=g))
    stride = (int(torch.randint(1, 3, (1,), generator=g)), int(torch.randint(1, 4, (1,), generator=g)))
    padding = (int(torch.randint(0, 3, (1,), generator=g)), int(torch.randint(0, 2, (1,), generator=g)))
    x = torch.randn(n, c, h, w, generator=g, dtype=torch.float64)
    weight = torch.randn(o, c, kh, kw, generator=g, dtype=torch.float64)
    bias = torch.randn(o, generator=g, dtype=torch.float64)
    torch.testing.assert_close(
        cnn.conv2d(x, weight, bias, stride, padding), F.conv2d(x, weight, bias, stride, padding)
    )
    torch.testing.assert_close(cnn.conv2d(x, weight, stride=stride[0]), F.conv2d(x, weight, stride=stride[0]))


def test_conv2d_is_cross_correlation_not_flipped():
    x = torch.arange(9.0).reshape(1, 1, 3, 3)
    w = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])  # picks the top-left pixel of each window
    assert cnn.conv2d(x, w).flatten().tolist() == [0.0, 1.0, 3.0, 4.0]


def test_conv2d_gradients_match():
    x = torch.randn(2, 3, 6, 5, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 3, 3, 2, dtype=torch.float64, requires_grad=True)
    gx, gw = torch.autograd.grad(cnn.conv2d(x, w, padding=1).square().sum(), (x, w))
    rx, rw = torch.autograd.grad(F.conv2d(x, w, padding=1).square().sum(), (x, w))
    torch.testing.assert_close(gx, rx)
    torch.testing.assert_close(gw, rw)


def test_conv2d_rejects_bad_shapes():
    x, w = torch.randn(1, 3, 5, 5), torch.randn(2, 3, 3, 3)
    with pytest.raises(ValueError, match=r"x: expected a 4-D tensor"):
        cnn.conv2d(x[0], w)
    with pytest.raises(ValueError, match=r"weight: expected a 4-D"):
        cnn.conv2d(x, w[0])
    with pytest.raises(ValueError, match=r"weight: expected 3 input channels"):
        cnn.conv2d(x, torch.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"bias: expected shape \(2,\)"):
        cnn.conv2d(x, w, torch.zeros(3))
    with pytest.raises(ValueError, match="stride"):
        cnn.conv2d(x, w, stride=(1, 2, 3))
    with pytest.raises(ValueError, match="kernel_size"):
        cnn.conv2d(torch.randn(1, 3, 2, 2), w)


@pytest.mark.parametrize("k,s", [(2, None), (3, None), (2, 1), (3, 2), ((2, 3), (1, 2))])
def test_max_pool2d_matches_f_max_pool2d(k, s):
    x = torch.randn(2, 3, 9, 8, dtype=torch.float64)
    torch.testing.assert_close(cnn.max_pool2d(x, k, s), F.max_pool2d(x, k, s))


def test_max_pool2d_takes_the_max_not_the_mean():
    x = torch.tensor([[[[1.0, 5.0], [2.0, -4.0]]]])
    assert cnn.max_pool2d(x, 2).item() == 5.0


@pytest.mark.parametrize("k,s,p", [(3, 1, 0), (3, 1, 1), (4, 2, 1), (5, 3, 2), (1, 1, 0)])
def test_conv1d_as_matrix_is_the_convolution(k, s, p):
    n = 10
    w = torch.randn(k, dtype=torch.float64)
    x = torch.randn(n, dtype=torch.float64)
    m = cnn.conv1d_as_matrix(w, n, stride=s, padding=p)
    torch.testing.assert_close(m @ x, F.conv1d(x[None, None], w[None, None], stride=s, padding=p).flatten())


def test_conv1d_as_matrix_rejects_a_2d_kernel():
    with pytest.raises(ValueError, match="weight: expected a 1-D kernel"):
        cnn.conv1d_as_matrix(torch.ones(2, 2), 5)


def test_parameter_counts_match_torch_layers():
    conv = nn.Conv2d(3, 64, 3)
    assert cnn.conv_parameter_count(3, 64, 3) == sum(p.numel() for p in conv.parameters())
    assert cnn.conv_parameter_count(3, 64, (3, 5), bias=False) == 3 * 64 * 15
    fc = nn.Linear(3 * 10 * 10, 7)
    assert cnn.linear_parameter_count((3, 10, 10), 7) == sum(p.numel() for p in fc.parameters())
    assert cnn.linear_parameter_count(300, 7, bias=False) == 2100
    with pytest.raises(ValueError, match="out_channels=0"):
        cnn.conv_parameter_count(3, 0, 3)
    with pytest.raises(ValueError, match="in_features=0"):
        cnn.linear_parameter_count((3, 0), 7)


X4 = torch.randn(1, 3, 5, 5)
W4 = torch.randn(2, 3, 3, 3)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: cnn.input_window(-1, 3), "index=-1: expected an int ≥ 0"),
        (lambda: cnn.input_window(0, 0), "kernel_size=0: expected an int ≥ 1"),
        (lambda: cnn.input_window(0, 3, stride=0), "stride=0: expected an int ≥ 1"),
        (lambda: cnn.input_window(0, 3, padding=-1), "padding=-1: expected an int ≥ 0"),
        (lambda: cnn.conv2d(X4, W4, stride=0), "stride=0: expected an int ≥ 1"),
        (lambda: cnn.conv2d(X4, W4, stride=(1, 0)), "stride=0: expected an int ≥ 1"),
        (lambda: cnn.conv2d(X4, W4, stride=(0, 1)), "stride=0: expected an int ≥ 1"),
        (lambda: cnn.conv2d(X4, W4, padding=-1), "padding=-1: expected an int ≥ 0"),
        (lambda: cnn.conv2d(X4, W4, padding=(0, -1)), "padding=-1: expected an int ≥ 0"),
        (lambda: cnn.conv2d(X4, W4, padding=(-1, 0)), "padding=-1: expected an int ≥ 0"),
        (lambda: cnn.conv2d(X4[0], W4), "x: expected a 4-D tensor (N, C, H, W), got (3, 5, 5)"),
        (lambda: cnn.conv2d([1.0], W4), "x: expected a 4-D tensor (N, C, H, W), got list"),
        (lambda: cnn.max_pool2d(X4[0], 2), "x: expected a 4-D tensor (N, C, H, W), got (3, 5, 5)"),
        (lambda: cnn.max_pool2d(X4, 0), "kernel_size=0: expected an int ≥ 1"),
        (lambda: cnn.max_pool2d(X4, 2, 0), "stride=0: expected an int ≥ 1"),
        (
            lambda: cnn.conv_output_size(3, 6, padding=1),
            "kernel_size=6: larger than the padded input n + 2*padding = 5",
        ),
        (
            lambda: cnn.conv_output_size(2, 9, padding=3),
            "kernel_size=9: larger than the padded input n + 2*padding = 8",
        ),
        (lambda: cnn.receptive_field([]), "layers: expected at least one layer"),
        (lambda: cnn.receptive_field([(0, 1)]), "kernel_size=0: expected an int ≥ 1"),
        (lambda: cnn.receptive_field([(3, 0)]), "stride=0: expected an int ≥ 1"),
        (
            lambda: cnn.receptive_field([SimpleNamespace(kernel_size=0, stride=1)]),
            "kernel_size=0: expected an int ≥ 1",
        ),
        (
            lambda: cnn.receptive_field([SimpleNamespace(kernel_size=3, stride=0)]),
            "stride=0: expected an int ≥ 1",
        ),
        (
            lambda: cnn.conv1d_as_matrix(torch.ones(2, 2), 5),
            "weight: expected a 1-D kernel tensor, got torch.Size([2, 2])",
        ),
        (lambda: cnn.conv1d_as_matrix([1.0], 5), "weight: expected a 1-D kernel tensor, got [1.0]"),
        (lambda: cnn.conv_parameter_count(0, 3, 3), "in_channels=0: expected an int ≥ 1"),
        (lambda: cnn.conv_parameter_count(3, 0, 3), "out_channels=0: expected an int ≥ 1"),
        (lambda: cnn.conv_parameter_count(3, 3, 0), "kernel_size=0: expected an int ≥ 1"),
        (lambda: cnn.conv_parameter_count(3, 3, (3, 0)), "kernel_size=0: expected an int ≥ 1"),
        (lambda: cnn.conv_parameter_count(3, 3, (0, 3)), "kernel_size=0: expected an int ≥ 1"),
        (lambda: cnn.linear_parameter_count(0, 3), "in_features=0: expected an int ≥ 1"),
        (lambda: cnn.linear_parameter_count((0, 3), 3), "in_features=0: expected an int ≥ 1"),
        (lambda: cnn.linear_parameter_count(3, 0), "out_features=0: expected an int ≥ 1"),
    ],
)
def test_errors_name_the_argument_and_what_was_expected(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value).startswith(message)  # the argument's name comes first


def test_receptive_field_of_a_non_tensor_module_names_layers():
    with pytest.raises(TypeError, match=r"^layers: expected \(kernel_size, stride\) pairs"):
        cnn.receptive_field([nn.ReLU()])


def test_the_smallest_legal_values_are_accepted():
    assert cnn.input_window(0, 1) == range(0, 1)
    assert cnn.conv_output_size(1, 1) == 1
    assert cnn.receptive_field([nn.Conv2d(1, 1, 1)]) == [1]
    assert cnn.conv_parameter_count(1, 1, 1) == 2
    assert cnn.linear_parameter_count((1, 1), 1) == 2
    assert cnn.linear_parameter_count(1, 1) == 2
    assert cnn.max_pool2d(X4, 1).shape == X4.shape
    assert cnn.conv2d(X4, torch.randn(1, 3, 1, 1), stride=1, padding=0).shape == (1, 1, 5, 5)


def test_defaults_are_stride_one_and_no_padding():
    assert cnn.conv_output_size(5, 3) == 3
    assert cnn.input_window(1, 3) == range(1, 4)
    assert cnn.conv1d_as_matrix(torch.ones(3), 5).shape == (3, 5)
    assert cnn.conv2d(X4, W4).shape == (1, 2, 3, 3)


def test_receptive_field_reads_the_first_axis_of_non_square_modules():
    assert cnn.receptive_field([nn.Conv2d(1, 1, (5, 3), stride=(2, 1)), nn.Conv2d(1, 1, (3, 1))]) == [5, 9]
    assert cnn.receptive_field([SimpleNamespace(kernel_size=4, stride=None)] * 2) == [
        4,
        16,
    ]  # stride None: = kernel
