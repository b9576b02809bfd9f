"""The run fingerprint: what changes it (and so prevents a silent resume) and what must not."""

import random
import re

import numpy as np
import pytest
import torch
from torch import nn

import mlnote_utils as mu
from mlnote_utils.checkpoint import fingerprint, fingerprint_difference


def _fp(lr=0.1, width=4, warmup=False, betas=(0.9, 0.999), data=None, **kw):
    model = nn.Sequential(nn.Linear(3, width), nn.ReLU(), nn.Linear(width, 2))
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=betas)
    scheds = {}
    if warmup:
        scheds["s"] = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: min(1.0, (t + 1) / 10))
    return fingerprint({"model": model}, {"optimizer": opt}, scheds, data=data, **kw), opt


def test_hyper_parameters_shapes_data_and_config_are_in_the_fingerprint():
    base, _ = _fp()
    assert fingerprint_difference(base, _fp()[0]) == []
    assert fingerprint_difference(base, _fp(lr=0.2)[0]) == ["optimizer/optimizer/group0/lr: 0.1 -> 0.2"]
    assert fingerprint_difference(base, _fp(betas=(0.8, 0.999))[0]) == [
        "optimizer/optimizer/group0/betas: [0.9, 0.999] -> [0.8, 0.999]"
    ]
    assert any(
        line.startswith("model/model/0.weight") for line in fingerprint_difference(base, _fp(width=5)[0])
    )
    loader = mu.ShuffledBatches(torch.zeros(10, 3), batch_size=5)
    assert fingerprint_difference(base, _fp(data=loader)[0])[0].startswith("data: ")
    assert fingerprint_difference(base, _fp(seed=1)[0]) == ["seed: None -> 1"]
    assert fingerprint_difference(base, _fp(config={"aug": "flip"})[0]) == ["config/aug: (absent) -> flip"]
    assert fingerprint_difference(base, _fp(loss_fn=nn.functional.mse_loss)[0]) == [
        "loss_fn: None -> mse_loss"
    ]


def test_a_schedule_that_has_moved_the_learning_rate_keeps_the_fingerprint():
    fresh, opt = _fp(warmup=True)
    assert opt.param_groups[0]["lr"] != 0.1  # LambdaLR already scaled it for step 0
    for _ in range(5):
        opt.step()
    assert fingerprint({}, {"optimizer": opt}, {})["optimizer/optimizer/group0/lr"] == 0.1
    assert fresh["optimizer/optimizer/group0/lr"] == 0.1
    assert fingerprint_difference(fresh, _fp(warmup=True)[0]) == []


# ---------------------------------------------------------------- contract details (mutation testing)
def test_fingerprint_entries_in_full():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    data = mu.ShuffledBatches(torch.zeros(10, 3), batch_size=4)
    fp = fingerprint({"net": model}, {"opt": opt}, {"s": sched}, data=data, loss_fn=nn.functional.mse_loss,
                     step=_a_step, seed=3, config={"k": 2})  # fmt: skip
    assert fp["model/net"] == "Sequential" and fp["model/net/0.weight"] == [[2, 3], "torch.float64"]
    assert fp["model/net/1.num_batches_tracked"] == [[], "torch.int64"]  # buffers count too
    assert fp["optimizer/opt"] == "SGD" and fp["optimizer/opt/group0/lr"] == 0.1
    assert (
        fp["optimizer/opt/group0/momentum"] == 0.5 and fp["optimizer/opt/group0/parameters"] == 6 + 2 + 2 + 2
    )
    assert not any(k.endswith(("/params", "/initial_lr")) for k in fp)
    sched_entries = {k: v for k, v in fp.items() if k.startswith("scheduler/")}
    assert sched_entries == {
        "scheduler/s": "StepLR",
        "scheduler/s/base_lrs": [0.1],
        "scheduler/s/gamma": 0.5,
        "scheduler/s/step_size": 3,
    }
    assert fp["data"] == ["ShuffledBatches", 3, 4] and fp["loss_fn"] == "mse_loss"
    assert fp["step"] == "_a_step" and fp["seed"] == 3 and fp["config/k"] == 2
    assert list(fp)[-1] == "config/k"
    plain = fingerprint({}, {}, {})
    assert plain == {"data": ["NoneType", None, None], "loss_fn": None, "step": None, "seed": None}


def _a_step(batch, ctx):
    return None


def test_scheduler_counters_and_lambdas_stay_out_of_the_fingerprint():
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 0.5**t)
    fresh = fingerprint({}, {"o": opt}, {"s": sched})
    assert {k: v for k, v in fresh.items() if k.startswith("scheduler/")} == {
        "scheduler/s": "LambdaLR",
        "scheduler/s/base_lrs": [0.2],
    }
    for _ in range(3):
        opt.step()
        sched.step()
    assert fingerprint({}, {"o": opt}, {"s": sched}) == fresh
    assert fresh["optimizer/o/group0/lr"] == 0.2


def test_plain_values_and_names():
    from mlnote_utils.checkpoint import _name_of, _plain

    assert [_plain(v) for v in (True, 3, 0.5, "a", None)] == [True, 3, 0.5, "a", None]
    assert _plain((1, [2.5, (None, "x")])) == [1, [2.5, [None, "x"]]]
    assert _plain(torch.tensor([0.25])) == 0.25 and type(_plain(torch.tensor(3))) is float
    assert _plain(torch.zeros(2)) == "Tensor" and _plain({"a": 1}) == "dict"
    import functools

    part = functools.partial(max, 1)
    assert _name_of(None) is None and _name_of(_a_step) == "_a_step" and _name_of(part) == repr(part)
    assert _name_of(nn.functional.cross_entropy) == "cross_entropy"
    assert fingerprint_difference({"a": 1}, {"b": 2}) == ["a: 1 -> (absent)", "b: (absent) -> 2"]
    assert fingerprint_difference({"b": 1, "a": 1}, {"b": 2, "a": 2}) == ["a: 1 -> 2", "b: 1 -> 2"]


def test_checkpoint_path_accepts_dashes_and_underscores_and_names_the_rule(monkeypatch, tmp_path):
    monkeypatch.setenv("MLNOTE_CACHE_DIR", str(tmp_path))
    assert mu.checkpoint_path("ch-06_adam2") == tmp_path / "checkpoints" / "ch-06_adam2.pt"
    with pytest.raises(
        ValueError, match=r"^name='a b': expected a short label of letters, digits, '-' or '_'$"
    ):
        mu.checkpoint_path("a b")


def test_global_random_states_round_trip():
    from mlnote_utils.checkpoint import global_rng_state, set_global_rng_state

    state = global_rng_state()
    assert set(state) == {"torch", "numpy", "python"} or "cuda" in state
    first = (torch.rand(2), np.random.rand(2), random.random())
    set_global_rng_state(state)
    again = (torch.rand(2), np.random.rand(2), random.random())
    assert torch.equal(first[0], again[0]) and (first[1] == again[1]).all() and first[2] == again[2]


def test_save_is_atomic_into_a_new_folder_and_load_checks_the_format(tmp_path, capsys):
    from mlnote_utils.checkpoint import _load, _save

    path = tmp_path / "a" / "b" / "run.pt"
    _save(path, {"format": 1, "x": torch.arange(3)})
    assert sorted(p.name for p in path.parent.iterdir()) == ["run.pt"]  # no .tmp left behind
    assert torch.equal(_load(path)["x"], torch.arange(3)) and capsys.readouterr().out == ""
    _save(path, {"format": 2})
    assert _load(path) is None
    assert capsys.readouterr().out == (
        "checkpoint run.pt: unreadable (ValueError: not a checkpoint written by fit); starting a new run.\n"
    )
    torch.save([1, 2], path)
    assert _load(path) is None and "not a checkpoint written by fit" in capsys.readouterr().out
    _save(path, {"x": 1})
    assert _load(path) is None and "unreadable (ValueError" in capsys.readouterr().out


def test_save_replaces_an_older_checkpoint_through_a_tmp_file(tmp_path, monkeypatch):
    from mlnote_utils import checkpoint as ck

    path = tmp_path / "run.pt"
    ck._save(path, {"format": 1, "v": 1})
    moves = []
    real_replace = ck.os.replace
    monkeypatch.setattr(ck.os, "replace", lambda a, b: (moves.append((a, b)), real_replace(a, b)))
    ck._save(path, {"format": 1, "v": 2})
    assert moves == [(tmp_path / "run.pt.tmp", path)] and ck._load(path)["v"] == 2


# ---------------------------------------------------------------- RunState on its own (fit's tests use it too)
def _ctx(seed=0):
    from mlnote_utils.train import Context

    with mu.seeded(seed):
        model = nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return Context({"m": model}, {"o": opt}, {"s": sched}, torch.device("cpu"),
                   torch.Generator().manual_seed(seed), mu.History())  # fmt: skip


def _train_a_little(ctx, steps=3):
    for _ in range(steps):
        ctx.optimizers["o"].zero_grad()
        ctx.models["m"](torch.ones(4, 3)).pow(2).mean().backward()
        ctx.optimizers["o"].step()
        ctx.schedulers["s"].step()
    ctx.step = steps
    ctx.history.log(steps, loss=1.5)
    ctx.history.steps_done = steps


def test_run_state_starts_an_epoch_and_remembers_where_its_order_came_from():
    from mlnote_utils.checkpoint import RunState

    data = mu.ShuffledBatches(torch.arange(10), batch_size=3, seed=2)
    run = RunState(data)
    assert run.data is data and run.gen is data.generator and run.epoch_start is None and run.skip == 0
    assert run.rng_after_skip is None and RunState([1, 2]).gen is None
    torch_state, data_state = torch.get_rng_state(), data.generator.get_state()
    batches, k = run.start_epoch()
    assert k == 0 and torch.equal(run.epoch_start["torch"], torch_state)
    assert torch.equal(run.epoch_start["data"], data_state)
    assert [b[0].tolist() for b in batches] == [b[0].tolist() for b in _replay(data, data_state)]
    _, k = RunState([(1,), (2,)]).start_epoch()
    assert k == 0


def _replay(data, state):
    data.generator.set_state(state)
    return list(data)


def test_run_state_saves_and_restores_a_run_mid_epoch(tmp_path, capsys):
    from mlnote_utils.checkpoint import RunState

    path = tmp_path / "mid.pt"
    data = mu.ShuffledBatches(torch.arange(10), batch_size=3, seed=2)  # 4 batches per epoch
    ctx, run = _ctx(), RunState(data)
    ctx.epoch = 2
    batches, _ = run.start_epoch()
    epoch = [b[0].tolist() for b in batches]
    _train_a_little(ctx)
    fp = {"seed": 0}
    run.save(path, ctx, fp, 2)  # two batches of the second epoch used
    state = torch.load(path, weights_only=False)
    assert state["format"] == 1 and state["fingerprint"] == fp and state["epoch"] == 2
    assert state["batch_in_epoch"] == 2 and state["history"] == ctx.history.state_dict()
    assert torch.equal(state["generator"], ctx.generator.get_state())
    assert torch.equal(state["data_rng"], data.generator.get_state())
    after_save = torch.rand(3)  # what the global stream gives next, at the moment of the save

    torch.rand(100)  # the global stream moves on before the restart
    # a fresh data object with another seed: the order must come from the checkpoint, not from the seed
    fresh, run2 = _ctx(seed=5), RunState(mu.ShuffledBatches(torch.arange(10), batch_size=3, seed=9))
    assert run2.restore(path, fresh, fp) is True
    assert capsys.readouterr().out == "checkpoint mid.pt: resuming after step 3 (epoch 2).\n"
    assert fresh.step == 3 and fresh.history.resumed_from == 3 and fresh.epoch == 2 and run2.skip == 2
    for a, b in zip(ctx.models["m"].parameters(), fresh.models["m"].parameters(), strict=True):
        assert torch.equal(a, b)
    assert (
        fresh.optimizers["o"]
        .state_dict()["state"][0]["momentum_buffer"]
        .equal(ctx.optimizers["o"].state_dict()["state"][0]["momentum_buffer"])
    )
    assert fresh.schedulers["s"].state_dict() == ctx.schedulers["s"].state_dict()
    assert torch.equal(fresh.generator.get_state(), ctx.generator.get_state())
    batches, k = run2.start_epoch()
    assert k == 2 and run2.skip == 0 and [b[0].tolist() for b in batches] == epoch[2:]
    assert torch.equal(torch.rand(3), after_save)  # the global stream is where it was at the save


def test_run_state_saved_at_an_epoch_end_resumes_at_the_next_epoch(tmp_path, capsys):
    from mlnote_utils.checkpoint import RunState

    path = tmp_path / "end.pt"
    data = mu.ShuffledBatches(torch.arange(10), batch_size=3, seed=2)
    ctx, run = _ctx(), RunState(data)
    batches, _ = run.start_epoch()
    list(batches)
    _train_a_little(ctx, steps=4)
    ctx.end_of_epoch = True
    run.save(path, ctx, {}, 4)
    state = torch.load(path, weights_only=False)
    assert state["epoch"] == 2 and state["batch_in_epoch"] == 0
    next_epoch = [b[0].tolist() for b in data]
    after_save = torch.rand(2)

    data2 = mu.ShuffledBatches(torch.arange(10), batch_size=3, seed=7)
    fresh, run2 = _ctx(seed=1), RunState(data2)
    assert run2.restore(path, fresh, {}) and fresh.epoch == 2 and run2.skip == 0
    assert run2.rng_after_skip is None
    assert torch.equal(torch.rand(2), after_save)  # restored at once: no batches to skip
    capsys.readouterr()
    batches, k = run2.start_epoch()
    assert k == 0 and [b[0].tolist() for b in batches] == next_epoch  # the data order came back too


def test_run_state_refuses_another_configuration_and_a_missing_file(tmp_path, capsys):
    from mlnote_utils.checkpoint import RunState

    path = tmp_path / "cfg.pt"
    ctx, run = _ctx(), RunState([(1,)])
    run.start_epoch()
    run.save(path, ctx, {"seed": 0, "lr": 0.1}, 1)
    fresh = _ctx(seed=3)
    before = [p.detach().clone() for p in fresh.models["m"].parameters()]
    assert run.restore(path, fresh, {"seed": 1, "lr": 0.2}) is False
    assert capsys.readouterr().out == (
        "checkpoint cfg.pt belongs to a run with a different configuration:\n  lr: 0.1 -> 0.2\n  seed: 0 -> 1\n"
        "starting a new run (it will replace that checkpoint).\n"
    )
    assert all(torch.equal(a, b) for a, b in zip(before, fresh.models["m"].parameters(), strict=True))
    assert fresh.step == 0 and fresh.epoch == 1
    path.write_bytes(b"junk")
    assert (
        run.restore(path, fresh, {"seed": 0, "lr": 0.1}) is False and "unreadable" in capsys.readouterr().out
    )


def test_checkpoint_path_rejects_what_is_not_a_short_label(monkeypatch, tmp_path):
    monkeypatch.setenv("MLNOTE_CACHE_DIR", str(tmp_path))
    for bad in ("a/b", "", "..", 3, None):
        with pytest.raises(ValueError, match="^" + re.escape(f"name={bad!r}: expected a short label")):
            mu.checkpoint_path(bad)


def test_cuda_random_states_are_saved_and_restored_when_a_gpu_is_there(monkeypatch):
    # Stands in for a GPU on any machine: the CUDA calls are replaced by recorders.
    from mlnote_utils.checkpoint import global_rng_state, set_global_rng_state

    restored = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_rng_state_all", lambda: ["cuda-state"])
    monkeypatch.setattr(torch.cuda, "set_rng_state_all", restored.append)
    state = global_rng_state()
    assert state["cuda"] == ["cuda-state"]
    set_global_rng_state(state)
    assert restored == [["cuda-state"]]
    del state["cuda"]  # a checkpoint written on a machine without a GPU
    set_global_rng_state(state)
    assert restored == [["cuda-state"]]


def test_a_checkpoint_from_a_gpu_machine_resumes_on_one_without(monkeypatch):
    from mlnote_utils.checkpoint import global_rng_state, set_global_rng_state

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "set_rng_state_all", lambda s: pytest.fail("no GPU to restore to"))
    state = global_rng_state()
    assert "cuda" not in state
    set_global_rng_state({**state, "cuda": ["from a GPU run"]})
