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
