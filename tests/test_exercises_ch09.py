"""Chapter 09 checkers: each rejects wrong answers (including near-misses) and accepts the reference."""

import torch

from mlnote_utils.exercises import ch09 as ex


def test_output_size():
    assert ex.check_output_size(22)
    assert ex.check_output_size(22.0)
    assert not ex.check_output_size(None)
    assert not ex.check_output_size(21)  # forgot the + 1
    assert not ex.check_output_size(23)  # rounded up
    assert not ex.check_output_size(22.5)


def test_conv_params():
    assert ex.check_conv_params(32 * 16 * 25 + 32)
    assert not ex.check_conv_params(32 * 16 * 25)  # forgot the biases
    assert not ex.check_conv_params(32 * 25 + 32)  # forgot the input channels
    assert not ex.check_conv_params(32 * 16 * 25 + 16)  # one bias per input channel
    assert not ex.check_conv_params(None)


def test_receptive_field():
    assert ex.check_receptive_field(18)
    assert not ex.check_receptive_field(17)
    assert not ex.check_receptive_field(7)  # 1 + 2 + 2 + 2: strides ignored
    assert not ex.check_receptive_field(None)


def _pool_ref(x, k):
    h, w = x.shape[0] // k, x.shape[1] // k
    return x[: h * k, : w * k].reshape(h, k, w, k).amax(dim=(1, 3))


def test_max_pool_accepts_the_reference_and_rejects_near_misses():
    assert ex.check_max_pool(_pool_ref)
    assert not ex.check_max_pool(None)
    assert "实现" in ex.check_max_pool(None).message
    mean_pool = lambda x, k: _pool_ref(x, k) * 0 + torch.nn.functional.avg_pool2d(x[None, None], k)[0, 0]  # noqa: E731
    assert not ex.check_max_pool(mean_pool)
    abs_max = lambda x, k: _pool_ref(x.abs(), k)  # noqa: E731
    assert not ex.check_max_pool(abs_max)
    stride_one = lambda x, k: torch.nn.functional.max_pool2d(x[None, None], k, 1)[0, 0]  # noqa: E731
    assert not ex.check_max_pool(stride_one)
    assert not ex.check_max_pool(lambda x, k: _pool_ref(x, k) * 1.01)  # off by 1 %


def test_max_pool_names_the_failing_case():
    only_even = lambda x, k: _pool_ref(x, k) if x.shape[0] % k == 0 and x.shape[1] % k == 0 else x  # noqa: E731
    msg = ex.check_max_pool(only_even).message
    assert "第 2 个" in msg
