"""mlnote_utils.decoding: greedy and beam search against exhaustive search and hand-computed trees."""

import math

import pytest
import torch

from mlnote_utils import decoding as dec
from mlnote_utils import seq2seq as s2s
from mlnote_utils.experiments import ch11 as xp


def _model(seed=0):
    torch.manual_seed(seed)
    return s2s.Seq2SeqTransformer(8, 9, d_model=16, n_heads=2, d_ff=32, n_layers=2).eval()


def test_seq2seq_re_exports_the_decoding_api():
    for name in dec.__all__:
        assert getattr(s2s, name) is getattr(dec, name)
        assert name in s2s.__all__


def test_greedy_is_beam_of_one_and_scores_its_sequence():
    for seed in range(5):
        lm = xp.toy_language_model(5, seed=seed)
        tokens, log_probs = dec.greedy_decode(lm, 0, 1, 6)
        seq = tokens[0].tolist()
        seq = tuple(seq[: seq.index(1) + 1]) if 1 in seq else tuple(seq)
        (best, *_) = dec.beam_search(lm, 0, 1, 1, 6)
        assert best.tokens == seq
        assert math.isclose(best.log_prob, float(log_probs[0]), rel_tol=1e-5)
        assert math.isclose(dec.sequence_log_prob(lm, 0, seq), best.log_prob, rel_tol=1e-5)


def test_greedy_decode_batches_a_model_like_one_by_one():
    model = _model(2)
    src = torch.tensor([[3, 4, 5], [6, 7, s2s.PAD]])
    tokens, log_probs = dec.greedy_decode(model.step_fn(src), s2s.BOS, s2s.EOS, 5, 2)
    assert not log_probs.requires_grad  # decoding records no graph
    for i in range(2):
        alone, _ = dec.greedy_decode(model.step_fn(src[i : i + 1]), s2s.BOS, s2s.EOS, 5, 1)
        n = alone.shape[1]
        assert tokens[i, :n].tolist() == alone[0].tolist()


@pytest.mark.parametrize("length_penalty", [0.0, 1.0])
def test_wide_beam_equals_exhaustive_search(length_penalty):
    for seed in range(4):
        lm = xp.toy_language_model(5, seed=seed)
        beam = dec.beam_search(lm, 0, 1, 10_000, 4, length_penalty=length_penalty)
        full = dec.exhaustive_search(lm, 0, 1, 5, 4, length_penalty=length_penalty)
        assert [h.tokens for h in beam] == [h.tokens for h in full]
        for a, b in zip(beam, full, strict=True):
            assert math.isclose(a.score, b.score, rel_tol=1e-9, abs_tol=1e-12)


def test_exhaustive_probabilities_sum_to_the_probability_of_ending():
    lm = xp.toy_language_model(4, seed=3)
    hyps = dec.exhaustive_search(lm, 0, 1, 4, 5)
    total = sum(math.exp(h.log_prob) for h in hyps)
    assert 0.5 < total <= 1 + 1e-9
    assert all(h.tokens[-1] == 1 and 1 not in h.tokens[:-1] for h in hyps)


def test_beam_search_beats_greedy_on_the_lecture_tree():
    a, b, eos = 2, 3, 1

    def tree(prefixes):
        rows = []
        for p in prefixes.tolist():
            body = p[1:]
            probs = (
                {eos: 1.0}
                if len(body) == 3
                else {a: 0.4, b: 0.6}
                if not body or body[0] == b
                else {a: 0.9, b: 0.1}
            )
            row = torch.full((4,), -math.inf, dtype=torch.float64)
            for t, q in probs.items():
                row[t] = math.log(q)
            rows.append(row)
        return torch.stack(rows)

    greedy = dec.beam_search(tree, 0, eos, 1, 5)[0]
    beam = dec.beam_search(tree, 0, eos, 2, 5)[0]
    assert greedy.tokens == (b, b, b, eos) and math.isclose(math.exp(greedy.log_prob), 0.6**3, rel_tol=1e-9)
    assert beam.tokens == (a, a, a, eos) and math.isclose(
        math.exp(beam.log_prob), 0.4 * 0.9 * 0.9, rel_tol=1e-9
    )


def test_decoding_rejects_bad_arguments():
    lm = xp.toy_language_model(4)
    with pytest.raises(ValueError, match="beam_size"):
        dec.beam_search(lm, 0, 1, 0, 3)
    with pytest.raises(ValueError, match="max_len"):
        dec.greedy_decode(lm, 0, 1, 0)
    with pytest.raises(ValueError, match="bos"):
        dec.beam_search(lm, 1, 1, 2, 3)
    with pytest.raises(ValueError, match="tokens"):
        s2s.Vocab("ab").encode(["c"])
    with pytest.raises(ValueError, match="pairs"):
        s2s.encode_pairs([], s2s.Vocab("a"), s2s.Vocab("b"))
