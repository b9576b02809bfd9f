"""Chapter 06 experiments: the elongated bowl, counting loss spikes, and the optimiser race through mu.fit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlnote_utils.experiments import ch06 as xp
from mlnote_utils.optimizers import GD, Adam


def test_elongated_bowl_minimum_and_curvature():
    x = torch.tensor([4.0, 1.0], dtype=torch.float64)
    assert float(xp.elongated_bowl(x[0], x[1])) == 0.0
    hess = torch.autograd.functional.hessian(lambda v: xp.elongated_bowl(v[0], v[1]), x)
    eig = torch.linalg.eigvalsh(hess)
    assert 0.1 < float(eig[0]) < 0.3 and 100 < float(eig[1]) < 120


def test_loss_spikes():
    assert xp.loss_spikes([3.0, 2.0, 1.0, 0.5]).tolist() == []
    assert xp.loss_spikes([1.0, 0.01, 0.2, 0.3, 0.001, 0.02], factor=10).tolist() == [2, 5]
    with pytest.raises(ValueError, match="factor=0"):
        xp.loss_spikes([1.0, 2.0], factor=0)


def _race_data():
    g = torch.Generator().manual_seed(1)
    return torch.randn(60, 4, generator=g), torch.randint(0, 3, (60,), generator=g)


def _make():
    return torch.nn.Linear(4, 3)


OPTS = {"GD": lambda p: GD(p, lr=0.5), "Adam": lambda p: Adam(p, lr=0.05)}


def test_optimizer_race_shares_start_and_is_reproducible():
    x, y = _race_data()
    rng_before = torch.random.get_rng_state()
    kw = {"steps": 20, "batch_size": 16, "seeds": (0, 1), "eval_every": 5, "progress": False}
    a = xp.optimizer_race(_make, x, y, OPTS, **kw)
    b = xp.optimizer_race(_make, x, y, OPTS, **kw)
    assert torch.equal(torch.random.get_rng_state(), rng_before)  # models are built under seeded(seed)
    assert list(a) == ["GD", "Adam"] and len(a["GD"]) == len(a["Adam"]) == 2
    for name in OPTS:
        for h in a[name]:
            assert h.steps_of("train_loss").tolist() == [0, 5, 10, 15, 20]
            assert h["train_loss"].shape == (5,)
    for s, seed in enumerate((0, 1)):
        assert a["GD"][s]["train_loss"][0] == a["Adam"][s]["train_loss"][0]  # same initial weights per seed
        torch.manual_seed(seed)
        with torch.no_grad():
            start = torch.nn.functional.cross_entropy(_make()(x), y)  # the loss on the whole training set
        assert a["GD"][s]["train_loss"][0] == pytest.approx(float(start), rel=1e-6)
        assert a["GD"][s]["train_loss"][-1] < a["GD"][s]["train_loss"][0]
        np.testing.assert_array_equal(a["Adam"][s]["train_loss"], b["Adam"][s]["train_loss"])
    assert a["GD"][0]["train_loss"][0] != a["GD"][1]["train_loss"][0]


@pytest.mark.parametrize(
    ("kwargs", "n_labels", "match"),
    [
        pytest.param({"steps": 20, "eval_every": 0}, 60, "eval_every=0", id="eval_every=0"),
        pytest.param({"steps": 20, "eval_every": 30}, 60, "eval_every=30", id="eval_every>steps"),
        pytest.param({"steps": 0}, 60, "steps=0", id="steps=0"),
        pytest.param({"steps": 5, "eval_every": 5}, 10, "same length", id="x,y lengths"),
    ],
)
def test_optimizer_race_validates(kwargs, n_labels, match):
    x, y = _race_data()
    with pytest.raises(ValueError, match=match):
        xp.optimizer_race(_make, x, y[:n_labels], OPTS, progress=False, **kwargs)
