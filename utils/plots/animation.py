"""Sliding-window animations of convolution and pooling (matplotlib.animation rendered to HTML/JS).

:func:`sliding_window` draws one small animation with one panel per configuration (e.g. valid, same, full, stride
2, dilation 2): the zero-padded input with the cells the kernel touches, and the output with the cell being
computed; ``ndim=1`` animates 1-D convolutions, including causal padding. In a notebook it is displayed as
self-contained HTML/JavaScript (:func:`jshtml`: matplotlib's player, with its icons inlined instead of loaded from
a CDN and its frames stored at twice the displayed resolution), which plays in JupyterLab, Colab and a static HTML
export, without a kernel and offline. :func:`window_positions` is the arithmetic behind each frame.
"""

from __future__ import annotations

import base64
import io
import re
import uuid
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib._animation_data import DISPLAY_TEMPLATE, JS_INCLUDE, STYLE_INCLUDE  # the to_jshtml player
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from ..conv import output_size, padding_amounts
from ._show import in_notebook
from .style import DENSITY, DISPLAY_DPI

__all__ = ["jshtml", "sliding_window", "window_positions"]

_CONFIG_KEYS = ("kernel", "stride", "padding", "dilation")
_CELL, _PAD, _TAP, _DONE = (1.0, 1.0, 1.0), (0.82, 0.86, 0.93), (1.0, 0.6, 0.15), (0.72, 0.72, 0.72)
_LABEL_FONT = 11
#: Colours a frame is reduced to (flat colours and antialiased text: no visible loss, a third of the bytes).
_FRAME_COLOURS = 16

# Inline SVG versions of the Font Awesome icons matplotlib's player loads from a CDN (16x16 view box).
_ICON_SHAPES = {
    "minus": '<rect x="3" y="7" width="10" height="2"/>',
    "plus": '<rect x="3" y="7" width="10" height="2"/><rect x="7" y="3" width="2" height="10"/>',
    "play": '<polygon points="4,2 14,8 4,14"/>',
    "play-flip": '<polygon points="12,2 2,8 12,14"/>',
    "pause": '<rect x="3" y="2" width="4" height="12"/><rect x="9" y="2" width="4" height="12"/>',
    "step-forward": '<polygon points="3,2 11,8 3,14"/><rect x="11" y="2" width="2" height="12"/>',
    "step-backward": '<rect x="3" y="2" width="2" height="12"/><polygon points="13,2 5,8 13,14"/>',
    "fast-forward": '<polygon points="1,2 7,8 1,14"/><polygon points="7,2 13,8 7,14"/>'
                    '<rect x="13" y="2" width="2" height="12"/>',
    "fast-backward": '<rect x="1" y="2" width="2" height="12"/><polygon points="9,2 3,8 9,14"/>'
                     '<polygon points="15,2 9,8 15,14"/>',
}


def _icon(name: str) -> str:
    shape = _ICON_SHAPES.get(name, '<circle cx="8" cy="8" r="4"/>')
    return (f'<svg viewBox="0 0 16 16" width="14" height="14" fill="currentColor" aria-hidden="true" '
            f'style="vertical-align:middle">{shape}</svg>')


def window_positions(n: int, kernel: int = 3, stride: int = 1, padding: str = "valid", dilation: int = 1,
                     ndim: int = 2) -> list[tuple[tuple[int, ...], list[tuple[int, ...]]]]:
    """Every output cell of a convolution on an input of ``n`` (1-D) or ``n x n`` (2-D) cells, with the input cells
    its kernel touches.

    Returns ``[((i, j), [(r, c), ...]), ...]`` (``ndim=1``: ``[((i,), [(c,), ...]), ...]``) in row-major output
    order; ``(r, c)`` are coordinates in the **padded** input (padding 'before' zeros come first), one per kernel
    tap, in kernel order.

    >>> window_positions(4, 3, stride=1)[0][1][:2]
    [(0, 0), (0, 1)]
    >>> window_positions(4, 2, padding="causal", ndim=1)[0]
    ((0,), [(0,), (1,)])
    """
    if ndim not in (1, 2):
        raise ValueError(f"ndim must be 1 or 2, got {ndim!r}")
    if ndim == 2 and padding == "causal":
        raise ValueError("padding 'causal' is 1-D only (Keras Conv1D): pass ndim=1")
    size = output_size(n, kernel, stride, padding, dilation)
    if ndim == 1:
        return [((i,), [(i * stride + a * dilation,) for a in range(kernel)]) for i in range(size)]
    taps = [(a * dilation, b * dilation) for a in range(kernel) for b in range(kernel)]
    return [((i, j), [(i * stride + a, j * stride + b) for a, b in taps]) for i in range(size) for j in range(size)]


def _label(config: Mapping[str, object]) -> str:
    parts = [f"k={config.get('kernel', 3)}", str(config.get("padding", "valid"))]
    parts += [f"{key}={config[key]}" for key in ("stride", "dilation") if config.get(key, 1) != 1]
    return ", ".join(parts)


def _check(configs: Sequence[Mapping[str, object]], n: object, ndim: object) -> list[dict]:
    configs = [dict(c) for c in configs]
    if not configs:
        raise ValueError("configs must contain at least one configuration")
    for c in configs:
        unknown = set(c) - set(_CONFIG_KEYS)
        if unknown:
            raise ValueError(f"config keys must be among {_CONFIG_KEYS}, got {sorted(unknown)}")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if ndim not in (1, 2):
        raise ValueError(f"ndim must be 1 or 2, got {ndim!r}")
    rows = []
    for c in configs:
        k, s = int(c.get("kernel", 3)), int(c.get("stride", 1))
        p, d = str(c.get("padding", "valid")), int(c.get("dilation", 1))
        windows = window_positions(n, k, s, p, d, ndim)
        before, after = padding_amounts(n, k, s, p, d)
        rows.append({"label": _label(c), "pad": (before, after), "size": n + before + after, "stride": s,
                     "out": output_size(n, k, s, p, d), "windows": windows})
    return rows


def sliding_window(configs: Sequence[Mapping[str, object]], n: int = 5, frames: int | None = None,
                   fps: float = 2.0, dpi: int | None = None, cell: float = 0.3, title: str | None = None, *,
                   ndim: int = 2):
    """Animate a kernel sliding over an input of ``n`` cells a side, one panel per configuration.

    Each config is a mapping with any of ``kernel`` (default 3), ``stride`` (1), ``padding`` ('valid', 'same',
    'full'; 'causal' with ``ndim=1``), ``dilation`` (1). 2-D (one column per config): on top the padded input
    (padding zeros light blue) with the kernel's taps in orange; below, the output with the current cell in orange
    and the cells already computed in grey. 1-D (one row per config): the padded input, and under it the output,
    output ``i`` drawn under input position ``i * stride`` (so a causal output sits under its newest input), joined
    to its taps. Every panel advances one output cell per frame and starts over when done; ``frames`` defaults to
    the longest. ``cell`` is the size of a cell in inches (72 px each); ``dpi`` the displayed pixels per inch
    (default 72; frames are stored at twice that).

    In a notebook the animation is displayed as JavaScript HTML and None is returned; elsewhere the
    :class:`~matplotlib.animation.FuncAnimation` is returned (``anim.to_jshtml()``, or draw a frame with
    ``anim._func(k)`` and ``anim._fig.savefig``).
    """
    rows = _check(configs, n, ndim)
    longest = max(len(r["windows"]) for r in rows)
    frames = longest if frames is None else frames
    if not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"frames must be a positive int, got {frames!r}")
    display_dpi = DISPLAY_DPI if dpi is None else dpi
    fig, draw, animated = (_figure_2d if ndim == 2 else _figure_1d)(rows, n, cell, display_dpi)
    draw(0)
    if title:
        fig.suptitle(title, fontsize=12)
    if in_notebook():
        from IPython.display import HTML, display

        display(HTML(jshtml(fig, draw, int(frames), fps, display_dpi, animated)))
        plt.close(fig)
        return None
    return FuncAnimation(fig, draw, frames=int(frames), interval=1000.0 / fps, blit=False)


def _grid(ax: plt.Axes, m: int, lim: int) -> list:
    """Cell borders of an ``m x m`` grid in a panel sized for ``lim`` cells; returns the line artists."""
    lines = [ax.hlines(np.arange(m + 1) - 0.5, -0.5, m - 0.5, color="0.4", linewidth=0.6),
             ax.vlines(np.arange(m + 1) - 0.5, -0.5, m - 0.5, color="0.4", linewidth=0.6)]
    ax.set_xlim(-0.55, lim - 0.45)  # a little margin: the outer borders are not clipped
    ax.set_ylim(lim - 0.45, -0.55)
    ax.set_aspect("equal")
    ax.axis("off")
    return lines


def _figure_2d(rows: list[dict], n: int, cell: float, dpi: float) -> tuple[Figure, Callable[[int], list], list]:
    big, big_out = max(r["size"] for r in rows), max(r["out"] for r in rows)
    fig, axes = plt.subplots(2, len(rows), squeeze=False, dpi=dpi, gridspec_kw={"height_ratios": [big, big_out]},
                             figsize=(max(cell * (big + 1.2) * len(rows), 3.0), cell * (big + big_out) + 1.3),
                             layout="constrained")
    images, animated = [], []
    for (ax_in, ax_out), r in zip(axes.T, rows):
        before, size, out = r["pad"][0], r["size"], r["out"]
        base = np.ones((size, size, 3))
        base[:] = _PAD
        base[before:before + n, before:before + n] = _CELL
        r["base"] = base
        pair = []
        for ax, m, name, img, lim in ((ax_in, size, f"{r['label']}\ninput {n}×{n}", base, big),
                                      (ax_out, out, f"output {out}×{out}", np.ones((out, out, 3)), big_out)):
            pair.append(ax.imshow(img, extent=(-0.5, m - 0.5, m - 0.5, -0.5), interpolation="nearest"))
            animated += [pair[-1], *_grid(ax, m, lim)]  # the grid is redrawn over the changed image
            ax.set_title(name, fontsize=_LABEL_FONT, loc="left")
        images.append(pair)

    def draw(frame: int) -> list:
        changed = []
        for r, (im_in, im_out) in zip(rows, images):
            step = frame % len(r["windows"])
            (i, j), cells = r["windows"][step]
            inp = r["base"].copy()
            for a, b in cells:
                inp[a, b] = _TAP
            out = np.ones((r["out"], r["out"], 3))
            out.reshape(-1, 3)[:step] = _DONE
            out[i, j] = _TAP
            im_in.set_data(inp)
            im_out.set_data(out)
            changed += [im_in, im_out]
        return changed

    return fig, draw, animated


def _figure_1d(rows: list[dict], n: int, cell: float, dpi: float) -> tuple[Figure, Callable[[int], list], list]:
    big = max(r["size"] for r in rows)
    fig, axes = plt.subplots(len(rows), 1, squeeze=False, dpi=dpi, layout="constrained",
                             figsize=(max(cell * (big + 3.5), 3.0), (cell * 3.8 + 0.35) * len(rows) + 0.2))
    panels, animated = [], []
    out_y = 2.6  # the output row, below the input row (y grows downwards)
    for ax, r in zip(axes[:, 0], rows):
        before, size, s = r["pad"][0], r["size"], r["stride"]
        inputs = [Rectangle((x - 0.5, -0.5), 1, 1, edgecolor="0.4", linewidth=0.6,
                            facecolor=_CELL if before <= x < before + n else _PAD) for x in range(size)]
        outputs = [Rectangle((i * s + before - 0.5, out_y - 0.5), 1, 1, edgecolor="0.4", linewidth=0.6,
                             facecolor=_CELL) for i in range(r["out"])]
        for patch in inputs + outputs:
            ax.add_patch(patch)
        wires = LineCollection([], colors=[_TAP], linewidths=1.6)
        ax.add_collection(wires)
        ax.text(-0.9, 0, "input", ha="right", va="center", fontsize=_LABEL_FONT)
        ax.text(-0.9, out_y, "output", ha="right", va="center", fontsize=_LABEL_FONT)
        ax.set_title(f"{r['label']}: input {n}, padding {r['pad']}, output {r['out']}", fontsize=_LABEL_FONT,
                     loc="left")
        ax.set_xlim(-3.2, big - 0.3)
        ax.set_ylim(out_y + 0.6, -0.6)
        ax.set_aspect("equal")
        ax.axis("off")
        panels.append((inputs, outputs, wires))
        animated += [*inputs, *outputs, wires]

    def draw(frame: int) -> list:
        changed = []
        for r, (inputs, outputs, wires) in zip(rows, panels):
            before, step = r["pad"][0], frame % len(r["windows"])
            (i,), cells = r["windows"][step]
            for x, patch in enumerate(inputs):
                patch.set_facecolor(_CELL if before <= x < before + n else _PAD)
            for (c,) in cells:
                inputs[c].set_facecolor(_TAP)
            for k, patch in enumerate(outputs):
                patch.set_facecolor(_TAP if k == i else _DONE if k < step else _CELL)
            centre = i * r["stride"] + before
            wires.set_segments([[(c, 0.5), (centre, out_y - 0.5)] for (c,) in cells])
            changed += [*inputs, *outputs, wires]
        return changed

    return fig, draw, animated


def _frames(fig: Figure, draw: Callable[[int], object], frames: int, dpi: float,
            animated: Sequence[Artist] | None) -> list[bytes]:
    """Each frame as a palette PNG at ``dpi``. With ``animated`` (the artists ``draw`` changes, in drawing order)
    the rest of the figure is rendered once and only those artists are redrawn per frame (blitting)."""
    canvas = fig.canvas if hasattr(fig.canvas, "copy_from_bbox") else FigureCanvasAgg(fig)
    saved_dpi, animated = fig.dpi, list(animated or [])
    fig.set_dpi(dpi)
    pngs = []
    try:
        for artist in animated:
            artist.set_animated(True)
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox) if animated else None
        for k in range(frames):
            draw(k)
            if animated:
                canvas.restore_region(background)
                for artist in animated:
                    fig.draw_artist(artist)
            else:
                canvas.draw()
            rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
            out = io.BytesIO()
            rgb.quantize(_FRAME_COLOURS, method=Image.Quantize.FASTOCTREE).save(out, format="png", optimize=True)
            pngs.append(out.getvalue())
    finally:
        for artist in animated:
            artist.set_animated(False)
        fig.set_dpi(saved_dpi)
    return pngs


def _player(pngs: Sequence[bytes], fps: float, width: int) -> str:
    """matplotlib's JavaScript player (the template of ``to_jshtml``) around ``pngs``, without its CDN stylesheet:
    the Font Awesome icons become inline SVG, and the frames are shown ``width`` CSS pixels wide."""
    frames = "\n".join(f'  frames[{k}] = "data:image/png;base64,{base64.b64encode(png).decode("ascii")}"'
                        for k, png in enumerate(pngs))
    html = JS_INCLUDE + STYLE_INCLUDE + DISPLAY_TEMPLATE.format(
        id=uuid.uuid4().hex, Nframes=len(pngs), fill_frames="\n" + frames + "\n", interval=round(1000 / fps),
        once_checked="", loop_checked="checked", reflect_checked="")
    html = re.sub(r"<link[^>]*>", "", html)  # the Font Awesome stylesheet, the player's only external resource
    html = re.sub(r'<i class="fa fa-([a-z-]+)( fa-flip-horizontal)?"></i>',
                  lambda m: _icon(m.group(1) + ("-flip" if m.group(2) else "")), html)
    return html.replace("<img id=", f'<img style="width:{width}px;max-width:100%" id=', 1)


def jshtml(fig: Figure, draw: Callable[[int], object], frames: int, fps: float = 2.0, dpi: float | None = None,
           animated: Sequence[Artist] | None = None) -> str:
    """Self-contained HTML/JavaScript player of ``frames`` frames, ``draw(k)`` updating ``fig`` for frame ``k``.

    The player of ``FuncAnimation.to_jshtml`` (looping), but each frame is drawn once instead of three times (only
    the ``animated`` artists when given), stored at :data:`~.style.DENSITY` times the displayed resolution
    (``dpi`` displayed pixels per inch, default 72) as a small palette PNG, and nothing is loaded from the network:
    the player's icons are inline SVG.
    """
    if not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"frames must be a positive int, got {frames!r}")
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    display_dpi = DISPLAY_DPI if dpi is None else dpi
    pngs = _frames(fig, draw, int(frames), display_dpi * DENSITY, animated)
    return _player(pngs, fps, round(fig.get_figwidth() * display_dpi))
