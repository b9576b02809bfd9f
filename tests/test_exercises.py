import numpy as np
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
