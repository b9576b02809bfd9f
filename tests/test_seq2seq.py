"""mlnote_utils.seq2seq against torch built-ins: layer norm, the causal mask, encoder/decoder blocks, NAT, copy."""

import pytest
import torch
from torch import nn

from mlnote_utils import seq2seq as s2s


def test_layer_norm_matches_nn_layernorm():
    g = torch.Generator().manual_seed(0)
    x = 3 * torch.randn(4, 5, 8, generator=g, dtype=torch.float64) + 1
    ln = nn.LayerNorm(8, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(torch.randn(8, generator=g)), ln.bias.copy_(torch.randn(8, generator=g))
    torch.testing.assert_close(s2s.layer_norm(x, ln.weight, ln.bias), ln(x))
    torch.testing.assert_close(s2s.layer_norm(x), nn.functional.layer_norm(x, (8,)))


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_causal_mask_matches_torch(n):
    reference = nn.Transformer.generate_square_subsequent_mask(n)  # float, -inf above the diagonal
    assert torch.equal(s2s.causal_mask(n), torch.isinf(reference))


@pytest.mark.parametrize("bad", [0, -1, 2.0, True])
def test_causal_mask_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="size"):
        s2s.causal_mask(bad)


def _renamed(state, names):
    out = {}
    for key, value in state.items():
        for ours, theirs in names.items():
            key = key.replace(ours, theirs)
        out[key] = value
    return out


def test_encoder_block_matches_transformer_encoder_layer():
    torch.manual_seed(0)
    ours = s2s.EncoderBlock(16, 4, 32).double().eval()
    ref = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True, dtype=torch.float64).eval()
    ref.load_state_dict(
        _renamed(ours.state_dict(), {"attn.": "self_attn.", "ffn.0.": "linear1.", "ffn.2.": "linear2."})
    )
    x = torch.randn(3, 6, 16, dtype=torch.float64)
    pad = torch.zeros(3, 6, dtype=torch.bool)
    pad[0, 4:] = True
    with torch.no_grad():
        torch.testing.assert_close(ours(x, pad)[1:], ref(x, src_key_padding_mask=pad)[1:])
        torch.testing.assert_close(ours(x), ref(x))


def test_decoder_block_matches_transformer_decoder_layer():
    torch.manual_seed(1)
    ours = s2s.DecoderBlock(16, 4, 32).double().eval()
    names = {"cross_attn.": "multihead_attn.", "ffn.0.": "linear1.", "ffn.2.": "linear2."}
    ref = nn.TransformerDecoderLayer(16, 4, 32, dropout=0.0, batch_first=True, dtype=torch.float64).eval()
    ref.load_state_dict(_renamed(ours.state_dict(), names))
    y, memory = torch.randn(2, 5, 16, dtype=torch.float64), torch.randn(2, 7, 16, dtype=torch.float64)
    with torch.no_grad():
        out, weights = ours(y, memory)
        torch.testing.assert_close(out, ref(y, memory, tgt_mask=s2s.causal_mask(5)))
    assert weights.shape == (2, 5, 7)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 5, dtype=torch.float64))


def _model(seed=0):
    torch.manual_seed(seed)
    return s2s.Seq2SeqTransformer(8, 9, d_model=16, n_heads=2, d_ff=32, n_layers=2).eval()


def test_decoder_output_does_not_depend_on_later_inputs():
    model = _model()
    src = torch.tensor([[3, 4, 5, 6]])
    tgt = torch.tensor([[1, 3, 4, 5, 6, 7]])
    memory, pad = model.encode(src)
    with torch.no_grad():
        base = model.decode(tgt, memory, pad)
        for i in range(tgt.shape[1] - 1):
            changed = tgt.clone()
            changed[0, i + 1 :] = 8
            out = model.decode(changed, memory, pad)
            torch.testing.assert_close(out[:, : i + 1], base[:, : i + 1])
            assert (out[:, i + 1 :] - base[:, i + 1 :]).abs().max() > 1e-4
            unmasked = model.decode(changed, memory, pad, causal=False)
            assert (
                unmasked[:, : i + 1] - model.decode(tgt, memory, pad, causal=False)[:, : i + 1]
            ).abs().max() > 1e-4


def test_source_padding_is_ignored():
    model = _model()
    tgt = torch.tensor([[1, 3, 4]])
    with torch.no_grad():
        short = model(torch.tensor([[3, 4]]), tgt)
        padded = model(torch.tensor([[3, 4, s2s.PAD, s2s.PAD]]), tgt)
    torch.testing.assert_close(short, padded)


def test_vocab_and_pairs_reject_bad_input():
    with pytest.raises(ValueError, match="tokens"):
        s2s.Vocab("ab").encode(["c"])
    with pytest.raises(ValueError, match="pairs"):
        s2s.encode_pairs([], s2s.Vocab("a"), s2s.Vocab("b"))


def _nat(seed=0):
    torch.manual_seed(seed)
    return s2s.NonAutoregressiveTransformer(8, 9, max_out=6, d_model=16, n_heads=2, d_ff=32).eval()


def test_nat_shapes_and_generate_pads_after_the_length():
    nat = _nat()
    src = torch.tensor([[3, 4, 5], [6, 7, s2s.PAD]])
    tgt_in = s2s.NonAutoregressiveTransformer.queries(torch.tensor([2, 4]), 5)
    assert tgt_in.tolist() == [[1, 1, 0, 0, 0], [1, 1, 1, 1, 0]]
    with torch.no_grad():
        logits, length_logits = nat(src, tgt_in)
    assert logits.shape == (2, 5, 9) and length_logits.shape == (2, 7)
    lengths, tokens = nat.generate(src)
    assert (lengths >= 1).all() and (lengths <= 6).all()
    for row, n in zip(tokens, lengths, strict=True):
        assert (row[n:] == s2s.PAD).all() and tokens.shape[1] == int(lengths.max())


def test_nat_length_ignores_source_padding_and_decoder_sees_both_sides():
    nat = _nat(1)
    with torch.no_grad():
        m1, p1 = nat.encode(torch.tensor([[3, 4]]))
        m2, p2 = nat.encode(torch.tensor([[3, 4, s2s.PAD, s2s.PAD]]))
        torch.testing.assert_close(nat.length_logits(m1, p1), nat.length_logits(m2, p2))
        q = torch.tensor([[1, 1, 1, 1]])
        base = nat.decode(q, m1, p1, causal=False)
        shorter = nat.decode(torch.tensor([[1, 1, 1, 0]]), m1, p1, causal=False)
    assert (base[:, 0] - shorter[:, 0]).abs().max() > 1e-4  # no mask: position 0 sees the later positions


def test_copy_transformer_mixes_generation_and_copying():
    torch.manual_seed(3)
    model = s2s.CopyTransformer(10, d_model=16, n_heads=2, d_ff=32).eval()
    src = torch.tensor([[3, 7, 7, s2s.PAD], [4, 5, 6, 8]])
    tgt_in = torch.tensor([[1, 3, 4], [1, 5, 6]])
    memory, carried = model.encode(src)
    assert torch.equal(carried, src)
    with torch.no_grad():
        log_probs = model(src, tgt_in)
        torch.testing.assert_close(log_probs.exp().sum(-1), torch.ones(2, 3), atol=1e-5, rtol=0)
        model.gate.bias.fill_(-50.0)  # gate -> 0: copy only
        copy_only, weights = model.decode(tgt_in, memory, src, return_attention=True)
    expected = torch.zeros(2, 3, 10)
    for b in range(2):
        for j in range(4):
            expected[b, :, src[b, j]] += weights[b, :, j]
    torch.testing.assert_close(copy_only.exp(), expected + 1e-9, atol=1e-5, rtol=1e-4)
    assert (
        copy_only.exp()[0, :, 7].min() > 0 and copy_only.exp()[0, :, s2s.PAD].max() < 1e-6
    )  # padding never copied


def test_vocab_ids_decoding_and_messages():
    v = s2s.Vocab("cab")
    assert v.itos == ["<pad>", "<bos>", "<eos>", "a", "b", "c"] and len(v) == 6
    assert v.stoi == {t: i for i, t in enumerate(v.itos)} and v.encode(list("cab")) == [5, 3, 4]
    assert v.decode([s2s.BOS, 3, s2s.PAD, 4, s2s.EOS, 5]) == ["a", "b"]  # skip pad/bos, stop at the first eos
    assert v.decode([5, 3]) == ["c", "a"]
    with pytest.raises(ValueError, match=r"^tokens: \['x', 'y', 'z'\] are not in the vocabulary"):
        v.encode(["a", "x", "y", "z", "w"])  # the first three unknown tokens are named
    with pytest.raises(ValueError, match=r"^pairs: expected at least one \(source, target\) pair"):
        s2s.encode_pairs([], v, v)


def test_encode_pairs_pads_each_side_to_its_longest_row():
    v = s2s.Vocab("ab")
    src, tgt = s2s.encode_pairs([(["a"], ["b", "b", "a"]), (["a", "b", "b"], ["a"])], v, v)
    assert src.dtype == tgt.dtype == torch.long
    assert src.tolist() == [[3, 0, 0], [3, 4, 4]]
    assert tgt.tolist() == [[1, 4, 4, 3, 2], [1, 3, 2, 0, 0]]


def test_layer_norm_eps_weight_and_bias_separately():
    g = torch.Generator().manual_seed(2)
    x = 1e-3 * torch.randn(3, 6, generator=g, dtype=torch.float64)  # variance ~1e-6: eps matters
    torch.testing.assert_close(s2s.layer_norm(x), nn.functional.layer_norm(x, (6,), eps=1e-5))
    torch.testing.assert_close(s2s.layer_norm(x, eps=1e-3), nn.functional.layer_norm(x, (6,), eps=1e-3))
    w, b = torch.randn(6, generator=g, dtype=torch.float64), torch.randn(6, generator=g, dtype=torch.float64)
    torch.testing.assert_close(s2s.layer_norm(x, w), nn.functional.layer_norm(x, (6,), w))
    torch.testing.assert_close(s2s.layer_norm(x, bias=b), nn.functional.layer_norm(x, (6,), None, b))


def test_causal_mask_message_and_device():
    with pytest.raises(ValueError, match=r"^size=0: expected a positive int"):
        s2s.causal_mask(0)
    assert s2s.causal_mask(3, torch.device("meta")).device.type == "meta"
    assert s2s.causal_mask(1).tolist() == [[False]]


def test_default_sizes_and_the_scaled_embedding():
    torch.manual_seed(4)
    model = s2s.Seq2SeqTransformer(7, 9)
    assert model.src_emb.weight.shape == (7, 64) and model.tgt_emb.weight.shape == (9, 64)
    assert model.pos.weight.shape == (32, 64) and len(model.encoder) == len(model.decoder) == 1
    assert model.encoder[0].attn.num_heads == 4 and model.encoder[0].ffn[0].out_features == 128
    assert model.decoder[0].cross_attn.num_heads == 4 and model.decoder[0].ffn[0].out_features == 128
    assert model.out.out_features == 9 and model.scale == 8.0
    tokens = torch.tensor([[3, 4, 5]])
    expected = model.src_emb.weight[tokens] * 8.0 + model.pos.weight[:3]
    torch.testing.assert_close(model._embed(model.src_emb, tokens), expected)
    memory, pad = model.encode(torch.tensor([[3, 4, s2s.PAD]]))
    assert memory.shape == (1, 3, 64) and pad.tolist() == [[False, False, True]]
    deeper = s2s.Seq2SeqTransformer(7, 9, d_model=16, n_heads=2, d_ff=8, n_layers=3, max_len=5)
    assert len(deeper.encoder) == len(deeper.decoder) == 3 and deeper.pos.weight.shape == (5, 16)


def test_every_encoder_and_decoder_block_is_used():
    model = _model()  # two layers
    src, tgt = torch.tensor([[3, 4, 5]]), torch.tensor([[1, 3, 4]])
    with torch.no_grad():
        base = model(src, tgt)
        for blocks in (model.encoder, model.decoder):
            for block in blocks:
                saved = block.ffn[2].bias.clone()
                block.ffn[2].bias.add_(torch.linspace(-1, 1, 16))  # not a constant: layer norm removes those
                assert (model(src, tgt) - base).abs().max() > 1e-4
                block.ffn[2].bias.copy_(saved)


def test_step_fn_gives_the_last_position_log_probs_for_one_or_many_sources():
    model = _model(5)
    src = torch.tensor([[3, 4, 5], [6, s2s.PAD, s2s.PAD]])
    prefixes = torch.tensor([[1, 3], [1, 6]])
    with torch.no_grad():
        expected = torch.log_softmax(model(src, prefixes)[:, -1], -1)
        torch.testing.assert_close(model.step_fn(src)(prefixes), expected)  # one source per prefix
        one = model.step_fn(src[:1])(prefixes)  # one source, repeated for every prefix
        torch.testing.assert_close(one, torch.log_softmax(model(src[:1].expand(2, -1), prefixes)[:, -1], -1))
    logits, weights = model.decode(prefixes, *model.encode(src), return_attention=True)
    assert logits.shape == (2, 2, 9) and weights.shape == (2, 2, 3)
    assert weights[1, :, 1:].abs().max() == 0  # padded source positions get no attention


def test_nat_length_logits_mean_pool_the_real_source_tokens():
    nat = _nat(2)
    memory = torch.randn(3, 3, 16)
    pad = torch.tensor([[False, False, True], [False, False, False], [False, True, True]])
    with torch.no_grad():
        pooled = torch.stack([memory[0, :2].mean(0), memory[1].mean(0), memory[2, 0]])
        torch.testing.assert_close(nat.length_logits(memory, pad), nat.length_head(pooled))
    assert nat.max_out == 6 and nat.length_head.out_features == 7
    assert s2s.NonAutoregressiveTransformer(5, 5, d_model=8, n_heads=2, d_ff=8).max_out == 16  # default


def test_nat_generate_uses_the_most_likely_length_of_at_least_one():
    nat = _nat(3)
    src = torch.tensor([[3, 4, 5], [6, 7, s2s.PAD]])
    with torch.no_grad():
        nat.length_head.bias.copy_(
            torch.tensor([100.0, 0, 0, 50, 0, 0, 0])
        )  # length 0 is most likely, 3 next
        lengths, tokens = nat.generate(src)
        assert lengths.tolist() == [3, 3] and tokens.shape == (2, 3)
        logits = nat.decode(nat.queries(lengths), *nat.encode(src), causal=False)
    assert torch.equal(tokens, logits.argmax(-1))
    assert not tokens.requires_grad
    assert nat.queries(torch.tensor([2, 1])).tolist() == [[1, 1], [1, 0]]


def _copy_model(seed=3):
    torch.manual_seed(seed)
    return s2s.CopyTransformer(10, d_model=16, n_heads=2, d_ff=32).eval()


def test_copy_transformer_keeps_its_sizes_dtype_and_device():
    model = _copy_model()
    assert (
        model.src_emb.weight.shape == (10, 16)
        and model.out.out_features == 10
        and model.gate.in_features == 16
    )
    src, tgt_in = torch.tensor([[3, 7, s2s.PAD]]), torch.tensor([[1, 3]])
    with torch.no_grad():
        assert (
            model.double()(src, tgt_in).dtype == torch.float64
        )  # the copy distribution follows the model dtype
    assert model.to("meta")(src.to("meta"), tgt_in.to("meta")).device.type == "meta"  # and its device
    assert (
        s2s.NonAutoregressiveTransformer.queries(torch.tensor([1, 3], device="meta"), 3).device.type == "meta"
    )


def test_copy_decoder_is_causal_by_default_and_open_when_asked():
    model = _copy_model(4)
    src = torch.tensor([[3, 7, 5, 6]])
    memory, carried = model.encode(src)
    a, b = torch.tensor([[1, 3, 4, 5]]), torch.tensor([[1, 3, 8, 9]])
    with torch.no_grad():
        torch.testing.assert_close(
            model.decode(a, memory, carried)[:, :2], model.decode(b, memory, carried)[:, :2]
        )
        open_a, open_b = (
            model.decode(a, memory, carried, causal=False),
            model.decode(b, memory, carried, causal=False),
        )
    assert (open_a[:, :2] - open_b[:, :2]).abs().max() > 1e-4
    assert model.decode(a, memory, carried, return_attention=True)[1].shape == (1, 4, 4)


def test_nat_forward_is_the_open_decoder_and_the_length_head_with_padding():
    nat = _nat(4)
    src = torch.tensor([[3, 4, s2s.PAD], [5, 6, 7]])
    tgt_in = s2s.NonAutoregressiveTransformer.queries(torch.tensor([3, 2]), 3)
    with torch.no_grad():
        logits, length_logits = nat(src, tgt_in)
        memory, pad = nat.encode(src)
        torch.testing.assert_close(logits, nat.decode(tgt_in, memory, pad, causal=False))
        torch.testing.assert_close(length_logits, nat.length_logits(memory, pad))
        for wrong in (nat.decode(tgt_in, memory, pad), nat.decode(tgt_in, memory, None, causal=False)):
            assert (wrong - logits).abs().max() > 1e-4  # the mask and the source padding both matter


def test_nat_generate_ignores_source_padding_and_decodes_without_the_mask():
    nat = _nat(7)
    src = torch.tensor([[3, 4, s2s.PAD, s2s.PAD], [5, 6, 7, s2s.PAD]])
    with torch.no_grad():
        nat.length_head.bias.copy_(torch.tensor([0, 0, 0, 0, 0, 0, 100.0]))  # length 6 for both rows
        nat.src_emb.weight[s2s.PAD] = 5 * torch.randn(16, generator=torch.Generator().manual_seed(0))
        lengths, tokens = nat.generate(src)
        memory, pad = nat.encode(src)
        queries = nat.queries(lengths)
        masked = nat.decode(queries, memory, pad).argmax(-1)
        unpadded = nat.decode(queries, memory, None, causal=False).argmax(-1)
        alone = torch.cat([nat.generate(src[:1, :2])[1], nat.generate(src[1:, :3])[1]])
    assert lengths.tolist() == [6, 6]
    assert torch.equal(tokens, alone)  # padding the source changes nothing
    assert not torch.equal(tokens, masked) and not torch.equal(tokens, unpadded)  # both would, on this model


def test_step_fn_reads_the_last_position_of_longer_prefixes():
    model = _model(6)
    src = torch.tensor([[3, 4, 5]])
    prefixes = torch.tensor([[1, 3, 4, 5], [1, 6, 7, 3]])
    with torch.no_grad():
        expected = torch.log_softmax(model(src.expand(2, -1), prefixes)[:, -1], -1)
        torch.testing.assert_close(model.step_fn(src)(prefixes), expected)
