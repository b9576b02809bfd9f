import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mlnote_utils import attention as att


def _qkv(seed=0, b=2, h=3, n=5, m=7, d=4, dv=6):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(b, h, n, d, generator=g),
        torch.randn(b, h, m, d, generator=g),
        torch.randn(b, h, m, dv, generator=g),
    )


def test_sdpa_matches_torch_without_mask():
    q, k, v = _qkv()
    out, w = att.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v))
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, 5))


def test_sdpa_without_weights_matches_torch_on_large_and_broadcast_inputs():
    q, k, v = _qkv(b=3, h=4, n=300, m=260, d=16, dv=8)  # several slices per block and one per block
    torch.testing.assert_close(
        att.scaled_dot_product_attention(q, k, v, need_weights=False)[0],
        F.scaled_dot_product_attention(q, k, v),
    )
    q, k, v = _qkv(b=2, h=3, n=9, m=5, d=4, dv=2)
    k1, v1 = k[:1, :1], v[:1, :1]  # one key/value set shared by every batch and head
    torch.testing.assert_close(
        att.scaled_dot_product_attention(q, k1, v1, need_weights=False)[0],
        F.scaled_dot_product_attention(q, k1, v1),
    )


@pytest.mark.parametrize(
    "make_mask",
    [
        pytest.param(
            lambda n, m: torch.rand(n, m, generator=torch.Generator().manual_seed(1)) < 0.6, id="bool"
        ),
        pytest.param(lambda n, m: torch.randn(n, m, generator=torch.Generator().manual_seed(2)), id="float"),
        pytest.param(lambda n, m: att.causal_mask(n), id="causal"),
        pytest.param(lambda n, m: att.local_mask(n, 1), id="local"),
    ],
)
def test_sdpa_matches_torch_with_masks(make_mask):
    q, k, v = _qkv(n=6, m=6)
    mask = make_mask(6, 6)
    if mask.dtype == torch.bool:
        mask[:, 0] = True  # no empty row
    out, w = att.scaled_dot_product_attention(q, k, v, mask)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, ref)
    fast, none = att.scaled_dot_product_attention(q, k, v, mask, need_weights=False)
    assert none is None
    torch.testing.assert_close(fast, ref)
    if mask.dtype == torch.bool:
        assert (w[..., ~mask] == 0).all()


def test_self_attention_is_sdpa_of_projections():
    g = torch.Generator().manual_seed(3)
    x, wq, wk, wv = (torch.randn(*s, generator=g) for s in [(4, 5, 8), (8, 3), (8, 3), (8, 2)])
    out, w = att.self_attention(x, wq, wk, wv)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(x @ wq, x @ wk, x @ wv))
    assert w.shape == (4, 5, 5)
    with pytest.raises(ValueError, match="w_k"):
        att.self_attention(x, wq, torch.randn(7, 3), wv)


@pytest.mark.parametrize("bias", [True, False])
def test_multihead_matches_nn_multiheadattention(bias):
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(12, 3, bias=bias, batch_first=True)
    mine = att.MultiHeadSelfAttention(12, 3, bias=bias).copy_from(mha)
    x = torch.randn(2, 7, 12)
    ref, ref_w = mha(x, x, x, need_weights=True, average_attn_weights=False)
    out, w = mine(x)
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(w, ref_w)
    allowed = att.local_mask(7, 2)
    ref, _ = mha(x, x, x, attn_mask=~allowed)  # nn.MultiheadAttention: True = *not* allowed
    torch.testing.assert_close(mine(x, allowed)[0], ref)


def test_multihead_parameters_are_only_the_four_projections():
    m = att.MultiHeadSelfAttention(8, 2)
    assert {n.split(".")[0] for n, _ in m.named_parameters()} == {"w_q", "w_k", "w_v", "w_o"}
    assert sum(p.numel() for p in m.parameters()) == 4 * (8 * 8 + 8)


def test_multihead_bad_input():
    with pytest.raises(ValueError, match="n_heads"):
        att.MultiHeadSelfAttention(10, 3)
    with pytest.raises(ValueError, match="x: expected shape"):
        att.MultiHeadSelfAttention(8, 2)(torch.randn(3, 8))
    with pytest.raises(TypeError, match="mha"):
        att.MultiHeadSelfAttention(8, 2).copy_from(nn.Linear(8, 8))


def test_sdpa_bad_shapes_name_the_argument():
    q, k, v = _qkv()
    with pytest.raises(ValueError, match="q, k"):
        att.scaled_dot_product_attention(q, k[..., :3], v)
    with pytest.raises(ValueError, match="k, v"):
        att.scaled_dot_product_attention(q, k, v[..., :2, :])
    with pytest.raises(ValueError, match="mask"):
        att.scaled_dot_product_attention(q, k, v, torch.ones(5, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="mask"):
        att.scaled_dot_product_attention(q, k, v, torch.zeros(5, 7, dtype=torch.bool))
    with pytest.raises(TypeError, match="q"):
        att.scaled_dot_product_attention([1.0], k, v)


def test_plot_attention_map_draws_labels_and_colorbar():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    w = torch.softmax(torch.randn(3, 4), -1)
    out = att.plot_attention_map(w, ax=ax, query_labels="abc", key_labels="wxyz", highlight_query=1)
    assert out is ax and len(fig.axes) == 2  # the heatmap and its colour bar
    assert [t.get_text() for t in ax.get_xticklabels()] == list("wxyz")
    with pytest.raises(ValueError, match="labels"):
        att.plot_attention_map(w, ax=ax, key_labels="ab")
    plt.close(fig)
