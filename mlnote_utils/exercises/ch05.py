"""Exercise checkers for chapter 05."""

from __future__ import annotations

__all__: list[str] = []
