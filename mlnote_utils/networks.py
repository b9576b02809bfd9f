"""Helpers for chapter 02 (sigmoids, ReLU, small networks by hand)."""

from __future__ import annotations

__all__: list[str] = []
