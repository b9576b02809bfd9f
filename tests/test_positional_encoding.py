import math

import pytest
import torch

from mlnote_utils import attention
from mlnote_utils import positional_encoding as pe_mod


def test_positional_encoding_is_re_exported_by_attention():
    for name in pe_mod.__all__:
        assert getattr(attention, name) is getattr(pe_mod, name)
        assert name in attention.__all__


@pytest.mark.parametrize(("n", "d"), [(1, 2), (11, 6), (3000, 8)])
def test_sinusoidal_pe_matches_the_formula(n, d):
    pe = pe_mod.sinusoidal_positional_encoding(n, d)
    assert pe.dtype == torch.float32 and pe.shape == (n, d)
    positions = sorted({0, min(1, n - 1), n // 2, n - 1})
    for pos in positions:
        for i in range(d):
            angle = pos / 10000 ** ((i - i % 2) / d)
            expected = math.sin(angle) if i % 2 == 0 else math.cos(angle)
            assert abs(pe[pos, i].item() - expected) < 1e-6, (pos, i)  # float64 angles: exact to float32


def test_pe_dot_product_depends_only_on_the_distance():
    pe = pe_mod.sinusoidal_positional_encoding(40, 16).double()
    gram = pe @ pe.T
    for dist in [0, 1, 5, 17]:
        diag = gram.diagonal(dist)
        torch.testing.assert_close(diag, diag[:1].expand_as(diag), atol=1e-5, rtol=0)


@pytest.mark.parametrize("d", [2, 8, 16])
@pytest.mark.parametrize("k", [0, 1, 3, -2, 7])
def test_pe_shift_matrix_moves_every_position(k, d):
    n = 30
    pe = pe_mod.sinusoidal_positional_encoding(n, d)
    m = pe_mod.pe_shift_matrix(k, d)
    assert m.dtype == torch.float32 and m.shape == (d, d)
    lo, hi = max(0, -k), min(n, n - k)
    torch.testing.assert_close(pe[lo:hi] @ m.T, pe[lo + k : hi + k], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(m @ m.T, torch.eye(d), atol=1e-6, rtol=0)  # a rotation


def test_pe_shift_matrix_is_built_in_float64():
    # a shift of 5000 positions: angles computed in float32 would be off by ~1e-4
    k, d = 5000, 4
    freq = [10000.0 ** (-2 * i / d) for i in range(d // 2)]
    m = pe_mod.pe_shift_matrix(k, d)
    for i, w in enumerate(freq):
        assert abs(m[2 * i, 2 * i].item() - math.cos(k * w)) < 1e-6
        assert abs(m[2 * i, 2 * i + 1].item() - math.sin(k * w)) < 1e-6


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: pe_mod.sinusoidal_positional_encoding(0, 4),
            ValueError,
            r"^n_positions=0: expected an int ≥ 1",
        ),
        (lambda: pe_mod.sinusoidal_positional_encoding(True, 4), ValueError, r"^n_positions=True: expected"),
        (lambda: pe_mod.sinusoidal_positional_encoding(4, 0), ValueError, r"^d_model=0: expected an int ≥ 1"),
        (
            lambda: pe_mod.sinusoidal_positional_encoding(4, 2.0),
            ValueError,
            r"^d_model=2\.0: expected an int",
        ),
        (
            lambda: pe_mod.sinusoidal_positional_encoding(4, 5),
            ValueError,
            r"^d_model=5: expected an even number \(sin/cos pairs\)$",
        ),
        (
            lambda: pe_mod.pe_shift_matrix(1.0, 4),
            TypeError,
            r"^k=1\.0: expected an int \(a shift in positions\)$",
        ),
        (lambda: pe_mod.pe_shift_matrix(True, 4), TypeError, r"^k=True: expected an int"),
        (lambda: pe_mod.pe_shift_matrix(1, 3), ValueError, r"^d_model=3: expected a positive even int$"),
        (lambda: pe_mod.pe_shift_matrix(1, 0), ValueError, r"^d_model=0: expected a positive even int$"),
        (
            lambda: pe_mod.pe_shift_matrix(1, True),
            ValueError,
            r"^d_model=True: expected a positive even int$",
        ),
        (lambda: pe_mod.pe_shift_matrix(1, 4.0), ValueError, r"^d_model=4\.0: expected a positive even int$"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
