import importlib

import numpy as np
import pytest
import torch

from mlnote_utils.exercises import Feedback, check_choice, check_close, check_function, tidy_spacing


def test_check_close_accepts_right_rejects_wrong_and_missing():
    assert check_close(torch.tensor([1.0, 2.0]), np.array([1.0, 2.0]), hint="h")
    wrong = check_close([1.0, 2.5], [1.0, 2.0], hint="look at b")
    assert not wrong and "look at b" in wrong.message
    assert "2.0" not in wrong.message, "a plain answer's feedback must not reveal the reference value"
    missing = check_close(None, 1.0, hint="h")
    assert not missing and not missing.answered and repr(missing).startswith("尚未作答：")
    assert "shape" in check_close([1.0], [1.0, 2.0], hint="h").message
    assert not check_close(float("nan"), 1.0, hint="h")
    assert not check_close("abc", 1.0, hint="h")


def test_check_close_default_tolerance_rejects_a_one_percent_miss():
    assert check_close(1.00001, 1.0, hint="h")
    assert check_close(1.00005, 1.0, hint="h")  # inside rtol = 1e-4
    assert not check_close(1.0003, 1.0, hint="h")  # 3x the tolerance: a looser checker would accept it
    assert not check_close(1.01, 1.0, hint="h")
    assert not check_close(np.array([1.0, 2.02]), np.array([1.0, 2.0]), hint="h")


def test_check_function_reports_failures_as_hints():
    cases = [(1.0,), (2.0,)]
    assert check_function(lambda x: x**2, lambda x: x**2, cases, hint="h")
    assert not check_function(lambda x: 2 * x, lambda x: x**2, cases, hint="square it")
    assert not check_function(lambda x: 1.01 * x**2, lambda x: x**2, cases, hint="h")  # near-miss
    crash = check_function(lambda x: 1 / 0, lambda x: x, cases, hint="h")
    assert not crash and crash.answered and "ZeroDivisionError" in crash.message
    assert not check_function(3, lambda x: x, cases, hint="h")


def test_check_function_names_the_first_mismatch():
    x = np.arange(6.0).reshape(2, 3)
    fb = check_function(lambda a: a + (a == 4), lambda a: a, [(x,)], hint="h")  # element (1, 1) is off
    assert not fb and "(1, 1)" in fb.message and "第 1 个测试用例" in fb.message
    assert "共 1 个元素不一致" in fb.message
    fb = check_function(lambda a: a, lambda a: a, [(x,), (x,)], hint="h")
    assert fb and "全部 2 个测试用例" in fb.message


def test_unimplemented_function_asks_to_implement_it():
    for fb in (
        check_function(None, lambda x: x, [(1.0,)], hint="h", what="梯度下降"),
        check_function(lambda x: None, lambda x: x, [(1.0,)], hint="h", what="梯度下降"),
    ):
        assert not fb and not fb.answered
        assert repr(fb).startswith("尚未作答：") and "请实现 梯度下降" not in fb.message
        assert "请实现梯度下降" in fb.message


def test_check_choice():
    assert check_choice("b", "b", ["a", "b"], hint="h")
    assert not check_choice("a", "b", ["a", "b"], hint="h")
    assert "不是可选项" in check_choice("z", "b", ["a", "b"], hint="h").message
    missing = check_choice(None, "b", ["a", "b"], hint="h")
    assert not missing and not missing.answered


def test_feedback_verdict_is_spelled_out_in_words():
    """The meaning must not depend on an emoji font: the repr starts with the verdict in words."""
    assert repr(Feedback(True, "ok")) == "正确：ok"
    assert repr(Feedback(False, "no")) == "还不对：no"
    assert repr(Feedback(False, "todo", answered=False)) == "尚未作答：todo"
    assert Feedback(False, "no")._repr_markdown_().startswith("**还不对**")
    for fb in (Feedback(True, "x"), Feedback(False, "x"), Feedback(False, "x", answered=False)):
        assert not any(mark in repr(fb) for mark in "✅❌✔✘⚠"), "no emoji in the verdict"


def test_messages_have_tidy_chinese_ascii_spacing():
    assert tidy_spacing("∂L/∂b正确，第1个用例") == "∂L/∂b 正确，第 1 个用例"
    assert tidy_spacing("两个 ReLU 拼成的 hard sigmoid在第 1 个") == "两个 ReLU 拼成的 hard sigmoid 在第 1 个"
    assert tidy_spacing("中文，English。") == "中文，English。"
    messages = [
        check_close(None, 1.0, hint="h", what="∂L/∂b").message,
        check_close(2.0, 1.0, hint="h", what="∂L/∂b").message,
        check_close(1.0, 1.0, hint="h", what="∂L/∂b").message,
        check_function(None, abs, [(1.0,)], hint="h", what="hard sigmoid").message,
        check_function(lambda x: -1.0, abs, [(1.0,)], hint="h", what="hard sigmoid").message,
        check_choice(None, "a", ["a"], hint="h", what="ReLU").message,
    ]
    for m in messages:
        assert tidy_spacing(m) == m, m


# ------------------------------------------------------------------------------------------- near misses
# A checker must reject the answers a learner nearly gets right: the right formula with one wrong constant,
# a method that works only on an easy case, a value off by 1 %. A checker whose tolerance grew tenfold
# (rtol 1e-4 → 1e-3) accepts expected·(1 + 1e-3), so that value is handed to check_close too.


def test_check_close_rejects_one_percent_and_ten_times_its_tolerance():
    expected = np.array([2.0, -3.0])
    assert check_close(expected * (1 + 1e-5), expected, hint="h")  # inside rtol=1e-4
    assert not check_close(expected * 1.01, expected, hint="h")
    assert not check_close(expected * (1 + 1e-3), expected, hint="h")  # ten times the default rtol
    assert not check_close(expected * (1 + 1e-2), expected, hint="h", rtol=1e-3)
    assert not check_close([2.0, -3.0 * 1.01], expected, hint="h")  # one component off is enough
    assert check_close(0.0 + 5e-7, 0.0, hint="h") and not check_close(5e-6, 0.0, hint="h")  # atol=1e-6


def test_check_function_rejects_a_function_wrong_only_on_a_later_case():
    cases = [(0.0,), (1.0,), (3.0,)]
    near = check_function(lambda x: x**2 + 1e-3 * x, lambda x: x**2, cases, hint="h")  # right at x = 0
    assert not near and "第 2 个" in near.message
    last = check_function(lambda x: x**2 if x < 2 else x**2 * 1.01, lambda x: x**2, cases, hint="h")
    assert not last and "第 3 个" in last.message


def _diag_only_power_iteration(matvec, n, steps):
    """Largest diagonal entry of H: right for a diagonal matrix, wrong for the others."""
    eye = torch.eye(n, dtype=torch.float64)
    return max(float(matvec(eye[i])[i]) for i in range(n))


def _power_iteration(matvec, n, steps):
    v = torch.ones(n, dtype=torch.float64)
    for _ in range(steps):
        v = matvec(v)
        v = v / v.norm()
    return float(v @ matvec(v))


@pytest.mark.parametrize(
    ("module", "checker", "reference", "near_misses"),
    [
        pytest.param("ch03", "check_epoch_seconds", 12.0, [12.12, 0.12, 12000.0], id="ch03-epoch-seconds"),
        pytest.param("ch03", "check_quadratic_rise", 0.75, [0.7575, 1.5, 0.375], id="ch03-quadratic-rise"),
        pytest.param(
            "ch03", "check_power_iteration", _power_iteration, [_diag_only_power_iteration], id="ch03-power"
        ),
        pytest.param(
            "ch06",
            "check_momentum_step",
            [0.25, -1.0],
            [[0.2525, -1.01], [0.25025, -1.001], [0.65, -0.8], [-0.25, 1.0]],
            id="ch06-momentum",
        ),
        pytest.param(
            "ch06",
            "check_rms_sigma",
            lambda g: float(np.sqrt(np.mean(np.square(g)))),
            [
                lambda g: float(np.sqrt(np.sum(np.square(g)))),
                lambda g: float(np.mean(np.abs(g))),
                lambda g: 1.01 * float(np.sqrt(np.mean(np.square(g)))),
            ],
            id="ch06-rms",
        ),
        pytest.param(
            "ch07",
            "check_cross_entropy_fn",
            lambda z, y: torch.nn.functional.cross_entropy(z, y),
            [
                lambda z, y: torch.nn.functional.cross_entropy(z, y) / np.log(2),  # log base 2
                lambda z, y: torch.nn.functional.cross_entropy(z, y, reduction="sum"),
                lambda z, y: -torch.log(torch.softmax(z, 1).gather(1, y[:, None]) + 1e-3).mean(),
            ],  # an ε
            id="ch07-ce",
        ),
        pytest.param(
            "ch08",
            "check_bn_forward_fn",
            lambda z, g, b: g * (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + 1e-5) + b,
            [
                lambda z, g, b: g * (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + 1e-3) + b,  # ε
                lambda z, g, b: g * (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=True) + 1e-5) + b,
            ],  # N−1
            id="ch08-bn",
        ),
        pytest.param(
            "ch08",
            "check_running_mean",
            0.561,
            [0.561 * 1.01, 0.561 * 1.001, 2.889, 0.6],
            id="ch08-running-mean",
        ),
    ],
)
def test_chapter_checkers_reject_near_misses(module, checker, reference, near_misses):
    check = getattr(importlib.import_module(f"mlnote_utils.exercises.{module}"), checker)
    assert check(reference), f"{checker} must accept the reference"
    for wrong in near_misses:
        assert not check(wrong), (
            f"{checker} accepted a near miss: {getattr(wrong, '__doc__', None) or wrong!r}"
        )


def _ratio_counting_zero_as_positive(ev, tol):
    ev = np.asarray(ev, dtype=np.float64)
    return float((ev >= tol * np.abs(ev).max()).sum() / len(ev))


def _ratio_dropping_exact_zeros(ev, tol):
    ev = np.asarray(ev, dtype=np.float64)
    cut = tol * np.abs(ev).max()
    pos, neg, zero = (ev > cut).sum(), (ev < -cut).sum(), (np.abs(ev) < cut).sum()
    return float(pos / (pos + neg + zero))


def test_minimum_ratio_checker_rejects_strict_and_loose_zero_tests():
    # both are right whenever no |λ| equals tol·max|λ| exactly, i.e. they differ only at tol=0 with a λ = 0
    from mlnote_utils.critical_points import minimum_ratio
    from mlnote_utils.exercises import ch05

    assert ch05.check_minimum_ratio(lambda ev, tol: minimum_ratio(ev, tol))
    assert not ch05.check_minimum_ratio(_ratio_counting_zero_as_positive)
    assert not ch05.check_minimum_ratio(_ratio_dropping_exact_zeros)
