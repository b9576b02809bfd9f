"""mu.evaluate and mu.accuracy against torch's losses on the whole data set, also when the last batch is smaller."""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import mlnote_utils as mu

GEN = torch.Generator().manual_seed(11)
X = torch.randn(23, 4, generator=GEN)
Y = torch.randint(0, 3, (23,), generator=GEN)


def _model() -> nn.Module:
    with mu.seeded(2):
        return nn.Sequential(nn.Linear(4, 6), nn.Dropout(0.5), nn.ReLU(), nn.Linear(6, 3))


def _whole(model):
    model.eval()
    with torch.no_grad():
        out = model(X)
    return float(F.cross_entropy(out, Y)), float((out.argmax(1) == Y).float().mean())


@pytest.mark.parametrize("batch_size", [1, 5, 10, 22, 23, 50])
def test_batched_means_equal_the_whole_data_set_also_with_a_smaller_last_batch(batch_size):
    # 23 rows: batches of 5 end with 3, of 10 with 3, of 22 with 1; a plain mean of batch means would differ
    model = _model()
    loss, acc = _whole(model)
    model.train()
    batches = mu.make_loader(torch.utils.data.TensorDataset(X, Y), batch_size, shuffle=False)
    res = mu.evaluate(model, batches, loss_fn=F.cross_entropy, metrics={"acc": mu.accuracy})
    assert set(res) == {"loss", "acc"}
    assert res["loss"] == pytest.approx(loss, rel=1e-6)
    assert res["acc"] == pytest.approx(acc, rel=1e-6)
    assert model.training  # mode restored; dropout was off while evaluating (else the loss would differ)


def test_unweighted_batch_means_would_differ_here():
    # guards the test above: on these batches the mean of per-batch losses is not the data-set loss
    model = _model()
    loss, _ = _whole(model)
    with torch.no_grad():
        per_batch = [float(F.cross_entropy(model(X[i : i + 10]), Y[i : i + 10])) for i in range(0, 23, 10)]
    assert abs(sum(per_batch) / len(per_batch) - loss) > 1e-3


def test_one_pair_metrics_only_and_eval_mode_kept():
    model = _model().eval()
    res = mu.evaluate(model, (X, Y), metrics={"acc": mu.accuracy})
    assert set(res) == {"acc"} and res["acc"] == pytest.approx(_whole(model)[1])
    assert not model.training


def test_accuracy_is_the_argmax_match_rate():
    logits = torch.tensor([[0.1, 0.9], [2.0, -1.0], [0.3, 0.2], [0.0, 5.0]])
    assert float(mu.accuracy(logits, torch.tensor([1, 0, 1, 1]))) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="logits"):
        mu.accuracy(logits, torch.tensor([1, 0]))
    with pytest.raises(ValueError, match="logits"):
        mu.accuracy(logits[0], torch.tensor([1]))


def test_evaluate_rejects_nothing_to_compute_and_empty_data():
    with pytest.raises(ValueError, match="loss_fn, metrics"):
        mu.evaluate(_model(), (X, Y))
    with pytest.raises(ValueError, match="no batches"):
        mu.evaluate(_model(), [], loss_fn=F.cross_entropy)


def test_evaluate_rejects_a_dataset_of_single_samples():
    ds = torch.utils.data.TensorDataset(torch.randn(5, 3), torch.zeros(5, dtype=torch.long))
    with pytest.raises(
        TypeError, match=r"^data: got a TensorDataset, which yields single samples.*make_loader"
    ):
        mu.evaluate(nn.Linear(3, 2), ds, metrics={"acc": mu.accuracy})
