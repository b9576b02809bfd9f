import math

import pytest
import torch
from torch import nn

import mlnote_utils as mu


def _setup(seed=0):
    x = torch.randn(64, 5, generator=torch.Generator().manual_seed(7))  # the same data for every seed
    y = (x[:, 0] > 0).long()
    mu.seed_everything(seed)  # the seed decides the initial weights
    model = nn.Sequential(nn.Linear(5, 8), nn.Dropout(0.2), nn.ReLU(), nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    train = mu.make_loader(torch.utils.data.TensorDataset(x, y), batch_size=16, seed=1)
    valid = mu.make_loader(torch.utils.data.TensorDataset(x, y), batch_size=32, shuffle=False)
    return model, opt, train, valid


def test_fit_returns_history_and_learns():
    model, opt, train, valid = _setup()
    hist = mu.fit(
        model, nn.CrossEntropyLoss(), opt, train, 15, valid_loader=valid, metric=mu.accuracy, progress=False
    )
    assert hist.epoch == list(range(1, 16))
    assert len(hist.train_loss) == len(hist.valid_metric) == len(hist.seconds) == 15
    assert hist.train_loss[-1] < hist.train_loss[0]
    assert hist.valid_metric[-1] > 0.8
    assert all(s > 0 for s in hist.seconds)


def test_fit_without_validation_records_nan():
    model, opt, train, _ = _setup()
    hist = mu.fit(model, nn.CrossEntropyLoss(), opt, train, 2, progress=False)
    assert all(math.isnan(v) for v in hist.valid_loss + hist.train_metric)


class _Interrupt(Exception):
    pass


def test_checkpoint_resume_matches_uninterrupted_run(tmp_path):
    model_a, opt_a, train_a, valid_a = _setup()
    ref = mu.fit(model_a, nn.CrossEntropyLoss(), opt_a, train_a, 5, valid_loader=valid_a, progress=False)

    model_b, opt_b, train_b, valid_b = _setup()
    ckpt = tmp_path / "run.pt"

    def stop_after_two(epoch, history):
        if epoch == 2:
            raise _Interrupt  # like a kernel dying after epoch 2 was saved

    with pytest.raises(_Interrupt):
        mu.fit(
            model_b,
            nn.CrossEntropyLoss(),
            opt_b,
            train_b,
            5,
            valid_loader=valid_b,
            checkpoint=ckpt,
            progress=False,
            on_epoch_end=stop_after_two,
        )
    torch.randn(100)  # disturb the global RNG as other notebook cells would

    # "kernel restart": brand-new objects, different initial weights
    model_c, opt_c, train_c, valid_c = _setup(seed=99)
    done = []
    resumed = mu.fit(
        model_c,
        nn.CrossEntropyLoss(),
        opt_c,
        train_c,
        5,
        valid_loader=valid_c,
        checkpoint=ckpt,
        progress=False,
        on_epoch_end=lambda e, h: done.append(e),
    )
    assert done == [3, 4, 5]  # finished epochs are not redone
    assert resumed.resumed_from == 2
    assert resumed.train_loss == pytest.approx(ref.train_loss, rel=1e-6)
    for p_ref, p_res in zip(model_a.parameters(), model_c.parameters(), strict=True):
        torch.testing.assert_close(p_ref, p_res, rtol=0, atol=1e-6)


def test_checkpoint_path_under_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("MLNOTE_CACHE_DIR", str(tmp_path))
    assert mu.checkpoint_path("ch01_demo") == tmp_path / "checkpoints" / "ch01_demo.pt"
    with pytest.raises(ValueError, match="name="):
        mu.checkpoint_path("a/b")


def test_evaluate_restores_mode_and_matches_manual():
    model, _, _, valid = _setup()
    model.train()
    loss, acc = mu.evaluate(model, nn.CrossEntropyLoss(), valid, metric=mu.accuracy)
    assert model.training
    model.eval()
    x, y = valid.dataset.tensors
    with torch.no_grad():
        out = model(x)
    assert loss == pytest.approx(float(nn.functional.cross_entropy(out, y)), rel=1e-5)
    assert acc == pytest.approx(float((out.argmax(1) == y).float().mean()))


def test_accuracy_against_sklearn():
    from sklearn.metrics import accuracy_score

    g = torch.Generator().manual_seed(0)
    logits, y = torch.randn(50, 4, generator=g), torch.randint(0, 4, (50,), generator=g)
    assert float(mu.accuracy(logits, y)) == pytest.approx(accuracy_score(y, logits.argmax(1)))
    with pytest.raises(ValueError, match="logits"):
        mu.accuracy(logits, y[:3])


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs="),
        ({"epochs": 2.0}, ValueError, "epochs="),
        ({"epochs": 1, "optimizer": "sgd"}, TypeError, "optimizer"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, err, match):
    model, opt, train, _ = _setup()
    args = {"optimizer": opt, **kwargs}
    with pytest.raises(err, match=match):
        mu.fit(model, nn.CrossEntropyLoss(), args["optimizer"], train, args["epochs"], progress=False)


def test_make_loader_rejects_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size="):
        mu.make_loader(torch.utils.data.TensorDataset(torch.zeros(3)), batch_size=0)


def test_live_plot_runs_outside_a_notebook():
    model, opt, train, _ = _setup()
    hist = mu.fit(model, nn.CrossEntropyLoss(), opt, train, 2, progress=False, live_plot=True)
    assert len(hist) == 2


def test_progress_bar_honours_tqdm_disable(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert mu.progress_bar(range(3)).disable
    monkeypatch.delenv("TQDM_DISABLE")
    assert mu.progress_bar(range(3), enabled=False).disable
    assert list(mu.progress_bar(range(3), desc="x")) == [0, 1, 2]
