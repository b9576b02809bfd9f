import numpy as np
import torch

from mlnote_utils.exercises import ch03


def test_epoch_seconds():
    assert ch03.check_epoch_seconds(12.0)
    assert not ch03.check_epoch_seconds(None)
    assert not ch03.check_epoch_seconds(12000.0)  # forgot ms -> s
    assert not ch03.check_epoch_seconds(0.3)  # used the B=1000 number
    assert not ch03.check_epoch_seconds(12.0 * 1.01)  # near miss: off by 1 %


def test_quadratic_rise():
    assert ch03.check_quadratic_rise(0.75)
    assert not ch03.check_quadratic_rise(None)
    assert not ch03.check_quadratic_rise(1.5)  # forgot the 1/2
    assert not ch03.check_quadratic_rise(0.75 * 1.01)  # near miss: off by 1 %


def _power(matvec, n, steps):
    v = torch.ones(n, dtype=torch.float64)
    for _ in range(steps):
        hv = matvec(v)
        v = hv / hv.norm()
    return float(v @ matvec(v))


def test_power_iteration():
    assert ch03.check_power_iteration(_power)
    assert not ch03.check_power_iteration(None)
    assert "请实现" in ch03.check_power_iteration(lambda matvec, n, steps: None).message
    assert not ch03.check_power_iteration(
        lambda matvec, n, steps: float(matvec(torch.ones(n, dtype=torch.float64)).norm())
    )
    assert not ch03.check_power_iteration(lambda matvec, n, steps: 1 / 0)
    # near misses: right method, 1 % off; and a method that is only right for a diagonal matrix
    assert not ch03.check_power_iteration(lambda matvec, n, steps: 1.01 * _power(matvec, n, steps))

    def max_diagonal(matvec, n, steps):
        return max(float(matvec(torch.eye(n, dtype=torch.float64)[i])[i]) for i in range(n))

    assert not ch03.check_power_iteration(max_diagonal)


def _batches(n, batch_size, seed):
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def test_epoch_batches_accepts_the_reference_in_any_integer_container():
    assert ch03.check_epoch_batches(_batches)
    assert ch03.check_epoch_batches(lambda n, b, s: [x.tolist() for x in _batches(n, b, s)])
    assert ch03.check_epoch_batches(lambda n, b, s: [x.numpy() for x in _batches(n, b, s)])


def test_epoch_batches_cases_are_random_and_cover_the_edges():
    cases = ch03._epoch_batch_cases()
    assert len(set(cases)) == len(cases) >= 10
    assert any(n % b for n, b, _ in cases) and any(n % b == 0 and b < n for n, b, _ in cases)
    assert any(b > n for n, b, _ in cases) and any(b == 1 for _, b, _ in cases)


def test_epoch_batches_rejects_slips_and_names_the_first_mismatch():
    assert not ch03.check_epoch_batches(None)
    assert "请实现" in ch03.check_epoch_batches(lambda n, b, s: None).message
    assert not ch03.check_epoch_batches(42)
    assert not ch03.check_epoch_batches(lambda n, b, s: 1 / 0)

    def drop_ragged(n, b, s):  # near miss: n // b batches, the short last batch is lost
        return _batches(n, b, s)[: n // b]

    fb = ch03.check_epoch_batches(drop_ragged)
    assert not fb and "n=10, batch_size=3" in fb.message and "应有 4 个 batch" in fb.message

    def no_shuffle(n, b, s):
        return [torch.arange(n)[i : i + b] for i in range(0, n, b)]

    fb = ch03.check_epoch_batches(no_shuffle)
    assert not fb and "第 1 个 batch" in fb.message

    def seed_off_by_one(n, b, s):  # near miss: one wrong constant
        return _batches(n, b, s + 1)

    assert not ch03.check_epoch_batches(seed_off_by_one)

    def overlapping(n, b, s):  # a stride of b - 1: right sizes at the start, wrong indices
        order = torch.randperm(n, generator=torch.Generator().manual_seed(s))
        return [order[i : i + b] for i in range(0, n, max(b - 1, 1))][: len(range(0, n, b))]

    assert not ch03.check_epoch_batches(overlapping)

    def last_batch_padded(n, b, s):  # last batch filled up to b by wrapping around
        out = _batches(n, b, s)
        order = torch.cat(out)
        if len(out[-1]) < b:
            out[-1] = torch.cat([out[-1], order[: b - len(out[-1])]])
        return out

    fb = ch03.check_epoch_batches(last_batch_padded)
    assert not fb and "索引" in fb.message


def test_epoch_batches_reference_matches_shuffled_batches():
    import mlnote_utils as mu

    for n, b, s in ch03._epoch_batch_cases():
        ours = ch03._epoch_batches_reference(n, b, s)
        (theirs,) = zip(*mu.ShuffledBatches(torch.arange(n), batch_size=b, seed=s), strict=True)
        assert [x.tolist() for x in ours] == [x.tolist() for x in theirs]
        assert np.array_equal(np.sort(torch.cat(ours).numpy()), np.arange(n))
