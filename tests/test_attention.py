import math
import warnings

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


def test_sdpa_on_plain_matrices_with_d_unlike_n_and_m():
    g = torch.Generator().manual_seed(4)
    q, k, v = torch.randn(3, 5, generator=g), torch.randn(7, 5, generator=g), torch.randn(7, 2, generator=g)
    out, w = att.scaled_dot_product_attention(q, k, v)
    ref_w = torch.softmax(q @ k.T / math.sqrt(5), dim=-1)
    torch.testing.assert_close(w, ref_w)
    torch.testing.assert_close(out, ref_w @ v)
    fast, none = att.scaled_dot_product_attention(q, k, v, need_weights=False)
    assert none is None and fast.shape == (3, 2)
    torch.testing.assert_close(fast, ref_w @ v)


def test_sdpa_float64_and_bool_mask_in_both_branches():
    q, k, v = (t.double() for t in _qkv(seed=5, n=4, m=6, d=3, dv=2))
    mask = torch.rand(4, 6, generator=torch.Generator().manual_seed(6)) < 0.5
    mask[:, 2] = True
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    for need in (True, False):
        out, w = att.scaled_dot_product_attention(q, k, v, mask, need_weights=need)
        assert out.dtype == torch.float64
        torch.testing.assert_close(out, ref)
    assert w is None


def test_sdpa_without_weights_broadcasts_a_per_batch_mask():
    q, k, v = _qkv(seed=7, b=2, h=3, n=5, m=5)
    mask = torch.stack([att.causal_mask(5), att.local_mask(5, 1)])[:, None]  # (2, 1, 5, 5): one per batch
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(att.scaled_dot_product_attention(q, k, v, mask, need_weights=False)[0], ref)
    torch.testing.assert_close(att.scaled_dot_product_attention(q, k, v, mask)[0], ref)
    k1, v1 = k[:1], v[:1]  # keys shared by the batch, a float mask per batch and head
    fmask = torch.randn(2, 3, 5, 5, generator=torch.Generator().manual_seed(8))
    torch.testing.assert_close(
        att.scaled_dot_product_attention(q, k1, v1, fmask, need_weights=False)[0],
        F.scaled_dot_product_attention(q, k1, v1, attn_mask=fmask),
    )


def test_sdpa_blocked_branch_with_one_slice_per_block():
    q, k, v = _qkv(seed=9, b=1, h=3, n=300, m=300, d=4, dv=3)  # n * m > 65536: one slice per block
    mask = att.local_mask(300, 20)
    torch.testing.assert_close(
        att.scaled_dot_product_attention(q, k, v, mask, need_weights=False)[0],
        F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
    )


def test_sdpa_mask_row_check():
    q, k, v = _qkv(n=3, m=3)
    ok = torch.tensor(
        [[True, False, False], [True, False, False], [True, True, False]]
    )  # an empty column is fine
    att.scaled_dot_product_attention(q, k, v, ok)
    bad = torch.tensor(
        [[True, True, True], [False, False, False], [True, True, True]]
    )  # query 1 sees nothing
    for need in (True, False):
        with pytest.raises(
            ValueError,
            match=r"^mask: some query may attend to no key \(a row of the boolean mask is all False\)$",
        ):
            att.scaled_dot_product_attention(q, k, v, bad, need_weights=need)
    float_mask = torch.zeros(3, 3)
    float_mask[1] = float("-inf")  # a float mask is the caller's business
    assert torch.isnan(att.scaled_dot_product_attention(q, k, v, float_mask)[1][:, :, 1]).all()


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("q1d",), ValueError, r"^q: expected at least 2 dimensions \(\.\.\., N, d\), got shape \(4,\)$"),
        (("k1d",), ValueError, r"^k: expected at least 2 dimensions"),
        (("v1d",), ValueError, r"^v: expected at least 2 dimensions"),
        (("qlist",), TypeError, r"^q: expected a torch\.Tensor, got list$"),
        (("klist",), TypeError, r"^k: expected a torch\.Tensor, got list$"),
        (("vlist",), TypeError, r"^v: expected a torch\.Tensor, got list$"),
        (("d",), ValueError, r"^q, k: expected the same last dimension d, got q \(3, 4\) and k \(5, 3\)$"),
        (
            ("m",),
            ValueError,
            r"^k, v: expected the same number of keys and values, got k \(5, 4\) and v \(4, 2\)$",
        ),
        (("mask_list",), TypeError, r"^mask: expected a torch\.Tensor \(bool or float\), got list$"),
        (("mask_1d",), ValueError, r"^mask: expected shape \(\.\.\., 3, 5\) \(queries, keys\), got \(5,\)$"),
        (("mask_t",), ValueError, r"^mask: expected shape \(\.\.\., 3, 5\) \(queries, keys\), got \(5, 3\)$"),
        (
            ("mask_rows",),
            ValueError,
            r"^mask: expected shape \(\.\.\., 3, 5\) \(queries, keys\), got \(4, 5\)$",
        ),
    ],
)
def test_sdpa_bad_arguments_exact_messages(args, error, message):
    g = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(3, 4, generator=g), torch.randn(5, 4, generator=g), torch.randn(5, 2, generator=g)
    mask = None
    case = args[0]
    if case == "q1d":
        q = torch.randn(4)
    elif case == "k1d":
        k = torch.randn(4)
    elif case == "v1d":
        v = torch.randn(4)
    elif case in ("qlist", "klist", "vlist"):
        q, k, v = ([[1.0]] if case[0] == n else t for t, n in ((q, "q"), (k, "k"), (v, "v")))
    elif case == "d":
        k = torch.randn(5, 3)
    elif case == "m":
        v = torch.randn(4, 2)
    elif case == "mask_list":
        mask = [[True] * 5] * 3
    elif case == "mask_1d":
        mask = torch.ones(5, dtype=torch.bool)
    elif case == "mask_t":
        mask = torch.ones(5, 3, dtype=torch.bool)
    elif case == "mask_rows":
        mask = torch.ones(4, 5, dtype=torch.bool)
    with pytest.raises(error, match=message):
        att.scaled_dot_product_attention(q, k, v, mask)


def test_self_attention_exact_messages_and_plain_matrix_input():
    g = torch.Generator().manual_seed(3)
    x, wq, wk, wv = (torch.randn(*s, generator=g) for s in [(5, 8), (8, 3), (8, 3), (8, 2)])
    mask = att.causal_mask(5)
    out, w = att.self_attention(x, wq, wk, wv, mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(x @ wq, x @ wk, x @ wv, attn_mask=mask))
    assert w.shape == (5, 5) and (w[~mask] == 0).all()
    with pytest.raises(ValueError, match=r"^x: expected at least 2 dimensions"):
        att.self_attention(torch.randn(8), wq, wk, wv)
    with pytest.raises(ValueError, match=r"^w_q: expected a matrix of shape \(8, d\), got \(7, 3\)$"):
        att.self_attention(x, torch.randn(7, 3), wk, wv)
    with pytest.raises(ValueError, match=r"^w_v: expected a matrix of shape \(8, d\), got \(8, 2, 1\)$"):
        att.self_attention(x, wq, wk, wv[..., None])
    with pytest.raises(ValueError, match=r"^w_k: expected a matrix of shape \(8, d\), got list$"):
        att.self_attention(x, wq, [[1.0]], wv)
    with pytest.raises(ValueError, match=r"^w_v: expected a matrix of shape \(8, d\), got \(8,\)$"):
        att.self_attention(x, wq, wk, torch.randn(8))


def test_multihead_one_head_and_one_feature_match_torch():
    torch.manual_seed(1)
    for d_model, n_heads in [(1, 1), (6, 1), (6, 6)]:
        mha = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        mine = att.MultiHeadSelfAttention(d_model, n_heads).copy_from(mha)
        assert (mine.d_model, mine.n_heads, mine.d_head) == (d_model, n_heads, d_model // n_heads)
        x = torch.randn(3, 4, d_model)
        ref, ref_w = mha(x, x, x, average_attn_weights=False)
        out, w = mine(x)
        torch.testing.assert_close(out, ref)
        torch.testing.assert_close(w, ref_w)


def test_multihead_per_sequence_mask_matches_torch():
    torch.manual_seed(2)
    b, n, h = 2, 5, 3
    mha = nn.MultiheadAttention(6, h, batch_first=True)
    mine = att.MultiHeadSelfAttention(6, h).copy_from(mha)
    x = torch.randn(b, n, 6)
    allowed = torch.stack([att.causal_mask(n), att.local_mask(n, 1)])  # (B, N, N): one mask per sequence
    ref, ref_w = mha(x, x, x, attn_mask=(~allowed).repeat_interleave(h, 0), average_attn_weights=False)
    out, w = mine(x, allowed)
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(w, ref_w)
    four_d = allowed[:, None].expand(b, h, n, n)  # (B, H, N, N) is used as given
    torch.testing.assert_close(mine(x, four_d)[0], ref)


def test_multihead_split_heads_shape():
    m = att.MultiHeadSelfAttention(12, 3)
    t = torch.arange(2 * 5 * 12.0).view(2, 5, 12)
    s = m.split_heads(t)
    assert s.shape == (2, 3, 5, 4)
    torch.testing.assert_close(s[1, 2, 4], t[1, 4, 8:12])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1), r"^d_model=0, n_heads=1: expected positive ints$"),
        ((4, 0), r"^d_model=4, n_heads=0: expected positive ints$"),
        ((4.0, 1), r"^d_model=4\.0, n_heads=1: expected positive ints$"),
        ((4, 2.0), r"^d_model=4, n_heads=2\.0: expected positive ints$"),
        ((10, 3), r"^n_heads=3: expected a divisor of d_model=10$"),
    ],
)
def test_multihead_bad_sizes_exact_messages(args, message):
    with pytest.raises(ValueError, match=message):
        att.MultiHeadSelfAttention(*args)


def test_multihead_forward_and_copy_from_exact_messages():
    m = att.MultiHeadSelfAttention(8, 2)
    for x, got in [(torch.randn(3, 8), r"\(3, 8\)"), (torch.randn(1, 3, 6), r"\(1, 3, 6\)"), ([1.0], "list")]:
        with pytest.raises(ValueError, match=rf"^x: expected shape \(B, N, 8\), got {got}$"):
            m(x)
    with pytest.raises(TypeError, match=r"^mha: expected nn\.MultiheadAttention, got Linear$"):
        m.copy_from(nn.Linear(8, 8))
    message = r"^mha: expected embed_dim=8, num_heads=2 and one packed in_proj_weight$"
    for other in [
        nn.MultiheadAttention(4, 2),
        nn.MultiheadAttention(8, 4),
        nn.MultiheadAttention(8, 2, kdim=4, vdim=4),
    ]:
        with pytest.raises(ValueError, match=message):
            m.copy_from(other)


def test_plot_attention_map_contract():
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    w = torch.softmax(torch.randn(3, 12, generator=torch.Generator().manual_seed(0)), -1)
    fig, ax = plt.subplots()
    att.plot_attention_map(w, ax=ax, key_labels=list("abcdefghijkl"), highlight_query=2)
    (im,) = ax.get_images()
    assert im.get_cmap().name == "viridis" and im.get_clim() == (0.0, 1.0)
    assert ax.get_aspect() == "auto"
    assert fig.axes[1].get_ylabel() == "attention weight α′"
    assert ax.get_xlabel() == "key (attended-to token)" and ax.get_ylabel() == "query token"
    assert ax.get_title() == "attention weights"
    assert all(t.get_rotation() == 90 for t in ax.get_xticklabels())  # more than 8 key labels
    assert all(float(t).is_integer() for t in ax.get_yticks())  # positions, not fractions
    (rect,) = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert rect.get_xy() == (-0.5, 1.5) and rect.get_width() == 12 and rect.get_height() == 1
    assert not rect.get_fill() and rect.get_edgecolor()[:3] == (1.0, 0.0, 0.0) and rect.get_linewidth() == 2
    plt.close(fig)

    fig, ax = plt.subplots()
    wn = w.numpy()[:, :4] * 0.5
    att.plot_attention_map(
        wn, ax=ax, query_labels="xyz", key_labels="abcd", vmax=None, title="t", colorbar_label="c"
    )
    (im,) = ax.get_images()
    assert im.get_clim() == (0.0, float(wn.max()))
    assert ax.get_title() == "t" and fig.axes[1].get_ylabel() == "c"
    assert [t.get_text() for t in ax.get_yticklabels()] == list("xyz")
    assert all(t.get_rotation() == 0 for t in ax.get_xticklabels())  # 4 labels stay horizontal
    assert not ax.patches
    assert all(float(t).is_integer() for t in ax.get_xticks())
    plt.close(fig)

    ax = att.plot_attention_map(w[:, :5])
    assert ax.get_images() and len(ax.figure.axes) == 2
    plt.close(ax.figure)
    with pytest.raises(ValueError, match=r"^labels: expected 3 labels, got 2$"):
        att.plot_attention_map(w, query_labels="ab")
    with pytest.raises(
        ValueError, match=r"^weights: expected a 2-D \(queries, keys\) matrix, got shape \(12,\)$"
    ):
        att.plot_attention_map(w[0])
    plt.close("all")


def test_sdpa_without_weights_allocates_its_output_on_the_inputs_device():
    q, k, v = (torch.empty(2, 3, 5, 4, device="meta") for _ in range(3))  # no data: only devices and shapes
    out, none = att.scaled_dot_product_attention(q, k, v, need_weights=False)
    assert out.device.type == "meta" and out.shape == (2, 3, 5, 4) and none is None


@pytest.mark.parametrize(("n_keys", "rotation"), [(8, 0), (9, 90)])
def test_plot_attention_map_rotates_more_than_eight_key_labels(n_keys, rotation):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    w = torch.full((2, n_keys), 1.0 / n_keys)
    att.plot_attention_map(w, ax=ax, query_labels=["a", "b"], key_labels=[f"t{i}" for i in range(n_keys)])
    assert [t.get_rotation() for t in ax.get_xticklabels()] == [rotation] * n_keys
    assert [t.get_rotation() for t in ax.get_yticklabels()] == [0, 0]  # only the key labels turn
    plt.close(fig)


def test_plot_attention_map_colour_bar_belongs_to_its_own_image():
    import matplotlib.pyplot as plt

    fig, (ax, other) = plt.subplots(1, 2)
    other.imshow([[0.0, 5.0]])  # another image on the current axes
    plt.sca(other)
    att.plot_attention_map(torch.eye(3), ax=ax)
    (im,) = ax.get_images()
    assert im.colorbar is not None and other.get_images()[0].colorbar is None
    assert im.colorbar.ax.get_ylabel() == "attention weight α′"
    plt.close(fig)


def _shape_mutants_guard(q, k, v, mask=None):
    """Both branches against F.scaled_dot_product_attention, with uninitialised memory filled with NaN."""
    lead = torch.broadcast_shapes(*(t.shape[:-2] for t in (q, k, v, mask) if t is not None))
    q_, k_, v_ = (t.expand(*lead, *t.shape[-2:]) for t in (q, k, v))  # F.…: no mask with more dims than q
    ref = F.scaled_dot_product_attention(q_, k_, v_, attn_mask=mask)
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)  # torch.empty then fills its memory with NaN
    try:
        for need in (True, False):
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # e.g. torch resizing a wrongly sliced out= tensor
                out, _ = att.scaled_dot_product_attention(q, k, v, mask, need_weights=need)
            assert out.shape == ref.shape
            torch.testing.assert_close(out, ref)
    finally:
        torch.use_deterministic_algorithms(deterministic)


def test_sdpa_broadcasts_keys_values_and_masks_with_more_leading_dimensions():
    g = torch.Generator().manual_seed(11)
    q = torch.randn(5, 4, generator=g)
    _shape_mutants_guard(q, torch.randn(2, 7, 4, generator=g), torch.randn(7, 3, generator=g))  # keys lead
    _shape_mutants_guard(q, torch.randn(7, 4, generator=g), torch.randn(3, 7, 3, generator=g))  # values lead
    k, v = torch.randn(7, 4, generator=g), torch.randn(7, 3, generator=g)
    _shape_mutants_guard(q, k, v, torch.randn(2, 3, 5, 7, generator=g))  # the mask leads


def test_sdpa_fills_every_slice_of_its_output():
    q, k, v = _qkv(seed=12, b=3, h=4, n=6, m=5, d=4, dv=3)  # 12 slices in one block
    _shape_mutants_guard(q, k, v, att.local_mask(6, 1)[:, :5])
    q, k, v = _qkv(seed=14, b=2, h=4, n=100, m=100, d=4, dv=3)  # blocks of 6 slices: 6 + 2
    _shape_mutants_guard(q, k, v)


def test_sdpa_keeps_a_low_precision_dtype_with_a_bool_mask():
    q, k, v = (t.to(torch.bfloat16) for t in _qkv(seed=13, n=4, m=4))
    mask = att.causal_mask(4)
    ref = F.scaled_dot_product_attention(q.float(), k.float(), v.float(), attn_mask=mask)
    for need in (True, False):
        out, w = att.scaled_dot_product_attention(q, k, v, mask, need_weights=need)
        assert out.dtype == torch.bfloat16
        torch.testing.assert_close(out.float(), ref, atol=0.05, rtol=0.05)  # bfloat16 keeps 8 bits
    assert w is None


def test_self_attention_message_names_the_feature_size_of_a_batch():
    x = torch.randn(4, 5, 8)
    with pytest.raises(ValueError, match=r"^w_q: expected a matrix of shape \(8, d\), got \(5, 3\)$"):
        att.self_attention(x, torch.randn(5, 3), torch.randn(8, 3), torch.randn(8, 2))


def test_multihead_without_bias_has_no_bias_anywhere():
    m = att.MultiHeadSelfAttention(8, 2, bias=False)
    assert all(lin.bias is None for lin in (m.w_q, m.w_k, m.w_v, m.w_o))
    assert sum(p.numel() for p in m.parameters()) == 4 * 8 * 8


def test_plot_attention_map_uses_viridis_and_integer_positions_whatever_the_defaults():
    import matplotlib.pyplot as plt

    with plt.rc_context({"image.cmap": "gray"}):
        fig, ax = plt.subplots()
        att.plot_attention_map(torch.full((3, 2), 0.5), ax=ax)
    assert ax.get_images()[0].get_cmap().name == "viridis"
    assert all(float(t).is_integer() for t in ax.get_xticks())  # 2 keys: no tick at 0.5
    assert all(float(t).is_integer() for t in ax.get_yticks())
    plt.close(fig)


def test_plot_attention_map_rejects_a_nested_list_by_name():
    with pytest.raises(
        ValueError, match=r"^weights: expected a 2-D \(queries, keys\) matrix, got shape None$"
    ):
        att.plot_attention_map([[0.5, 0.5]])
