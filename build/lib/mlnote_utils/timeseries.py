"""Time series for chapters 01–02: a generated daily-views series, real Seattle temperatures (shipped in
data/), lag-window regression tables, and alternating train/held-out blocks.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

import numpy as np

from .data import _check_shipped

__all__ = [
    "load_seattle_temps",
    "make_daily_views",
    "lagged_features",
    "block_split",
]


def load_seattle_temps() -> tuple[np.ndarray, np.ndarray]:
    """Hourly air temperature in Seattle for 2010 (NOAA, public domain; see data/README.md).

    Returns:
        ``(hours, celsius)``: ``hours`` is ``(8759,)`` int64 hours since 2010-01-01 00:00,
        ``celsius`` is ``(8759,)`` float32 (the file is in °F and is converted).
    """
    path = _check_shipped("seattle_temps_2010.csv")
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    stamps = np.array([r["date"].replace("/", "-").replace(" ", "T") for r in rows], dtype="datetime64[m]")
    hours = ((stamps - np.datetime64("2010-01-01T00:00")) // np.timedelta64(1, "h")).astype(np.int64)
    fahrenheit = np.array([float(r["temp"]) for r in rows], dtype=np.float64)
    return hours, ((fahrenheit - 32.0) * 5.0 / 9.0).astype(np.float32)


def make_daily_views(n_days: int = 730, seed: int = 0, noise: float = 0.12) -> np.ndarray:
    """A *generated* series of daily page views with a weekly rhythm, a slow trend and noise.

    It imitates the lecture's channel-views example (weekends are quiet); it is not real data.

    Args:
        n_days: length of the series (≥ 60).
        seed: noise seed.
        noise: standard deviation of the added Gaussian noise (0 gives the clean signal).

    Returns:
        ``(n_days,)`` float32 views, in thousands.
    """
    if not isinstance(n_days, int) or n_days < 60:
        raise ValueError(f"n_days={n_days!r}: expected an int ≥ 60")
    if not noise >= 0:
        raise ValueError(f"noise={noise!r}: expected a standard deviation ≥ 0")
    rng = np.random.default_rng(seed)
    day = np.arange(n_days)
    weekly = np.array([1.0, 1.05, 1.0, 0.95, 0.85, 0.45, 0.4])[day % 7]  # Mon..Sun: weekends are quiet
    trend = 3.0 + 1.5 * day / n_days + 0.3 * np.sin(2 * np.pi * day / 182.5)
    return (trend * weekly + rng.normal(0.0, noise, n_days)).astype(np.float32)


def lagged_features(
    series: Sequence[float] | np.ndarray, n_lags: int, horizon: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Turn a series into a regression table: the last ``n_lags`` values predict the value ``horizon`` ahead.

    Row ``i`` has features ``series[t-n_lags+1 .. t]`` (oldest first) and target ``series[t+horizon]``.

    Args:
        series: a 1-D array.
        n_lags: how many past values to use (≥ 1).
        horizon: how far ahead the target is (≥ 1).

    Returns:
        ``(X, y)`` with ``X`` of shape ``(len(series) - n_lags - horizon + 1, n_lags)`` and ``y`` its targets.

    >>> X, y = lagged_features([1, 2, 3, 4, 5], n_lags=2)
    >>> X.tolist(), y.tolist()
    ([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0]], [3.0, 4.0, 5.0])
    """
    s = np.asarray(series, dtype=np.float32)
    if s.ndim != 1:
        raise ValueError(f"series: expected a 1-D array, got shape {s.shape}")
    if not isinstance(n_lags, int) or n_lags < 1:
        raise ValueError(f"n_lags={n_lags!r}: expected an int ≥ 1")
    if not isinstance(horizon, int) or horizon < 1:
        raise ValueError(f"horizon={horizon!r}: expected an int ≥ 1")
    n_rows = len(s) - n_lags - horizon + 1
    if n_rows < 1:
        raise ValueError(f"series of length {len(s)} is too short for n_lags={n_lags}, horizon={horizon}")
    idx = np.arange(n_rows)[:, None] + np.arange(n_lags)[None, :]  # (n_rows, n_lags)
    return s[idx], s[idx[:, -1] + horizon]


def block_split(n_rows: int, block: int, gap: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Alternate blocks of consecutive rows between training (even blocks) and held-out (odd blocks).

    The first ``gap`` rows of each held-out block are dropped, so that lag windows of held-out rows do not
    reach into the training block just before them.

    Returns:
        Boolean masks ``(train, held_out)`` of length ``n_rows``.

    >>> tr, te = block_split(8, block=2, gap=1)
    >>> tr.astype(int).tolist(), te.astype(int).tolist()
    ([1, 1, 0, 0, 1, 1, 0, 0], [0, 0, 0, 1, 0, 0, 0, 1])
    """
    if not isinstance(block, int) or block < 1 or not isinstance(n_rows, int) or n_rows < 1:
        raise ValueError(f"n_rows={n_rows!r}, block={block!r}: expected positive ints")
    if not isinstance(gap, int) or not 0 <= gap < block:
        raise ValueError(f"gap={gap!r}: expected an int with 0 ≤ gap < block={block}")
    idx = np.arange(n_rows)
    odd = (idx // block) % 2 == 1
    return ~odd, odd & (idx % block >= gap)
