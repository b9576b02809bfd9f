"""Learning-rate schedules (mu.schedules): warm-up then decay, as plain multipliers and with LambdaLR."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mlnote_utils.optimizers import GD
from mlnote_utils.schedules import schedule_factors, warmup_then_decay


def test_warmup_then_decay_shapes():
    f = warmup_then_decay(4, decay="cosine", total_steps=14, floor=0.1)
    v = schedule_factors(f, 20)
    np.testing.assert_allclose(v[:4], [0.25, 0.5, 0.75, 1.0])
    assert v[4] == pytest.approx(1.0) and v[14] == pytest.approx(0.1) and v[19] == pytest.approx(0.1)
    assert np.all(np.diff(v[3:]) <= 1e-12)
    lin = schedule_factors(warmup_then_decay(0, decay="linear", total_steps=10), 11)
    np.testing.assert_allclose(lin, [1 - i / 10 for i in range(10)] + [0.0])
    np.testing.assert_allclose(schedule_factors(warmup_then_decay(0), 4), 1 / np.sqrt([1, 2, 3, 4]))
    assert set(schedule_factors(warmup_then_decay(3, decay="none"), 6)[2:]) == {1.0}


def test_schedule_works_with_lambda_lr():
    p = torch.zeros(1, requires_grad=True)
    opt = GD([p], lr=0.2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_then_decay(2, decay="inverse_sqrt"))
    seen = []
    for _ in range(4):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(seen, [0.1, 0.2, 0.2, 0.2 / math.sqrt(2)])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"warmup_steps": -1}, "warmup_steps=-1"),
        ({"decay": "exp"}, "decay='exp'"),
        ({"decay": "cosine"}, "total_steps=None"),
        ({"warmup_steps": 10, "decay": "linear", "total_steps": 10}, "total_steps=10"),
        ({"floor": 1.5}, "floor=1.5"),
    ],
)
def test_bad_schedule_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        warmup_then_decay(**kwargs)


def test_schedule_factors_rejects_bad_steps():
    with pytest.raises(ValueError, match="steps=0"):
        schedule_factors(warmup_then_decay(2), 0)
