import numpy as np
import torch

from mlnote_utils.exercises import Feedback, check_choice, check_close, check_function


def test_check_close_accepts_right_rejects_wrong_and_missing():
    assert check_close(torch.tensor([1.0, 2.0]), np.array([1.0, 2.0]), hint="h")
    wrong = check_close([1.0, 2.5], [1.0, 2.0], hint="look at b")
    assert not wrong and "look at b" in wrong.message
    assert not check_close(None, 1.0, hint="h")
    assert "shape" in check_close([1.0], [1.0, 2.0], hint="h").message
    assert not check_close(float("nan"), 1.0, hint="h")
    assert not check_close("abc", 1.0, hint="h")


def test_check_function_reports_failures_as_hints():
    cases = [(1.0,), (2.0,)]
    assert check_function(lambda x: x**2, lambda x: x**2, cases, hint="h")
    assert not check_function(lambda x: 2 * x, lambda x: x**2, cases, hint="square it")
    crash = check_function(lambda x: 1 / 0, lambda x: x, cases, hint="h")
    assert not crash and "ZeroDivisionError" in crash.message
    assert not check_function(None, lambda x: x, cases, hint="h")
    assert not check_function(3, lambda x: x, cases, hint="h")


def test_check_choice():
    assert check_choice("b", "b", ["a", "b"], hint="h")
    assert not check_choice("a", "b", ["a", "b"], hint="h")
    assert "不是可选项" in check_choice("z", "b", ["a", "b"], hint="h").message
    assert not check_choice(None, "b", ["a", "b"], hint="h")


def test_feedback_display():
    assert repr(Feedback(True, "ok")).startswith("✅") and repr(Feedback(False, "no")).startswith("❌")
