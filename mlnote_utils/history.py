"""History: the named series a training run records, each value stored with the step it belongs to."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

__all__ = ["History"]


class History:
    """Named series recorded by :func:`~mlnote_utils.train.fit`.

    Every value is stored with the step it belongs to: per-step series come from the step function
    (``"loss"``, ``"acc"``, ``"loss_D"``…, one value per update, steps counted from 1); evaluation series
    are named ``"<set>_<metric>"`` (``"valid_loss"``, ``"test_acc"``…) and hold one value per evaluation
    (step 0 is the untrained model). ``epoch_ends[i]`` is the step at which epoch ``i + 1`` ended.

    >>> h = History()
    >>> h.log(1, loss=0.5); h.log(2, loss=0.25); h.log(2, valid_loss=0.4)
    >>> h["loss"].tolist(), h.steps_of("valid_loss").tolist(), h.last("loss")
    ([0.5, 0.25], [2], 0.25)
    """

    def __init__(self) -> None:
        self._steps: dict[str, list[int]] = {}
        self._values: dict[str, list[float]] = {}
        self.epoch_ends: list[int] = []
        self.steps_done = 0
        self.resumed_from = 0
        self.seconds = 0.0
        self.stop_reason: str | None = None

    # ------------------------------------------------------------------ recording
    def log(self, step: int, **values: float) -> None:
        """Record ``values`` (name → number or 0-d tensor) at ``step``."""
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
            raise ValueError(f"step={step!r}: expected an int ≥ 0")
        for name, value in values.items():
            if hasattr(value, "detach"):  # a tensor that may still carry a graph
                value = value.detach()
            try:
                number = float(value)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"{name}={value!r}: a logged value must be a number or a one-element tensor"
                ) from exc
            self._steps.setdefault(name, []).append(int(step))
            self._values.setdefault(name, []).append(number)

    # ------------------------------------------------------------------ reading
    def _check(self, name: str) -> None:
        if name not in self._values:
            raise KeyError(f"{name!r}: no such series; recorded series are {self.names}")

    def __getitem__(self, name: str) -> np.ndarray:
        """The values of series ``name`` as a float array, in the order they were recorded."""
        self._check(name)
        return np.asarray(self._values[name], dtype=np.float64)

    def steps_of(self, name: str) -> np.ndarray:
        """The step at which each value of series ``name`` was recorded (int array)."""
        self._check(name)
        return np.asarray(self._steps[name], dtype=np.int64)

    def last(self, name: str) -> float:
        """The most recent value of series ``name``."""
        self._check(name)
        return self._values[name][-1]

    def per_epoch(self, name: str) -> np.ndarray:
        """The mean of a per-step series over each finished epoch (one value per epoch)."""
        steps, values = self.steps_of(name), self[name]
        out, start = [], 0
        for end in self.epoch_ends:
            inside = values[(steps > start) & (steps <= end)]
            out.append(float(inside.mean()) if inside.size else math.nan)
            start = end
        return np.asarray(out, dtype=np.float64)

    @property
    def names(self) -> list[str]:
        """Names of the recorded series."""
        return list(self._values)

    @property
    def epochs_done(self) -> int:
        return len(self.epoch_ends)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        """The number of steps (updates) taken so far."""
        return self.steps_done

    def __repr__(self) -> str:
        series = ", ".join(f"{k}[{len(v)}]" for k, v in self._values.items())
        return f"History(steps={self.steps_done}, epochs={self.epochs_done}, series: {series or 'none'})"

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict:
        """Plain lists and numbers (what a checkpoint stores)."""
        return {
            "steps": {k: list(v) for k, v in self._steps.items()},
            "values": {k: list(v) for k, v in self._values.items()},
            "epoch_ends": list(self.epoch_ends),
            "steps_done": self.steps_done,
            "seconds": self.seconds,
            "stop_reason": self.stop_reason,
        }

    @classmethod
    def from_state_dict(cls, state: dict) -> History:
        h = cls()
        h._steps = {k: list(v) for k, v in state["steps"].items()}
        h._values = {k: list(v) for k, v in state["values"].items()}
        h.epoch_ends = list(state["epoch_ends"])
        h.steps_done = int(state["steps_done"])
        h.seconds = float(state["seconds"])
        h.stop_reason = state["stop_reason"]
        return h
