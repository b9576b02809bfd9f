import numpy as np
import pytest
import torch

import mlnote_utils as mu


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


def test_make_mnist1d_variant(tmp_cache):
    x, y = mu.make_mnist1d_variant(100, seed=3, shear_scale=2.0)
    assert x.shape == (100, 40) and x.dtype == torch.float32 and y.shape == (100,)
    assert torch.bincount(y).tolist() == [10] * 10
    x2, _ = mu.make_mnist1d_variant(100, seed=3, shear_scale=2.0)  # from the cache
    torch.testing.assert_close(x, x2)
    x3, _ = mu.make_mnist1d_variant(100, seed=3)
    assert not torch.allclose(x, x3)
    with pytest.raises(ValueError, match="unknown"):
        mu.make_mnist1d_variant(100, bogus=1.0)
    with pytest.raises(TypeError, match="number"):
        mu.make_mnist1d_variant(100, padding=[1, 2])
    with pytest.raises(ValueError, match="multiple of 10"):
        mu.make_mnist1d_variant(105)
