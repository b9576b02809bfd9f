import pytest
import torch
import torch.nn.functional as F

from mlnote_utils import attention
from mlnote_utils import attention_masks as am


def test_masks_are_re_exported_by_attention():
    for name in am.__all__:
        assert getattr(attention, name) is getattr(am, name)
        assert name in attention.__all__


@pytest.mark.parametrize("n", [1, 2, 5])
def test_causal_mask_is_the_lower_triangle(n):
    mask = am.causal_mask(n)
    assert mask.dtype == torch.bool and mask.shape == (n, n)
    assert mask.tolist() == [[j <= i for j in range(n)] for i in range(n)]


def test_causal_mask_gives_torch_is_causal():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 6, 4, generator=g) for _ in range(3))
    torch.testing.assert_close(
        F.scaled_dot_product_attention(q, k, v, attn_mask=am.causal_mask(6)),
        F.scaled_dot_product_attention(q, k, v, is_causal=True),
    )


@pytest.mark.parametrize("n", [1, 2, 6])
@pytest.mark.parametrize("window", [0, 1, 2, 5, 7])
def test_local_mask_matches_a_brute_force_band(n, window):
    mask = am.local_mask(n, window)
    assert mask.dtype == torch.bool and mask.shape == (n, n)
    assert mask.tolist() == [[abs(i - j) <= window for j in range(n)] for i in range(n)]


def test_adjacency_mask_counts_every_nonzero_entry_as_an_edge():
    adj = torch.tensor([[0.0, 2.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.5, 0.0]])
    expected = [[True, True, False], [True, True, False], [False, True, True]]
    mask = am.adjacency_mask(adj)
    assert mask.dtype == torch.bool and mask.tolist() == expected
    assert am.adjacency_mask(adj, self_loops=True).tolist() == expected
    no_loops = am.adjacency_mask(adj, self_loops=False)
    assert no_loops.tolist() == [[False, True, False], [True, False, False], [False, True, False]]
    assert am.adjacency_mask(adj != 0, self_loops=False).tolist() == no_loops.tolist()  # boolean input
    assert am.adjacency_mask(torch.zeros(1, 1)).tolist() == [[True]]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: am.causal_mask(0), ValueError, r"^n=0: expected an int ≥ 1"),
        (lambda: am.causal_mask(True), ValueError, r"^n=True: expected an int ≥ 1"),
        (lambda: am.causal_mask(2.0), ValueError, r"^n=2\.0: expected an int ≥ 1"),
        (lambda: am.local_mask(0, 1), ValueError, r"^n=0: expected an int ≥ 1"),
        (lambda: am.local_mask(4, -1), ValueError, r"^window=-1: expected an int ≥ 0 \(how many neighbours"),
        (lambda: am.local_mask(4, True), ValueError, r"^window=True: expected an int ≥ 0"),
        (lambda: am.local_mask(4, 1.0), ValueError, r"^window=1\.0: expected an int ≥ 0"),
        (
            lambda: am.adjacency_mask(torch.ones(2, 3)),
            ValueError,
            r"^adjacency: expected a square \(n, n\) tensor, got \(2, 3\)$",
        ),
        (
            lambda: am.adjacency_mask(torch.ones(3)),
            ValueError,
            r"^adjacency: expected a square \(n, n\) tensor, got \(3,\)$",
        ),
        (
            lambda: am.adjacency_mask([[0, 1], [1, 0]]),
            ValueError,
            r"^adjacency: expected a square \(n, n\) tensor, got list$",
        ),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_adjacency_mask_stays_on_the_adjacency_device():
    mask = am.adjacency_mask(torch.empty(3, 3, device="meta"))  # no data: only the device and shape
    assert mask.device.type == "meta" and mask.shape == (3, 3) and mask.dtype == torch.bool
