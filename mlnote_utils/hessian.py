"""Helpers for chapters 03 and 05 (Hessian, HVP, eigenvalues, critical points)."""

from __future__ import annotations

__all__: list[str] = []
