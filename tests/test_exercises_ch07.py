import torch

from mlnote_utils.exercises import ch07


def _good_ce(logits, targets):
    return torch.nn.functional.cross_entropy(logits, targets)


def _naive_ce(logits, targets):  # overflows for logits ~ 1000
    p = torch.exp(logits) / torch.exp(logits).sum(1, keepdim=True)
    return -torch.log(p[torch.arange(len(targets)), targets]).mean()


def test_softmax_values():
    ref = torch.softmax(torch.tensor(ch07.SOFTMAX_LOGITS), 0)
    assert ch07.check_softmax_values(ref.tolist())
    assert not ch07.check_softmax_values([1 / 3, 1 / 3, 1 / 3])
    assert not ch07.check_softmax_values(None)


def test_cross_entropy_fn():
    assert ch07.check_cross_entropy_fn(_good_ce)
    fb = ch07.check_cross_entropy_fn(_naive_ce)
    assert not fb and "第 3 个" in fb.message
    assert not ch07.check_cross_entropy_fn(lambda z, y: torch.tensor(0.0))
    assert not ch07.check_cross_entropy_fn(None)
    assert not ch07.check_cross_entropy_fn(lambda z, y: 1 / 0)  # errors become hints, not exceptions


def test_ce_gradient():
    z = torch.tensor(ch07.GRAD_LOGITS)
    ref = torch.softmax(z, 0) - torch.nn.functional.one_hot(torch.tensor(ch07.GRAD_TARGET), 3)
    assert ch07.check_ce_gradient(ref)
    assert not ch07.check_ce_gradient(torch.softmax(z, 0))
    assert not ch07.check_ce_gradient(None)


def test_flat_loss():
    assert ch07.check_flat_loss("mse")
    assert not ch07.check_flat_loss("ce")
    assert not ch07.check_flat_loss("hinge")
    assert not ch07.check_flat_loss(None)
