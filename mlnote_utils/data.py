"""Offline data for the course: generated, shipped by an installed package, or a checksummed file in data/.

Nothing here downloads. Generated arrays are cached under ``data/cache/`` in a file whose name carries
the generator's parameters; each cache file stores a SHA-256 of its own arrays and is rebuilt (with a
message) when it is unreadable or does not match.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

__all__ = [
    "DATA_DIR",
    "Split",
    "cache_dir",
    "cached_arrays",
    "load_mnist1d",
    "load_digits_split",
    "load_seattle_temps",
    "make_daily_views",
    "lagged_features",
    "sha256_file",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: Shipped files and their SHA-256 (data/README.md gives provenance and licence).
_SHIPPED = {
    "seattle_temps_2010.csv": "c220666521ff4bec4ffb6f0d9acfdc5c1056564b1aad6f78d3b06aa0a0c8b085",
}


@dataclass(frozen=True)
class Split:
    """A train/test split of tensors.

    Attributes:
        x_train: inputs, ``(N_train, ...)`` float32.
        y_train: targets, ``(N_train,)`` int64 class labels (or float32 for regression).
        x_test: inputs, ``(N_test, ...)``.
        y_test: targets, ``(N_test,)``.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    def train(self) -> TensorDataset:
        """The training part as a ``TensorDataset`` of ``(x, y)`` pairs."""
        return TensorDataset(self.x_train, self.y_train)

    def test(self) -> TensorDataset:
        """The test part as a ``TensorDataset`` of ``(x, y)`` pairs."""
        return TensorDataset(self.x_test, self.y_test)

    def __repr__(self) -> str:
        return (
            f"Split(x_train={tuple(self.x_train.shape)} {self.x_train.dtype}, y_train={tuple(self.y_train.shape)}, "
            f"x_test={tuple(self.x_test.shape)}, y_test={tuple(self.y_test.shape)})"
        )


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dir() -> Path:
    """The cache folder: ``$MLNOTE_CACHE_DIR`` if set, else ``data/cache/`` in the repository."""
    override = os.environ.get("MLNOTE_CACHE_DIR")
    return Path(override) if override else DATA_DIR / "cache"


def _arrays_digest(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for key in sorted(arrays):
        arr = np.ascontiguousarray(arrays[key])
        digest.update(key.encode())
        digest.update(str(arr.dtype).encode())
        digest.update(str(arr.shape).encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()


def cached_arrays(
    name: str,
    params: dict[str, object],
    build: Callable[[], dict[str, np.ndarray]],
    *,
    directory: str | Path | None = None,
    verbose: bool = True,
) -> dict[str, np.ndarray]:
    """Return ``build()``'s arrays, cached in ``<directory>/<name>-<key>.npz``.

    The key is derived from ``params``, so different parameters never share a file. A cache file that
    cannot be read, lacks its checksum or fails it is reported and rebuilt.

    Args:
        name: a short file-name-safe label, e.g. ``"mnist1d"``.
        params: the generator's parameters (JSON-like scalars).
        build: a function returning a dict of NumPy arrays.
        directory: where to cache; default :func:`cache_dir`.
        verbose: print a line when the cache is (re)built.
    """
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"name={name!r}: expected a short label of letters, digits, '-' or '_'")
    folder = Path(directory) if directory is not None else cache_dir()
    key = hashlib.sha256(repr(sorted(params.items())).encode()).hexdigest()[:12]
    path = folder / f"{name}-{key}.npz"
    if path.exists():
        problem = None
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files if k != "_sha256"}
                stored = str(npz["_sha256"]) if "_sha256" in npz.files else None
            if stored != _arrays_digest(arrays):
                problem = "checksum mismatch"
        except Exception as exc:  # noqa: BLE001 - any unreadable file is treated the same way
            problem = f"unreadable ({type(exc).__name__})"
        if problem is None:
            return arrays
        if verbose:
            print(f"cache {path.name}: {problem}; rebuilding it from the generator.")
    arrays = {k: np.asarray(v) for k, v in build().items()}
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, _sha256=np.array(_arrays_digest(arrays)), **arrays)
    os.replace(tmp, path)
    if verbose:
        print(f"cache {path.name}: built ({', '.join(f'{k}{v.shape}' for k, v in arrays.items())}).")
    return arrays


def load_mnist1d(num_samples: int = 5000, seed: int = 42, *, verbose: bool = False) -> Split:
    """MNIST-1D, generated offline with the ``mnist1d`` package's ``make_dataset`` (never downloaded).

    Default parameters are the package's (40-point signals, 80/20 split). NumPy's global random state is
    restored afterwards, since the generator reseeds it.

    Args:
        num_samples: total number of signals (a multiple of 10, ≥ 100).
        seed: the generator's seed.

    Returns:
        A :class:`Split`; ``x`` is ``(N, 40)`` float32, ``y`` is ``(N,)`` int64 in 0..9.
    """
    if not isinstance(num_samples, int) or num_samples < 100 or num_samples % 10:
        raise ValueError(f"num_samples={num_samples!r}: expected an int ≥ 100 that is a multiple of 10")

    def build() -> dict[str, np.ndarray]:
        from mnist1d.data import get_dataset_args, make_dataset

        args = get_dataset_args()
        args.num_samples, args.seed = num_samples, seed
        state = np.random.get_state()
        try:
            d = make_dataset(args)
        finally:
            np.random.set_state(state)
        return {"x": d["x"], "y": d["y"], "x_test": d["x_test"], "y_test": d["y_test"]}

    arrays = cached_arrays("mnist1d", {"num_samples": num_samples, "seed": seed}, build, verbose=verbose)
    return Split(
        torch.as_tensor(arrays["x"], dtype=torch.float32),
        torch.as_tensor(arrays["y"], dtype=torch.int64),
        torch.as_tensor(arrays["x_test"], dtype=torch.float32),
        torch.as_tensor(arrays["y_test"], dtype=torch.int64),
    )


def load_digits_split(test_fraction: float = 0.25, seed: int = 0, *, flatten: bool = True) -> Split:
    """scikit-learn's bundled 8×8 digits (1797 images; shipped with the package, no download).

    Pixels are scaled from 0..16 to 0..1; the split is stratified and seeded.

    Args:
        test_fraction: share of images held out, in (0, 1).
        seed: shuffling seed.
        flatten: ``(N, 64)`` inputs if True, else ``(N, 1, 8, 8)`` images.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction={test_fraction!r}: expected a number strictly between 0 and 1")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32)
    y = bunch.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y)
    if not flatten:
        x_tr, x_te = x_tr.reshape(-1, 1, 8, 8), x_te.reshape(-1, 1, 8, 8)
    return Split(*(torch.from_numpy(a) for a in (x_tr, y_tr, x_te, y_te)))


def _check_shipped(name: str) -> Path:
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; restore it with `git checkout -- data/{name}`")
    actual = sha256_file(path)
    if actual != _SHIPPED[name]:
        raise ValueError(
            f"{path} is corrupt (sha256 {actual[:12]}… ≠ {_SHIPPED[name][:12]}…); "
            f"restore it with `git checkout -- data/{name}`"
        )
    return path


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
