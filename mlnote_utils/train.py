"""The course's one training loop, :func:`fit`: the chapter writes the step, ``fit`` owns the plumbing.

``fit`` takes care of devices, budgets (epochs or steps), evaluation, schedulers, callbacks, a progress
bar, a live curve, the :class:`~mlnote_utils.history.History`, and checkpoints that survive a kernel
restart. What *is* the lesson — a GAN's alternating update, a clipped critic, teacher forcing — is a
short ``step(batch, ctx)`` function written in the notebook.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from . import checkpoint as ckpt
from .checkpoint import checkpoint_path
from .evaluation import _is_tensor_pair, _model_device, evaluate
from .history import History
from .loaders import FullBatch, to_device
from .widgets import progress_bar

__all__ = ["fit", "Context", "supervised_step", "stop_when", "checkpoint_path"]

Metric = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Step = Callable[[object, "Context"], Mapping[str, float] | None]


def _as_dict(obj, kind: str, cls: type | tuple[type, ...]) -> dict:
    items = dict(obj) if isinstance(obj, Mapping) else ({} if obj is None else {kind: obj})
    for name, value in items.items():
        if not isinstance(value, cls):
            names = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
            raise TypeError(f"{kind} {name!r}: expected a {names}, got {type(value).__name__}")
    return items


def _only(items: dict, kind: str):
    if len(items) != 1:
        raise AttributeError(
            f"ctx.{kind}: this run has {len(items)} of them ({list(items)}); use ctx.{kind}s[name]"
        )
    return next(iter(items.values()))


@dataclass
class Context:
    """What a step function and a callback see: the run's objects and counters.

    ``step`` is the number of the update being taken (1 for the first) and ``epoch`` the number of the
    current epoch (from 1); ``generator`` is a CPU ``torch.Generator`` seeded with ``fit``'s ``seed``
    (draw noise from it, then move it to ``device``). A callback may call :meth:`stop`.
    """

    models: dict[str, nn.Module]
    optimizers: dict[str, torch.optim.Optimizer]
    schedulers: dict[str, object]
    device: torch.device
    generator: torch.Generator
    history: History
    loss_fn: Callable | None = None
    metrics: dict[str, Metric] = field(default_factory=dict)
    step: int = 0
    epoch: int = 1
    end_of_epoch: bool = False
    stop_reason: str | None = None

    @property
    def model(self) -> nn.Module:
        """The model, when the run has exactly one."""
        return _only(self.models, "model")

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        """The optimiser, when the run has exactly one."""
        return _only(self.optimizers, "optimizer")

    def stop(self, reason: str) -> None:
        """Ask ``fit`` to end the run after this step (the reason is stored in the History)."""
        self.stop_reason = str(reason)


def supervised_step(batch, ctx: Context) -> dict[str, torch.Tensor]:
    """The default step: forward, ``loss_fn(output, target)``, backward, optimiser step; metrics on the batch."""
    x, y = batch
    model, opt = ctx.model, ctx.optimizer
    model.train()
    opt.zero_grad(set_to_none=True)
    out = model(x)
    loss = ctx.loss_fn(out, y)
    loss.backward()
    opt.step()
    out = out.detach()
    return {"loss": loss.detach(), **{name: m(out, y) for name, m in ctx.metrics.items()}}


def stop_when(
    name: str, *, below: float | None = None, above: float | None = None
) -> Callable[[Context], None]:
    """A callback that ends the run once the newest value of series ``name`` is below (or above) a bound.

    The value is checked at the step it is recorded (every step for a training series, at each
    evaluation for ``"valid_loss"``-style series).

    >>> cb = stop_when("loss", below=1e-3)
    """
    if (below is None) == (above is None):
        raise ValueError("below, above: give exactly one bound")

    def callback(ctx: Context) -> None:
        h = ctx.history
        if name not in h or h.steps_of(name)[-1] != ctx.step:
            return
        value = h.last(name)
        if below is not None and value < below:
            ctx.stop(f"{name} = {value:.4g} < {below:g}")
        elif above is not None and value > above:
            ctx.stop(f"{name} = {value:.4g} > {above:g}")

    return callback


def _positive(value, name: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{name}={value!r}: expected a positive int")
    return value


def _valid_sets(valid) -> dict | Callable | None:
    if valid is None or (callable(valid) and not hasattr(valid, "__iter__")):
        return valid
    if isinstance(valid, Mapping):
        return dict(valid)
    return {"valid": valid}


def fit(
    model: nn.Module | Mapping[str, nn.Module],
    optimizer: torch.optim.Optimizer | Mapping[str, torch.optim.Optimizer] | None,
    data,
    *,
    loss_fn: Callable | None = None,
    step: Step | None = None,
    epochs: int | None = None,
    steps: int | None = None,
    valid=None,
    eval_every: int | None = None,
    eval_at_start: bool = False,
    metrics: Mapping[str, Metric] | None = None,
    scheduler=None,
    schedule_every: str = "step",
    checkpoint: str | Path | None = None,
    checkpoint_every: int | None = None,
    config: Mapping | None = None,
    callbacks: Sequence[Callable[[Context], None]] = (),
    progress: bool = True,
    live: bool | Sequence[str] = False,
    device: torch.device | str | None = None,
    seed: int = 0,
    desc: str = "train",
) -> History:
    """Train for ``epochs`` epochs or ``steps`` updates and return the :class:`History`.

    Args:
        model, optimizer: one of each, or dicts of them (``{"G": G, "D": D}``).
        data: batches, one pass per epoch (a ``DataLoader``, :class:`~mlnote_utils.loaders.FullBatch`,
            :class:`~mlnote_utils.loaders.RandomBatches`, a list), or an ``(x, y)`` pair = one full batch.
        loss_fn: ``loss_fn(output, target)``, used by the default :func:`supervised_step` and by evaluation.
        step: ``step(batch, ctx) -> {name: value}`` replacing the default step; the values are logged.
        epochs, steps: the budget (exactly one). A larger budget continues a finished checkpointed run.
        valid: evaluation data (batches or an ``(x, y)`` pair), a dict of them (``{"valid": …, "test": …}``,
            logged as ``"valid_loss"``, ``"test_acc"``…), or ``valid(ctx) -> {name: value}``.
        eval_every: evaluate every this many steps (default: at the end of every epoch); always at the end.
        eval_at_start: also evaluate the untrained model (logged at step 0).
        metrics: ``{name: metric(output, target)}`` such as ``{"acc": accuracy}``; on batches and in evaluation.
        scheduler: a learning-rate scheduler or a dict of them, stepped every step or every epoch
            (``schedule_every``).
        checkpoint: a file (see :func:`checkpoint_path`). Saved at each epoch end and evaluation (or every
            ``checkpoint_every`` steps) and at the end; calling ``fit`` again with fresh objects resumes
            from it — even in the middle of an epoch — and gives the same weights as an unbroken run.
            If the configuration differs (hyper-parameters, shapes, data batching, ``config``…), the
            difference is printed and a new run starts.
        config: extra values that identify the run (anything the fingerprint cannot see).
        callbacks: ``f(ctx)`` after every step; ``ctx.stop(reason)`` ends the run (see :func:`stop_when`).
        progress: a per-step ``tqdm.auto`` bar (``TQDM_DISABLE=1`` silences it).
        live: redraw a curve of the logged series while training (``True``, or the names to draw).
        device: where to train (default: where the first model's parameters are).
        seed: seed of ``ctx.generator``. The global random state is neither seeded nor reset (it is
            restored from a checkpoint on resume).
    """
    models = _as_dict(model, "model", nn.Module)
    optimizers = _as_dict(optimizer, "optimizer", torch.optim.Optimizer)
    schedulers = _as_dict(scheduler, "scheduler", torch.optim.lr_scheduler.LRScheduler)
    if not models:
        raise ValueError("model: expected a module or a non-empty dict of modules")
    if (epochs is None) == (steps is None):
        raise ValueError(f"epochs={epochs!r}, steps={steps!r}: give exactly one budget")
    for name, value in (("epochs", epochs), ("steps", steps), ("eval_every", eval_every)):
        _positive(value, name)
    _positive(checkpoint_every, "checkpoint_every")
    if schedule_every not in ("step", "epoch"):
        raise ValueError(f"schedule_every={schedule_every!r}: expected 'step' or 'epoch'")
    if step is None and (loss_fn is None or len(models) != 1 or len(optimizers) != 1):
        raise ValueError("loss_fn: the default supervised step needs loss_fn, one model and one optimizer")
    data = FullBatch(*data) if _is_tensor_pair(data) else data
    if not hasattr(data, "__iter__") or not hasattr(data, "__len__") or len(data) == 0:
        raise TypeError("data: expected batches with a length (DataLoader, FullBatch, RandomBatches, a list)")
    valid = _valid_sets(valid)
    if isinstance(valid, dict) and len(models) != 1:
        raise ValueError("valid: with several models, pass valid(ctx) -> {name: value} instead of data")
    device = torch.device(device) if device is not None else _model_device(next(iter(models.values())))
    for m in models.values():
        m.to(device)
    ctx = Context(models, optimizers, schedulers, device, torch.Generator().manual_seed(seed), History(),
                  loss_fn, dict(metrics or {}))  # fmt: skip
    fp = ckpt.fingerprint(models, optimizers, schedulers, data=data, loss_fn=loss_fn, step=step, seed=seed,
                          config=config)  # fmt: skip
    path = Path(checkpoint) if checkpoint is not None else None
    run = ckpt.RunState(data)
    if path is not None and path.exists():
        run.restore(path, ctx, fp)
    history = ctx.history
    step_fn = step or supervised_step
    total = steps if steps is not None else epochs * len(data)

    def evaluate_now() -> None:
        if callable(valid) and not isinstance(valid, dict):
            history.log(ctx.step, **valid(ctx))
            return
        for set_name, part in valid.items():
            scores = evaluate(ctx.model, part, loss_fn=loss_fn, metrics=ctx.metrics, device=device)
            history.log(ctx.step, **{f"{set_name}_{k}": v for k, v in scores.items()})

    def finished() -> bool:
        if history.stop_reason is not None:
            return True
        return history.steps_done >= steps if steps is not None else history.epochs_done >= epochs

    seconds_before, t0 = history.seconds, time.perf_counter()
    if valid is not None and eval_at_start and ctx.step == 0:
        evaluate_now()
    bar = progress_bar(total=total, initial=min(ctx.step, total), enabled=progress, desc=desc, unit="step")
    drawing = None
    if live:
        from .plot import LiveFigure

        drawing = LiveFigure(None if live is True else list(live))
    redraw_every = max(1, total // 25)
    while not finished():
        batches, k = run.start_epoch()
        for batch in batches:
            k += 1
            ctx.step += 1
            ctx.end_of_epoch = k >= len(data)
            history.log(ctx.step, **(step_fn(to_device(batch, device), ctx) or {}))
            history.steps_done = ctx.step
            if ctx.end_of_epoch:
                history.epoch_ends.append(ctx.step)
            if schedule_every == "step" or ctx.end_of_epoch:
                for sched in schedulers.values():
                    sched.step()
            last = steps is not None and ctx.step >= steps
            last = last or (epochs is not None and ctx.end_of_epoch and ctx.epoch >= epochs)
            evaluated = valid is not None and (
                last or (ctx.step % eval_every == 0 if eval_every else ctx.end_of_epoch)
            )
            if evaluated:
                evaluate_now()
            for callback in callbacks:
                callback(ctx)
            if ctx.stop_reason is not None:
                history.stop_reason, last = ctx.stop_reason, True
            history.seconds = seconds_before + time.perf_counter() - t0
            due = ctx.step % checkpoint_every == 0 if checkpoint_every else (ctx.end_of_epoch or evaluated)
            if path is not None and (last or due):
                run.save(path, ctx, fp, k)
            bar.update(1)
            if bar.n % redraw_every == 0 or last:
                bar.set_postfix({n: f"{history.last(n):.4g}" for n in list(history)[:3]}, refresh=False)
                if drawing is not None:
                    drawing.update(history)
            if last or ctx.end_of_epoch:
                break
        else:
            raise RuntimeError(f"data: yielded {k} batches in an epoch, but len(data) = {len(data)}")
        if ctx.end_of_epoch:
            ctx.epoch += 1
    if bar.n < total:  # stopped early: end the bar as complete rather than as an interrupted (red) one
        bar.total = bar.n
        widget = getattr(bar, "container", None)  # tqdm.notebook draws an ipywidgets progress bar
        if widget is not None:
            widget.children[1].max = bar.n
        bar.refresh()
    bar.close()
    return history
