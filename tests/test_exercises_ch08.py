import torch

from mlnote_utils.exercises import ch08


def test_standardized():
    x = torch.tensor(ch08.FEATURE)
    assert ch08.check_standardized((x - x.mean()) / x.std(unbiased=False))
    assert not ch08.check_standardized(
        (x - x.mean()) / x.std(unbiased=True)
    )  # N-1 is the wrong convention here
    assert not ch08.check_standardized(None)


def _good_bn(z, gamma, beta):
    mu, var = z.mean(0), z.var(0, unbiased=False)
    return gamma * (z - mu) / torch.sqrt(var + 1e-5) + beta


def _no_eps_bn(z, gamma, beta):  # divides by zero on a constant column
    return gamma * (z - z.mean(0)) / z.std(0, unbiased=False) + beta


def test_bn_forward_fn():
    assert ch08.check_bn_forward_fn(_good_bn)
    assert not ch08.check_bn_forward_fn(_no_eps_bn)
    assert not ch08.check_bn_forward_fn(lambda z, g, b: (z - z.mean(0)) / z.std(0))
    assert not ch08.check_bn_forward_fn(None)


def test_running_mean():
    r = 0.0
    for m in ch08.BATCH_MEANS:
        r = 0.9 * r + 0.1 * m
    assert ch08.check_running_mean(r)
    assert not ch08.check_running_mean(sum(ch08.BATCH_MEANS) / 3)
    assert not ch08.check_running_mean(None)


def test_batch_of_one():
    assert ch08.check_batch_of_one("beta")
    assert not ch08.check_batch_of_one("input")
    assert not ch08.check_batch_of_one("gamma")
    assert not ch08.check_batch_of_one(None)
