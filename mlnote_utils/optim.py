"""Helpers for chapter 06 (hand-written optimisers and schedules)."""

from __future__ import annotations

__all__: list[str] = []
