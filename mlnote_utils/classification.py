"""Helpers for chapter 07 (softmax, cross-entropy, classification)."""

from __future__ import annotations

__all__: list[str] = []
