"""Figures of arrays: matrices with their numbers, images, kernels, feature maps and learned filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._show import finish


def _format(v: float) -> str:
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) >= 0.01 else f"{v:.0e}"


def draw_matrix(ax: plt.Axes, values: np.ndarray, title: str = "", highlight: tuple[slice, slice] | None = None,
                cmap: str = "coolwarm", vmax: float | None = None, numbers: bool = True) -> None:
    """Draw a 2-D array on ``ax`` as coloured cells with each value written inside (used by other figures)."""
    a = np.asarray(values, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"values must be 2-D, got shape {a.shape}")
    lim = vmax if vmax is not None else (np.abs(a).max() or 1.0)
    ax.imshow(a, cmap=cmap, vmin=-lim, vmax=lim)
    if numbers:
        for (i, j), v in np.ndenumerate(a):
            ax.text(j, i, _format(v), ha="center", va="center", fontsize=10 if a.size <= 49 else 7,
                    color="white" if abs(v) > 0.6 * lim else "black")
    ax.set_xticks(np.arange(-0.5, a.shape[1], 1), minor=True)
    ax.set_yticks(np.arange(-0.5, a.shape[0], 1), minor=True)
    ax.grid(which="minor", color="black", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    if highlight is not None:
        rows, cols = highlight
        r0, r1, _ = rows.indices(a.shape[0])
        c0, c1, _ = cols.indices(a.shape[1])
        ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor="gold", linewidth=3))
    ax.set_title(title)


def matrices(values: Sequence[np.ndarray], titles: Sequence[str] | None = None, ops: Sequence[str] | None = None,
             title: str | None = None, cell: float = 0.45) -> Figure | None:
    """Several matrices side by side with their numbers, optionally joined by operators ("*", "=").

    ``matrices([image, kernel, feature_map], ["input", "kernel", "output"], ops=["∗", "="])`` draws a slide-style
    equation.
    """
    values = [np.asarray(v, dtype=float) for v in values]
    titles = list(titles) if titles is not None else [""] * len(values)
    ops = list(ops) if ops is not None else []
    if len(titles) != len(values):
        raise ValueError(f"titles must have one entry per matrix ({len(values)}), got {len(titles)}")
    if ops and len(ops) != len(values) - 1:
        raise ValueError(f"ops must have len(values) - 1 = {len(values) - 1} entries, got {len(ops)}")
    widths = [v.shape[1] for v in values]
    height = max(v.shape[0] for v in values)
    fig, axes = plt.subplots(1, len(values), figsize=(cell * sum(widths) + 1.2 * len(values), cell * height + 0.8),
                             gridspec_kw={"width_ratios": widths}, squeeze=False)
    for ax, v, t in zip(axes[0], values, titles):
        draw_matrix(ax, v, t)
    for ax, op in zip(axes[0], ops):
        ax.annotate(op, xy=(1.0, 0.5), xycoords="axes fraction", xytext=(12, 0), textcoords="offset points",
                    fontsize=18, ha="center", va="center")
    return finish(fig, title)


def matrix(values: np.ndarray, title: str = "", highlight: tuple[slice, slice] | None = None) -> Figure | None:
    """One matrix with the value written in every cell; ``highlight=(rows, cols)`` outlines a window."""
    a = np.asarray(values, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"values must be 2-D, got shape {a.shape}")
    fig, ax = plt.subplots(figsize=(0.5 * a.shape[1] + 0.8, 0.5 * a.shape[0] + 0.8))
    draw_matrix(ax, a, title, highlight)
    return finish(fig)


def image_grid(images: Sequence[np.ndarray] | np.ndarray, titles: Sequence[str] | None = None, ncols: int = 5,
               cmap: str = "gray", size: float = 2.0, title: str | None = None,
               symmetric: bool = False) -> Figure | None:
    """Show images in a grid. Grey images use ``cmap``; ``symmetric=True`` centres the colours on zero
    (for filter responses that can be negative). Colour images are clipped to [0, 1] (floats) or shown as uint8."""
    imgs = list(images)
    if not imgs:
        raise ValueError("images must contain at least one image")
    if titles is not None and len(titles) != len(imgs):
        raise ValueError(f"titles must have one entry per image ({len(imgs)}), got {len(titles)}")
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    ncols = min(ncols, len(imgs))
    nrows = -(-len(imgs) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.3 if title else 0)), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= len(imgs):
            continue
        img = np.asarray(imgs[k])
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        if img.ndim == 2:
            lim = np.abs(img).max() or 1.0
            ax.imshow(img, cmap="RdBu_r" if symmetric else cmap,
                      **({"vmin": -lim, "vmax": lim} if symmetric else {}))
        else:
            ax.imshow(np.clip(img, 0, 1) if img.dtype.kind == "f" else img)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
    return finish(fig, title)


def kernels(named: Mapping[str, np.ndarray], title: str | None = None) -> Figure | None:
    """Small kernels side by side, each cell coloured and labelled with its weight."""
    if not named:
        raise ValueError("named must contain at least one kernel")
    fig, axes = plt.subplots(1, len(named), figsize=(2.2 * len(named), 2.6), squeeze=False)
    for ax, (name, k) in zip(axes[0], named.items()):
        draw_matrix(ax, np.asarray(k, dtype=float), name)
    return finish(fig, title)


def feature_maps(maps: np.ndarray, n: int = 16, ncols: int = 8, title: str | None = None) -> Figure | None:
    """The first ``n`` channels of one (H, W, C) activation tensor, one small image each."""
    a = np.asarray(maps)
    if a.ndim != 3:
        raise ValueError(f"maps must have shape (H, W, C), got {a.shape}")
    n = min(n, a.shape[-1])
    return image_grid([a[..., c] for c in range(n)], [f"ch {c}" for c in range(n)], ncols=ncols, size=1.3,
                      cmap="viridis", title=title)


def filters(weights: np.ndarray, n: int = 32, ncols: int = 8, title: str | None = None) -> Figure | None:
    """Learned first-layer filters of shape (kh, kw, C_in, F): grey per filter (C_in 1) or RGB (C_in 3)."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 4 or w.shape[2] not in (1, 3):
        raise ValueError(f"weights must have shape (kh, kw, 1 or 3, F), got {w.shape}")
    n = min(n, w.shape[-1])
    if w.shape[2] == 1:
        return image_grid([w[:, :, 0, f] for f in range(n)], [str(f) for f in range(n)], ncols=ncols, size=1.1,
                          symmetric=True, title=title)
    lo, hi = w.min(), w.max()
    rgb = [(w[..., f] - lo) / (hi - lo or 1.0) for f in range(n)]  # one shared scale keeps filters comparable
    return image_grid(rgb, [str(f) for f in range(n)], ncols=ncols, size=1.1, title=title)
