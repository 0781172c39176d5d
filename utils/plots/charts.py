"""Charts: training curves, line and bar comparisons, confusion matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
from matplotlib.figure import Figure

from ._show import finish


def _history_dict(h: Any) -> Mapping[str, Sequence[float]]:
    return h.history if hasattr(h, "history") else h


def history(runs: Mapping[str, Any] | Any, metrics: Sequence[str] = ("loss", "accuracy"),
            title: str | None = None) -> Figure | None:
    """Learning curves: one panel per metric, train solid and validation dashed, one colour per run.

    ``runs`` is a Keras ``History`` (or its ``.history`` dict), or a mapping ``{label: History}`` to compare runs.
    """
    runs = {"": runs} if hasattr(runs, "history") or (isinstance(runs, Mapping) and "loss" in runs) else dict(runs)
    if not runs:
        raise ValueError("runs must contain at least one History")
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.0 * len(metrics), 3.4), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for k, (label, h) in enumerate(runs.items()):
            h = _history_dict(h)
            if metric not in h:
                raise ValueError(f"metric {metric!r} not recorded; available: {sorted(h)}")
            epochs = np.arange(1, len(h[metric]) + 1)
            prefix = f"{label} " if label else ""
            ax.plot(epochs, h[metric], color=f"C{k}", label=f"{prefix}train")
            if f"val_{metric}" in h:
                ax.plot(epochs, h[f"val_{metric}"], color=f"C{k}", linestyle="--", label=f"{prefix}validation")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))  # epochs are whole numbers, even for 2 of them
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return finish(fig, title)


def lines(x: Sequence[float], ys: Mapping[str, Sequence[float]], xlabel: str = "", ylabel: str = "",
          title: str | None = None, logx: bool = False, logy: bool = False, marker: str = "o") -> Figure | None:
    """Several named curves over the same x values."""
    if not ys:
        raise ValueError("ys must contain at least one curve")
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    for label, y in ys.items():
        if len(y) != len(x):
            raise ValueError(f"curve {label!r} has {len(y)} points but x has {len(x)}")
        ax.plot(x, y, marker=marker, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if logx:  # label the x values themselves, not powers of ten
        ax.set_xscale("log")
        ax.set_xticks(list(x))
        ax.xaxis.set_major_formatter(mticker.ScalarFormatter())
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return finish(fig, title)


def bars(values: Mapping[str, float], ylabel: str = "", title: str | None = None, fmt: str = "{:.3g}",
         logy: bool = False) -> Figure | None:
    """A labelled bar chart, each bar annotated with its value."""
    if not values:
        raise ValueError("values must contain at least one bar")
    fig, ax = plt.subplots(figsize=(max(4.0, 0.9 * len(values) + 1.5), 3.4))
    names, vals = list(values), [float(v) for v in values.values()]
    rects = ax.bar(names, vals, color=[f"C{k}" for k in range(len(vals))])
    ax.bar_label(rects, labels=[fmt.format(v) for v in vals], fontsize=8)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.tick_params(axis="x", rotation=30 if len(names) > 4 else 0)
    return finish(fig, title)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str],
                     title: str | None = None) -> Figure | None:
    """Row-normalised confusion matrix (each row: where the images of one true class went), counts in cells."""
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {y_true.shape} and {y_pred.shape}")
    k = len(class_names)
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(0.55 * k + 2.2, 0.55 * k + 1.6))
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for (i, j), c in np.ndenumerate(counts):
        if c:
            ax.text(j, i, str(c), ha="center", va="center", fontsize=7,
                    color="white" if rates[i, j] > 0.5 else "black")
    ax.set_xticks(range(k), class_names, rotation=60, fontsize=8)
    ax.set_yticks(range(k), class_names, fontsize=8)
    ax.set(xlabel="predicted", ylabel="true")
    return finish(fig, title)
