"""Device choice and seeding: the first code cell of every chapter calls these."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["get_device", "seed_everything", "seeded", "describe_device", "cpu_threads"]

_VALID = ("cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def get_device(prefer: str | None = None) -> torch.device:
    """Pick the device a chapter runs on: cuda → mps → cpu.

    The environment variable ``MLNOTE_DEVICE`` (or the ``prefer`` argument, which wins) forces a choice,
    e.g. ``MLNOTE_DEVICE=cpu`` to compare with a GPU run. ``cuda:1`` style indices are accepted.

    Args:
        prefer: optional device name overriding the environment.

    Returns:
        The chosen ``torch.device``.

    Raises:
        ValueError: if the requested name is not one of cpu/cuda/mps, or that device is not available.

    >>> get_device("cpu")
    device(type='cpu')
    """
    requested = prefer if prefer is not None else os.environ.get("MLNOTE_DEVICE", "").strip()
    if requested:
        kind = requested.split(":")[0].lower()
        source = "prefer" if prefer is not None else "MLNOTE_DEVICE"
        if kind not in _VALID:
            raise ValueError(
                f"{source}={requested!r}: expected one of {', '.join(_VALID)} (optionally 'cuda:N')"
            )
        if kind == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"{source}={requested!r}: CUDA was requested but torch sees no CUDA device")
        if kind == "mps" and not _mps_available():
            raise ValueError(f"{source}={requested!r}: MPS was requested but it is not available here")
        return torch.device(requested.lower())
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_device(device: torch.device) -> str:
    """One line naming the device (and the GPU model when there is one), for the setup cell."""
    if device.type == "cuda":
        return f"device: cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"device: cpu ({torch.get_num_threads()} threads)"
    return f"device: {device.type}"


def seed_everything(seed: int) -> torch.Generator:
    """Seed python's ``random``, NumPy and torch (CPU and every GPU) with ``seed``.

    Args:
        seed: a non-negative integer.

    Returns:
        A fresh ``torch.Generator`` seeded with ``seed``, for code that wants its own stream.

    >>> _ = seed_everything(0); a = torch.rand(1); _ = seed_everything(0); bool(torch.rand(1) == a)
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a non-negative integer")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return torch.Generator().manual_seed(seed)


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block with torch's global generator seeded with ``seed``, then put the previous state back.

    Helpers that build a model "for seed s" use this, so they never change the random stream the
    notebook is using (the CPU generator is forked; CUDA's is left alone).

    >>> with seeded(0):
    ...     a = torch.rand(1)
    >>> with seeded(0):
    ...     bool(torch.rand(1) == a)
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a non-negative integer")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        yield


@contextmanager
def cpu_threads(n: int | None) -> Iterator[None]:
    """Run a block with ``n`` CPU threads for torch, then restore the previous count.

    The course's networks are tiny: their matrix products are too small to split, so one thread is often
    faster than several (and much faster when another program is busy on the same cores).
    ``None`` leaves the thread count unchanged.

    >>> before = torch.get_num_threads()
    >>> with cpu_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n={n!r}: expected a positive int (or None to leave the thread count alone)")
    previous = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
