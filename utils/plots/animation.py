"""Sliding-window animations of convolution and pooling (matplotlib.animation rendered to HTML/JS).

:func:`sliding_window` draws one small animation with one row per configuration (e.g. valid, same, stride 2,
dilation 2): the zero-padded input with the cells the kernel touches, and the output with the cell being computed.
In a notebook it is displayed as self-contained HTML/JavaScript (``to_jshtml``), which plays in JupyterLab, Colab and
a static HTML export without a kernel. :func:`window_positions` is the arithmetic behind each frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.patches import Rectangle

from ..conv import output_size, padding_amounts
from ._show import in_notebook

__all__ = ["sliding_window", "window_positions"]

_CONFIG_KEYS = ("kernel", "stride", "padding", "dilation")


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
    """Animate a kernel sliding over an ``n x n`` input, one row per configuration.

    Each config is a mapping with any of ``kernel`` (default 3), ``stride`` (1), ``padding`` ('valid'), ``dilation``
    (1). Left: the padded input (zeros hatched), the kernel's taps in orange; right: the output, the current cell in
    orange and the cells already computed in grey. Every row advances one output cell per frame and starts over when
    done; ``frames`` defaults to the longest row. ``dpi`` and ``cell`` (inches per cell) keep the HTML small.

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

    big = max(r["size"] for r in rows)
    width_ratios = [big, max(r["out"] for r in rows)]
    fig, axes = plt.subplots(len(rows), 2, squeeze=False, dpi=dpi, gridspec_kw={"width_ratios": width_ratios},
                             figsize=(cell * sum(width_ratios) + 1.0, cell * big * len(rows) + 0.6))
    artists = []
    for (ax_in, ax_out), r in zip(axes, rows):
        before, size, out = r["pad"][0], r["size"], r["out"]
        for ax, m, name in ((ax_in, size, f"input {n}×{n}, {r['label']}"), (ax_out, out, f"output {out}×{out}")):
            ax.set_xlim(-0.5, big - 0.5)
            ax.set_ylim(big - 0.5, -0.5)
            ax.set_aspect("equal")
            ax.axis("off")
            ax.set_title(name, fontsize=8, loc="left")
            for i in range(m):
                for j in range(m):
                    is_pad = ax is ax_in and not (before <= i < before + n and before <= j < before + n)
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white", edgecolor="0.4",
                                           linewidth=0.6, hatch="///" if is_pad else None))
        taps = [ax_in.add_patch(Rectangle((0, 0), 1, 1, facecolor="tab:orange", alpha=0.8)) for _ in r["windows"][0][1]]
        done = [ax_out.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="0.75", visible=False))
                for (i, j), _ in r["windows"]]
        current = ax_out.add_patch(Rectangle((0, 0), 1, 1, facecolor="tab:orange"))
        artists.append((taps, done, current))

    def draw(frame: int) -> list:
        changed = []
        for r, (taps, done, current) in zip(rows, artists):
            step = frame % len(r["windows"])
            (i, j), cells = r["windows"][step]
            for patch, (a, b) in zip(taps, cells):
                patch.set_xy((b - 0.5, a - 0.5))
            for t, patch in enumerate(done):
                patch.set_visible(t < step)
            current.set_xy((j - 0.5, i - 0.5))
            changed += [*taps, *done, current]
        return changed

    draw(0)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    anim = FuncAnimation(fig, draw, frames=int(frames), interval=1000.0 / fps, blit=False)
    if in_notebook():
        from IPython.display import HTML, display

        display(HTML(anim.to_jshtml(fps=fps, default_mode="loop")))
        plt.close(fig)
        return None
    return anim
