"""Helpers for chapter 04 (diagnosing a training run, model selection)."""

from __future__ import annotations

__all__: list[str] = []
