"""Helpers for chapter 08 (feature normalisation, batch normalisation)."""

from __future__ import annotations

__all__: list[str] = []
