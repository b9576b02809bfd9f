"""Batches for :func:`~mlnote_utils.train.fit`: shuffled mini-batches, one full batch, or sampling with replacement.

For tensors already in memory (and on the device) :class:`ShuffledBatches` indexes whole batches at once,
which is much faster than a ``DataLoader``'s sample-by-sample fetching for the course's small models.

Every iterable here can be iterated again (one pass = one epoch) and keeps its randomness in its own
``generator`` attribute, which is how ``fit`` saves and restores the data order in a checkpoint.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

import torch
from torch.utils.data import DataLoader, Dataset

__all__ = ["make_loader", "ShuffledBatches", "FullBatch", "RandomBatches", "updates_per_epoch", "to_device"]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r}: expected a positive int")
    return value


def _check_tensors(tensors: Sequence[torch.Tensor], what: str) -> None:
    if not tensors or not all(isinstance(t, torch.Tensor) for t in tensors):
        raise TypeError(f"{what}: expected one or more tensors, got {[type(t).__name__ for t in tensors]}")
    n = len(tensors[0])
    if n == 0 or any(len(t) != n for t in tensors):
        raise ValueError(
            f"{what}: expected tensors with the same non-zero length, got {[len(t) for t in tensors]}"
        )


def make_loader(dataset: Dataset, batch_size: int, *, shuffle: bool = True, seed: int = 0) -> DataLoader:
    """A ``DataLoader`` whose shuffling has its own seeded generator (reproducible, resumable).

    >>> loader = make_loader(torch.utils.data.TensorDataset(torch.arange(5)), 2, shuffle=False)
    >>> [b[0].tolist() for b in loader]
    [[0, 1], [2, 3], [4]]
    """
    _positive_int(batch_size, "batch_size")
    gen = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=gen)


class ShuffledBatches:
    """Mini-batches of ``tensors`` in a new random order every epoch (a permutation from a seeded generator).

    An epoch has ``ceil(N / batch_size)`` batches — the last one smaller — or ``floor(N / batch_size)`` with
    ``drop_last`` (the rows left over are not used in that epoch).

    >>> [x.tolist() for (x,) in ShuffledBatches(torch.arange(5), batch_size=2, seed=0)]
    [[4, 0], [1, 3], [2]]
    """

    def __init__(
        self, *tensors: torch.Tensor, batch_size: int, seed: int = 0, drop_last: bool = False
    ) -> None:
        _check_tensors(tensors, "ShuffledBatches")
        self.tensors = tensors
        self.batch_size = _positive_int(batch_size, "batch_size")
        if drop_last and batch_size > len(tensors[0]):
            raise ValueError(
                f"batch_size={batch_size}: with drop_last it must be ≤ the {len(tensors[0])} rows"
            )
        self.drop_last = drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return updates_per_epoch(len(self.tensors[0]), self.batch_size, drop_last=self.drop_last)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        order = torch.randperm(len(self.tensors[0]), generator=self.generator)
        for i in range(len(self)):
            idx = order[i * self.batch_size : (i + 1) * self.batch_size]
            yield tuple(t[idx.to(t.device)] for t in self.tensors)


class FullBatch:
    """The whole data set as one batch per epoch (full-batch gradient descent): ``fit(..., FullBatch(x, y))``.

    >>> [tuple(t.tolist() for t in b) for b in FullBatch(torch.tensor([1, 2]), torch.tensor([3, 4]))]
    [([1, 2], [3, 4])]
    """

    generator = None

    def __init__(self, *tensors: torch.Tensor) -> None:
        _check_tensors(tensors, "FullBatch")
        self.tensors = tensors

    def __len__(self) -> int:
        return 1

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        yield self.tensors


class RandomBatches:
    """Mini-batches drawn *with replacement* from ``tensors``; one "epoch" is ``ceil(N / batch_size)`` of them.

    Each batch is ``batch_size`` independent uniform draws of row indices from a generator seeded with
    ``seed`` (so a row can appear twice in a batch, and some rows are not seen in an epoch).

    >>> b = RandomBatches(torch.arange(10), batch_size=4, seed=0)
    >>> len(b), [len(x) for (x,) in b]
    (3, [4, 4, 4])
    """

    def __init__(self, *tensors: torch.Tensor, batch_size: int, seed: int = 0) -> None:
        _check_tensors(tensors, "RandomBatches")
        self.tensors = tensors
        self.batch_size = _positive_int(batch_size, "batch_size")
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return math.ceil(len(self.tensors[0]) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        n = len(self.tensors[0])
        for _ in range(len(self)):
            idx = torch.randint(0, n, (self.batch_size,), generator=self.generator)
            yield tuple(t[idx.to(t.device)] for t in self.tensors)


def updates_per_epoch(n_samples: int, batch_size: int, *, drop_last: bool = False) -> int:
    """How many parameter updates one epoch makes: ``ceil(N/B)`` (or ``floor`` with ``drop_last``).

    >>> updates_per_epoch(1000, 64), updates_per_epoch(1000, 64, drop_last=True)
    (16, 15)
    """
    for name, v in (("n_samples", n_samples), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name}={v!r}: expected a positive int")
    return n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)


def to_device(batch, device: torch.device | str):
    """Move every tensor in a batch (a tensor, or tuples/lists/dicts of them) to ``device``.

    >>> to_device({"x": torch.zeros(1), "n": 3}, "cpu")["n"]
    3
    """
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, Mapping):
        return {k: to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, (tuple, list)):
        return type(batch)(to_device(v, device) for v in batch)
    return batch
