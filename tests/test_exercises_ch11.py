"""Chapter 11 checkers: each rejects wrong answers (including near-misses) and accepts the reference."""

import torch

from mlnote_utils.exercises import ch11 as ex


def _mask_ref(n):
    return torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


def test_causal_mask_checker():
    assert ex.check_causal_mask(_mask_ref)
    assert not ex.check_causal_mask(None)
    assert "尚未实现" in ex.check_causal_mask(lambda n: None).message
    assert not ex.check_causal_mask(lambda n: torch.triu(torch.ones(n, n, dtype=torch.bool)))  # blocks itself
    assert not ex.check_causal_mask(lambda n: _mask_ref(n).T)  # blocks the past instead
    assert not ex.check_causal_mask(lambda n: ~_mask_ref(n))  # "allowed" instead of "blocked"


def test_causal_mask_checker_names_the_failing_case():
    only_small = lambda n: _mask_ref(n) if n < 4 else torch.zeros(n, n, dtype=torch.bool)  # noqa: E731
    assert "第 3 个" in ex.check_causal_mask(only_small).message


def _beam_ref(beam, nxt, k):
    scores, flat = (beam[:, None] + nxt).flatten().topk(k)
    return scores, flat // nxt.shape[1], flat % nxt.shape[1]


def _beam_by_loops(beam, nxt, k):
    candidates = [(float(beam[i] + nxt[i, t]), i, t) for i in range(len(beam)) for t in range(nxt.shape[1])]
    best = sorted(candidates, reverse=True)[:k]
    return [c[0] for c in best], [c[1] for c in best], [c[2] for c in best]


def test_beam_step_checker():
    assert ex.check_beam_step(_beam_ref)
    assert not ex.check_beam_step(None)
    assert "实现" in ex.check_beam_step(None).message
    assert not ex.check_beam_step(
        lambda b, n, k: _beam_ref(torch.zeros_like(b), n, k)
    )  # ignores the prefix score
    assert ex.check_beam_step(_beam_by_loops)  # the same answer by another route, as plain Python lists
    swapped = lambda b, n, k: (lambda s, p, t: (s, t, p))(*_beam_ref(b, n, k))  # noqa: E731
    assert not ex.check_beam_step(swapped)
    assert not ex.check_beam_step(
        lambda b, n, k: (lambda s, p, t: (s * 1.01, p, t))(*_beam_ref(b, n, k))
    )  # off by 1 %
    ascending = lambda b, n, k: tuple(v.flip(0) for v in _beam_ref(b, n, k))  # noqa: E731
    assert not ex.check_beam_step(ascending)
    per_row = lambda b, n, k: _beam_ref(b, n - n.logsumexp(0), k)  # noqa: E731
    assert not ex.check_beam_step(per_row)
    assert "尚未实现" in ex.check_beam_step(lambda b, n, k: None).message
    assert "报错" in ex.check_beam_step(lambda b, n, k: b.foo).message


def test_normalised_score_checker():
    assert ex.check_normalised_score(-3.0 / 5)
    assert not ex.check_normalised_score(None)
    assert not ex.check_normalised_score(-3.0 / 4)  # END not counted
    assert not ex.check_normalised_score(-3.0)  # no normalisation
    assert not ex.check_normalised_score(0.6)  # sign
    assert not ex.check_normalised_score(-0.6 * 1.01)  # off by 1 %


def _guided_ref(t, s, g):
    i = torch.arange(t, dtype=torch.float64)[:, None] / t
    j = torch.arange(s, dtype=torch.float64)[None, :] / s
    return 1 - torch.exp(-((i - j) ** 2) / (2 * g**2))


def test_guided_weights_checker():
    assert ex.check_guided_weights(_guided_ref)
    assert not ex.check_guided_weights(None)
    assert "尚未实现" in ex.check_guided_weights(lambda t, s, g: None).message

    def lengths_swapped(t, s, g):  # i / S and j / T
        i = torch.arange(t, dtype=torch.float64)[:, None] / s
        j = torch.arange(s, dtype=torch.float64)[None, :] / t
        return 1 - torch.exp(-((i - j) ** 2) / (2 * g**2))

    assert not ex.check_guided_weights(lengths_swapped)
    assert not ex.check_guided_weights(lambda t, s, g: 1 - _guided_ref(t, s, g))  # the Gaussian, not 1 - it
    assert not ex.check_guided_weights(lambda t, s, g: _guided_ref(t, s, g**0.5))  # g instead of g squared
    assert not ex.check_guided_weights(lambda t, s, g: _guided_ref(t, s, 1.01 * g))  # g off by 1 %

    def over_n_minus_1(t, s, g):  # positions divided by T - 1 and S - 1
        i = torch.arange(t, dtype=torch.float64)[:, None] / (t - 1)
        j = torch.arange(s, dtype=torch.float64)[None, :] / (s - 1)
        return 1 - torch.exp(-((i - j) ** 2) / (2 * g**2))

    assert not ex.check_guided_weights(over_n_minus_1)
    assert (
        "第 2 个"
        in ex.check_guided_weights(
            lambda t, s, g: _guided_ref(t, s, g) if t == s else torch.zeros(t, s)
        ).message
    )
