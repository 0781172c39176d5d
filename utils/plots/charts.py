"""Charts: training curves, line and bar comparisons, histograms, confusion matrices.

Reference values (chance level, ln 10, y = x, a threshold) are passed as ``references={label: value}`` and drawn
as labelled grey dashed lines (``style.reference``), not as data series. A curve that coincides with an earlier one
is not drawn again: the earlier curve's legend entry names both ("A = B").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.ticker as mticker
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap, LogNorm, Normalize
from matplotlib.figure import Figure

from . import style
from ._show import finish

Refs = Mapping[str, float | Sequence[float]]
#: Two curves closer than this fraction of the axis range everywhere look like one line.
SAME_CURVE = 0.005
#: Colours of error counts: reds that start at a visible pink, so that a single error never looks like none.
ERRORS = ListedColormap(colormaps["Reds"](np.linspace(0.15, 1.0, 256)), name="errors")


def _history_dict(h: Any) -> Mapping[str, Sequence[float]]:
    return h.history if hasattr(h, "history") else h


def history(runs: Mapping[str, Any] | Any, metrics: Sequence[str] = ("loss", "accuracy"),
            title: str | None = None, *, references: Mapping[str, Refs] | None = None,
            ylim: Mapping[str, tuple[float, float]] | None = None) -> Figure | None:
    """Learning curves: one panel per metric, train solid and validation dashed, one colour per run.

    ``runs`` is a Keras ``History`` (or its ``.history`` dict), or a mapping ``{label: History}`` to compare runs.
    ``references={"accuracy": {"chance": 0.1}, "loss": {"ln 10": 2.303}}`` adds labelled reference lines per metric.
    ``ylim={"loss": (0, 3.2)}`` fixes a metric's y range, e.g. to compare two figures.
    """
    runs = {"": runs} if hasattr(runs, "history") or (isinstance(runs, Mapping) and "loss" in runs) else dict(runs)
    if not runs:
        raise ValueError("runs must contain at least one History")
    for arg, keyed in (("references", references), ("ylim", ylim)):
        unknown = set(keyed or {}) - set(metrics)
        if unknown:
            raise ValueError(f"{arg} must be keyed by metrics {list(metrics)}, got {sorted(unknown)}")
    fig, axes = style.subplots(1, len(metrics), figsize=(5.0 * len(metrics), 3.6))
    for ax, metric in zip(axes[0], metrics):
        for k, (label, h) in enumerate(runs.items()):
            h = _history_dict(h)
            if metric not in h:
                raise ValueError(f"metric {metric!r} not recorded; available: {sorted(h)}")
            epochs = np.arange(1, len(h[metric]) + 1)
            prefix = f"{label} " if label else ""
            ax.plot(epochs, h[metric], color=f"C{k}", label=f"{prefix}train", marker="o" if len(epochs) < 4 else "")
            if f"val_{metric}" in h:
                ax.plot(epochs, h[f"val_{metric}"], color=f"C{k}", linestyle="--", label=f"{prefix}validation",
                        marker="o" if len(epochs) < 4 else "")
        style.references(ax, (references or {}).get(metric))
        if metric in (ylim or {}):
            ax.set_ylim(*ylim[metric])
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))  # epochs are whole numbers, even for 2 of them
        ax.set_ylabel(metric)
        ax.grid(True)
        ax.legend()
    return finish(fig, title)


def _same_curve(a: np.ndarray, b: np.ndarray, log: bool) -> bool:
    """True when ``a`` and ``b`` would be drawn on top of each other (within :data:`SAME_CURVE` of the range)."""
    if log:
        if np.any(a <= 0) or np.any(b <= 0):
            return False
        a, b = np.log10(a), np.log10(b)
    span = max(float(np.ptp(np.concatenate([a, b]))), 1e-12)
    return bool(np.all(np.abs(a - b) <= SAME_CURVE * span))


def lines(x: Sequence[float], ys: Mapping[str, Sequence[float]], xlabel: str = "", ylabel: str = "",
          title: str | None = None, logx: bool = False, logy: bool = False, marker: str = "o", *,
          references: Refs | None = None, xreferences: Mapping[str, float] | None = None,
          ylim: tuple[float, float] | None = None, merge_identical: bool = True,
          errors: Mapping[str, Sequence[float]] | None = None, legend: str = "inside") -> Figure | None:
    """Several named curves over the same x values.

    ``references={"chance": 0.25, "y = x": x}`` draws labelled reference lines (a number: horizontal; a sequence:
    a curve over ``x``), ``xreferences`` vertical ones. Curves identical to an earlier one (to the eye) are drawn
    once, labelled "A = B" (``merge_identical=False`` draws every curve). ``ylim`` fixes the y range, e.g. to
    compare two figures. ``errors={label: half-widths}`` draws error bars (± the value) on those curves;
    ``legend="outside"`` puts the legend right of the axes, where it hides no curve.
    """
    if not ys:
        raise ValueError("ys must contain at least one curve")
    if legend not in ("inside", "outside"):
        raise ValueError(f"legend must be 'inside' or 'outside', got {legend!r}")
    for label, err in (errors or {}).items():
        if label not in ys or len(err) != len(x) or np.any(np.asarray(err, dtype=float) < 0):
            raise ValueError(f"errors[{label!r}] must name a curve of ys and give {len(x)} values >= 0")
    fig, axes = style.subplots(1, 1, figsize=(6.4 + 1.6 * (legend == "outside"), 3.8))
    ax = axes[0, 0]
    drawn: list[tuple[list[str], np.ndarray]] = []
    for label, y in ys.items():
        if len(y) != len(x):
            raise ValueError(f"curve {label!r} has {len(y)} points but x has {len(x)}")
        y = np.asarray(y, dtype=float)
        twin = next((names for names, z in drawn if _same_curve(y, z, logy)), None) if merge_identical else None
        if twin is not None:
            twin.append(label)
        else:
            drawn.append(([label], y))
    handles = []  # in the order of ys (matplotlib would list error-bar curves last)
    for k, (names, y) in enumerate(drawn):
        err = next((errors[n] for n in names if n in (errors or {})), None)
        if err is None:
            handles += ax.plot(x, y, marker=marker, color=f"C{k}", label=" = ".join(names))
        else:
            handles.append(ax.errorbar(x, y, yerr=np.asarray(err, dtype=float), marker=marker, color=f"C{k}",
                                       capsize=4, label=" = ".join(names)))
    style.references(ax, references, list(x))
    for label, value in (xreferences or {}).items():
        style.reference(ax, label, x=value)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if logx:  # label the x values themselves, not powers of ten
        ax.set_xscale("log")
        ax.set_xticks(list(x))
        ax.xaxis.set_major_formatter(mticker.ScalarFormatter())
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    if logy:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(True)
    if legend == "outside":
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    else:
        ax.legend(handles=handles)
    return finish(fig, title)


def bars(values: Mapping[str, float] | Mapping[str, Mapping[str, float]], ylabel: str = "",
         title: str | None = None, fmt: str = "{:.3g}", logy: bool = False, *, color: str = style.BAR,
         references: Mapping[str, float] | None = None, ylim: tuple[float, float] | None = None) -> Figure | None:
    """A labelled bar chart, each bar annotated with its value; categories share one colour.

    ``values`` is ``{category: value}``, or ``{group: {series: value}}`` for grouped bars (one colour per series,
    with a legend). ``references={"chance": 0.1}`` draws labelled horizontal reference lines.
    """
    if not values:
        raise ValueError("values must contain at least one bar")
    grouped = all(isinstance(v, Mapping) for v in values.values())
    if grouped:
        series = list(dict.fromkeys(s for v in values.values() for s in v))
        table = {s: [float(v.get(s, np.nan)) for v in values.values()] for s in series}
    elif any(isinstance(v, Mapping) for v in values.values()):
        raise ValueError("values must map every name to a number, or every name to a {series: number} mapping")
    else:
        table = {"": [float(v) for v in values.values()]}
    names = list(values)
    width = 0.8 / len(table)
    fig, axes = style.subplots(1, 1, figsize=(max(4.0, (0.9 + 0.5 * (len(table) - 1)) * len(names) + 1.6), 3.6))
    ax = axes[0, 0]
    for k, (name, vals) in enumerate(table.items()):
        offset = (k - (len(table) - 1) / 2) * width
        rects = ax.bar(np.arange(len(names)) + offset, vals, width * 0.95, color=f"C{k}" if grouped else color,
                       label=name or None)
        ax.bar_label(rects, labels=["" if np.isnan(v) else fmt.format(v) for v in vals], fontsize=10, padding=2)
    style.references(ax, references)
    ax.set_xticks(np.arange(len(names)), names)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    else:
        ax.margins(y=0.12)  # room for the value labels
    if len(names) > 4 and max(len(n) for n in names) > 6:
        ax.tick_params(axis="x", rotation=30)
        for tick in ax.get_xticklabels():
            tick.set_ha("right")
    if grouped:
        ax.legend()
    return finish(fig, title)


def histograms(samples: Mapping[str, Sequence[float]], bins: int = 30, xlabel: str = "", title: str | None = None,
               *, overlay: bool = False, shared: bool = True, references: Mapping[str, float] | None = None,
               ylabel: str = "count") -> Figure | None:
    """Histograms of named samples (e.g. per-channel means before and after batch norm).

    One panel per sample, side by side on the same bins and axes (``shared=True``, so widths compare), or all in one
    panel as outlines (``overlay=True``). ``references={"0": 0.0}`` draws labelled vertical reference lines.
    """
    if not samples:
        raise ValueError("samples must contain at least one {label: values}")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive int, got {bins!r}")
    data = {k: np.asarray(v, dtype=float).ravel() for k, v in samples.items()}
    if any(v.size == 0 for v in data.values()):
        raise ValueError("every sample must contain at least one value")
    edges = np.histogram_bin_edges(np.concatenate(list(data.values())), bins) if shared or overlay else bins
    panels = 1 if overlay else len(data)
    fig, axes = style.subplots(1, panels, figsize=(4.2 * panels + (1.0 if overlay else 0), 3.4),
                               sharex=shared and not overlay, sharey=shared and not overlay)
    for k, (label, v) in enumerate(data.items()):
        ax = axes[0, 0 if overlay else k]
        if overlay:
            ax.hist(v, edges, histtype="step", linewidth=2, color=f"C{k}", label=label)
        else:
            ax.hist(v, edges, color=style.BAR, edgecolor="white", linewidth=0.5)
            ax.set_title(label)
        for name, value in (references or {}).items():
            style.reference(ax, name, x=value)
        ax.set_xlabel(xlabel)
        ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))  # counts are whole numbers
        ax.grid(True, axis="y")
    axes[0, 0].set_ylabel(ylabel)
    if overlay:
        axes[0, 0].legend()
    return finish(fig, title)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str],
                     title: str | None = None, *, log: bool = False) -> Figure | None:
    """Confusion matrix with the count in every non-empty cell (rows: true class, columns: predicted).

    The diagonal (correct predictions) is drawn in light grey with bold counts; the errors are coloured by count on
    their own scale (no error = white, one error = pink, the largest = darkest) with a colourbar, so that even a few
    errors show.
    ``log=True`` puts the errors on a log scale (for a few large confusions among many small ones).
    """
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {y_true.shape} and {y_pred.shape}")
    k = len(class_names)
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= k):
        raise ValueError(f"labels must lie in 0..{k - 1} (one per class name)")
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    diagonal = np.eye(k, dtype=bool)
    errors = np.ma.masked_where(diagonal | (counts == 0), counts)
    top = max(int(errors.max()) if errors.count() else 1, 1)
    norm = LogNorm(1, max(top, 2)) if log else Normalize(0, top)
    side = 0.5 * k + 2.4
    fig, axes = style.subplots(1, 1, figsize=(side + 1.0, side))
    ax = axes[0, 0]
    ax.imshow(np.where(diagonal, 1.0, np.nan), cmap="Greys", vmin=0, vmax=5)  # light grey diagonal
    image = ax.imshow(errors, cmap=ERRORS, norm=norm)
    ax.set_facecolor("white")
    for (i, j), c in np.ndenumerate(counts):
        if c:
            colour = "black" if i == j else style.text_colour(image.cmap(norm(c)))
            ax.text(j, i, str(c), ha="center", va="center", fontsize=10 if c < 1000 else 9,
                    fontweight="bold" if i == j else "normal", color=colour)
    ax.set_xticks(range(k), class_names, rotation=45 if max(map(len, class_names)) > 2 else 0, ha="right"
                  if max(map(len, class_names)) > 2 else "center")
    ax.set_yticks(range(k), class_names)
    ax.set_xticks(np.arange(-0.5, k, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, k, 1), minor=True)
    ax.grid(which="minor", color="0.85", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set(xlabel="predicted", ylabel="true")
    for spine in ax.spines.values():
        spine.set_visible(True)
    bar = style.colorbar(fig, image, ax, "errors (count" + (", log scale)" if log else ")"), shrink=0.8)
    if log:
        bar.set_ticks([t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if t <= max(top, 2)])
        bar.ax.yaxis.set_major_formatter(mticker.ScalarFormatter())
        bar.ax.yaxis.set_minor_formatter(mticker.NullFormatter())
    else:
        bar.ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    return finish(fig, title)
