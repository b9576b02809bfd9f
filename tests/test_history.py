import numpy as np
import pytest
import torch

import mlnote_utils as mu


def _history():
    h = mu.History()
    for step in range(1, 7):
        h.log(step, loss=float(step), acc=torch.tensor(step / 10))
    h.epoch_ends += [2, 4, 6]
    h.log(4, valid_loss=0.5)
    return h


def test_series_keep_the_step_of_each_value():
    h = _history()
    assert h["loss"].tolist() == [1, 2, 3, 4, 5, 6] and h["acc"].dtype == np.float64
    assert h.steps_of("valid_loss").tolist() == [4] and h.last("acc") == pytest.approx(0.6)
    assert h.names == ["loss", "acc", "valid_loss"] and "acc" in h and "x" not in h and list(h) == h.names
    assert h.epochs_done == 3 and "valid_loss[1]" in repr(h)


def test_per_epoch_means():
    h = _history()
    assert h.per_epoch("loss").tolist() == [1.5, 3.5, 5.5]
    assert np.isnan(h.per_epoch("valid_loss")[[0, 2]]).all() and h.per_epoch("valid_loss")[1] == 0.5


def test_state_dict_round_trip():
    h = _history()
    h.steps_done, h.seconds, h.stop_reason = 6, 1.5, "done"
    g = mu.History.from_state_dict(h.state_dict())
    assert g.state_dict() == h.state_dict() and len(g) == 6 and g.stop_reason == "done"
    g.log(7, loss=7.0)
    assert len(h["loss"]) == 6  # the copy does not share lists


def test_errors_name_the_problem():
    h = _history()
    with pytest.raises(KeyError, match="'lost': no such series"):
        h["lost"]
    with pytest.raises(ValueError, match="step="):
        h.log(-1, loss=1.0)
    with pytest.raises(TypeError, match="loss="):
        h.log(1, loss=torch.ones(3))
    with pytest.raises(TypeError, match="loss="):
        h.log(1, loss="low")
