import pytest
import torch

import mlnote_utils as mu

X = torch.arange(10.0)[:, None]  # (10, 1)
Y = torch.arange(10)


def _rows(batches):
    return [b[1].tolist() for b in batches]


def test_shuffled_batches_use_every_row_once_per_epoch_in_a_new_order():
    data = mu.ShuffledBatches(X, Y, batch_size=4, seed=0)
    first, second = _rows(data), _rows(data)
    assert [len(b) for b in first] == [4, 4, 2] and len(data) == 3
    assert sorted(sum(first, [])) == list(range(10)) == sorted(sum(second, []))
    assert first != second
    assert _rows(mu.ShuffledBatches(X, Y, batch_size=4, seed=0)) == first  # the seed decides the order
    expected = torch.randperm(10, generator=torch.Generator().manual_seed(0))  # the permutation it uses
    assert sum(first, []) == expected.tolist()
    for xb, yb in mu.ShuffledBatches(X, Y, batch_size=4, seed=1):
        assert xb[:, 0].long().tolist() == yb.tolist()  # rows stay paired


def test_shuffled_batches_drop_last():
    data = mu.ShuffledBatches(X, Y, batch_size=4, seed=0, drop_last=True)
    batches = _rows(data)
    assert len(data) == 2 and [len(b) for b in batches] == [4, 4]
    assert sum(batches, []) == torch.randperm(10, generator=torch.Generator().manual_seed(0))[:8].tolist()
    with pytest.raises(ValueError, match="drop_last"):
        mu.ShuffledBatches(X, Y, batch_size=11, drop_last=True)


def test_random_batches_draw_with_replacement():
    data = mu.RandomBatches(X, Y, batch_size=6, seed=3)
    batches = _rows(data)
    assert len(data) == 2 and [len(b) for b in batches] == [6, 6]
    gen = torch.Generator().manual_seed(3)
    assert batches[0] == torch.randint(0, 10, (6,), generator=gen).tolist()
    assert batches[1] == torch.randint(0, 10, (6,), generator=gen).tolist()
    many = sum(_rows(mu.RandomBatches(X, Y, batch_size=50, seed=0)), [])
    assert len(set(many)) < len(many)  # some row came twice


def test_full_batch_and_make_loader():
    assert [[t.tolist() for t in b] for b in mu.FullBatch(Y, Y)] == [[Y.tolist(), Y.tolist()]]
    loader = mu.make_loader(torch.utils.data.TensorDataset(X, Y), 4, seed=2)
    assert sorted(sum(_rows(loader), [])) == list(range(10))
    assert _rows(mu.make_loader(torch.utils.data.TensorDataset(X, Y), 4, shuffle=False)) == [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
    ]


@pytest.mark.parametrize(
    ("make", "match"),
    [
        pytest.param(
            lambda: mu.ShuffledBatches(X, Y[:5], batch_size=2), "same non-zero length", id="lengths"
        ),
        pytest.param(lambda: mu.ShuffledBatches(X, batch_size=0), "batch_size=", id="batch-size"),
        pytest.param(lambda: mu.RandomBatches(X, [1, 2], batch_size=2), "tensors", id="not-a-tensor"),
        pytest.param(lambda: mu.FullBatch(), "tensors", id="empty"),
        pytest.param(
            lambda: mu.make_loader(torch.utils.data.TensorDataset(X), 0), "batch_size=", id="loader"
        ),
    ],
)
def test_bad_batches_are_rejected(make, match):
    with pytest.raises((TypeError, ValueError), match=match):
        make()


def test_updates_per_epoch_matches_dataloader():
    ds = torch.utils.data.TensorDataset(torch.zeros(103, 1))
    for bs in (1, 10, 32, 103, 200):
        assert mu.updates_per_epoch(103, bs) == len(torch.utils.data.DataLoader(ds, batch_size=bs))
        assert mu.updates_per_epoch(103, bs, drop_last=True) == len(
            torch.utils.data.DataLoader(ds, batch_size=bs, drop_last=True)
        )
    with pytest.raises(ValueError, match="batch_size"):
        mu.updates_per_epoch(10, 0)


def test_to_device_moves_nested_batches():
    batch = {"x": X, "pair": (Y, [Y]), "n": 3}
    moved = mu.to_device(batch, "cpu")
    assert moved["n"] == 3 and isinstance(moved["pair"], tuple) and isinstance(moved["pair"][1], list)
    assert torch.equal(moved["pair"][1][0], Y)
