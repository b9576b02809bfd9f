"""Helpers for chapter 03 (batch size: timing, noise, sharpness)."""

from __future__ import annotations

__all__: list[str] = []
