"""Receptive-field figures: a unit's field drawn on an image, gradient maps beside the analytic square."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import style
from ._show import finish

__all__ = ["field_on_image", "gradient_fields", "field_profile"]

Box = Sequence[Sequence[int]]  # ((row_start, row_stop), (col_start, col_stop)), stop excluded


def _check_box(box: Box, name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    try:
        (r0, r1), (c0, c1) = box
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be ((row_start, row_stop), (col_start, col_stop)), got {box!r}") from None
    if r1 <= r0 or c1 <= c0:
        raise ValueError(f"{name} must have start < stop on both axes, got {box!r}")
    return (int(r0), int(r1)), (int(c0), int(c1))


def _rectangle(ax: plt.Axes, box: Box, colour: str, label: str | None = None, linestyle: str = "-") -> None:
    (r0, r1), (c0, c1) = box
    ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor=colour, linewidth=2,
                           linestyle=linestyle, label=label))


def field_on_image(image: np.ndarray, boxes: Mapping[str, Box], title: str | None = None,
                   size: float = 5.0) -> Figure | None:
    """An image with the receptive fields of some units drawn on it, one labelled rectangle per entry of ``boxes``
    (``{label: ((row_start, row_stop), (col_start, col_stop))}``, e.g. ``ReceptiveField.box(unit)``). Parts of a
    field that fall in the padding are drawn outside the image; the axes widen to show them."""
    img = np.asarray(image)
    if img.ndim not in (2, 3):
        raise ValueError(f"image must be (H, W) or (H, W, 3), got shape {img.shape}")
    if not boxes:
        raise ValueError("boxes must contain at least one {label: box}")
    checked = {label: _check_box(b, f"boxes[{label!r}]") for label, b in boxes.items()}
    fig, axes = style.subplots(1, 1, figsize=(size, size * img.shape[0] / img.shape[1] + 0.9))
    ax = axes[0, 0]
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
    for k, (label, box) in enumerate(checked.items()):
        _rectangle(ax, box, f"C{k}", label)
    rows = [v for (r, _) in checked.values() for v in r] + [0, img.shape[0]]
    cols = [v for (_, c) in checked.values() for v in c] + [0, img.shape[1]]
    ax.set_xlim(min(cols) - 1.5, max(cols) + 0.5)
    ax.set_ylim(max(rows) + 0.5, min(rows) - 1.5)
    fig.legend(loc="outside lower center", ncol=2)  # constrained layout keeps room for it below the axes
    ax.set(xlabel="column (input pixels)", ylabel="row (input pixels)")
    return finish(fig, title)


def gradient_fields(gradients: Mapping[str, np.ndarray], boxes: Mapping[str, Box] | None = None,
                    log: bool = False, title: str | None = None, size: float = 3.2, *,
                    shared: bool = False, relative: bool = False) -> Figure | None:
    """Gradient maps |d unit / d input| side by side, each with the analytic receptive field outlined (dashed) when
    ``boxes`` has an entry with the same label, on axes in input pixels. ``log=True`` shows log10 of the gradient
    (zeros stay white), which reveals the tails a linear scale hides. Each map has its own colourbar, or one shared
    scale and colourbar with ``shared=True`` (for gradients of comparable size). ``relative=True`` divides each map
    by its own maximum first, so that maps of different magnitude can share one scale and be compared by shape."""
    if not gradients:
        raise ValueError("gradients must contain at least one {label: 2-D array}")
    boxes = dict(boxes or {})
    unknown = set(boxes) - set(gradients)
    if unknown:
        raise ValueError(f"boxes has labels {sorted(unknown)} that are not in gradients {list(gradients)}")
    shown = {}
    for label, grad in gradients.items():
        g = np.asarray(grad, dtype=float)
        if g.ndim != 2:
            raise ValueError(f"gradients[{label!r}] must be a 2-D map, got shape {g.shape}")
        if relative:
            if not g.max() > 0:
                raise ValueError(f"gradients[{label!r}] has no positive entry to scale by (relative=True)")
            g = g / g.max()
        shown[label] = np.where(g > 0, np.log10(np.where(g > 0, g, 1.0)), np.nan) if log else g
    finite = np.concatenate([v[np.isfinite(v)] for v in shown.values()])
    limits = {"vmin": float(finite.min()), "vmax": float(finite.max())} if shared and finite.size else {}
    bar_label = "|gradient| / max" if relative else "|gradient|"
    bar_label = f"log10 ({bar_label})" if log and relative else f"log10 {bar_label}" if log else bar_label
    fig, axes = style.subplots(1, len(gradients), figsize=(size * len(gradients) + 0.9, size + 0.5))
    for ax, (label, img) in zip(axes[0], shown.items()):
        im = ax.imshow(img, cmap="magma", **limits)
        if not shared:
            style.colorbar(fig, im, ax, bar_label, fraction=0.046)
        if label in boxes:
            _rectangle(ax, _check_box(boxes[label], f"boxes[{label!r}]"), "cyan", linestyle="--")
        ax.set_title(label + (" (log10)" if log and not shared else ""))  # shared: the one colourbar says it
        ax.set_xlabel("input column")
    axes[0][0].set_ylabel("input row")
    if shared:
        style.colorbar(fig, im, list(axes[0]), bar_label)
    return finish(fig, title)


def field_profile(profiles: Mapping[str, np.ndarray], edges: tuple[int, int] | None = None, title: str | None = None,
                  xlabel: str = "input column") -> Figure | None:
    """Gradient profiles through the centre of a field, each scaled to a peak of 1, with a Gaussian of the same mean
    and standard deviation dashed beside each, and the analytic field's ``edges`` (start, stop) as grey lines:
    the effective receptive field is bell-shaped, not the flat square the analytic field suggests."""
    if not profiles:
        raise ValueError("profiles must contain at least one {label: 1-D array}")
    fig, axes = style.subplots(1, 1, figsize=(6.4, 3.8))
    ax = axes[0, 0]
    for k, (label, p) in enumerate(profiles.items()):
        p = np.asarray(p, dtype=float)
        if p.ndim != 1 or p.max() <= 0:
            raise ValueError(f"profiles[{label!r}] must be a 1-D array with a positive entry, got shape {p.shape}")
        x = np.arange(p.size)
        weights = p / p.sum()
        mean = float((x * weights).sum())
        std = float(np.sqrt(((x - mean) ** 2 * weights).sum()))
        ax.plot(x, p / p.max(), color=f"C{k}", label=f"{label} (std {std:.1f} px)")
        gauss = np.exp(-0.5 * ((x - mean) / max(std, 1e-9)) ** 2)
        ax.plot(x, gauss, color=f"C{k}", linestyle="--", linewidth=1)
    if edges is not None:
        if len(edges) != 2 or edges[1] <= edges[0]:
            raise ValueError(f"edges must be (start, stop) with start < stop, got {edges!r}")
        for e in (edges[0] - 0.5, edges[1] - 0.5):
            ax.axvline(e, color="grey", linewidth=1)
        ax.axvspan(edges[0] - 0.5, edges[1] - 0.5, color="grey", alpha=0.1, label="analytic field")
    ax.set(xlabel=xlabel, ylabel="|gradient| / max")
    fig.legend(loc="outside lower center", ncol=2)  # below the axes: the curves fill the whole width
    return finish(fig, title)
