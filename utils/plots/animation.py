"""Sliding-window animations of convolution and pooling (matplotlib.animation rendered to HTML/JS)."""

from __future__ import annotations

__all__: list[str] = []
