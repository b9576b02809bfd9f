"""mu.fit: the default step against a hand-written loop, budgets, evaluation, schedulers, callbacks, and
checkpoints that resume (also mid-epoch, also for two models) to exactly the weights of an unbroken run."""

import re
import time

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import mlnote_utils as mu

X = torch.randn(50, 5, generator=torch.Generator().manual_seed(7))  # the same data for every test
Y = (X[:, 0] + 0.3 * X[:, 1] > 0).long()


def _net(seed=0, dropout=0.2, width=8):
    with mu.seeded(seed):
        return nn.Sequential(nn.Linear(5, width), nn.Dropout(dropout), nn.ReLU(), nn.Linear(width, 2))


def _weights(*models):
    return torch.cat([p.detach().reshape(-1) for m in models for p in m.parameters()])


def _quiet(**kw):
    return {"loss_fn": F.cross_entropy, "progress": False, **kw}


# ---------------------------------------------------------------------------------------------- the loop
def test_default_step_equals_a_hand_written_loop():
    model, twin = _net(dropout=0.0), _net(dropout=0.0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    hist = mu.fit(model, opt, mu.ShuffledBatches(X, Y, batch_size=16, seed=3), epochs=3, **_quiet())
    opt_twin = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    batches, losses = mu.ShuffledBatches(X, Y, batch_size=16, seed=3), []
    for _ in range(3):
        for xb, yb in batches:
            opt_twin.zero_grad()
            loss = F.cross_entropy(twin(xb), yb)
            loss.backward()
            opt_twin.step()
            losses.append(float(loss.detach()))
    assert len(hist) == 12 and hist.epoch_ends == [4, 8, 12]
    torch.testing.assert_close(_weights(model), _weights(twin), rtol=0, atol=0)
    assert hist["loss"].tolist() == pytest.approx(losses, rel=1e-6)
    assert hist.steps_of("loss").tolist() == list(range(1, 13))


def test_fit_reshuffles_every_epoch_with_a_batch_that_does_not_divide_n():
    # The reference draws its own permutations (one per epoch, from the same seeded generator) instead of
    # reusing ShuffledBatches: a fit or a batch stream that does not reshuffle, reuses the first epoch's
    # order, drops the short last batch (50 = 3·16 + 2) or restarts the generator gives other weights.
    model, twin = _net(dropout=0.0), _net(dropout=0.0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    hist = mu.fit(model, opt, mu.ShuffledBatches(X, Y, batch_size=16, seed=5), epochs=3, **_quiet())
    opt_twin = torch.optim.SGD(twin.parameters(), lr=0.1)
    gen, sizes, orders = torch.Generator().manual_seed(5), [], []
    for _ in range(3):
        order = torch.randperm(50, generator=gen)
        orders.append(order)
        for i in range(0, 50, 16):
            idx = order[i : i + 16]
            sizes.append(len(idx))
            opt_twin.zero_grad()
            F.cross_entropy(twin(X[idx]), Y[idx]).backward()
            opt_twin.step()
    assert sizes == [16, 16, 16, 2] * 3 and len(hist) == 12
    assert not torch.equal(orders[0], orders[1])  # the epochs really are in different orders
    torch.testing.assert_close(_weights(model), _weights(twin), rtol=0, atol=0)


def test_full_batch_pair_is_gradient_descent():
    model = nn.Linear(5, 2)
    w0 = [p.detach().clone() for p in model.parameters()]
    mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.5), (X, Y), steps=3, **_quiet())
    w = [t.clone().requires_grad_(True) for t in w0]
    for _ in range(3):
        grads = torch.autograd.grad(F.cross_entropy(X @ w[0].T + w[1], Y), w)
        w = [(t - 0.5 * g).detach().requires_grad_(True) for t, g in zip(w, grads, strict=True)]
    torch.testing.assert_close(_weights(model), torch.cat([t.detach().reshape(-1) for t in w]))


def test_steps_budget_crosses_epochs_and_metrics_are_logged_per_step():
    hist = mu.fit(_net(), torch.optim.SGD(_net().parameters(), lr=0.1), mu.ShuffledBatches(X, Y, batch_size=20),
                  steps=7, metrics={"acc": mu.accuracy}, **_quiet())  # fmt: skip
    assert len(hist) == 7 and hist.epoch_ends == [3, 6]
    assert len(hist["acc"]) == 7 and all(0 <= a <= 1 for a in hist["acc"])


def test_evaluation_schedule_and_sets():
    model = _net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = mu.ShuffledBatches(X, Y, batch_size=10)  # 5 steps per epoch
    hist = mu.fit(model, opt, data, steps=10, valid={"valid": (X, Y), "test": (X[:7], Y[:7])}, eval_every=4,
                  eval_at_start=True, metrics={"acc": mu.accuracy}, **_quiet())  # fmt: skip
    assert hist.steps_of("valid_loss").tolist() == [0, 4, 8, 10]  # start, every 4, and the end
    assert set(hist.names) == {"loss", "acc", "valid_loss", "valid_acc", "test_loss", "test_acc"}
    final = mu.evaluate(model, (X[:7], Y[:7]), loss_fn=F.cross_entropy, metrics={"acc": mu.accuracy})
    assert hist.last("test_loss") == pytest.approx(final["loss"]) and hist.last("test_acc") == final["acc"]
    per_epoch = mu.fit(
        _net(), torch.optim.SGD(_net().parameters(), lr=0.1), data, epochs=2, valid=(X, Y), **_quiet()
    )
    assert per_epoch.steps_of("valid_loss").tolist() == [5, 10]  # default: at each epoch end


def test_custom_evaluation_function():
    model = _net()
    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=3, eval_every=2,
                  valid=lambda ctx: {"w_norm": ctx.model[0].weight.norm()}, **_quiet())  # fmt: skip
    assert hist.steps_of("w_norm").tolist() == [2, 3]
    assert hist.last("w_norm") == pytest.approx(float(model[0].weight.norm()))


@pytest.mark.parametrize(("every", "expected"), [("step", 0.1 * 0.5**3), ("epoch", 0.1)])
def test_scheduler_is_stepped_per_step_or_per_epoch(every, expected):
    model = _net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    batches = mu.ShuffledBatches(X, Y, batch_size=7)  # 8 batches per epoch: 7 steps end no epoch
    mu.fit(model, opt, batches, steps=7, scheduler=sched, schedule_every=every, **_quiet())
    assert opt.param_groups[0]["lr"] == pytest.approx(expected)
    model = _net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    mu.fit(model, opt, (X, Y), steps=2, scheduler=sched, schedule_every=every, **_quiet())  # full batch
    assert opt.param_groups[0]["lr"] == pytest.approx(0.025)  # every step ends an epoch


def test_callback_stops_the_run_and_sees_the_context():
    seen = []

    def spy(ctx):
        seen.append((ctx.step, ctx.epoch, ctx.end_of_epoch))

    model = _net(dropout=0.0)
    hist = mu.fit(model, torch.optim.Adam(model.parameters(), lr=0.05), mu.ShuffledBatches(X, Y, batch_size=25),
                  epochs=500, valid={"train": (X, Y)}, callbacks=[spy, mu.stop_when("train_loss", below=0.3)],
                  **_quiet())  # fmt: skip
    assert hist.stop_reason.startswith("train_loss = ") and hist.last("train_loss") < 0.3
    assert hist["train_loss"][:-1].min() >= 0.3  # it stopped at the first evaluation below the bound
    assert len(hist) < 1000 and seen[:3] == [(1, 1, False), (2, 1, True), (3, 2, False)]
    stopped = mu.fit(_net(), torch.optim.SGD(_net().parameters(), lr=0.1), (X, Y), steps=100,
                     callbacks=[mu.stop_when("loss", above=0.0)], **_quiet())  # fmt: skip
    assert len(stopped) == 1
    with pytest.raises(ValueError, match="exactly one bound"):
        mu.stop_when("loss")


def test_adversarial_step_with_two_models_and_the_context_generator():
    gen, disc = _gan()
    hist = mu.fit({"G": gen, "D": disc}, _gan_optimizers(gen, disc), _real_data(), step=_gan_step, steps=6,
                  progress=False)  # fmt: skip
    assert set(hist.names) == {"loss_D", "loss_G"} and len(hist) == 6
    ctx = mu.Context({"G": gen, "D": disc}, {}, {}, torch.device("cpu"), torch.Generator(), mu.History())
    with pytest.raises(AttributeError, match=r"ctx\.models\[name\]"):
        _ = ctx.model


def test_live_plot_and_progress_bar_run_outside_a_notebook(monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    model = _net()
    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=3, live=True,
                  loss_fn=F.cross_entropy, valid=(X, Y))  # fmt: skip
    assert len(hist) == 3


def test_progress_bar_honours_tqdm_disable(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert mu.progress_bar(range(3)).disable
    monkeypatch.delenv("TQDM_DISABLE")
    assert mu.progress_bar(range(3), enabled=False).disable
    assert not mu.progress_bar(range(3)).disable
    assert list(mu.progress_bar(range(3), desc="x")) == [0, 1, 2]


def test_device_argument_moves_the_model():
    model = _net()
    mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=1, device="cpu", **_quiet())
    assert next(model.parameters()).device.type == "cpu"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_trains_on_cuda_from_cpu_batches():
    model = _net()
    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=2, device="cuda",
                  valid=(X, Y), **_quiet())  # fmt: skip
    assert next(model.parameters()).is_cuda and len(hist["valid_loss"]) == 1


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        pytest.param({"epochs": 0}, ValueError, "epochs=", id="zero-epochs"),
        pytest.param({"epochs": 2.0}, ValueError, "epochs=", id="float-epochs"),
        pytest.param({"epochs": 1, "steps": 1}, ValueError, "exactly one budget", id="two-budgets"),
        pytest.param({}, ValueError, "exactly one budget", id="no-budget"),
        pytest.param({"steps": 1, "eval_every": 0}, ValueError, "eval_every=", id="eval-every"),
        pytest.param(
            {"steps": 1, "schedule_every": "batch"}, ValueError, "schedule_every=", id="schedule-every"
        ),
        pytest.param(
            {"steps": 1, "optimizer": "sgd"}, TypeError, "optimizer 'optimizer'", id="optimizer-type"
        ),
        pytest.param({"steps": 1, "loss_fn": None}, ValueError, "loss_fn", id="no-loss"),
        pytest.param({"steps": 1, "data": iter([(X, Y)])}, TypeError, "data:", id="no-length"),
        pytest.param({"steps": 1, "data": []}, TypeError, "data:", id="empty"),
        pytest.param({"steps": 1, "model": {}}, ValueError, "model:", id="no-model"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, err, match):
    kwargs = dict(kwargs)  # the parameter dict is shared between runs of the test: do not consume it
    model = _net()
    args = {"model": model, "optimizer": torch.optim.SGD(model.parameters(), lr=0.1), "data": (X, Y)}
    args |= {k: kwargs.pop(k) for k in ("model", "optimizer", "data") if k in kwargs}
    with pytest.raises(err, match=match):
        mu.fit(
            args["model"],
            args["optimizer"],
            args["data"],
            **{"loss_fn": F.cross_entropy, "progress": False, **kwargs},
        )


def test_several_models_need_a_step_and_an_evaluation_function():
    gen, disc = _gan()
    opts = _gan_optimizers(gen, disc)
    with pytest.raises(ValueError, match="default supervised step"):
        mu.fit({"G": gen, "D": disc}, opts, _real_data(), loss_fn=F.mse_loss, steps=1, progress=False)
    with pytest.raises(ValueError, match="valid:"):
        mu.fit(
            {"G": gen, "D": disc},
            opts,
            _real_data(),
            step=_gan_step,
            steps=1,
            valid=_real_data(),
            progress=False,
        )


def test_a_data_set_shorter_than_its_length_is_an_error():
    class Liar(list):
        def __len__(self):
            return 3

    model = _net()
    with pytest.raises(RuntimeError, match="len\\(data\\) = 3"):
        mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), Liar([(X, Y)]), epochs=1, **_quiet())


# ---------------------------------------------------------------------------------------------- a tiny GAN
def _gan():
    with mu.seeded(11):
        return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2)), nn.Sequential(
            nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1)
        )


def _gan_optimizers(gen, disc):
    return {
        "G": torch.optim.Adam(gen.parameters(), lr=1e-2),
        "D": torch.optim.SGD(disc.parameters(), lr=0.05, momentum=0.5),
    }


def _real_data():
    real = torch.randn(40, 2, generator=torch.Generator().manual_seed(5)) * 0.3 + torch.tensor([2.0, -1.0])
    return mu.ShuffledBatches(real, batch_size=8, seed=2)


def _gan_step(batch, ctx):
    """Alternating update: D on real vs fake with G fixed, then G against D (noise from ctx.generator)."""
    (real,) = batch
    G, D = ctx.models["G"], ctx.models["D"]
    z = torch.randn(len(real), 2, generator=ctx.generator).to(ctx.device)
    ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
    ctx.optimizers["D"].zero_grad()
    loss_d = F.binary_cross_entropy_with_logits(D(real), ones) + F.binary_cross_entropy_with_logits(
        D(G(z).detach()), zeros
    )
    loss_d.backward()
    ctx.optimizers["D"].step()
    ctx.optimizers["G"].zero_grad()
    loss_g = F.binary_cross_entropy_with_logits(D(G(z)), ones)
    loss_g.backward()
    ctx.optimizers["G"].step()
    return {"loss_D": loss_d.detach(), "loss_G": loss_g.detach()}


# ---------------------------------------------------------------------------------------------- checkpoints
class _Crash(Exception):
    pass


def _crash_at(step):
    def callback(ctx):
        if ctx.step == step:
            raise _Crash  # like a kernel dying during this step: it is not in any checkpoint

    return callback


def _supervised_run(seed=0, *, data_seed=1, lr=0.1, width=8):
    """Fresh objects for one run: dropout, momentum, a per-step scheduler, a shuffling DataLoader."""
    torch.manual_seed(1234)  # the global stream dropout draws from, as a notebook's first cell would set it
    model = _net(seed, width=width)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.7)
    loader = mu.make_loader(
        torch.utils.data.TensorDataset(X, Y), batch_size=16, seed=data_seed
    )  # 4 per epoch
    return model, {"optimizer": opt, "data": loader, "scheduler": sched}


def _fit_supervised(model, parts, **kw):
    return mu.fit(model, parts["optimizer"], parts["data"], scheduler=parts["scheduler"], valid=(X, Y),
                  metrics={"acc": mu.accuracy}, **_quiet(**kw))  # fmt: skip


@pytest.mark.parametrize(
    ("crash", "every"),
    [
        pytest.param(3, 1, id="mid-epoch-1-step-checkpoints"),
        pytest.param(5, 1, id="resume-at-an-epoch-boundary"),
        pytest.param(8, 1, id="resume-just-before-an-epoch-end"),
        pytest.param(11, None, id="mid-epoch-epoch-checkpoints"),
        pytest.param(7, 3, id="mid-epoch-every-3"),
    ],
)
def test_supervised_resume_gives_the_uninterrupted_weights(tmp_path, crash, every):
    model, parts = _supervised_run()
    ref = _fit_supervised(model, parts, epochs=4)
    ref_weights = _weights(model)

    path = tmp_path / "run.pt"
    model, parts = _supervised_run()
    with pytest.raises(_Crash):
        _fit_supervised(
            model, parts, epochs=4, checkpoint=path, checkpoint_every=every, callbacks=[_crash_at(crash)]
        )
    torch.randn(100)  # other cells disturb the global random stream before the restart

    model, parts = _supervised_run(seed=99)  # "kernel restart": brand-new objects, other initial weights
    counters = []
    resumed = _fit_supervised(model, parts, epochs=4, checkpoint=path, checkpoint_every=every,
                              callbacks=[lambda ctx: counters.append((ctx.step, ctx.epoch, ctx.end_of_epoch))])  # fmt: skip
    steps_run = [step for step, _, _ in counters]
    saved = crash - 1 if every == 1 else ((crash - 1) // every) * every if every else 4 * ((crash - 1) // 4)
    assert resumed.resumed_from == saved and steps_run == list(range(saved + 1, 17))
    assert counters == [(s, (s - 1) // 4 + 1, s % 4 == 0) for s in steps_run]  # the same counters as unbroken
    torch.testing.assert_close(_weights(model), ref_weights, rtol=0, atol=0)
    for name in ref.names:
        assert resumed[name].tolist() == ref[name].tolist(), name
    assert resumed.epoch_ends == ref.epoch_ends == [4, 8, 12, 16]
    assert parts["optimizer"].param_groups[0]["lr"] == pytest.approx(
        0.1 * 0.7**3
    )  # scheduler state came back


def test_adversarial_resume_gives_the_uninterrupted_weights(tmp_path):
    gen, disc = _gan()
    ref = mu.fit({"G": gen, "D": disc}, _gan_optimizers(gen, disc), _real_data(), step=_gan_step, steps=13,
                 progress=False)  # fmt: skip
    ref_weights = _weights(gen, disc)
    path = tmp_path / "gan.pt"
    gen, disc = _gan()
    with pytest.raises(_Crash):
        mu.fit({"G": gen, "D": disc}, _gan_optimizers(gen, disc), _real_data(), step=_gan_step, steps=13,
               checkpoint=path, checkpoint_every=2, callbacks=[_crash_at(8)], progress=False)  # fmt: skip
    with mu.seeded(3):  # other initial weights, fresh optimisers and a fresh data order
        gen = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        disc = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    resumed = mu.fit({"G": gen, "D": disc}, _gan_optimizers(gen, disc), _real_data(), step=_gan_step, steps=13,
                     checkpoint=path, checkpoint_every=2, progress=False)  # fmt: skip
    assert resumed.resumed_from == 6  # mid-epoch: 5 batches per epoch
    torch.testing.assert_close(_weights(gen, disc), ref_weights, rtol=0, atol=0)
    assert resumed["loss_G"].tolist() == ref["loss_G"].tolist()


def test_a_loader_that_shuffles_with_the_global_generator_resumes_mid_epoch(tmp_path):
    def run(**kw):
        torch.manual_seed(0)
        model = _net(dropout=0.0)
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=8, shuffle=True)
        return model, mu.fit(
            model, torch.optim.SGD(model.parameters(), lr=0.1), loader, epochs=2, **_quiet(**kw)
        )

    ref_model, _ = run()
    with pytest.raises(_Crash):
        run(checkpoint=tmp_path / "g.pt", checkpoint_every=1, callbacks=[_crash_at(10)])
    model, hist = run(checkpoint=tmp_path / "g.pt")
    assert hist.resumed_from == 9  # 7 batches per epoch: step 9 is inside the second epoch
    torch.testing.assert_close(_weights(model), _weights(ref_model), rtol=0, atol=0)


def test_random_batches_resume_mid_epoch(tmp_path):
    def run(**kw):
        torch.manual_seed(0)
        model = _net(dropout=0.0)
        return model, mu.fit(model, torch.optim.Adam(model.parameters(), lr=0.01),
                             mu.RandomBatches(X, Y, batch_size=12, seed=4), steps=9, **_quiet(**kw))  # fmt: skip

    ref_model, _ = run()
    with pytest.raises(_Crash):
        run(checkpoint=tmp_path / "r.pt", checkpoint_every=1, callbacks=[_crash_at(6)])
    model, hist = run(checkpoint=tmp_path / "r.pt")
    assert hist.resumed_from == 5
    torch.testing.assert_close(_weights(model), _weights(ref_model), rtol=0, atol=0)


def test_a_finished_run_is_loaded_not_retrained_and_a_larger_budget_continues_it(tmp_path, capsys):
    path = tmp_path / "done.pt"
    model, parts = _supervised_run()
    _fit_supervised(model, parts, epochs=2, checkpoint=path)
    done = _weights(model)
    model, parts = _supervised_run(seed=5)
    calls = []
    again = _fit_supervised(model, parts, epochs=2, checkpoint=path, callbacks=[calls.append])
    assert calls == [] and again.resumed_from == 8 and len(again) == 8
    torch.testing.assert_close(_weights(model), done, rtol=0, atol=0)
    assert "resuming after step 8" in capsys.readouterr().out

    model, parts = _supervised_run(seed=5)
    _fit_supervised(model, parts, epochs=4, checkpoint=path)  # two more epochs on top of the saved two
    longer = _weights(model)
    model, parts = _supervised_run()
    _fit_supervised(model, parts, epochs=4)
    torch.testing.assert_close(longer, _weights(model), rtol=0, atol=0)


def test_a_step_budget_that_ends_mid_epoch_is_saved_at_its_last_step(tmp_path):
    path = tmp_path / "steps.pt"
    for seed in (0, 3):  # the second call finds the finished run
        model, parts = _supervised_run(seed)
        hist = mu.fit(model, parts["optimizer"], parts["data"], steps=6, checkpoint=path, **_quiet())
    assert (
        hist.resumed_from == 6
    )  # epoch checkpoints came at step 4; step 6 was saved because it was the last


def test_a_run_stopped_by_a_callback_stays_stopped(tmp_path):
    path = tmp_path / "stop.pt"
    model, parts = _supervised_run()
    first = _fit_supervised(
        model, parts, epochs=4, checkpoint=path, callbacks=[mu.stop_when("loss", below=10.0)]
    )
    assert len(first) == 1
    model, parts = _supervised_run()
    again = _fit_supervised(
        model, parts, epochs=4, checkpoint=path, callbacks=[mu.stop_when("loss", below=10.0)]
    )
    assert len(again) == 1 and again.stop_reason == first.stop_reason


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param({"lr": 0.3}, "optimizer/optimizer/group0/lr: 0.1 -> 0.3", id="learning-rate"),
        pytest.param({"width": 9}, "model/model/0.weight: [[8, 5]", id="parameter-shape"),
        pytest.param({"data_seed": 1, "batch": 10}, "data:", id="batch-size"),
        pytest.param({"config": {"augment": True}}, "config/augment: (absent) -> True", id="config"),
    ],
)
def test_a_changed_configuration_starts_afresh_and_says_why(tmp_path, capsys, change, named):
    path = tmp_path / "cfg.pt"
    model, parts = _supervised_run()
    _fit_supervised(model, parts, epochs=2, checkpoint=path)
    capsys.readouterr()

    model, parts = _supervised_run(lr=change.get("lr", 0.1), width=change.get("width", 8))
    if "batch" in change:
        parts["data"] = mu.make_loader(
            torch.utils.data.TensorDataset(X, Y), batch_size=change["batch"], seed=1
        )
    untouched = _weights(model)
    calls = []
    hist = _fit_supervised(model, parts, epochs=2, checkpoint=path, config=change.get("config"),
                           callbacks=[lambda ctx: calls.append(ctx.step)])  # fmt: skip
    out = capsys.readouterr().out
    assert "different configuration" in out and named in out and "starting a new run" in out
    assert hist.resumed_from == 0 and calls[0] == 1  # trained from its own start, not from the old run
    assert not torch.equal(_weights(model), untouched)
    model, parts = _supervised_run(lr=change.get("lr", 0.1), width=change.get("width", 8))
    if "batch" in change:
        parts["data"] = mu.make_loader(
            torch.utils.data.TensorDataset(X, Y), batch_size=change["batch"], seed=1
        )
    again = _fit_supervised(model, parts, epochs=2, checkpoint=path, config=change.get("config"))
    assert again.resumed_from == len(again)  # the new run replaced the checkpoint and is now resumed


def test_a_damaged_checkpoint_is_reported_and_replaced(tmp_path, capsys):
    path = tmp_path / "bad.pt"
    path.write_bytes(b"not a checkpoint")
    model, parts = _supervised_run()
    hist = _fit_supervised(model, parts, epochs=1, checkpoint=path)
    assert "unreadable" in capsys.readouterr().out and hist.resumed_from == 0
    model, parts = _supervised_run()
    assert _fit_supervised(model, parts, epochs=1, checkpoint=path).resumed_from == 4


def test_checkpoint_path_under_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("MLNOTE_CACHE_DIR", str(tmp_path))
    assert mu.checkpoint_path("ch01_demo") == tmp_path / "checkpoints" / "ch01_demo.pt"
    for bad in ("a/b", "", "..", 3):
        with pytest.raises(ValueError, match="name="):
            mu.checkpoint_path(bad)


def test_a_run_stopped_early_ends_its_progress_bar_as_complete(monkeypatch):
    from mlnote_utils import train

    bars = []

    def keep(*args, **options):
        bars.append(mu.progress_bar(*args, **options))
        return bars[-1]

    monkeypatch.setattr(train, "progress_bar", keep)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    model = _net()
    mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=50, loss_fn=F.cross_entropy,
           callbacks=[mu.stop_when("loss", above=0.0)])  # fmt: skip
    assert bars[0].n == bars[0].total == 1  # 1 of 50 steps, shown as complete


# ---------------------------------------------------------------------------------------------- contract details
class _Bar:
    """Stands in for the tqdm bar: records what fit asks of it (and a notebook bar's widget)."""

    def __init__(self, **options):
        self.options, self.n, self.total = options, options.get("initial", 0), options["total"]
        self.postfixes, self.refreshed, self.closed = [], 0, False
        self.container = type("Box", (), {})()
        self.container.children = [None, type("Progress", (), {"max": self.total})()]

    def update(self, k):
        self.n += k

    def set_postfix(self, values, refresh=True):
        self.postfixes.append((self.n, dict(values), refresh))

    def refresh(self):
        self.refreshed += 1

    def close(self):
        self.closed = True


@pytest.fixture
def bars(monkeypatch):
    from mlnote_utils import train

    made = []
    monkeypatch.setattr(train, "progress_bar", lambda **options: made.append(_Bar(**options)) or made[-1])
    return made


def _error(out, y):
    return 1 - mu.accuracy(out, y)


def test_progress_bar_options_total_and_postfix(bars):
    model = _net(dropout=0.0)
    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), mu.ShuffledBatches(X, Y, batch_size=10),
                  epochs=10, loss_fn=F.cross_entropy, metrics={"acc": mu.accuracy, "err": _error}, valid=(X, Y),
                  progress=False, desc="demo")  # fmt: skip
    bar = bars[0]
    assert bar.options == {"total": 50, "initial": 0, "enabled": False, "desc": "demo", "unit": "step"}
    assert bar.n == 50 and bar.closed and bar.refreshed == 0 and bar.container.children[1].max == 50
    assert [n for n, _, _ in bar.postfixes] == list(range(2, 51, 2))  # every total // 25 = 2 steps
    assert all(refresh is False for _, _, refresh in bar.postfixes)
    assert bar.postfixes[-1][1] == {
        n: f"{hist.last(n):.4g}" for n in ("loss", "acc", "err")
    }  # the first three


def test_progress_bar_of_a_short_run_is_updated_every_step_and_at_the_last(bars):
    model = _net()
    mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=3, **_quiet())
    assert bars[0].options["desc"] == "train" and bars[0].options["enabled"] is False
    assert [n for n, _, _ in bars[0].postfixes] == [1, 2, 3]  # max(1, 3 // 25) = 1
    model = _net()
    mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=27, **_quiet())
    assert [n for n, _, _ in bars[1].postfixes] == [*range(1, 28)]  # 27 // 25 = 1
    model = _net()
    mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=55, **_quiet())
    assert [n for n, _, _ in bars[2].postfixes] == [*range(2, 55, 2), 55]  # every 2 steps and the last


def test_a_stopped_run_completes_its_notebook_bar(bars):
    model = _net()
    mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=50,
           callbacks=[mu.stop_when("loss", above=0.0)], **_quiet())  # fmt: skip
    bar = bars[0]
    assert (
        bar.n == bar.total == 1 and bar.container.children[1].max == 1 and bar.refreshed == 1 and bar.closed
    )
    assert [n for n, _, _ in bar.postfixes] == [1]  # the last step always shows its values


def test_a_resumed_run_starts_its_bar_where_it_left_off(tmp_path, bars):
    path = tmp_path / "bar.pt"
    model, parts = _supervised_run()
    with pytest.raises(_Crash):
        _fit_supervised(model, parts, epochs=2, checkpoint=path, checkpoint_every=1, callbacks=[_crash_at(6)])
    model, parts = _supervised_run()
    _fit_supervised(model, parts, epochs=2, checkpoint=path)
    assert bars[1].options["initial"] == 5 and bars[1].options["total"] == 8 and bars[1].n == 8
    model, parts = _supervised_run()
    _fit_supervised(model, parts, steps=3, checkpoint=path)  # the saved run is past a smaller budget
    assert bars[2].options["initial"] == 3 and bars[2].options["total"] == 3


def test_live_figure_gets_the_names_and_each_redraw(monkeypatch):
    from mlnote_utils import plot

    made = []

    class Live:
        def __init__(self, names):
            self.names, self.updates = names, []
            made.append(self)

        def update(self, history):
            self.updates.append(history.steps_done)

    monkeypatch.setattr(plot, "LiveFigure", Live)
    for live, names in ((True, None), (("loss",), ["loss"])):
        model = _net()
        mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=5, live=live, **_quiet())
        assert made[-1].names == names and made[-1].updates == [1, 2, 3, 4, 5]
    model = _net()
    mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=5, **_quiet())
    assert len(made) == 2  # live=False draws nothing


def test_context_defaults_and_single_object_shortcuts():
    model, opt = _net(), None
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ctx = mu.Context({"m": model}, {"o": opt}, {}, torch.device("cpu"), torch.Generator(), mu.History())
    assert ctx.model is model and ctx.optimizer is opt and ctx.loss_fn is None and ctx.metrics == {}
    assert ctx.step == 0 and ctx.epoch == 1 and ctx.end_of_epoch is False and ctx.stop_reason is None
    ctx.stop(3)
    assert ctx.stop_reason == "3"
    empty = mu.Context({"m": model}, {}, {}, torch.device("cpu"), torch.Generator(), mu.History())
    with pytest.raises(
        AttributeError,
        match=r"^ctx\.optimizer: this run has 0 of them \(\[\]\); use ctx\.optimizers\[name\]$",
    ):
        _ = empty.optimizer
    two = mu.Context({"G": model, "D": model}, {}, {}, torch.device("cpu"), torch.Generator(), mu.History())
    with pytest.raises(
        AttributeError,
        match=r"^ctx\.model: this run has 2 of them \(\['G', 'D'\]\); use ctx\.models\[name\]$",
    ):
        _ = two.model


def _ctx_with(**series):
    ctx = mu.Context({}, {}, {}, torch.device("cpu"), torch.Generator(), mu.History())
    for name, pairs in series.items():
        for step, value in pairs:
            ctx.history.log(step, **{name: value})
    return ctx


def test_stop_when_checks_the_newest_value_at_the_step_it_was_recorded():
    cb = mu.stop_when("valid_loss", below=0.5)
    ctx = _ctx_with(valid_loss=[(2, 0.4)])
    ctx.step = 3
    cb(ctx)
    assert ctx.stop_reason is None  # the value below the bound is from an earlier step
    ctx.step = 2
    cb(ctx)
    assert ctx.stop_reason == "valid_loss = 0.4 < 0.5"
    ctx = _ctx_with(loss=[(1, 0.5)])
    ctx.step = 1
    mu.stop_when("loss", below=0.5)(ctx)
    mu.stop_when("loss", above=0.5)(ctx)
    assert ctx.stop_reason is None  # strict bounds: equal is not past them
    mu.stop_when("other", above=0.0)(ctx)  # a series not recorded yet
    assert ctx.stop_reason is None
    ctx = _ctx_with(acc=[(1, 0.123456)])
    ctx.step = 1
    mu.stop_when("acc", above=0.1)(ctx)
    assert ctx.stop_reason == "acc = 0.1235 > 0.1"
    with pytest.raises(ValueError, match=r"^below, above: give exactly one bound$"):
        mu.stop_when("loss", below=1.0, above=2.0)


def test_default_step_puts_the_model_in_training_mode_and_detaches_its_values():
    model = _net(dropout=0.5)
    model.eval()
    seen = []

    def spy(ctx):
        seen.append(ctx.model.training)

    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=2, callbacks=[spy],
                  metrics={"first": lambda out, y: out[0, 0]}, **_quiet())  # fmt: skip
    assert seen == [True, True]
    ctx = mu.Context({"m": model}, {"o": torch.optim.SGD(model.parameters(), lr=0.1)}, {}, torch.device("cpu"),
                     torch.Generator(), mu.History(), F.cross_entropy, {"out": lambda out, y: out})  # fmt: skip
    values = mu.supervised_step((X, Y), ctx)
    assert set(values) == {"loss", "out"} and not values["loss"].requires_grad
    assert not values["out"].requires_grad and values["out"].shape == (50, 2)
    assert len(hist["first"]) == 2


def test_default_step_leaves_unused_parameters_without_gradient():
    # zero_grad(set_to_none=True): a parameter the loss does not use keeps grad None, so weight decay skips it
    model = _net(dropout=0.0)
    spare = nn.Parameter(torch.ones(3))
    spare.grad = torch.ones(3)  # a stale gradient from before the run
    opt = torch.optim.SGD([*model.parameters(), spare], lr=0.1, weight_decay=0.5)
    mu.fit(model, opt, (X, Y), steps=2, **_quiet())
    assert spare.grad is None and torch.equal(spare.detach(), torch.ones(3))


def test_the_context_generator_is_seeded_by_fit():
    draws = []

    def step(batch, ctx):
        draws.append(torch.rand(1, generator=ctx.generator).item())
        return {}

    for seed in (0, 5):
        mu.fit(_net(), None, (X, Y), step=step, steps=2, seed=seed, progress=False)
    g0, g5 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(5)
    assert draws == [*torch.rand(2, generator=g0).tolist(), *torch.rand(2, generator=g5).tolist()]
    mu.fit(_net(), None, (X, Y), step=step, steps=1, progress=False)  # the default seed is 0
    assert draws[-1] == draws[0]


def test_a_list_of_batches_and_a_step_that_returns_nothing():
    model = _net(dropout=0.0)
    counts = []
    data = [(X[:20], Y[:20]), (X[20:], Y[20:])]
    hist = mu.fit(model, None, data, step=lambda batch, ctx: counts.append(len(batch[0])), epochs=2,
                  valid=lambda ctx: {"n": ctx.step}, progress=False)  # fmt: skip
    assert counts == [20, 30, 20, 30] and hist.names == ["n"] and hist.epoch_ends == [2, 4]
    assert hist.steps_of("n").tolist() == [2, 4] and hist.epochs_done == 2


def test_evaluation_of_a_list_of_batches_and_every_step():
    model = _net(dropout=0.0)
    valid = [(X[:23], Y[:23]), (X[23:], Y[23:])]
    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), mu.ShuffledBatches(X, Y, batch_size=25),
                  steps=3, valid=valid, eval_every=1, **_quiet())  # fmt: skip
    assert hist.steps_of("valid_loss").tolist() == [1, 2, 3] and "valid_acc" not in hist
    whole = mu.evaluate(model, (X, Y), loss_fn=F.cross_entropy)["loss"]
    assert hist.last("valid_loss") == pytest.approx(whole, rel=1e-6)
    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=2, valid=(X, Y),
                  eval_at_start=False, **_quiet())  # fmt: skip
    assert hist.steps_of("valid_loss").tolist() == [1, 2]  # every step ends the one-batch epoch


def test_an_epoch_budget_with_eval_every_still_evaluates_at_the_end():
    model = _net()
    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), mu.ShuffledBatches(X, Y, batch_size=10),
                  epochs=2, valid=(X, Y), eval_every=3, **_quiet())  # fmt: skip
    assert hist.steps_of("valid_loss").tolist() == [3, 6, 9, 10] and hist.epoch_ends == [5, 10]


def test_epoch_schedule_on_a_steps_budget_that_crosses_epochs():
    model = _net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    hist = mu.fit(model, opt, mu.ShuffledBatches(X, Y, batch_size=20), steps=7, scheduler={"s": sched},
                  schedule_every="epoch", **_quiet())  # fmt: skip
    assert hist.epoch_ends == [3, 6] and opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**2)


def test_seconds_are_measured_and_add_up_over_a_resume(tmp_path):
    path = tmp_path / "t.pt"
    model, parts = _supervised_run()
    start = time.perf_counter()
    with pytest.raises(_Crash):
        _fit_supervised(model, parts, epochs=2, checkpoint=path, checkpoint_every=1, callbacks=[_crash_at(5)])
    first_wall = time.perf_counter() - start
    saved = mu.History.from_state_dict(torch.load(path, weights_only=False)["history"]).seconds
    assert 0 < saved <= first_wall  # the run's own duration, not a clock reading
    model, parts = _supervised_run()
    start = time.perf_counter()
    hist = _fit_supervised(model, parts, epochs=2, checkpoint=path)
    assert saved < hist.seconds <= saved + (time.perf_counter() - start) and hist.resumed_from == 4


def test_eval_at_start_is_not_repeated_on_resume_and_the_seed_is_in_the_fingerprint(tmp_path, capsys):
    path = tmp_path / "s.pt"
    model, parts = _supervised_run()
    with pytest.raises(_Crash):
        _fit_supervised(model, parts, epochs=2, checkpoint=path, checkpoint_every=1, eval_at_start=True,
                        callbacks=[_crash_at(3)])  # fmt: skip
    model, parts = _supervised_run()
    hist = _fit_supervised(model, parts, epochs=2, checkpoint=path, eval_at_start=True)
    assert hist.steps_of("valid_loss").tolist() == [0, 4, 8]
    assert "resuming after step 2 (epoch 1)." in capsys.readouterr().out
    model, parts = _supervised_run()
    _fit_supervised(model, parts, epochs=2, checkpoint=path, seed=1)
    assert "seed: 0 -> 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("kwargs", "err", "message"),
    [
        pytest.param({"epochs": 0}, ValueError, "epochs=0: expected a positive int", id="zero-epochs"),
        pytest.param({"epochs": True}, ValueError, "epochs=True: expected a positive int", id="bool-epochs"),
        pytest.param(
            {"steps": 1, "checkpoint_every": 0},
            ValueError,
            "checkpoint_every=0: expected a positive int",
            id="checkpoint-every",
        ),  # fmt: skip
        pytest.param({}, ValueError, "epochs=None, steps=None: give exactly one budget", id="no-budget"),
        pytest.param(
            {"steps": 1, "schedule_every": "batch"},
            ValueError,
            "schedule_every='batch': expected 'step' or 'epoch'",
            id="schedule-every",
        ),  # fmt: skip
        pytest.param(
            {"steps": 1, "optimizer": "sgd"},
            TypeError,
            "optimizer 'optimizer': expected a Optimizer, got str",
            id="optimizer-type",
        ),  # fmt: skip
        pytest.param(
            {"steps": 1, "scheduler": {"s": 1}},
            TypeError,
            "scheduler 's': expected a LRScheduler, got int",
            id="scheduler-type",
        ),  # fmt: skip
        pytest.param(
            {"steps": 1, "loss_fn": None},
            ValueError,
            "loss_fn: the default supervised step needs loss_fn, one model and one optimizer",
            id="no-loss",
        ),  # fmt: skip
        pytest.param(
            {"steps": 1, "data": []},
            TypeError,
            "data: expected batches with a length (DataLoader, FullBatch, RandomBatches, a list)",
            id="empty",
        ),  # fmt: skip
        pytest.param(
            {"steps": 1, "model": {}},
            ValueError,
            "model: expected a module or a non-empty dict of modules",
            id="no-model",
        ),  # fmt: skip
    ],
)
def test_fit_error_messages_in_full(kwargs, err, message):
    kwargs = dict(kwargs)
    model = _net()
    args = {"model": model, "optimizer": torch.optim.SGD(model.parameters(), lr=0.1), "data": (X, Y)}
    args |= {k: kwargs.pop(k) for k in ("model", "optimizer", "data") if k in kwargs}
    with pytest.raises(err, match="^" + re.escape(message) + "$"):
        mu.fit(args["model"], args["optimizer"], args["data"], **{"loss_fn": F.cross_entropy, "progress": False,
                                                                    **kwargs})  # fmt: skip


def test_more_error_messages_in_full():
    gen, disc = _gan()
    opts = _gan_optimizers(gen, disc)
    with pytest.raises(
        ValueError,
        match=r"^valid: with several models, pass valid\(ctx\) -> \{name: value\} instead of data$",
    ):
        mu.fit(
            {"G": gen, "D": disc}, opts, _real_data(), step=_gan_step, steps=1, valid=(X, Y), progress=False
        )
    with pytest.raises(ValueError, match=r"^loss_fn: the default supervised step needs"):
        mu.fit(
            gen, {"a": opts["G"], "b": opts["D"]}, _real_data(), loss_fn=F.mse_loss, steps=1, progress=False
        )

    class Liar(list):
        def __len__(self):
            return 3

    model = _net()
    with pytest.raises(RuntimeError, match=r"^data: yielded 1 batches in an epoch, but len\(data\) = 3$"):
        mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), Liar([(X, Y)]), epochs=1, **_quiet())


def test_as_dict_names_every_accepted_type():
    from mlnote_utils.train import _as_dict

    assert _as_dict(None, "thing", str) == {} and _as_dict("a", "thing", str) == {"thing": "a"}
    assert _as_dict({"x": "a", "y": 1.5}, "thing", (str, float)) == {"x": "a", "y": 1.5}
    with pytest.raises(TypeError, match=r"^thing 'y': expected a str or float, got int$"):
        _as_dict({"x": "a", "y": 1}, "thing", (str, float))
    with pytest.raises(TypeError, match=r"^model 'model': expected a Module, got str$"):
        mu.fit("net", None, (X, Y), step=lambda b, c: None, steps=1, progress=False)


def test_valid_data_that_is_also_callable_is_evaluated_as_data():
    class CallableBatches(list):
        def __call__(self, ctx):
            raise AssertionError("valid data must not be called as a function")

    model = _net(dropout=0.0)
    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=1,
                  valid=CallableBatches([(X, Y)]), **_quiet())  # fmt: skip
    assert hist.names == ["loss", "valid_loss"]


def test_an_evaluation_between_epoch_ends_is_a_checkpoint(tmp_path):
    path = tmp_path / "e.pt"
    model, parts = _supervised_run()
    with pytest.raises(_Crash):
        _fit_supervised(model, parts, epochs=2, eval_every=3, checkpoint=path, callbacks=[_crash_at(5)])
    model, parts = _supervised_run()
    assert _fit_supervised(model, parts, epochs=2, eval_every=3, checkpoint=path).resumed_from == 4
    model, parts = _supervised_run()
    with pytest.raises(_Crash):
        _fit_supervised(model, parts, epochs=2, eval_every=3, checkpoint=tmp_path / "f.pt",
                        callbacks=[_crash_at(4)])  # fmt: skip
    model, parts = _supervised_run()
    assert (
        _fit_supervised(model, parts, epochs=2, eval_every=3, checkpoint=tmp_path / "f.pt").resumed_from == 3
    )


def _a_step(batch, ctx):
    return mu.supervised_step(batch, ctx)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param({"loss_fn": F.nll_loss}, "loss_fn: cross_entropy -> nll_loss", id="loss"),
        pytest.param({"step": _a_step}, "step: None -> _a_step", id="step"),
    ],
)
def test_a_changed_loss_or_step_starts_afresh(tmp_path, capsys, change, named):
    path = tmp_path / "l.pt"
    model = _net(dropout=0.0)
    mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=2, checkpoint=path, **_quiet())
    capsys.readouterr()
    model = _net(dropout=0.0)
    hist = mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), (X, Y), steps=2, checkpoint=path,
                  **_quiet(**change))  # fmt: skip
    assert named in capsys.readouterr().out and hist.resumed_from == 0


def test_fit_moves_the_model_and_the_batches_to_the_device_it_is_given():
    seen = []

    def step(batch, ctx):
        seen.append((ctx.device, batch[0].device, next(ctx.model.parameters()).device))
        return {}

    mu.fit(_net(), None, (X, Y), step=step, steps=1, progress=False)  # default: where the model is
    mu.fit(_net(), None, (X, Y), step=step, steps=1, device="meta", progress=False)  # any other device
    cpu, meta = torch.device("cpu"), torch.device("meta")
    assert seen == [(cpu, cpu, cpu), (meta, meta, meta)]
    with pytest.raises(ValueError, match=r"^steps=0: expected a positive int$"):
        mu.fit(_net(), None, (X, Y), step=step, steps=0, progress=False)
