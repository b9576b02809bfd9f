"""Exercise checkers for chapter 06."""

from __future__ import annotations

__all__: list[str] = []
