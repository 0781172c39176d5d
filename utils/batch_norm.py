"""Batch normalisation forward pass in NumPy, written to match ``keras.layers.BatchNormalization`` (Keras 3).

Channels are on the last axis. Training mode normalises with the statistics of the current batch -- per channel,
over every other axis (batch, and height and width for conv feature maps) -- and updates the moving statistics;
inference mode normalises with the moving statistics and changes nothing::

    y = gamma * (x - mean) / sqrt(variance + epsilon) + beta
    moving = momentum * moving + (1 - momentum) * batch_statistic

Keras 3 uses the *biased* batch variance (divide by m, the number of values per channel) both to normalise and to
update ``moving_variance``; there is no m / (m - 1) correction. Defaults are Keras': momentum 0.99, epsilon 1e-3.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class BatchNormResult(NamedTuple):
    """Output of one forward pass and the moving statistics after it (unchanged in inference mode)."""

    y: np.ndarray
    moving_mean: np.ndarray
    moving_variance: np.ndarray


def batch_moments(x: np.ndarray, ddof: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and variance over every axis but the last (``ddof=0``: biased, as Keras uses)."""
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"x must have a batch axis and a channel axis (ndim >= 2), got shape {x.shape}")
    if ddof not in (0, 1):
        raise ValueError(f"ddof must be 0 (biased) or 1 (unbiased), got {ddof!r}")
    axes = tuple(range(x.ndim - 1))
    return x.mean(axis=axes), x.var(axis=axes, ddof=ddof)


def batch_norm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, moving_mean: np.ndarray,
                       moving_variance: np.ndarray, training: bool, momentum: float = 0.99,
                       epsilon: float = 1e-3) -> BatchNormResult:
    """One forward pass of batch normalisation over the last (channel) axis; returns output and moving statistics.

    ``gamma``, ``beta``, ``moving_mean`` and ``moving_variance`` have shape ``(channels,)``.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"x must have a batch axis and a channel axis (ndim >= 2), got shape {x.shape}")
    channels = x.shape[-1]
    params = {"gamma": gamma, "beta": beta, "moving_mean": moving_mean, "moving_variance": moving_variance}
    params = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    for k, v in params.items():
        if v.shape != (channels,):
            raise ValueError(f"{k} must have shape ({channels},) (one value per channel), got {v.shape}")
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], got {momentum!r}")
    if epsilon <= 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
    mm, mv = params["moving_mean"], params["moving_variance"]
    if training:
        mean, variance = batch_moments(x)
        mm = momentum * mm + (1.0 - momentum) * mean
        mv = momentum * mv + (1.0 - momentum) * variance
    else:
        mean, variance = mm, mv
    y = params["gamma"] * (x - mean) / np.sqrt(variance + epsilon) + params["beta"]
    return BatchNormResult(y, mm, mv)
