import matplotlib

matplotlib.use("Agg")  # tests draw off-screen; notebooks keep their inline backend

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# A tiny two-class problem and network shared by tests/test_experiments_ch03.py and tests/test_sharpness.py.
def _tiny_blobs(n: int = 64, seed: int = 0):
    """``n`` points in 5-D (seeded), labelled by the sign of their first coordinate."""
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 5, generator=g)
    return x, (x[:, 0] > 0).long()


def _tiny_net(seed: int = 0):
    """5 → 8 (tanh) → 2; seeds the global generator, as the tests that use it expect."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))


@pytest.fixture
def tiny_blobs():
    """The factory ``tiny_blobs(n=64, seed=0) -> (x, y)``."""
    return _tiny_blobs


@pytest.fixture
def tiny_net():
    """The factory ``tiny_net(seed=0) -> nn.Sequential``."""
    return _tiny_net
