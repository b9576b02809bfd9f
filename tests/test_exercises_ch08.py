import torch

from mlnote_utils.exercises import ch08


def test_standardized():
    x = torch.tensor(ch08.FEATURE)
    ref = (x - x.mean()) / x.std(unbiased=False)
    assert ch08.check_standardized(ref)
    assert not ch08.check_standardized(
        (x - x.mean()) / x.std(unbiased=True)
    )  # N-1 is the wrong convention here
    assert not ch08.check_standardized(ref * 1.01)  # near-miss
    assert not ch08.check_standardized(None)


def _good_bn(z, gamma, beta):
    mu, var = z.mean(0), z.var(0, unbiased=False)
    return gamma * (z - mu) / torch.sqrt(var + 1e-5) + beta


def _unbiased_bn(z, gamma, beta):  # near-miss: N-1 in the variance
    mu, var = z.mean(0), z.var(0, unbiased=True)
    return gamma * (z - mu) / torch.sqrt(var + 1e-5) + beta


def _no_eps_bn(z, gamma, beta):  # divides by zero on a constant column
    return gamma * (z - z.mean(0)) / z.std(0, unbiased=False) + beta


def _eps_outside_bn(z, gamma, beta):  # near-miss: ε added to σ instead of σ²
    return gamma * (z - z.mean(0)) / (z.std(0, unbiased=False) + 1e-5) + beta


def test_bn_forward_fn_accepts_reference_and_names_first_mismatch():
    assert ch08.check_bn_forward_fn(_good_bn)
    unbiased = ch08.check_bn_forward_fn(_unbiased_bn)
    assert not unbiased and "第 1 个测试用例" in unbiased.message and "位置 (0, 0)" in unbiased.message
    no_eps = ch08.check_bn_forward_fn(_no_eps_bn)
    assert not no_eps and "第 3 个测试用例" in no_eps.message and "位置 (0, 1)" in no_eps.message
    eps_outside = ch08.check_bn_forward_fn(_eps_outside_bn)
    assert not eps_outside and "第 4 个测试用例" in eps_outside.message
    assert not ch08.check_bn_forward_fn(lambda z, g, b: (z - z.mean(0)) / z.std(0))  # no γ, β
    assert not ch08.check_bn_forward_fn(lambda z, g, b: _good_bn(z, g, b) * 1.01)
    assert not ch08.check_bn_forward_fn(lambda z, g, b: _good_bn(z, g, b) + 5e-4)  # 5x the tolerance
    assert "请实现 my_batch_norm" in ch08.check_bn_forward_fn(lambda z, g, b: None).message
    assert "请先实现" in ch08.check_bn_forward_fn(None).message
    assert not ch08.check_bn_forward_fn(lambda z, g, b: 1 / 0)


def test_running_mean():
    r = 0.0
    for m in ch08.BATCH_MEANS:
        r = 0.9 * r + 0.1 * m
    assert ch08.check_running_mean(r)
    assert not ch08.check_running_mean(sum(ch08.BATCH_MEANS) / 3)
    assert not ch08.check_running_mean(r * 1.01)
    assert not ch08.check_running_mean(None)


def test_bn_eval_output():
    x = torch.tensor(ch08.EVAL_INPUTS)
    ref = (
        ch08.EVAL_GAMMA * (x - ch08.EVAL_RUNNING_MEAN) / (ch08.EVAL_RUNNING_VAR + 1e-5) ** 0.5
        + ch08.EVAL_BETA
    )
    assert ch08.check_bn_eval_output(ref)
    assert not ch08.check_bn_eval_output(
        ch08.EVAL_GAMMA * (x - x.mean()) / x.std(unbiased=False) + ch08.EVAL_BETA
    )
    assert not ch08.check_bn_eval_output(ref * 1.01)
    assert not ch08.check_bn_eval_output(torch.full((2,), ch08.EVAL_BETA))  # the batch-of-one answer
    assert not ch08.check_bn_eval_output(None)
