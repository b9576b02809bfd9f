"""Checkpoints for :func:`~mlnote_utils.train.fit`: where they live, what they hold, and whether they fit a run.

A checkpoint holds every model, optimiser and scheduler, the random-number states (global, the run's own
generator, and the data order at the start of the current epoch), the counters, the :class:`History`,
and a *fingerprint* of the run's configuration. ``fit`` resumes from a checkpoint only when the
fingerprint of the new call matches; otherwise it says what differs and starts afresh.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import torch

from .history import History

__all__ = ["checkpoint_path", "fingerprint", "fingerprint_difference", "RunState"]

_SCHEDULER_COUNTERS = {
    "last_epoch",
    "_step_count",
    "_last_lr",
    "_get_lr_called_within_step",
    "_is_initial",
    "lr_lambdas",
}


def checkpoint_path(name: str) -> Path:
    """Where a chapter keeps the checkpoint called ``name``: ``<cache_dir()>/checkpoints/<name>.pt``.

    Checkpoints live in the (git-ignored) data cache, so ``make execute``/``make test``, which run with a
    fresh cache folder, always train from scratch, while a learner's restarted kernel resumes.
    """
    from .data import cache_dir

    if not isinstance(name, str) or not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"name={name!r}: expected a short label of letters, digits, '-' or '_'")
    return cache_dir() / "checkpoints" / f"{name}.pt"


def _plain(value) -> object:
    """A JSON-like, comparable stand-in for a hyper-parameter value."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value)
    return type(value).__name__


def _name_of(fn) -> str | None:
    if fn is None:
        return None
    return getattr(fn, "__qualname__", None) or repr(fn)


def fingerprint(
    models: Mapping[str, torch.nn.Module],
    optimizers: Mapping[str, torch.optim.Optimizer],
    schedulers: Mapping[str, object],
    *,
    data: object = None,
    loss_fn=None,
    step=None,
    seed: int | None = None,
    config: Mapping | None = None,
) -> dict[str, object]:
    """What identifies a run: hyper-parameters, parameter shapes, data batching, loss and step, seed, ``config``.

    Optimiser hyper-parameters are read from each parameter group (``initial_lr`` when a scheduler has
    set it, so a schedule that has moved ``lr`` does not change the fingerprint). The budget (epochs or
    steps) is *not* part of it: asking for more steps continues a finished run.

    >>> fp = fingerprint({"model": torch.nn.Linear(2, 1)}, {}, {})
    >>> fp["model/model"], fp["model/model/weight"]
    ('Linear', [[1, 2], 'torch.float32'])
    """
    fp: dict[str, object] = {}
    for name, model in models.items():
        fp[f"model/{name}"] = type(model).__name__
        for key, value in model.state_dict().items():
            fp[f"model/{name}/{key}"] = [list(value.shape), str(value.dtype)]
    for name, opt in optimizers.items():
        fp[f"optimizer/{name}"] = type(opt).__name__
        for i, group in enumerate(opt.param_groups):
            for key, value in sorted(group.items()):
                if key not in ("params", "initial_lr"):
                    fp[f"optimizer/{name}/group{i}/{key}"] = _plain(
                        group.get("initial_lr", value) if key == "lr" else value
                    )
            fp[f"optimizer/{name}/group{i}/parameters"] = sum(p.numel() for p in group["params"])
    for name, sched in schedulers.items():
        fp[f"scheduler/{name}"] = type(sched).__name__
        for key, value in sorted(sched.state_dict().items()):
            if key not in _SCHEDULER_COUNTERS:
                fp[f"scheduler/{name}/{key}"] = _plain(value)
    fp["data"] = [
        type(data).__name__,
        len(data) if hasattr(data, "__len__") else None,
        getattr(data, "batch_size", None),
    ]
    fp["loss_fn"] = _name_of(loss_fn)
    fp["step"] = _name_of(step)
    fp["seed"] = seed
    for key, value in (config or {}).items():
        fp[f"config/{key}"] = _plain(value)
    return fp


def fingerprint_difference(old: Mapping, new: Mapping) -> list[str]:
    """Human-readable lines naming each entry that differs between two fingerprints.

    >>> fingerprint_difference({"seed": 0, "config/lr": 0.1}, {"seed": 0, "config/lr": 0.3})
    ['config/lr: 0.1 -> 0.3']
    """
    lines = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, "(absent)"), new.get(key, "(absent)")
        if a != b:
            lines.append(f"{key}: {a} -> {b}")
    return lines


def global_rng_state() -> dict:
    """The states of torch's (CPU and CUDA), NumPy's and Python's global random-number generators."""
    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_global_rng_state(state: Mapping) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _save(path: Path, state: dict) -> None:
    """Write ``state`` atomically (a half-written file never replaces a good checkpoint)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def _load(path: Path) -> dict | None:
    """The saved state (on the CPU), or ``None`` with a message when the file cannot be read."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
        if not isinstance(state, dict) or state.get("format") != 1:
            raise ValueError("not a checkpoint written by fit")
        return state
    except Exception as exc:  # noqa: BLE001 - a damaged file of any kind means "start afresh"
        print(f"checkpoint {path.name}: unreadable ({type(exc).__name__}: {exc}); starting a new run.")
        return None


class RunState:
    """The data order of one ``fit`` call, and what it takes to save or resume it.

    The order of an epoch's batches is decided by the random states at the moment the epoch's iterator
    is made: the data's own ``generator`` (if it has one) and torch's global generator (a ``DataLoader``
    without a generator shuffles with it). Those states are kept from the start of each epoch; resuming in
    the middle of an epoch restores them, makes the iterator again and skips the batches already used.
    """

    def __init__(self, data) -> None:
        self.data = data
        self.gen = getattr(data, "generator", None)
        self.epoch_start: dict | None = None
        self.skip = 0
        self.rng_after_skip: dict | None = None

    def start_epoch(self) -> tuple[Iterator, int]:
        """An iterator over this epoch's batches and the number of batches already used."""
        if self.skip:
            k, self.skip = self.skip, 0
            torch.set_rng_state(self.epoch_start["torch"])
            if self.gen is not None:
                self.gen.set_state(self.epoch_start["data"])
            batches = iter(self.data)
            for _ in range(k):
                next(batches)
            set_global_rng_state(self.rng_after_skip)
            return batches, k
        self.epoch_start = {
            "torch": torch.get_rng_state(),
            "data": self.gen.get_state() if self.gen is not None else None,
        }
        return iter(self.data), 0

    def save(self, path: Path, ctx, fingerprint: dict, batch_in_epoch: int) -> None:
        at_end = ctx.end_of_epoch
        _save(
            path,
            {
                "format": 1,
                "fingerprint": fingerprint,
                "models": {n: m.state_dict() for n, m in ctx.models.items()},
                "optimizers": {n: o.state_dict() for n, o in ctx.optimizers.items()},
                "schedulers": {n: s.state_dict() for n, s in ctx.schedulers.items()},
                "history": ctx.history.state_dict(),
                "generator": ctx.generator.get_state(),
                "global_rng": global_rng_state(),
                "epoch": ctx.epoch + 1 if at_end else ctx.epoch,
                "batch_in_epoch": 0 if at_end else batch_in_epoch,
                "epoch_start": self.epoch_start,
                "data_rng": self.gen.get_state() if self.gen is not None else None,
            },
        )

    def restore(self, path: Path, ctx, fingerprint: dict) -> bool:
        """Load ``path`` into the run's objects if its fingerprint matches; say what happened."""
        state = _load(path)
        if state is None:
            return False
        diff = fingerprint_difference(state["fingerprint"], fingerprint)
        if diff:
            print(
                f"checkpoint {path.name} belongs to a run with a different configuration:\n  "
                + "\n  ".join(diff)
                + "\nstarting a new run (it will replace that checkpoint)."
            )
            return False
        for name, model in ctx.models.items():
            model.load_state_dict(state["models"][name])
        for name, opt in ctx.optimizers.items():
            opt.load_state_dict(state["optimizers"][name])
        for name, sched in ctx.schedulers.items():
            sched.load_state_dict(state["schedulers"][name])
        ctx.history = History.from_state_dict(state["history"])
        ctx.history.resumed_from = ctx.step = ctx.history.steps_done
        ctx.epoch = state["epoch"]
        ctx.generator.set_state(state["generator"])
        self.epoch_start, self.skip = state["epoch_start"], state["batch_in_epoch"]
        if self.skip:
            self.rng_after_skip = state["global_rng"]
        else:
            set_global_rng_state(state["global_rng"])
            if self.gen is not None:
                self.gen.set_state(state["data_rng"])
        print(f"checkpoint {path.name}: resuming after step {ctx.step} (epoch {ctx.epoch}).")
        return True
