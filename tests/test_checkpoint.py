"""The run fingerprint: what changes it (and so prevents a silent resume) and what must not."""

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
