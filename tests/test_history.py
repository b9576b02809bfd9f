import re

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


# ---------------------------------------------------------------- contract details (mutation testing)
def test_a_new_history_is_empty():
    h = mu.History()
    assert h.names == [] and list(h) == [] and len(h) == 0 and h.epochs_done == 0 and h.epoch_ends == []
    assert h.steps_done == 0 and h.resumed_from == 0 and h.seconds == 0.0 and h.stop_reason is None
    assert repr(h) == "History(steps=0, epochs=0, series: none)"
    assert h.state_dict() == {
        "steps": {},
        "values": {},
        "epoch_ends": [],
        "steps_done": 0,
        "seconds": 0.0,
        "stop_reason": None,
    }


def test_repr_in_full():
    h = _history()
    h.steps_done = 6
    assert repr(h) == "History(steps=6, epochs=3, series: loss[6], acc[6], valid_loss[1])"


def test_log_accepts_step_zero_numpy_ints_and_tensors_with_a_graph():
    h = mu.History()
    w = torch.tensor(2.0, requires_grad=True)
    h.log(0, valid_loss=1.0)
    h.log(np.int64(3), loss=w * 3, acc=np.float32(0.5))
    assert h.steps_of("valid_loss").tolist() == [0] and h.steps_of("loss").tolist() == [3]
    assert type(h._steps["loss"][0]) is int and type(h._values["loss"][0]) is float
    assert h.last("loss") == 6.0 and h.last("acc") == 0.5
    assert h["loss"].dtype == np.float64 and h.steps_of("loss").dtype == np.int64


def test_logging_a_tensor_with_a_graph_does_not_warn():
    import warnings

    h = mu.History()
    always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # torch warns about float(<tensor with grad>) once per process otherwise
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            h.log(1, loss=torch.tensor(2.0, requires_grad=True) * 2)
    finally:
        torch.set_warn_always(always)
    assert h.last("loss") == 4.0


def test_per_epoch_of_an_epoch_without_values_is_nan_without_a_warning():
    import warnings

    h = mu.History()
    h.log(1, loss=1.0)
    h.epoch_ends += [1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "mean of empty slice"
        means = h.per_epoch("loss")
    assert means[0] == 1.0 and np.isnan(means[1])


def test_per_epoch_uses_the_steps_inside_each_epoch():
    h = mu.History()
    for step, v in [(1, 1.0), (2, 3.0), (3, 10.0), (5, 20.0), (6, 40.0)]:
        h.log(step, loss=v)
    h.epoch_ends += [2, 4, 6]
    assert h.per_epoch("loss").tolist() == [2.0, 10.0, 30.0]  # step 2 ends epoch 1, step 3 opens epoch 2
    h.log(0, valid=5.0)  # step 0 (the untrained model) belongs to no epoch
    assert np.isnan(h.per_epoch("valid")).all() and h.per_epoch("valid").dtype == np.float64
    with pytest.raises(KeyError, match=r"^\"'x': no such series; recorded series are \['loss', 'valid'\]\"$"):
        h.per_epoch("x")


def test_from_state_dict_restores_every_field_as_its_type():
    state = {
        "steps": {"loss": [1, 2]},
        "values": {"loss": [0.5, 0.25]},
        "epoch_ends": [2],
        "steps_done": np.int64(2),
        "seconds": 3,
        "stop_reason": None,
    }
    h = mu.History.from_state_dict(state)
    assert h["loss"].tolist() == [0.5, 0.25] and h.steps_of("loss").tolist() == [1, 2]
    assert h.epoch_ends == [2] and h.epochs_done == 1 and len(h) == 2
    assert type(h.steps_done) is int and type(h.seconds) is float and h.seconds == 3.0
    assert h.stop_reason is None and h.resumed_from == 0
    state["steps"]["loss"].append(3)
    state["values"]["loss"].append(0.1)
    state["epoch_ends"].append(4)
    assert len(h["loss"]) == 2 and h.steps_of("loss").tolist() == [1, 2] and h.epoch_ends == [2]
    saved = h.state_dict()
    h.log(3, loss=0.0)
    h.epoch_ends.append(3)
    assert saved["values"]["loss"] == [0.5, 0.25] and saved["steps"]["loss"] == [1, 2]
    assert saved["epoch_ends"] == [2]


@pytest.mark.parametrize("step", [-1, True, 1.0, "1"])
def test_log_rejects_a_step_that_is_not_a_non_negative_int(step):
    with pytest.raises(ValueError, match=r"^step=" + re.escape(repr(step)) + r": expected an int ≥ 0$"):
        mu.History().log(step, loss=1.0)


def test_error_messages_in_full():
    h = _history()
    with pytest.raises(
        KeyError, match=r"^\"'lost': no such series; recorded series are \['loss', 'acc', 'valid_loss'\]\"$"
    ):
        h.steps_of("lost")
    with pytest.raises(KeyError, match=r"^\"'lost': no such series"):
        h.last("lost")
    with pytest.raises(
        TypeError, match=r"^loss='low': a logged value must be a number or a one-element tensor$"
    ):
        h.log(1, loss="low")
    with pytest.raises(TypeError, match=r"^loss=\[1, 2\]: a logged value"):
        h.log(1, loss=[1, 2])
    assert h["loss"].tolist() == [1, 2, 3, 4, 5, 6]  # a refused value is not half-recorded
