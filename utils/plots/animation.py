"""Sliding-window animations of convolution and pooling (matplotlib.animation rendered to HTML/JS).

:func:`sliding_window` draws one small animation with one column per configuration (e.g. valid, same, stride 2,
dilation 2): the zero-padded input with the cells the kernel touches, and the output with the cell being computed.
In a notebook it is displayed as self-contained HTML/JavaScript (matplotlib's ``to_jshtml`` player, via
:func:`jshtml`), which plays in JupyterLab, Colab and a static HTML export without a kernel.
:func:`window_positions` is the arithmetic behind each frame.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter
from matplotlib.figure import Figure

from ..conv import output_size, padding_amounts
from ._show import in_notebook

__all__ = ["jshtml", "sliding_window", "window_positions"]

_CONFIG_KEYS = ("kernel", "stride", "padding", "dilation")
_CELL, _PAD, _TAP, _DONE = (1.0, 1.0, 1.0), (0.82, 0.86, 0.93), (1.0, 0.6, 0.15), (0.72, 0.72, 0.72)


def window_positions(n: int, kernel: int = 3, stride: int = 1, padding: str = "valid",
                     dilation: int = 1) -> list[tuple[tuple[int, int], list[tuple[int, int]]]]:
    """Every output cell of a 2-D convolution on an ``n x n`` input, with the input cells its kernel touches.

    Returns ``[((i, j), [(r, c), ...]), ...]`` in row-major output order; ``(r, c)`` are coordinates in the
    **padded** input (padding 'before' zeros come first), one per kernel tap, in kernel order.

    >>> window_positions(4, 3, stride=1)[0][1][:2]
    [(0, 0), (0, 1)]
    """
    size = output_size(n, kernel, stride, padding, dilation)
    taps = [(a * dilation, b * dilation) for a in range(kernel) for b in range(kernel)]
    return [((i, j), [(i * stride + a, j * stride + b) for a, b in taps]) for i in range(size) for j in range(size)]


def _label(config: Mapping[str, object]) -> str:
    parts = [f"k={config.get('kernel', 3)}", str(config.get("padding", "valid"))]
    parts += [f"{key}={config[key]}" for key in ("stride", "dilation") if config.get(key, 1) != 1]
    return ", ".join(parts)


def sliding_window(configs: Sequence[Mapping[str, object]], n: int = 5, frames: int | None = None,
                   fps: float = 2.0, dpi: int = 50, cell: float = 0.28, title: str | None = None):
    """Animate a kernel sliding over an ``n x n`` input, one column per configuration.

    Each config is a mapping with any of ``kernel`` (default 3), ``stride`` (1), ``padding`` ('valid'), ``dilation``
    (1). Top: the padded input (padding zeros light blue), the kernel's taps in orange; below: the output, the
    current cell in orange and the cells already computed in grey. Every column advances one output cell per frame
    and starts over when done; ``frames`` defaults to the longest. ``dpi`` and ``cell`` (inches per cell) keep the
    HTML small.

    In a notebook the animation is displayed as JavaScript HTML and None is returned; elsewhere the
    :class:`~matplotlib.animation.FuncAnimation` is returned (``anim.to_jshtml()``, or draw a frame with
    ``anim._func(k)`` and ``anim._fig.savefig``).
    """
    configs = [dict(c) for c in configs]
    if not configs:
        raise ValueError("configs must contain at least one configuration")
    for c in configs:
        unknown = set(c) - set(_CONFIG_KEYS)
        if unknown:
            raise ValueError(f"config keys must be among {_CONFIG_KEYS}, got {sorted(unknown)}")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    rows = []
    for c in configs:
        k, s = int(c.get("kernel", 3)), int(c.get("stride", 1))
        p, d = str(c.get("padding", "valid")), int(c.get("dilation", 1))
        before, after = padding_amounts(n, k, s, p, d)
        rows.append({"label": _label(c), "pad": (before, after), "size": n + before + after,
                     "out": output_size(n, k, s, p, d), "windows": window_positions(n, k, s, p, d)})
    longest = max(len(r["windows"]) for r in rows)
    frames = longest if frames is None else frames
    if not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"frames must be a positive int, got {frames!r}")

    big, big_out = max(r["size"] for r in rows), max(r["out"] for r in rows)
    fig, axes = plt.subplots(2, len(rows), squeeze=False, dpi=dpi, gridspec_kw={"height_ratios": [big, big_out]},
                             figsize=(max(cell * (big + 1) * len(rows), 3.0), cell * (big + big_out) + 1.2))
    images = []
    for (ax_in, ax_out), r in zip(axes.T, rows):
        before, size, out = r["pad"][0], r["size"], r["out"]
        base = np.ones((size, size, 3))
        base[:] = _PAD
        base[before:before + n, before:before + n] = _CELL
        r["base"] = base
        pair = []
        for ax, m, name, img in ((ax_in, size, f"{r['label']}\ninput {n}×{n}", base),
                                 (ax_out, out, f"output {out}×{out}", np.ones((out, out, 3)))):
            pair.append(ax.imshow(img, extent=(-0.5, m - 0.5, m - 0.5, -0.5), interpolation="nearest"))
            ax.hlines(np.arange(m + 1) - 0.5, -0.5, m - 0.5, color="0.4", linewidth=0.6)
            ax.vlines(np.arange(m + 1) - 0.5, -0.5, m - 0.5, color="0.4", linewidth=0.6)
            lim = big if ax is ax_in else big_out
            ax.set_xlim(-0.5, lim - 0.5)
            ax.set_ylim(lim - 0.5, -0.5)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])  # no ticks and a text title: each frame redraws in milliseconds, not 0.3 s
            ax.axis("off")
            ax.text(0.0, 1.02, name, fontsize=8, transform=ax.transAxes, va="bottom")
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

    draw(0)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    if in_notebook():
        from IPython.display import HTML, display

        display(HTML(jshtml(fig, draw, int(frames), fps, dpi)))
        plt.close(fig)
        return None
    return FuncAnimation(fig, draw, frames=int(frames), interval=1000.0 / fps, blit=False)


def jshtml(fig: Figure, draw: Callable[[int], object], frames: int, fps: float = 2.0, dpi: int = 50) -> str:
    """Self-contained HTML/JavaScript player of ``frames`` frames, ``draw(k)`` updating ``fig`` for frame ``k``.

    The same player as ``FuncAnimation.to_jshtml`` (looping), but each frame is drawn once instead of three times.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "animation.html"
        writer = HTMLWriter(fps=fps, embed_frames=True, default_mode="loop")
        with writer.saving(fig, path, dpi):
            for k in range(frames):
                draw(k)
                writer.grab_frame()
        return path.read_text()
