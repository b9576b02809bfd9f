"""Offline data for the course: generated, shipped by an installed package, or a checksummed file in data/.

Nothing here downloads. Generated arrays are cached under ``data/cache/`` in a file whose name carries
the generator's parameters; each cache file stores a SHA-256 of its own arrays and is rebuilt (with a
message) when it is unreadable or does not match. Time series (views, temperatures) are in
:mod:`mlnote_utils.timeseries`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
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
    "make_mnist1d_variant",
    "load_digits_split",
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


def make_mnist1d_variant(
    num_samples: int = 1000, seed: int = 1, **overrides: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST-1D signals from the ``mnist1d`` generator with some of its settings changed (a shifted distribution).

    Every signal (train and test part of the generator's output) is returned, cached under ``data/cache/``.

    Args:
        num_samples: number of signals (a multiple of 10, ≥ 10).
        seed: the generator's seed.
        **overrides: numeric generator settings to change, e.g. ``shear_scale=4.0`` (a stronger baseline
            drift) or ``iid_noise_scale=0.3``.

    Returns:
        ``(x, y)``: ``(num_samples, 40)`` float32 signals and int64 labels.
    """
    if not isinstance(num_samples, int) or num_samples < 10 or num_samples % 10:
        raise ValueError(f"num_samples={num_samples!r}: expected an int ≥ 10 that is a multiple of 10")
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args(as_dict=True)
    unknown = sorted(set(overrides) - set(args))
    if unknown:
        raise ValueError(
            f"overrides: unknown generator setting(s) {unknown}; expected some of {sorted(args)}"
        )
    for key, value in overrides.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{key}={value!r}: expected a number (list-valued settings cannot be overridden)")

    def build() -> dict[str, np.ndarray]:
        from mnist1d.utils import ObjectView

        settings = dict(args, num_samples=num_samples, seed=seed, **overrides)
        state = np.random.get_state()
        try:
            d = make_dataset(ObjectView(settings))
        finally:
            np.random.set_state(state)
        return {"x": np.concatenate([d["x"], d["x_test"]]), "y": np.concatenate([d["y"], d["y_test"]])}

    params = {"num_samples": num_samples, "seed": seed, **{k: float(v) for k, v in overrides.items()}}
    arrays = cached_arrays("mnist1d_variant", params, build, verbose=False)
    return torch.as_tensor(arrays["x"], dtype=torch.float32), torch.as_tensor(arrays["y"], dtype=torch.int64)


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
