import torch

from mlnote_utils.exercises import ch07


def _good_softmax(z):
    e = torch.exp(z - z.max(dim=1, keepdim=True).values)
    return e / e.sum(dim=1, keepdim=True)


def _naive_softmax(z):  # right formula, no max-subtraction: exp overflows for logits ~ 1000
    return torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)


def _wrong_dim_softmax(z):  # normalises columns instead of rows
    e = torch.exp(z - z.max())
    return e / e.sum(dim=0, keepdim=True)


def test_softmax_fn_accepts_reference_and_names_first_mismatch():
    assert ch07.check_softmax_fn(_good_softmax)
    assert ch07.check_softmax_fn(lambda z: torch.softmax(z, dim=1))
    naive = ch07.check_softmax_fn(_naive_softmax)
    assert not naive and "第 3 个测试用例" in naive.message and "位置 (0, " in naive.message
    wrong_dim = ch07.check_softmax_fn(_wrong_dim_softmax)
    assert not wrong_dim and "第 1 个测试用例" in wrong_dim.message
    off = ch07.check_softmax_fn(lambda z: _good_softmax(z) * 1.01)  # near-miss: 1 % too large
    assert not off and "位置 (0, 0)" in off.message
    assert not ch07.check_softmax_fn(lambda z: _good_softmax(z) * 1.0005)  # 5x the tolerance: still caught
    unimplemented = ch07.check_softmax_fn(lambda z: None)
    assert not unimplemented and "请实现 my_softmax" in unimplemented.message
    assert "请先实现" in ch07.check_softmax_fn(None).message
    assert not ch07.check_softmax_fn(lambda z: 1 / 0)  # errors become hints, not exceptions
    assert not ch07.check_softmax_fn(lambda z: _good_softmax(z)[:, :2])  # wrong shape


def _good_ce(logits, targets):
    m = logits.max(dim=1, keepdim=True).values
    log_p = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    return -log_p[torch.arange(len(targets)), targets].mean()


def _naive_ce(logits, targets):  # overflows for logits ~ 1000
    p = torch.exp(logits) / torch.exp(logits).sum(1, keepdim=True)
    return -torch.log(p[torch.arange(len(targets)), targets]).mean()


def test_cross_entropy_fn():
    assert ch07.check_cross_entropy_fn(_good_ce)
    assert ch07.check_cross_entropy_fn(torch.nn.functional.cross_entropy)
    fb = ch07.check_cross_entropy_fn(_naive_ce)
    assert not fb and "第 3 个测试用例" in fb.message
    summed = ch07.check_cross_entropy_fn(lambda z, y: _good_ce(z, y) * len(y))  # sum instead of mean
    assert not summed and "第 1 个测试用例" in summed.message
    assert not ch07.check_cross_entropy_fn(lambda z, y: _good_ce(z, y) * 1.01)  # near-miss: 1 % off
    assert not ch07.check_cross_entropy_fn(lambda z, y: torch.tensor(0.0))
    assert "请实现" in ch07.check_cross_entropy_fn(lambda z, y: None).message
    assert not ch07.check_cross_entropy_fn(None)
    assert not ch07.check_cross_entropy_fn(lambda z, y: 1 / 0)


def test_ce_gradient():
    z = torch.tensor(ch07.GRAD_LOGITS)
    ref = torch.softmax(z, 0) - torch.nn.functional.one_hot(torch.tensor(ch07.GRAD_TARGET), 3)
    assert ch07.check_ce_gradient(ref)
    assert not ch07.check_ce_gradient(torch.softmax(z, 0))
    assert not ch07.check_ce_gradient(ref * 1.01)  # near-miss
    assert not ch07.check_ce_gradient(None)


def test_gradient_ratio():
    z = torch.tensor([ch07.RATIO_LOGITS], requires_grad=True)
    y = torch.tensor([ch07.RATIO_TARGET])
    (g_ce,) = torch.autograd.grad(torch.nn.functional.cross_entropy(z, y), z)
    p = torch.softmax(z, 1)
    (g_mse,) = torch.autograd.grad(((p - torch.nn.functional.one_hot(y, 3)) ** 2).sum(), z)
    ratio = float(g_mse.norm() / g_ce.norm())
    assert 0.05 < ratio < 0.15  # MSE's gradient is an order of magnitude smaller there
    assert ch07.check_gradient_ratio(ratio)
    assert not ch07.check_gradient_ratio(ratio * 1.01)  # near-miss: 1 % off
    assert not ch07.check_gradient_ratio(ratio * 1.005)  # 5x the tolerance: still caught
    assert not ch07.check_gradient_ratio(1 / ratio)  # CE over MSE instead
    (g_mse_mean,) = torch.autograd.grad(
        ((torch.softmax(z, 1) - torch.nn.functional.one_hot(y, 3)) ** 2).mean(), z
    )
    assert not ch07.check_gradient_ratio(float(g_mse_mean.norm() / g_ce.norm()))  # mean over classes: 1/3
    assert not ch07.check_gradient_ratio(None)
