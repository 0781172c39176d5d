"""Receptive-field figures: a unit's field drawn on an image, gradient maps beside the analytic square."""

from __future__ import annotations

__all__: list[str] = []
