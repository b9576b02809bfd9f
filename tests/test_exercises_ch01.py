import torch

import mlnote_utils as mu
from mlnote_utils.exercises import ch01

x = torch.tensor([1.0, 2.0, 4.0], dtype=torch.float64)
y = torch.tensor([2.0, 2.5, 3.0], dtype=torch.float64)


def test_grad_b():
    assert ch01.check_grad_b(2 * (x - y).mean(), x, y)
    assert not ch01.check_grad_b((x - y).mean(), x, y)  # forgot the factor 2
    assert not ch01.check_grad_b(None, x, y)


def test_scaled_limit():
    assert ch01.check_scaled_limit(mu.regression.gd_stability_limit(10 * x), x, 10.0)
    assert not ch01.check_scaled_limit(mu.regression.gd_stability_limit(x) / 100, x, 10.0)
    assert not ch01.check_scaled_limit(None, x, 10.0)


def test_gap_source():
    assert ch01.check_gap_source("noise")
    assert not ch01.check_gap_source("model bias")
    assert not ch01.check_gap_source("nothing")
    assert not ch01.check_gap_source(None)


def test_grad_b_rejects_a_one_percent_miss():
    assert not ch01.check_grad_b(1.01 * 2 * (x - y).mean(), x, y)


def test_scaled_limit_rejects_near_misses():
    right = mu.regression.gd_stability_limit(10 * x)
    assert not ch01.check_scaled_limit(1.01 * right, x, 10.0)
    assert not ch01.check_scaled_limit(
        mu.regression.gd_stability_limit(x) / 10, x, 10.0
    )  # scaled like 1/scale


def _gd(x, y, w0, b0, lr, steps, *, factor=2.0, lr_scale=1.0, sequential=False, skip_start=False):
    w, b = torch.tensor(float(w0), dtype=x.dtype), torch.tensor(float(b0), dtype=x.dtype)
    path = [] if skip_start else [torch.stack([w, b])]
    for _ in range(steps):
        e = b + w * x - y
        w = w - lr_scale * lr * factor * (e * x).mean()
        if sequential:  # b's gradient taken at the new w
            e = b + w * x - y
        b = b - lr_scale * lr * factor * e.mean()
        path.append(torch.stack([w, b]))
    return torch.stack(path)


def test_gd_path_accepts_the_reference_and_a_correct_hand_loop():
    assert ch01.check_gd_path(ch01.gd_path_reference)
    assert ch01.check_gd_path(_gd)


def test_gd_path_rejects_near_misses_and_names_the_first_mismatch():
    missing_two = ch01.check_gd_path(lambda *a: _gd(*a, factor=1.0))
    assert not missing_two and "索引 (1, 0)" in missing_two.message  # step 1, w: the first wrong number
    assert not ch01.check_gd_path(lambda *a: _gd(*a, lr_scale=1.01))  # learning rate off by 1 %
    assert not ch01.check_gd_path(lambda *a: _gd(*a, sequential=True))
    no_start = ch01.check_gd_path(lambda *a: _gd(*a, skip_start=True))
    assert not no_start and "形状" in no_start.message
    assert not ch01.check_gd_path(lambda *a: _gd(*a)[:, [1, 0]])  # (b, w) instead of (w, b)


def test_gd_path_unimplemented():
    for fn in (None, lambda *a: None):
        fb = ch01.check_gd_path(fn)
        assert not fb and not fb.answered and "请实现" in fb.message


def test_gd_path_reference_matches_the_formula():
    xs = torch.tensor([1.0, 2.0, 4.0], dtype=torch.float64)
    ys = torch.tensor([1.0, 3.0, 2.0], dtype=torch.float64)
    path = ch01.gd_path_reference(xs, ys, 0.5, -0.5, 0.1, 1)
    e = -0.5 + 0.5 * xs - ys
    torch.testing.assert_close(
        path[1], torch.stack([0.5 - 0.1 * 2 * (e * xs).mean(), -0.5 - 0.1 * 2 * e.mean()])
    )
