"""Chapter 01 experiments: the lag-window table and the non-convex quartic loss."""

import numpy as np
import pytest
import torch

from mlnote_utils.experiments import ch01 as xp


def test_lag_table_uses_a_common_future_split():
    s = np.sin(np.arange(200) * 2 * np.pi / 7).astype(np.float32)
    rows = xp.lag_table(s, [1, 7], split=150)
    assert [r["lags"] for r in rows] == [1, 7]
    assert rows[1]["test"] < 1e-4 < rows[0]["test"]  # a sine of period 7 is a linear recurrence of order 2
    with pytest.raises(ValueError, match="split="):
        xp.lag_table(s, [1], split=10_000)


def test_quartic_loss_has_two_minima():
    w = torch.linspace(-3, 3, 6001)
    L = xp.quartic_loss(w)
    interior = (L[1:-1] < L[:-2]) & (L[1:-1] < L[2:])
    assert int(interior.sum()) == 2
