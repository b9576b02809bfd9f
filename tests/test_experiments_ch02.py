"""Chapter 02 experiment: the depth table (linear row by least squares, deeper rows trained by mu.fit)."""

import numpy as np
import pytest
import torch

import mlnote_utils as mu
from mlnote_utils.experiments import ch02 as xp


def _data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(40, 3, generator=g)
    return x, x @ torch.tensor([1.0, -2.0, 0.5]) + 0.3


def test_depth_table_linear_row_is_least_squares():
    x, y = _data()
    table = xp.depth_table(x[:30], y[:30], x[30:], y[30:], [0, 1], [0, 1], width=4, epochs=5, progress=False)
    assert table.shape == (2, 2, 2)
    np.testing.assert_allclose(table[0], 0.0, atol=1e-8)  # the exact linear rule is found
    assert np.all(table[1] > 0)
    with pytest.raises(ValueError, match="depths"):
        xp.depth_table(x, y, x, y, [-1], [0], progress=False)


def test_depth_table_equals_a_hand_written_full_batch_adam_loop():
    # Routing the training through mu.fit must not change the numbers of the old full-batch loop.
    x, y = _data()
    xtr, ytr, xte, yte = x[:30], y[:30], x[30:], y[30:]
    seeds, width, epochs, lr = [0, 3], 4, 40, 0.01
    table = xp.depth_table(xtr, ytr, xte, yte, [1], seeds, width=width, epochs=epochs, lr=lr, progress=False)
    for j, seed in enumerate(seeds):
        torch.manual_seed(seed)
        model = mu.mlp(3, width, 1)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(epochs):
            opt.zero_grad()
            loss = ((model(xtr).squeeze(-1) - ytr) ** 2).mean()
            loss.backward()
            opt.step()
        with torch.no_grad():
            train = float(((model(xtr).squeeze(-1) - ytr) ** 2).mean())
            test = float(((model(xte).squeeze(-1) - yte) ** 2).mean())
        np.testing.assert_allclose(table[0, j], [train, test], rtol=1e-6, atol=1e-6)
    assert table[0, 0, 0] != table[0, 1, 0]  # the seeds give different networks
