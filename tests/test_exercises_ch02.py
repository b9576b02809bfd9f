import numpy as np
import torch

import mlnote_utils as mu
from mlnote_utils.exercises import ch02


def test_total_updates():
    assert ch02.check_total_updates(80)
    assert not ch02.check_total_updates(None)
    assert not ch02.check_total_updates(75)  # floor instead of ceil
    assert not ch02.check_total_updates(79)  # near-miss: one update short
    assert not ch02.check_total_updates(16)  # one epoch only
    assert not ch02.check_total_updates("80x")


def _relu_ramp(x, lo, hi, height):
    s = height / (hi - lo)
    return s * np.maximum(0, x - lo) - s * np.maximum(0, x - hi)


def test_relu_ramp():
    assert ch02.check_relu_ramp(_relu_ramp)
    assert not ch02.check_relu_ramp(None)
    assert not ch02.check_relu_ramp(
        lambda x, lo, hi, h: h / (hi - lo) * np.maximum(0, x - lo)
    )  # never flattens
    assert not ch02.check_relu_ramp(lambda x, lo, hi, h: 1 / 0)  # errors become hints
    unimplemented = ch02.check_relu_ramp(lambda x, lo, hi, h: None)
    assert not unimplemented and not unimplemented.answered and "请实现" in unimplemented.message


def test_relu_ramp_rejects_near_misses():
    assert not ch02.check_relu_ramp(lambda x, lo, hi, h: 1.01 * _relu_ramp(x, lo, hi, h))  # height off by 1 %
    assert not ch02.check_relu_ramp(
        lambda x, lo, hi, h: _relu_ramp(x, lo, hi + 0.01, h)
    )  # knee slightly late
    assert not ch02.check_relu_ramp(
        lambda x, lo, hi, h: abs(h) / (hi - lo) * (np.maximum(0, x - lo) - np.maximum(0, x - hi))
    )


def test_relu_ramp_reference_is_torch_clamp():
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(ch02._ramp_reference(x, -1.0, 1.0, 2.0), np.clip((x + 1) / 2, 0, 1) * 2)


def test_param_count():
    assert ch02.check_param_count(1345)
    assert ch02.check_param_count(sum(p.numel() for p in mu.mlp(7, 32, 2).parameters()))
    assert not ch02.check_param_count(None)
    assert not ch02.check_param_count(1344)  # forgot the final bias
    assert not ch02.check_param_count(1313)  # forgot the second hidden layer's biases
    assert not ch02.check_param_count(26)  # the 3-input, 5-sigmoid network printed in §5


def _forward(x, W, b_vec, c, b, act=torch.sigmoid):
    return act(x @ W.T + b_vec) @ c + b


def test_one_hidden_layer_reference_matches_the_hand_formula_and_mu_backprop():
    for x, W, b_vec, c, b in ch02._forward_cases():
        torch.testing.assert_close(
            ch02.one_hidden_layer_reference(x, W, b_vec, c, b), _forward(x, W, b_vec, c, b)
        )
        torch.testing.assert_close(
            ch02.one_hidden_layer_reference(x, W, b_vec, c, b),
            mu.backprop.one_hidden_layer_forward(x, W, b_vec, c, b),
        )


def test_one_hidden_layer_accepts_right_rejects_near_misses():
    assert ch02.check_one_hidden_layer(_forward)
    assert ch02.check_one_hidden_layer(ch02.one_hidden_layer_reference)
    assert not ch02.check_one_hidden_layer(lambda *a: _forward(*a, act=torch.relu))
    assert not ch02.check_one_hidden_layer(lambda *a: _forward(*a, act=torch.tanh))
    assert not ch02.check_one_hidden_layer(lambda x, W, bv, c, b: _forward(x, W, bv, c, 0.0))  # forgot b
    assert not ch02.check_one_hidden_layer(
        lambda x, W, bv, c, b: torch.sigmoid(x @ W.T) @ c + bv.sum() * 0 + b
    )
    assert not ch02.check_one_hidden_layer(
        lambda x, W, bv, c, b: torch.sigmoid(x @ W.T) + bv @ c + b
    )  # shape
    assert not ch02.check_one_hidden_layer(lambda *a: 1.01 * _forward(*a))  # off by 1 %
    first_row = ch02.check_one_hidden_layer(
        lambda x, W, bv, c, b: _forward(x, W, bv, c, b) + (torch.arange(len(x)) == 2)
    )
    assert not first_row and "索引 2" in first_row.message and "第 1 个测试用例" in first_row.message
    crash = ch02.check_one_hidden_layer(
        lambda x, W, bv, c, b: torch.sigmoid(x @ W + bv) @ c + b
    )  # no transpose
    assert not crash and crash.answered and "RuntimeError" in crash.message


def test_one_hidden_layer_unimplemented():
    for fn in (None, lambda *a: None):
        fb = ch02.check_one_hidden_layer(fn)
        assert not fb and not fb.answered and repr(fb).startswith("尚未作答：")
