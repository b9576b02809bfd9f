"""Exercise checkers for chapter 02."""

from __future__ import annotations

__all__: list[str] = []
