"""Maintainers' benchmark: chapter 08's side-by-side trainer against one mu.fit run per network.

Trains the chapter's 21 networks (7 configurations x 3 seeds; 40-100-100-100-10 MLPs, SGD, batch 60,
test accuracy every 50 steps) for STEPS steps both ways, on one CPU thread, and prints the wall times.
Run: .venv/bin/python -m tests.bench_side_by_side [STEPS]   (not part of `make test`)
"""

from __future__ import annotations

import sys
import time

import torch
from torch.nn import functional as F

import mlnote_utils as mu
from mlnote_utils.experiments import ch08 as xp

CONFIGS = [
    xp.NetConfig("Baseline", "relu", False, 0.1),
    xp.NetConfig("Baseline-x30", "relu", False, 3.0),
    xp.NetConfig("BN-Baseline", "relu", True, 0.1),
    xp.NetConfig("BN-x5", "relu", True, 0.5),
    xp.NetConfig("BN-x30", "relu", True, 3.0),
    xp.NetConfig("BN-x5-Sigmoid", "sigmoid", True, 0.5),
    xp.NetConfig("x5-Sigmoid", "sigmoid", False, 0.5),
]
SEEDS = [0, 1, 2]


def one_fit_per_network(data, steps: int) -> float:
    start = time.perf_counter()
    for cfg in CONFIGS:
        for seed in SEEDS:
            with mu.seeded(seed):
                net = mu.mlp(40, 100, 3, 10, activation=cfg.activation, batch_norm=cfg.batch_norm)
            mu.fit(net, torch.optim.SGD(net.parameters(), lr=cfg.lr),
                   mu.ShuffledBatches(data.x_train, data.y_train, batch_size=60, seed=seed, drop_last=True),
                   loss_fn=F.cross_entropy, steps=steps, valid={"test": (data.x_test, data.y_test)},
                   metrics={"acc": mu.accuracy}, eval_every=50, eval_at_start=True, progress=False)  # fmt: skip
    return time.perf_counter() - start


def side_by_side(data, steps: int) -> float:
    start = time.perf_counter()
    xp.train_mlps_side_by_side(CONFIGS, SEEDS, data.x_train, data.y_train, data.x_test, data.y_test,
                               steps=steps, batch_size=60, eval_every=50, progress=False)  # fmt: skip
    return time.perf_counter() - start


def main(steps: int) -> None:
    data = mu.load_mnist1d()
    with mu.cpu_threads(1):
        t_fit = min(one_fit_per_network(data, steps) for _ in range(2))
        t_batched = min(side_by_side(data, steps) for _ in range(2))
    print(f"21 networks x {steps} steps, 1 thread: one fit per network {t_fit:.1f} s, "
          f"side by side {t_batched:.1f} s, speed-up x{t_fit / t_batched:.1f}")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
