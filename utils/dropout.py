"""Dropout from scratch in NumPy: the reference that notebook 08's checker and the Keras comparison tests use.

Two equivalent ways to make a dropped-out network agree with the full network *in expectation*:

* **inverted dropout** (what Keras, PyTorch and every modern library do): at training time keep each unit with
  probability ``1 - rate`` and divide the kept ones by ``1 - rate``; at inference time do nothing.
* **classic dropout** (the original paper, and the slides' "Dropout"): at training time keep units unscaled; at
  inference time multiply every unit by ``1 - rate``.

Both draw the same mask: ``u = np.random.default_rng(seed).random(x.shape)``, unit kept where ``u >= rate``.
"""

from __future__ import annotations

import numpy as np

SeedLike = int | np.random.Generator | None


def _check_rate(rate: float) -> float:
    if not isinstance(rate, (int, float, np.floating)) or not 0.0 <= float(rate) < 1.0:
        raise ValueError(f"rate must be a number in [0, 1), got {rate!r}")
    return float(rate)


def keep_mask(shape: tuple[int, ...], rate: float, seed: SeedLike = None) -> np.ndarray:
    """Boolean mask of the units that survive: each is kept independently with probability ``1 - rate``.

    ``seed`` is an int, a ``np.random.Generator`` (advanced in place) or None (fresh entropy).
    """
    rate = _check_rate(rate)
    return np.random.default_rng(seed).random(shape) >= rate


def inverted_dropout(x: np.ndarray, rate: float, training: bool, seed: SeedLike = None) -> np.ndarray:
    """Inverted dropout: training -> ``x * mask / (1 - rate)``; inference -> ``x`` unchanged (like Keras)."""
    x = np.asarray(x, dtype=float)
    rate = _check_rate(rate)
    if not training:
        return x.copy()
    return np.where(keep_mask(x.shape, rate, seed), x / (1.0 - rate), 0.0)


def classic_dropout(x: np.ndarray, rate: float, training: bool, seed: SeedLike = None) -> np.ndarray:
    """Classic dropout: training -> ``x * mask`` (no scaling); inference -> ``x * (1 - rate)``."""
    x = np.asarray(x, dtype=float)
    rate = _check_rate(rate)
    if not training:
        return x * (1.0 - rate)
    return np.where(keep_mask(x.shape, rate, seed), x, 0.0)
