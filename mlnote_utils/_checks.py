"""Argument checks shared by concept modules (private)."""

from __future__ import annotations

import numpy as np


def positive_int(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int if it is an integer ≥ ``minimum`` (bools excluded); otherwise a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}={value!r}: expected an int ≥ {minimum}")
    return int(value)
