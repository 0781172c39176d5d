"""Figures of arrays: matrices with their numbers, images, kernels, feature maps and learned filters.

Scales: matrices are coloured on a diverging map centred on 0 and carry their numbers; grey images that are photos
(floats in [0, 1] or uint8) are shown on that fixed range, any other grey array (responses, activations, weights)
is a value map and gets a colourbar. ``shared=True`` gives compared panels one scale (and one colourbar); it is
the default for the channels of one feature map and for the filters of one layer.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from . import style
from ._show import finish

#: Font size of the numbers in matrix cells (points = CSS pixels at 100 % zoom).
CELL_FONT = 11
#: Colour maps under which a grey array in [0, 1] (or uint8) is taken to be a photo, shown on that fixed range.
GREYS = ("gray", "grey", "Greys_r")
_CHAR_WIDTH = 0.62  # width of a digit in DejaVu Sans, in font sizes
OPERATOR_FONT = 20
# Operators whose glyph is drawn small for its font size, and the factor that brings them to the size of "∗" / "=":
# DejaVu's cross-correlation star ⋆ (U+22C6) is a fifth of an em wide.
_OPERATOR_SCALE = {"⋆": 1.8}


def _format(v: float, fmt: str | None = None) -> str:
    if fmt is not None:
        return fmt.format(v)
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) >= 0.01 else f"{v:.0e}"


def _limits(a: np.ndarray, vmin: float | None, vmax: float | None) -> tuple[float, float]:
    """Colour limits of a matrix: centred on 0 (``vmax`` alone is the symmetric limit) unless both are given."""
    if vmin is not None and vmax is not None:
        return float(vmin), float(vmax)
    if vmax is None:
        vmax = float(np.abs(a).max()) or 1.0
    return (-float(vmax) if vmin is None else float(vmin)), float(vmax)


def draw_matrix(ax: plt.Axes, values: np.ndarray, title: str = "", highlight: tuple[slice, slice] | None = None,
                cmap: str = "coolwarm", vmax: float | None = None, numbers: bool = True, *,
                vmin: float | None = None, fontsize: float | None = None, fmt: str | None = None) -> AxesImage:
    """Draw a 2-D array on ``ax`` as coloured cells with each value written inside (used by other figures).

    Colours are centred on 0 at +-max|values| unless ``vmax`` (symmetric limit) or ``vmin`` and ``vmax`` are
    given -- pass the same limits to matrices that are compared. ``fmt`` (e.g. ``'{:.1f}'``) formats the numbers.
    Returns the image (for a colourbar)."""
    a = np.asarray(values, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"values must be 2-D, got shape {a.shape}")
    lo, hi = _limits(a, vmin, vmax)
    image = ax.imshow(a, cmap=cmap, vmin=lo, vmax=hi)
    if numbers:
        size = fontsize or (CELL_FONT if a.size <= 64 else CELL_FONT - 1)
        for (i, j), v in np.ndenumerate(a):
            ax.text(j, i, _format(v, fmt), ha="center", va="center", fontsize=size,
                    color=style.text_colour(image.cmap(image.norm(v))))
    ax.set_xticks(np.arange(-0.5, a.shape[1], 1), minor=True)
    ax.set_yticks(np.arange(-0.5, a.shape[0], 1), minor=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(which="minor", color="0.25", linewidth=0.6)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    for spine in ax.spines.values():
        spine.set_visible(True)
    if highlight is not None:
        rows, cols = highlight
        r0, r1, _ = rows.indices(a.shape[0])
        c0, c1, _ = cols.indices(a.shape[1])
        ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor="gold", linewidth=3))
    ax.set_title(title)
    return image


def _groups(shared: bool | Sequence[Sequence[int]], n: int) -> list[list[int]]:
    """Which matrices share a colour scale: all (True), none (False) or the given groups of indices."""
    if shared is True:
        return [list(range(n))]
    if shared is False:
        return [[k] for k in range(n)]
    groups = [[int(k) for k in g] for g in shared]
    flat = [k for g in groups for k in g]
    if any(not 0 <= k < n for k in flat) or len(set(flat)) != len(flat):
        raise ValueError(f"shared must be True, False or disjoint groups of indices in 0..{n - 1}, got {shared!r}")
    return groups + [[k] for k in range(n) if k not in flat]


def matrices(values: Sequence[np.ndarray], titles: Sequence[str] | None = None, ops: Sequence[str] | None = None,
             title: str | None = None, cell: float | None = None, *, shared: bool | Sequence[Sequence[int]] = False,
             colorbar: bool = False, cmap: str = "coolwarm", fmt: str | None = None,
             vmax: float | None = None, vmin: float | None = None,
             highlights: Sequence[tuple[slice, slice] | None] | None = None,
             integer_ticks: bool = False) -> Figure | None:
    """Several matrices side by side with their numbers, optionally joined by operators ("∗", "⋆", "=").

    ``matrices([image, kernel, feature_map], ["input", "kernel", "output"], ops=["∗", "="])`` draws a slide-style
    equation. Every cell has the same size (``cell`` inches, by default just wide enough for the numbers at 11 px),
    so a 2x2 result is drawn smaller than its 3x3 input. ``shared=True`` colours all matrices on one scale,
    ``shared=[(2, 3)]`` only the listed groups (e.g. a computed result and the slide's); ``colorbar=True`` adds a
    colour scale beside each matrix (one per shared group); ``vmax`` fixes one symmetric limit for all; ``vmin``
    (e.g. 0 for counts, with a sequential ``cmap``) replaces the lower limit;
    ``highlights`` outlines a window per matrix; ``integer_ticks=True`` puts colourbar ticks on whole numbers only
    (counts). Operators are drawn at ``OPERATOR_FONT`` points, the small cross-correlation star ⋆ enlarged to match.
    """
    values = [np.asarray(v, dtype=float) for v in values]
    if not values:
        raise ValueError("values must contain at least one matrix")
    if any(v.ndim != 2 for v in values):
        raise ValueError(f"values must be 2-D matrices, got shapes {[v.shape for v in values]}")
    titles = list(titles) if titles is not None else [""] * len(values)
    ops = list(ops) if ops is not None else []
    highlights = list(highlights) if highlights is not None else [None] * len(values)
    if len(titles) != len(values):
        raise ValueError(f"titles must have one entry per matrix ({len(values)}), got {len(titles)}")
    if ops and len(ops) != len(values) - 1:
        raise ValueError(f"ops must have len(values) - 1 = {len(values) - 1} entries, got {len(ops)}")
    if len(highlights) != len(values):
        raise ValueError(f"highlights must have one entry per matrix ({len(values)}), got {len(highlights)}")
    groups = _groups(shared, len(values))
    if vmax is not None:
        groups = [list(range(len(values)))]
    limits = {k: vmax or max(float(np.abs(values[i]).max()) for i in g) or 1.0 for g in groups for k in g}
    last_of_group = {g[-1] for g in groups}
    chars = max(len(_format(x, fmt)) for v in values for x in v.ravel())
    needed = (_CHAR_WIDTH * CELL_FONT * chars + 10) / 72
    cell = max(needed, 0.5) if cell is None else float(cell)
    if cell <= 0:
        raise ValueError(f"cell must be a positive size in inches, got {cell!r}")
    gap = 0.6 if ops else 0.35
    bar = 0.85 if colorbar else 0.0
    widths = [v.shape[1] * cell + (bar if k in last_of_group else 0.0) for k, v in enumerate(values)]
    wrapped = [textwrap.fill(t, max(8, int((v.shape[1] * cell + gap) * 72 / (0.58 * 12)))) for t, v in
               zip(titles, values)]
    title_lines = max(t.count("\n") + 1 if t else 0 for t in wrapped)
    height = max(v.shape[0] for v in values) * cell
    top = 0.08 + 0.22 * title_lines + (0.42 if title else 0.0)
    bottom, left = 0.08, 0.08
    fig_w, fig_h = sum(widths) + gap * (len(values) - 1) + 2 * left, height + top + bottom
    fig = plt.figure(figsize=(fig_w, fig_h))
    x = left
    for k, (v, t) in enumerate(zip(values, wrapped)):
        w, h = v.shape[1] * cell, v.shape[0] * cell
        y = bottom + (height - h) / 2
        ax = fig.add_axes((x / fig_w, y / fig_h, w / fig_w, h / fig_h))
        image = draw_matrix(ax, v, t, highlights[k], cmap=cmap, vmax=limits[k], vmin=vmin, fmt=fmt)
        ax.title.set_fontsize(12)
        if colorbar and k in last_of_group:
            cax = fig.add_axes(((x + w + 0.08) / fig_w, y / fig_h, 0.12 / fig_w, h / fig_h))
            scale = fig.colorbar(image, cax=cax)
            scale.ax.tick_params(labelsize=10)
            if integer_ticks:
                scale.ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))
        x += widths[k]
        if k < len(values) - 1:
            if ops:
                fig.text((x + gap / 2) / fig_w, (bottom + height / 2) / fig_h, ops[k], ha="center", va="center",
                         fontsize=OPERATOR_FONT * _OPERATOR_SCALE.get(ops[k], 1.0))
            x += gap
    return finish(fig, title, tight=False)


def matrix(values: np.ndarray, title: str = "", highlight: tuple[slice, slice] | None = None, *,
           vmax: float | None = None, colorbar: bool = False, cmap: str = "coolwarm",
           fmt: str | None = None) -> Figure | None:
    """One matrix with the value written in every cell; ``highlight=(rows, cols)`` outlines a window."""
    a = np.asarray(values, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"values must be 2-D, got shape {a.shape}")
    return matrices([a], [title], vmax=vmax, colorbar=colorbar, cmap=cmap, fmt=fmt, highlights=[highlight])


def _natural_range(img: np.ndarray) -> tuple[float, float] | None:
    """The range of a grey photo ((0, 255) for uint8, (0, 1) for values inside [0, 1]); None for other arrays."""
    if img.dtype == np.uint8:
        return 0.0, 255.0
    finite = img[np.isfinite(img)] if img.dtype.kind == "f" else img
    if finite.size and finite.min() >= 0 and finite.max() <= 1:
        return 0.0, 1.0
    return None


def _grey_scale(panels: Sequence[np.ndarray], symmetric: bool, vmin: float | None, vmax: float | None,
                photos: bool = True) -> tuple[float, float]:
    """One colour scale over ``panels``: centred on 0 when ``symmetric``, a photo's range when ``photos`` and
    every panel is a photo, otherwise min..max; ``vmin``/``vmax`` override either end."""
    stacked = np.concatenate([np.asarray(p, dtype=float).ravel() for p in panels])
    stacked = stacked[np.isfinite(stacked)] if stacked.size else np.zeros(1)
    if symmetric:
        lim = float(np.abs(stacked).max()) or 1.0
        lo, hi = -lim, lim
    else:
        ranges = {_natural_range(np.asarray(p)) if photos else None for p in panels}
        lo, hi = ranges.pop() if len(ranges) == 1 and None not in ranges else (float(stacked.min()),
                                                                               float(stacked.max()))
        if hi <= lo:
            hi = lo + 1.0
    return (lo if vmin is None else float(vmin)), (hi if vmax is None else float(vmax))


def _frame(ax: plt.Axes) -> None:
    """No ticks, and a thin grey frame so that white parts of an image stay visible on the white page."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("0.6")
        spine.set_linewidth(0.8)


def image_grid(images: Sequence[np.ndarray] | np.ndarray, titles: Sequence[str] | None = None, ncols: int = 5,
               cmap: str = "gray", size: float = 2.0, title: str | None = None,
               symmetric: bool | Sequence[bool] = False, *, shared: bool = False, vmin: float | None = None,
               vmax: float | None = None, colorbar: bool | None = None, label: str = "") -> Figure | None:
    """Show images in a grid, each in a thin grey frame.

    Colour images (H, W, 3) are clipped to [0, 1] (floats) or shown as uint8. Grey images (H, W) use ``cmap``:
    a photo (floats in [0, 1], or uint8) on its fixed range, so a flat 0.5 image is mid-grey; any other array on
    its own min..max. ``symmetric=True`` (or one bool per image, e.g. ``[False, True]`` for a photo and its signed
    filter response) centres a diverging map on 0. ``shared=True`` gives the symmetric panels one scale and the
    other grey panels another; ``vmin``/``vmax`` fix it. ``colorbar`` (default: wherever colour encodes a value,
    i.e. symmetric panels, a colour map other than grey, or arrays that are not photos) adds the scale, labelled
    ``label``: one per shared scale, else one per panel.
    """
    imgs = [np.asarray(img) for img in images]
    if not imgs:
        raise ValueError("images must contain at least one image")
    if titles is not None and len(titles) != len(imgs):
        raise ValueError(f"titles must have one entry per image ({len(imgs)}), got {len(titles)}")
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    signed = [bool(symmetric)] * len(imgs) if np.ndim(symmetric) == 0 else [bool(s) for s in symmetric]
    if len(signed) != len(imgs):
        raise ValueError(f"symmetric must be a bool or one bool per image ({len(imgs)}), got {len(signed)}")
    imgs = [img[..., 0] if img.ndim == 3 and img.shape[-1] == 1 else img for img in imgs]
    if any(img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[-1] not in (3, 4)) for img in imgs):
        raise ValueError(f"images must be (H, W), (H, W, 1) or (H, W, 3), got {[img.shape for img in imgs]}")
    photos = cmap in GREYS
    grey = [k for k, img in enumerate(imgs) if img.ndim == 2]
    one_scale = shared or vmin is not None or vmax is not None
    if one_scale:  # one scale for the signed panels, one for the others
        groups = [g for g in ([k for k in grey if signed[k]], [k for k in grey if not signed[k]]) if g]
    else:
        groups = [[k] for k in grey]
    scales = {}
    for group in groups:
        scale = _grey_scale([imgs[k] for k in group], signed[group[0]], vmin, vmax, photos)
        bar = colorbar if colorbar is not None else (
            signed[group[0]] or not photos or any(_natural_range(imgs[k]) is None for k in group))
        scales.update({k: (scale, bar, group) for k in group})
    ncols = min(ncols, len(imgs))
    nrows = -(-len(imgs) // ncols)
    bars = sum(bool(scales[g[0]][1]) for g in groups)
    extra_w = 0.85 * (bars if one_scale else min(bars, ncols))  # room for the colourbars of one row
    extra_h = (0.28 if titles is not None else 0.0) * nrows + (0.35 if title else 0.0)
    fig, axes = style.subplots(nrows, ncols, figsize=(size * ncols + extra_w, size * nrows + extra_h))
    for k, ax in enumerate(axes.flat):
        if k >= len(imgs):
            ax.axis("off")
            continue
        img = imgs[k]
        _frame(ax)
        if img.ndim == 2:
            (lo, hi), bar, group = scales[k]
            im = ax.imshow(img, cmap=style.DIVERGING if signed[k] else cmap, vmin=lo, vmax=hi)
            if bar and k == group[-1]:
                members = [axes.flat[j] for j in group]
                style.colorbar(fig, im, members if len(members) > 1 else members[0], label,
                               **({} if len(members) > 1 else {"fraction": 0.046}))
        else:
            ax.imshow(np.clip(img, 0, 1) if img.dtype.kind == "f" else img)
        if titles is not None:
            ax.set_title(titles[k], fontsize=11)
    return finish(fig, title)


def kernels(named: Mapping[str, np.ndarray], title: str | None = None, *, shared: bool = False,
            colorbar: bool = False) -> Figure | None:
    """Small kernels side by side, each cell coloured and labelled with its weight (``shared=True``: one scale)."""
    if not named:
        raise ValueError("named must contain at least one kernel")
    return matrices([np.asarray(k, dtype=float) for k in named.values()], list(named), title=title, shared=shared,
                    colorbar=colorbar)


def feature_maps(maps: np.ndarray, n: int = 16, ncols: int = 8, title: str | None = None, *, shared: bool = True,
                 cmap: str = style.SEQUENTIAL, label: str = "activation") -> Figure | None:
    """The first ``n`` channels of one (H, W, C) activation tensor, one small image each.

    All channels share one colour scale and one colourbar by default (``shared=False``: each its own), so a weak
    channel looks weak; a channel that is 0 everywhere is titled "(all 0)". Signed maps (before the activation)
    use a diverging map centred on 0.
    """
    a = np.asarray(maps, dtype=float)
    if a.ndim != 3:
        raise ValueError(f"maps must have shape (H, W, C), got {a.shape}")
    n = min(n, a.shape[-1])
    chans = [a[..., c] for c in range(n)]
    titles = [f"ch {c}" + (" (all 0)" if not np.any(chans[c]) else "") for c in range(n)]
    signed = bool(a[..., :n].min() < 0)
    vmin, vmax = (0.0, float(a[..., :n].max()) or 1.0) if shared and not signed else (None, None)
    return image_grid(chans, titles, ncols=ncols, size=1.3, cmap=cmap, title=title, symmetric=signed,
                      shared=shared, vmin=vmin, vmax=vmax, colorbar=True, label=label)


def filters(weights: np.ndarray, n: int = 32, ncols: int = 8, title: str | None = None, *,
            shared: bool = True) -> Figure | None:
    """Learned first-layer filters of shape (kh, kw, C_in, F): grey per filter (C_in 1) or RGB (C_in 3).

    Grey filters use a diverging map centred on 0 with one shared scale and colourbar (``shared=False``: each
    filter its own). RGB filters show 0.5 + w / (2 max|w|): mid-grey is a weight of 0, on one scale for all
    filters unless ``shared=False``.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 4 or w.shape[2] not in (1, 3):
        raise ValueError(f"weights must have shape (kh, kw, 1 or 3, F), got {w.shape}")
    n = min(n, w.shape[-1])
    names = [str(f) for f in range(n)]
    if w.shape[2] == 1:
        return image_grid([w[:, :, 0, f] for f in range(n)], names, ncols=ncols, size=1.1, symmetric=True,
                          shared=shared, title=title, label="weight")
    lims = [float(np.abs(w[..., :n]).max()) or 1.0] * n if shared else [float(np.abs(w[..., f]).max()) or 1.0
                                                                          for f in range(n)]
    rgb = [0.5 + w[..., f] / (2 * lim) for f, lim in zip(range(n), lims)]
    return image_grid(rgb, names, ncols=ncols, size=1.1, title=title)
