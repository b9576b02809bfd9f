"""Time series (mlnote_utils.timeseries): Seattle temperatures, generated daily views, lag windows, block splits."""

import numpy as np
import pytest

import mlnote_utils as mu
from mlnote_utils import data as data_mod


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


def test_block_split():
    tr, te = mu.block_split(20, block=5, gap=2)
    assert not np.any(tr & te) and tr.sum() == 10 and te.sum() == 6
    with pytest.raises(ValueError, match="gap"):
        mu.block_split(20, block=5, gap=5)
