"""Figures of what a CNN sees (notebook 13): explanation maps under their images, units' receptive fields on images."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import style
from ._show import finish

__all__ = ["heatmaps", "boxes_on_images", "randomisation_curves"]


def _photo(image: np.ndarray) -> tuple[np.ndarray, str | None]:
    """An image as imshow shows a photo: (H, W) grey or (H, W, 3) colour, in [0, 1]."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or img.ndim == 3 and img.shape[-1] != 3:
        raise ValueError(f"images must be (H, W), (H, W, 1) or (H, W, 3) each, got shape {img.shape}")
    img = img.astype(float) / (255.0 if img.dtype.kind in "iu" else 1.0)
    return np.clip(img, 0, 1), "gray" if img.ndim == 2 else None


def _framed(ax: object) -> None:
    """No ticks, a thin grey frame on all four sides (the course style hides the top and right spines of plots)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set(color="0.6", linewidth=0.8)


def heatmaps(images: Sequence[np.ndarray] | np.ndarray, maps: Mapping[str, np.ndarray],
             titles: Sequence[str] | None = None, title: str | None = None, size: float = 1.5,
             label: str | Mapping[str, str] = "importance") -> Figure | None:
    """The images in the first row, then one row per entry of ``maps`` ({row label: (N, H, W), one map per image}).

    A row of non-negative maps (saliency, Grad-CAM) shares one scale from 0 to the row's maximum
    (:data:`style.SEQUENTIAL`); a row with negative values (occlusion drops) is centred on 0
    (:data:`style.DIVERGING`); each row has its colourbar, labelled ``label`` (or ``label[row label]``). A map
    coarser than its image (Grad-CAM without upsampling) is stretched over the image's extent, one block per cell, so
    its coarseness shows.
    """
    imgs = list(images)
    if not imgs:
        raise ValueError("images must contain at least one image")
    if not maps:
        raise ValueError("maps must contain at least one {row label: maps}")
    if titles is not None and len(titles) != len(imgs):
        raise ValueError(f"titles must have one entry per image ({len(imgs)}), got {len(titles)}")
    labels = {name: label for name in maps} if isinstance(label, str) else dict(label)
    if set(labels) != set(maps):
        raise ValueError(f"label must be a string or name every row of maps {list(maps)}, got {list(labels)}")
    rows = {}
    for name, m in maps.items():
        m = np.asarray(m, dtype=float)
        if m.ndim != 3 or len(m) != len(imgs):
            raise ValueError(f"maps[{name!r}] must have shape ({len(imgs)}, H, W), one map per image, got {m.shape}")
        rows[name] = m
    shown = [_photo(img) for img in imgs]
    extra_h = 0.3 * max(len(t.splitlines()) for t in titles) if titles is not None else 0.0
    n = len(imgs)  # one more, narrow column holds the colourbars, so that every row's panels line up
    fig, axes = style.subplots(1 + len(rows), n + 1, figsize=(size * n + 1.4, size * (1 + len(rows)) + extra_h),
                               gridspec_kw={"width_ratios": [1.0] * n + [0.08]})
    for ax in axes[:, -1]:
        ax.axis("off")
    for col, (img, cmap) in enumerate(shown):
        axes[0, col].imshow(img, cmap=cmap, vmin=0, vmax=1)
        if titles is not None:
            axes[0, col].set_title(titles[col], fontsize=11)
    for row, (name, m) in enumerate(rows.items(), start=1):
        signed = bool((m < 0).any())
        top = float(np.abs(m).max()) or 1.0
        scale = {"cmap": style.DIVERGING, "vmin": -top, "vmax": top} if signed else \
            {"cmap": style.SEQUENTIAL, "vmin": 0.0, "vmax": top}
        for col, ((img, _), heat) in enumerate(zip(shown, m)):
            extent = (-0.5, img.shape[1] - 0.5, img.shape[0] - 0.5, -0.5)  # a coarse map covers the whole image
            im = axes[row, col].imshow(heat, extent=extent, **scale)
        axes[row, -1].axis("on")
        style.colorbar(fig, im, axes[row, -1], labels[name], cax=axes[row, -1])
        axes[row, 0].set_ylabel(name, fontsize=11)
    axes[0, 0].set_ylabel("image", fontsize=11)
    for ax in axes[:, :-1].flat:
        _framed(ax)
    return finish(fig, title)


def boxes_on_images(images: Sequence[np.ndarray] | np.ndarray, boxes: Sequence[Sequence[Sequence[int]]],
                    titles: Sequence[str] | None = None, ncols: int = 9, title: str | None = None,
                    size: float = 1.5) -> Figure | None:
    """Images in a grid, each with one rectangle: ``boxes[i]`` = ((row_start, row_stop), (col_start, col_stop)) in
    pixels, stop excluded (e.g. a unit's receptive field, ``ReceptiveField.box(unit)``). A box that reaches into the
    padding is drawn beyond the image's edge, over black: the zeros a convolution pads with (black for pixels scaled
    to [0, 1]), so that the padding does not look like part of the photo."""
    imgs = list(images)
    if not imgs:
        raise ValueError("images must contain at least one image")
    if len(boxes) != len(imgs):
        raise ValueError(f"boxes must have one box per image ({len(imgs)}), got {len(boxes)}")
    if titles is not None and len(titles) != len(imgs):
        raise ValueError(f"titles must have one entry per image ({len(imgs)}), got {len(titles)}")
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    checked = []
    for k, box in enumerate(boxes):
        try:
            (r0, r1), (c0, c1) = ((int(a), int(b)) for a, b in box)
        except (TypeError, ValueError):
            raise ValueError(f"boxes[{k}] must be ((row_start, row_stop), (col_start, col_stop)), got {box!r}") \
                from None
        checked.append((r0, r1, c0, c1))
    ncols = min(ncols, len(imgs))
    nrows = -(-len(imgs) // ncols)
    extra_h = (0.3 if titles is not None else 0.0) * nrows
    fig, axes = style.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + extra_h))
    for k, ax in enumerate(axes.flat):
        if k >= len(imgs):
            ax.axis("off")
            continue
        img, cmap = _photo(imgs[k])
        r0, r1, c0, c1 = checked[k]
        ax.set_facecolor("black")  # shows only beyond the image, where a box reaches into the padding
        ax.imshow(img, cmap=cmap, vmin=0, vmax=1)
        ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor="cyan", linewidth=2))
        ax.set_xlim(min(c0, 0) - 0.5, max(c1, img.shape[1]) - 0.5)
        ax.set_ylim(max(r1, img.shape[0]) - 0.5, min(r0, 0) - 0.5)
        _framed(ax)
        if titles is not None:
            ax.set_title(titles[k], fontsize=11)
    return finish(fig, title)


def randomisation_curves(steps: Sequence[str], similarity: Mapping[str, np.ndarray],
                         references: Mapping[str, float] | None = None, title: str | None = None) -> Figure | None:
    """The model-randomisation sanity check: for each method ({label: (steps, N) rank correlations with the trained
    model's maps, e.g. ``SanityCheck.similarity``}) the mean over the N images as a line, with a bar from the lowest
    to the highest image at each of the cumulative ``steps`` (bars of different methods side by side).
    ``references`` ({label: y}) draws thresholds as labelled grey lines, their labels in a margin right of the last
    step, clear of the data. The legend sits outside the axes."""
    if not similarity:
        raise ValueError("similarity must contain at least one {method: (steps, N) array}")
    x = np.arange(len(steps))
    fig, axes = style.subplots(1, 1, figsize=(7.6, 3.8))
    ax = axes[0, 0]
    for k, (name, values) in enumerate(similarity.items()):
        v = np.asarray(values, dtype=float)
        if v.ndim != 2 or len(v) != len(steps):
            raise ValueError(f"similarity[{name!r}] must have shape ({len(steps)}, N), one row per step, got {v.shape}")
        mean, dodge = v.mean(axis=1), (k - (len(similarity) - 1) / 2) * 0.07
        ax.errorbar(x + dodge, mean, yerr=[mean - v.min(axis=1), v.max(axis=1) - mean], marker="o", capsize=3,
                    color=f"C{k}", label=name)
    style.references(ax, references)
    if references:  # the labels sit at the lines' right end: leave them a margin beyond the last step's bars
        ax.set_xlim(-0.4, len(steps) - 1 + 0.4 + 1.1 * max(len(label) for label in references) / 12)
    ax.set_xticks(x, list(steps))
    ax.set(xlabel="re-initialised so far (cumulative, from the output)",
           ylabel="rank correlation\nwith the trained map")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="mean, bar: range\nover the images")
    return finish(fig, title)
