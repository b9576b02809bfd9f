import torch

from mlnote_utils.exercises import ch03


def test_epoch_seconds():
    assert ch03.check_epoch_seconds(12.0)
    assert not ch03.check_epoch_seconds(None)
    assert not ch03.check_epoch_seconds(12000.0)  # forgot ms -> s
    assert not ch03.check_epoch_seconds(0.3)  # used the B=1000 number


def test_quadratic_rise():
    assert ch03.check_quadratic_rise(0.75)
    assert not ch03.check_quadratic_rise(None)
    assert not ch03.check_quadratic_rise(1.5)  # forgot the 1/2


def _power(matvec, n, steps):
    v = torch.ones(n, dtype=torch.float64)
    for _ in range(steps):
        hv = matvec(v)
        v = hv / hv.norm()
    return float(v @ matvec(v))


def test_power_iteration():
    assert ch03.check_power_iteration(_power)
    assert not ch03.check_power_iteration(None)
    assert not ch03.check_power_iteration(
        lambda matvec, n, steps: float(matvec(torch.ones(n, dtype=torch.float64)).norm())
    )
    assert not ch03.check_power_iteration(lambda matvec, n, steps: 1 / 0)
