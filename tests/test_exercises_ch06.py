"""Chapter 06 checkers: reject wrong and missing answers, accept the reference ones."""

from __future__ import annotations

import numpy as np
import pytest

from mlnote_utils.exercises import ch06


def test_momentum_step():
    assert ch06.check_momentum_step([0.25, -1.0])
    assert not ch06.check_momentum_step(None)
    wrong = ch06.check_momentum_step([0.65, -0.8])  # + η g instead of − η g
    assert not ch06.check_momentum_step([0.25 * 1.01, -1.0])  # near-miss: off by 1 %
    assert not wrong and "提示" in wrong.message
    assert not ch06.check_momentum_step([0.25])


def test_rms_sigma():
    assert ch06.check_rms_sigma(lambda g: float(np.sqrt(np.mean(np.square(g)))))
    assert not ch06.check_rms_sigma(None)
    summed = ch06.check_rms_sigma(lambda g: float(np.sqrt(np.sum(np.square(g)))))  # Adagrad's sum
    assert not summed and "提示" in summed.message
    assert not ch06.check_rms_sigma(lambda g: 1 / 0)


@pytest.mark.parametrize("wrong", list(ch06.SGD_MAPPING_OPTIONS[1:]) + ["lr=λ"])
def test_sgd_mapping_rejects(wrong):
    assert not ch06.check_sgd_mapping(wrong)


def test_sgd_mapping_accepts_reference():
    assert ch06.check_sgd_mapping("SGD(lr=η, momentum=β)")
    assert not ch06.check_sgd_mapping(None)


def _adam(theta, grad, m, v, t, lr, beta1, beta2, eps, *, correct=True, eps_inside=False, t_shift=0):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    tt = t + t_shift
    m_hat, v_hat = (m / (1 - beta1**tt), v / (1 - beta2**tt)) if correct else (m, v)
    denom = (v_hat + eps).sqrt() if eps_inside else v_hat.sqrt() + eps
    return theta - lr * m_hat / denom, m, v


def test_adam_step_accepts_reference():
    assert ch06.check_adam_step(_adam)


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param(lambda *a, **k: _adam(*a, **k, correct=False), id="no bias correction"),
        pytest.param(lambda *a, **k: _adam(*a, **k, eps_inside=True), id="eps inside the sqrt"),
        pytest.param(lambda *a, **k: _adam(*a, **k, t_shift=1), id="beta**(t+1)"),
        pytest.param(
            lambda th, g, m, v, t, lr, beta1, beta2, eps: _adam(th, g, m, v, t, lr * 1.01, beta1, beta2, eps),
            id="lr off by 1 %",
        ),
        pytest.param(
            lambda th, g, m, v, t, lr, beta1, beta2, eps: _adam(th, g, m, v, t, lr, beta2, beta1, eps),
            id="betas swapped",
        ),
    ],
)
def test_adam_step_rejects_near_misses(wrong):
    result = ch06.check_adam_step(wrong)
    assert not result and "与 torch.optim.Adam 不一致" in result.message


def test_adam_step_names_the_first_mismatching_step_and_handles_bad_functions():
    no_corr = ch06.check_adam_step(lambda *a, **k: _adam(*a, **k, correct=False))
    assert "第 1 步（t=1）" in no_corr.message and "提示" in no_corr.message
    none = ch06.check_adam_step(None)
    assert not none and "尚未实现" in none.message
    stub = ch06.check_adam_step(lambda *a, **k: None)  # the exercise cell's unfinished function
    assert not stub and "还没有实现" in stub.message
    assert not ch06.check_adam_step(lambda *a, **k: 1 / 0)
    assert not ch06.check_adam_step(lambda th, g, m, v, t, **k: (th.sum(), m, v))  # wrong shape


def test_adam_step_checker_does_not_depend_on_in_place_updates():
    def in_place(theta, grad, m, v, t, lr, beta1, beta2, eps):
        m.mul_(beta1).add_((1 - beta1) * grad)
        v.mul_(beta2).add_((1 - beta2) * grad**2)
        theta.sub_(lr * (m / (1 - beta1**t)) / ((v / (1 - beta2**t)).sqrt() + eps))
        return theta, m, v

    assert ch06.check_adam_step(in_place)  # the checker hands over copies, so in-place code works too


def test_rms_sigma_rejects_a_one_percent_near_miss():
    assert not ch06.check_rms_sigma(lambda g: 1.01 * ch06.reference_rms_sigma(g))
