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


def _uniform(vocab_size):
    def step_fn(prefixes):
        return torch.full((len(prefixes), vocab_size), -math.log(vocab_size), dtype=torch.float64)

    return step_fn


def _lecture_tree(prefixes):
    """Tokens 2 = A, 3 = B, 1 = EOS: A 0.4 / B 0.6 first; after A: A 0.9; after B: A 0.4; EOS after three."""
    rows = []
    for p in prefixes.tolist():
        body = p[1:]
        probs = (
            {1: 1.0} if len(body) == 3 else {2: 0.4, 3: 0.6} if not body or body[0] == 3 else {2: 0.9, 3: 0.1}
        )
        row = torch.full((4,), -math.inf, dtype=torch.float64)
        for t, q in probs.items():
            row[t] = math.log(q)
        rows.append(row)
    return torch.stack(rows)


def test_greedy_pads_finished_rows_with_eos_stops_early_and_defaults_to_one_row():
    def lm(prefixes):  # row 0 (prefix starts with bos 0) ends after 1 token, row 1 (bos 0) after 3
        out = torch.full((len(prefixes), 5), -10.0)
        for i, p in enumerate(prefixes.tolist()):
            out[i, 1 if len(p) > (1 if i == 0 else 3) else 3] = -0.5  # 1 = EOS, 3 = an ordinary token
        return out

    tokens, log_probs = dec.greedy_decode(lm, 0, 1, 10, 2)
    assert tokens.tolist() == [[3, 1, 1, 1], [3, 3, 3, 1]]  # stops once both rows have ended, not at max_len
    assert log_probs.tolist() == [-1.0, -2.0]  # log-probs count up to and including EOS only
    assert log_probs.dtype == torch.float32
    one, one_lp = dec.greedy_decode(lm, 0, 1, 10)
    assert one.tolist() == [[3, 1]] and one_lp.tolist() == [-1.0]
    never, never_lp = dec.greedy_decode(lambda p: lm(p[:, :1]), 0, 1, 3)  # always token 3: never ends
    assert never.tolist() == [[3, 3, 3]] and never_lp.tolist() == [-1.5]  # stops at max_len


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_beam_scores_are_log_prob_over_length_to_the_alpha(alpha):
    lm = xp.toy_language_model(5, seed=1)
    hyps = dec.beam_search(lm, 0, 1, 3, 5, length_penalty=alpha)
    assert hyps and all(h.tokens[-1] == 1 for h in hyps)
    for h in hyps:
        assert h.score == pytest.approx(h.log_prob / len(h.tokens) ** alpha, rel=1e-12)
        assert h.log_prob == pytest.approx(dec.sequence_log_prob(lm, 0, h.tokens), rel=1e-6)
    assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)
    full = dec.exhaustive_search(lm, 0, 1, 5, 4, length_penalty=alpha)
    assert full[0].score == pytest.approx(full[0].log_prob / len(full[0].tokens) ** alpha, rel=1e-12)


def test_beam_returns_the_unfinished_beam_when_nothing_ends_in_time():
    hyps = dec.beam_search(_lecture_tree, 0, 1, 2, 2)  # EOS only comes after three tokens
    assert {h.tokens for h in hyps} == {(2, 2), (3, 3)}  # A A = 0.4 * 0.9 and B B = 0.6 * 0.6 (a tie)
    assert [math.exp(h.log_prob) for h in hyps] == pytest.approx([0.36, 0.36])
    hyps = dec.beam_search(_lecture_tree, 0, 1, 3, 2, length_penalty=1.0)
    assert {h.tokens for h in hyps[:2]} == {(2, 2), (3, 3)} and hyps[2].tokens == (3, 2)  # B A = 0.24
    assert [h.score for h in hyps] == pytest.approx(
        [math.log(0.36) / 2, math.log(0.36) / 2, math.log(0.24) / 2]
    )


def test_beam_finishes_when_every_prefix_has_ended():
    calls = []

    def counting(prefixes):
        calls.append(prefixes.shape[1])
        return _lecture_tree(prefixes)

    hyps = dec.beam_search(counting, 0, 1, 8, 50)
    assert calls == [1, 2, 3, 4]  # no call after the last prefix ended, although max_len is 50
    assert all(h.score == h.log_prob for h in hyps)  # the default length_penalty is 0: no normalisation
    assert len(hyps) == 8 and math.fsum(math.exp(h.log_prob) for h in hyps) == pytest.approx(1.0)
    assert {h.tokens for h in hyps} == {(a, b, c, 1) for a in (2, 3) for b in (2, 3) for c in (2, 3)}


def test_exhaustive_search_skips_impossible_sequences_and_never_uses_bos():
    hyps = dec.exhaustive_search(_lecture_tree, 0, 1, 4, 5)
    assert len(hyps) == 8 and all(h.log_prob > -math.inf for h in hyps)
    assert math.fsum(math.exp(h.log_prob) for h in hyps) == pytest.approx(1.0)
    uniform = dec.exhaustive_search(_uniform(4), 0, 1, 4, 3)  # BOS 0 has probability 1/4 but is never emitted
    assert sorted(h.tokens for h in uniform) == sorted(
        [(1,), (2, 1), (3, 1), (2, 2, 1), (2, 3, 1), (3, 2, 1), (3, 3, 1)]
    )
    assert [len(h.tokens) for h in uniform] == [1, 2, 2, 3, 3, 3, 3]  # best first: shorter is likelier
    assert all(h.score == h.log_prob for h in uniform)  # the default length_penalty is 0


def test_exhaustive_search_limit_is_200_000_sequences():
    def boom(prefixes):
        raise RuntimeError("enumeration started")

    with pytest.raises(RuntimeError, match="enumeration started"):
        dec.exhaustive_search(boom, 0, 1, 200_002, 2)  # 200 000 one-token bodies: allowed
    with pytest.raises(RuntimeError, match="enumeration started"):
        dec.exhaustive_search(boom, 0, 1, 4, 18)  # 2 ** 17 = 131 072 bodies of 17 tokens: allowed
    with pytest.raises(ValueError, match=r"^vocab_size=200003, max_len=2: too many sequences to enumerate"):
        dec.exhaustive_search(boom, 0, 1, 200_003, 2)
    with pytest.raises(ValueError, match=r"^vocab_size=4, max_len=19: too many sequences to enumerate"):
        dec.exhaustive_search(boom, 0, 1, 4, 19)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lm: dec.greedy_decode(lm, 0, 1, 0), r"^max_len=0: expected a positive int"),
        (lambda lm: dec.greedy_decode(lm, 0, 1, True), r"^max_len=True: expected a positive int"),
        (lambda lm: dec.greedy_decode(lm, 0, 1, 2.0), r"^max_len=2.0: expected a positive int"),
        (lambda lm: dec.beam_search(lm, 0, 1, 0, 3), r"^beam_size=0: expected a positive int"),
        (lambda lm: dec.beam_search(lm, 0, 1, -2, 3), r"^beam_size=-2: expected a positive int"),
        (lambda lm: dec.beam_search(lm, 0, 1, 2, 0), r"^max_len=0: expected a positive int"),
        (lambda lm: dec.beam_search(lm, 1, 1, 2, 3), r"^bos=1, eos=1: expected two different token ids"),
        (lambda lm: dec.greedy_decode(lm, 2, 2, 3), r"^bos=2, eos=2: expected two different token ids"),
        (
            lambda lm: dec.exhaustive_search(lm, 0, 0, 4, 3),
            r"^bos=0, eos=0: expected two different token ids",
        ),
        (lambda lm: dec.exhaustive_search(lm, 0, 1, 4, 0), r"^max_len=0: expected a positive int"),
    ],
)
def test_decoding_error_messages(call, message):
    with pytest.raises(ValueError, match=message):
        call(xp.toy_language_model(4))
