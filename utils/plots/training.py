"""Training-craft figures: what the callbacks did during a run (the monitored metric, the epoch whose weights were
kept, the learning rate per epoch)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.ticker as mticker
import numpy as np
from matplotlib.figure import Figure

from . import style
from ._show import finish

__all__ = ["callbacks_run"]

MODES = ("min", "max")


def callbacks_run(runs: Mapping[str, Any], monitor: str = "val_loss", rate: str = "learning_rate",
                  mode: str = "min", max_epochs: int | None = None, title: str | None = None) -> Figure | None:
    """Two panels over the epochs of one or more runs (``{label: History or its .history dict}``).

    Left: the metric the callbacks watch (``monitor``), dashed like validation curves, with a star at each run's best
    epoch -- the first minimum (``mode="min"``) or maximum (``"max"``), the epoch whose weights
    ``EarlyStopping(restore_best_weights=True)`` and ``ModelCheckpoint(save_best_only=True)`` keep. Right: the
    learning rate of each epoch (``rate``, e.g. the ``learning_rate`` that ``ReduceLROnPlateau`` logs) as steps on a
    log scale. ``max_epochs`` draws the epoch limit as a labelled reference line, so that early stops show.
    """
    if not runs:
        raise ValueError("runs must contain at least one {label: History}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if max_epochs is not None and (not isinstance(max_epochs, int) or max_epochs < 1):
        raise ValueError(f"max_epochs must be a positive int or None, got {max_epochs!r}")
    fig, axes = style.subplots(1, 2, figsize=(10.0, 3.6), sharex=True)
    watched, rates = axes[0]
    for k, (label, run) in enumerate(runs.items()):
        h = run.history if hasattr(run, "history") else run
        for key in (monitor, rate):
            if key not in h:
                raise ValueError(f"run {label!r} did not record {key!r}; available: {sorted(h)}")
        values, lrs = np.asarray(h[monitor], dtype=float), np.asarray(h[rate], dtype=float)
        if len(values) != len(lrs) or len(values) == 0:
            raise ValueError(f"run {label!r}: {monitor!r} and {rate!r} must have the same, non-zero length")
        epochs = np.arange(1, len(values) + 1)
        best = int(np.argmin(values) if mode == "min" else np.argmax(values))
        watched.plot(epochs, values, color=f"C{k}", linestyle="--", marker="o", markersize=4, label=label)
        watched.plot(epochs[best], values[best], color=f"C{k}", marker="*", markersize=16, linestyle="none",
                     markeredgecolor="black", label=f"{label}: best epoch {best + 1} (kept)")
        rates.step(epochs, lrs, where="mid", color=f"C{k}", marker="o", markersize=4, label=label)
    for ax in (watched, rates):
        if max_epochs is not None:
            style.reference(ax, f"max epochs ({max_epochs})", x=max_epochs)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
        ax.grid(True)
    # One legend below both panels (colour = run, star = its best epoch): inside, "best" placement ignores text and
    # covered the max-epochs label at the right edge, where the early stops are read.
    fig.legend(*watched.get_legend_handles_labels(), loc="outside lower center", ncol=min(4, 2 * len(runs)))
    watched.set_ylabel(monitor)
    rates.set_ylabel(rate.replace("_", " "))
    rates.set_yscale("log")
    return finish(fig, title)
