"""mlnote_utils.evaluation: batch-size-weighted means, and a clear error for a Dataset of single samples."""

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

import mlnote_utils as mu


def test_evaluate_weights_a_smaller_last_batch_by_its_size():
    torch.manual_seed(0)
    model = nn.Linear(3, 4)
    x, y = torch.randn(10, 3), torch.randint(0, 4, (10,))
    whole = mu.evaluate(model, (x, y), loss_fn=nn.functional.cross_entropy, metrics={"acc": mu.accuracy})
    batched = mu.evaluate(
        model,
        mu.make_loader(TensorDataset(x, y), batch_size=4, shuffle=False),
        loss_fn=nn.functional.cross_entropy,
        metrics={"acc": mu.accuracy},
    )
    assert batched["loss"] == pytest.approx(whole["loss"], rel=1e-6)
    assert batched["acc"] == pytest.approx(whole["acc"], rel=1e-6)


def test_evaluate_rejects_a_dataset_of_single_samples():
    ds = TensorDataset(torch.randn(5, 3), torch.zeros(5, dtype=torch.long))
    with pytest.raises(TypeError, match=r"data: got a TensorDataset.*make_loader"):
        mu.evaluate(nn.Linear(3, 2), ds, metrics={"acc": mu.accuracy})
