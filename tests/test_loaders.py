import re

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


# ---------------------------------------------------------------- contract details (mutation testing)
def test_defaults_seed_zero_and_no_drop_last():
    data = mu.ShuffledBatches(X, Y, batch_size=3)
    assert data.batch_size == 3 and data.drop_last is False and len(data) == 4
    assert sum(_rows(data), []) == torch.randperm(10, generator=torch.Generator().manual_seed(0)).tolist()
    rand = mu.RandomBatches(X, Y, batch_size=4)
    assert rand.batch_size == 4 and len(rand) == 3
    gen = torch.Generator().manual_seed(0)
    assert _rows(rand) == [torch.randint(0, 10, (4,), generator=gen).tolist() for _ in range(3)]
    loader = mu.make_loader(torch.utils.data.TensorDataset(X, Y), 4)
    ref = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, Y),
        batch_size=4,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    assert _rows(loader) == _rows(ref) and _rows(loader) != [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert loader.batch_size == 4 and loader.generator.initial_seed() == 0
    assert mu.updates_per_epoch(10, 4) == 3


def test_make_loader_seed_decides_the_order_and_survives_epochs():
    ds = torch.utils.data.TensorDataset(X, Y)
    a, b = mu.make_loader(ds, 3, seed=7), mu.make_loader(ds, 3, seed=7)
    ref = torch.utils.data.DataLoader(
        ds, batch_size=3, shuffle=True, generator=torch.Generator().manual_seed(7)
    )
    first = _rows(a)
    assert first == _rows(b) == _rows(ref) and [len(r) for r in first] == [3, 3, 3, 1]
    assert _rows(a) == _rows(ref) and _rows(a) != first  # a new order each epoch, as DataLoader's own


def test_drop_last_with_a_batch_of_all_rows_is_one_full_batch():
    data = mu.ShuffledBatches(X, Y, batch_size=10, drop_last=True)
    assert len(data) == 1 and sorted(_rows(data)[0]) == list(range(10))
    with pytest.raises(ValueError, match=r"^batch_size=11: with drop_last it must be ≤ the 10 rows$"):
        mu.ShuffledBatches(X, Y, batch_size=11, drop_last=True)
    assert len(mu.ShuffledBatches(X, Y, batch_size=11)) == 1  # without drop_last: one short batch


def test_shuffled_batches_with_batch_size_one_and_a_last_batch_of_one():
    data = mu.ShuffledBatches(X, Y, batch_size=3, seed=4)
    order = torch.randperm(10, generator=torch.Generator().manual_seed(4)).tolist()
    assert _rows(data) == [order[0:3], order[3:6], order[6:9], order[9:10]]
    assert _rows(mu.ShuffledBatches(Y, Y, batch_size=1, seed=4)) == [[i] for i in order]


def test_random_batches_length_is_the_ceiling():
    assert len(mu.RandomBatches(X, batch_size=3)) == 4 and len(mu.RandomBatches(X, batch_size=10)) == 1
    assert len(mu.RandomBatches(X, batch_size=11)) == 1
    batches = _rows(mu.RandomBatches(X, Y, batch_size=3, seed=2))
    assert [len(b) for b in batches] == [3, 3, 3, 3] and all(0 <= i < 10 for b in batches for i in b)
    gen = torch.Generator().manual_seed(2)
    assert batches == [torch.randint(0, 10, (3,), generator=gen).tolist() for _ in range(4)]
    for xb, yb in mu.RandomBatches(X, Y, batch_size=4, seed=1):
        assert xb[:, 0].long().tolist() == yb.tolist()  # rows stay paired


def test_full_batch_has_one_batch_and_no_generator():
    data = mu.FullBatch(X, Y)
    assert len(data) == 1 and data.generator is None and mu.FullBatch.generator is None
    (batch,) = list(data)
    assert batch[0] is X and batch[1] is Y
    assert [b[0] is X for b in data] == [True]  # iterable again


@pytest.mark.parametrize(
    ("make", "exc", "message"),
    [
        pytest.param(
            lambda: mu.ShuffledBatches(X, Y[:5], batch_size=2),
            ValueError,
            "ShuffledBatches: expected tensors with the same non-zero length, got [10, 5]",
            id="lengths",
        ),
        pytest.param(
            lambda: mu.FullBatch(X[:0], Y[:0]),
            ValueError,
            "FullBatch: expected tensors with the same non-zero length, got [0, 0]",
            id="empty-rows",
        ),
        pytest.param(
            lambda: mu.RandomBatches(X, [1, 2], batch_size=2),
            TypeError,
            "RandomBatches: expected one or more tensors, got ['Tensor', 'list']",
            id="not-a-tensor",
        ),
        pytest.param(
            lambda: mu.FullBatch(), TypeError, "FullBatch: expected one or more tensors, got []", id="none"
        ),
        pytest.param(
            lambda: mu.ShuffledBatches(X, batch_size=0),
            ValueError,
            "batch_size=0: expected a positive int",
            id="zero",
        ),
        pytest.param(
            lambda: mu.RandomBatches(X, batch_size=True),
            ValueError,
            "batch_size=True: expected a positive int",
            id="bool",
        ),
        pytest.param(
            lambda: mu.RandomBatches(X, batch_size=2.0),
            ValueError,
            "batch_size=2.0: expected a positive int",
            id="float",
        ),
        pytest.param(
            lambda: mu.make_loader(torch.utils.data.TensorDataset(X), 0),
            ValueError,
            "batch_size=0: expected a positive int",
            id="loader",
        ),
        pytest.param(
            lambda: mu.updates_per_epoch(0, 2),
            ValueError,
            "n_samples=0: expected a positive int",
            id="n-zero",
        ),
        pytest.param(
            lambda: mu.updates_per_epoch(True, 2),
            ValueError,
            "n_samples=True: expected a positive int",
            id="n-bool",
        ),
        pytest.param(
            lambda: mu.updates_per_epoch(10, 2.5),
            ValueError,
            "batch_size=2.5: expected a positive int",
            id="b-float",
        ),
    ],
)
def test_error_messages_in_full(make, exc, message):
    with pytest.raises(exc, match="^" + re.escape(message) + "$"):
        make()


def test_one_row_and_batch_size_one_are_accepted():
    assert mu.updates_per_epoch(1, 1) == 1 and mu.updates_per_epoch(1, 1, drop_last=True) == 1
    assert mu.updates_per_epoch(5, 10) == 1 and mu.updates_per_epoch(5, 10, drop_last=True) == 0
    assert (
        len(mu.ShuffledBatches(Y[:1], batch_size=1)) == 1 and len(mu.RandomBatches(Y[:1], batch_size=1)) == 1
    )


def test_to_device_moves_tensors_and_keeps_containers():
    batch = {"x": X, "pair": (Y, [Y]), "n": 3, "s": "text"}
    moved = mu.to_device(batch, "meta")  # a device other than the CPU, available everywhere
    assert moved["x"].device.type == "meta" and moved["pair"][0].device.type == "meta"
    assert moved["pair"][1][0].device.type == "meta" and moved["x"].shape == X.shape
    assert type(moved["pair"]) is tuple and type(moved["pair"][1]) is list and set(moved) == set(batch)
    assert moved["n"] == 3 and moved["s"] == "text"
    assert mu.to_device(X, torch.device("meta")).device.type == "meta"
    assert mu.to_device([X, Y], "meta")[1].device.type == "meta"
