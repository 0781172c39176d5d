"""Connection diagrams: which inputs a unit of a stack of 1-D convolutions depends on (causal, dilated, WaveNet)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from . import style
from ._show import finish

__all__ = ["dilated_stack", "stack_taps"]


def stack_taps(dilations: Sequence[int], kernel: int = 2, causal: bool = True) -> list[list[int]]:
    """Tap offsets of each layer of a stack of 1-D convolutions: unit ``t`` of layer ``l`` reads ``t + offset`` of
    layer ``l - 1`` for every offset in ``stack_taps(...)[l - 1]``. Causal taps look back only
    (``0, -d, ..., -d(k-1)``); non-causal ('same') taps are centred and need an odd ``kernel``.

    >>> stack_taps([1, 2], kernel=2)
    [[0, -1], [0, -2]]
    """
    dilations = list(dilations)
    if not dilations or any(not isinstance(d, (int, np.integer)) or d < 1 for d in dilations):
        raise ValueError(f"dilations must be a non-empty list of positive ints, got {dilations!r}")
    if not isinstance(kernel, (int, np.integer)) or kernel < 1:
        raise ValueError(f"kernel must be a positive int, got {kernel!r}")
    if not causal and kernel % 2 == 0:
        raise ValueError(f"kernel must be odd for a centred (non-causal) stack, got {kernel}")
    if causal:
        return [[-a * d for a in range(kernel)] for d in dilations]
    half = kernel // 2
    return [[(a - half) * d for a in range(kernel)] for d in dilations]


def dilated_stack(dilations: Sequence[int], kernel: int = 2, n: int | None = None, causal: bool = True,
                  output: int | None = None, title: str | None = None) -> Figure | None:
    """A stack of 1-D convolutions drawn as rows of units (input at the bottom, one row per layer), WaveNet-style.

    Every unit is a circle; the units that one ``output`` unit of the top layer depends on are filled and joined by
    the connections that carry its value, so the receptive field -- ``1 + (kernel - 1) * sum(dilations)`` inputs
    -- is read off the bottom row (bracketed). ``causal=True``: a unit sees only the present and the past (all its
    taps to the left); ``n`` (default: the receptive field plus 3) inputs; ``output`` defaults to the last unit
    (causal) or the middle one.
    """
    taps = stack_taps(dilations, kernel, causal)
    field = 1 + sum(max(t) - min(t) for t in taps)
    n = field + 3 if n is None else n
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    output = (n - 1 if causal else n // 2) if output is None else output
    if not isinstance(output, (int, np.integer)) or not 0 <= output < n:
        raise ValueError(f"output must be an int in 0..{n - 1}, got {output!r}")
    layers = len(taps)
    active = [set() for _ in range(layers + 1)]
    active[layers] = {int(output)}
    for level in range(layers, 0, -1):  # walk the connections down from the output unit
        active[level - 1] = {t + o for t in active[level] for o in taps[level - 1] if 0 <= t + o < n}
    fig, axes = style.subplots(1, 1, figsize=(0.36 * n + 2.2, 0.62 * (layers + 1) + 1.0))
    ax = axes[0, 0]
    for level in range(layers, 0, -1):
        for t in sorted(active[level]):
            for o in taps[level - 1]:
                if 0 <= t + o < n:
                    ax.plot([t, t + o], [level, level - 1], color="C1", linewidth=1.6, zorder=1)
    for level in range(layers + 1):
        filled = ["C1" if t in active[level] else "white" for t in range(n)]
        ax.scatter(range(n), [level] * n, s=90, c=filled, edgecolors="0.3", linewidths=1.0, zorder=2)
    names = ["input"] + [f"dilation {d}" for d in dilations]
    names[-1] = f"output (dilation {dilations[-1]})"
    ax.set_yticks(range(layers + 1), names)
    ax.set_xticks(range(n))
    ax.set_xlabel("time step" if causal else "position")
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    lo, hi = min(active[0]), max(active[0])
    ax.annotate("", xy=(lo - 0.3, -0.55), xytext=(hi + 0.3, -0.55),
                arrowprops={"arrowstyle": "|-|", "color": "C1", "linewidth": 1.4, "shrinkA": 0, "shrinkB": 0})
    seen = f"receptive field: {field} inputs" + ("" if hi - lo + 1 == field else f" ({hi - lo + 1} inside the input)")
    ax.text((lo + hi) / 2, -0.72, seen, ha="center", va="top", color="C1")
    ax.set_ylim(-1.4, layers + 0.5)
    ax.set_xlim(-0.7, n - 0.3)
    return finish(fig, title)
