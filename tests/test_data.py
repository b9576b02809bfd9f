import numpy as np
import pytest
import torch

import mlnote_utils as mu
from mlnote_utils import data as data_mod


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MLNOTE_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_cached_arrays_builds_once_then_reads(tmp_cache):
    calls = []

    def build():
        calls.append(1)
        return {"a": np.arange(5)}

    first = mu.cached_arrays("toy", {"n": 5}, build, verbose=False)
    second = mu.cached_arrays("toy", {"n": 5}, build, verbose=False)
    assert len(calls) == 1
    np.testing.assert_array_equal(first["a"], second["a"])
    mu.cached_arrays("toy", {"n": 6}, build, verbose=False)  # other parameters: another file
    assert len(calls) == 2
    assert len(list(tmp_cache.glob("toy-*.npz"))) == 2


@pytest.mark.parametrize("damage", ["garbage", "tamper"])
def test_corrupt_cache_is_detected_and_rebuilt(tmp_cache, capsys, damage):
    build = lambda: {"a": np.arange(5)}  # noqa: E731
    mu.cached_arrays("toy", {"n": 5}, build, verbose=False)
    (path,) = tmp_cache.glob("toy-*.npz")
    if damage == "garbage":
        path.write_bytes(b"not a zip file")
    else:  # valid npz whose arrays no longer match the stored checksum
        with np.load(path) as npz:
            stored = npz["_sha256"]
        np.savez(path, _sha256=stored, a=np.arange(5) + 1)
    again = mu.cached_arrays("toy", {"n": 5}, build)
    np.testing.assert_array_equal(again["a"], np.arange(5))
    out = capsys.readouterr().out
    assert "rebuilding" in out
    assert ("unreadable" if damage == "garbage" else "checksum mismatch") in out


def test_cached_arrays_rejects_bad_name(tmp_cache):
    with pytest.raises(ValueError, match="name="):
        mu.cached_arrays("../evil", {}, lambda: {})


def test_mnist1d_shapes_dtypes_and_determinism(tmp_cache):
    a = mu.load_mnist1d(num_samples=200, seed=1)
    assert a.x_train.shape == (160, 40) and a.x_test.shape == (40, 40)
    assert a.x_train.dtype == torch.float32 and a.y_train.dtype == torch.int64
    assert set(a.y_train.tolist()) <= set(range(10))
    b = mu.load_mnist1d(num_samples=200, seed=1)  # from the cache
    torch.testing.assert_close(a.x_train, b.x_train)
    c = mu.load_mnist1d(num_samples=200, seed=2)
    assert not torch.equal(a.x_train, c.x_train)
    x, y = a.train()[0]
    assert x.shape == (40,) and y.ndim == 0


def test_mnist1d_matches_package_generator_and_keeps_numpy_state(tmp_cache):
    from mnist1d.data import get_dataset_args, make_dataset

    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    ours = mu.load_mnist1d(num_samples=200, seed=5)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    args = get_dataset_args()
    args.num_samples, args.seed = 200, 5
    ref = make_dataset(args)
    np.testing.assert_allclose(ours.x_train.numpy(), ref["x"].astype(np.float32))
    np.testing.assert_array_equal(ours.y_test.numpy(), ref["y_test"])


@pytest.mark.parametrize("n", [50, 105, 1000.0])
def test_mnist1d_rejects_bad_size(n):
    with pytest.raises(ValueError, match="num_samples="):
        mu.load_mnist1d(num_samples=n)


def test_digits_split():
    s = mu.load_digits_split(test_fraction=0.25, seed=0)
    assert s.x_train.shape[1] == 64 and len(s.x_train) + len(s.x_test) == 1797
    assert 0.0 <= float(s.x_train.min()) and float(s.x_train.max()) <= 1.0
    img = mu.load_digits_split(flatten=False)
    assert img.x_train.shape[1:] == (1, 8, 8)
    with pytest.raises(ValueError, match="test_fraction="):
        mu.load_digits_split(test_fraction=1.5)


def test_seattle_temps_checksum_and_units():
    hours, celsius = mu.load_seattle_temps()
    assert hours.shape == celsius.shape == (8759,)
    assert hours[0] == 0 and hours[-1] == 365 * 24 - 1
    assert -15 < celsius.min() < celsius.max() < 40  # plausible Seattle air temperatures
    # January is colder than July
    assert celsius[: 31 * 24].mean() + 8 < celsius[181 * 24 : 212 * 24].mean()


def test_corrupt_shipped_file_gives_clear_error(tmp_path, monkeypatch):
    (tmp_path / "seattle_temps_2010.csv").write_text("date,temp\n2010/01/01 00:00,1\n")
    monkeypatch.setattr(data_mod, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="corrupt.*git checkout -- data/seattle_temps_2010.csv"):
        mu.load_seattle_temps()
    (tmp_path / "seattle_temps_2010.csv").unlink()
    with pytest.raises(FileNotFoundError, match="missing"):
        mu.load_seattle_temps()


def test_daily_views_has_weekly_rhythm():
    v = mu.make_daily_views(700, seed=0)
    assert v.shape == (700,) and v.dtype == np.float32
    by_weekday = v.reshape(-1, 7).mean(0)
    assert by_weekday[5:].max() < by_weekday[:5].min()  # weekends are quiet
    with pytest.raises(ValueError, match="n_days="):
        mu.make_daily_views(10)


def test_lagged_features_against_a_loop():
    s = np.arange(10, dtype=np.float32) ** 2
    X, y = mu.lagged_features(s, n_lags=3, horizon=2)
    rows = [(s[t - 2 : t + 1], s[t + 2]) for t in range(2, len(s) - 2)]
    np.testing.assert_array_equal(X, np.stack([r[0] for r in rows]))
    np.testing.assert_array_equal(y, np.array([r[1] for r in rows]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"series": np.zeros((3, 3)), "n_lags": 1}, "1-D"),
        ({"series": np.zeros(5), "n_lags": 0}, "n_lags="),
        ({"series": np.zeros(5), "n_lags": 1, "horizon": 0}, "horizon="),
        ({"series": np.zeros(5), "n_lags": 5}, "too short"),
    ],
)
def test_lagged_features_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mu.lagged_features(**kwargs)
