"""The course's figure style: sizes, fonts, colour maps, colourbars and reference lines, in one place.

Figures are laid out at :data:`DISPLAY_DPI` (one figure inch = 72 CSS pixels, so a font of 12 pt is 12 px on screen
at 100 % zoom) and stored at :data:`DENSITY` times that many pixels (``_show.encode``), sharp on HiDPI screens.
:func:`apply` sets matplotlib's defaults (``runtime.setup`` calls it, and so does ``import utils.plots``).

Conventions every figure follows:

- a colour that encodes a value gets a colourbar (:func:`colorbar`); signed values use :data:`DIVERGING` centred on 0;
- panels meant to be compared share one scale (the figures' ``shared=`` options);
- reference values (chance level, ``y = x``, thresholds) are drawn by :func:`reference`: grey, dashed, labelled on
  the line itself, never as a data series in the legend;
- categorical bars are one colour (:data:`BAR`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure

__all__ = ["DISPLAY_DPI", "DENSITY", "DIVERGING", "SEQUENTIAL", "BAR", "RC", "apply", "colorbar", "reference",
           "references", "subplots", "text_colour"]

#: CSS pixels per figure inch: the size at which a figure is shown (fonts in points are then pixels).
DISPLAY_DPI = 72
#: Stored pixels per displayed pixel (2 = "retina"): figures stay sharp on HiDPI screens and when zoomed.
DENSITY = 2
#: Colour map for signed values (filter responses, weights, differences), always centred on 0.
DIVERGING = "RdBu_r"
#: Colour map for unsigned values that are not photos (activations, gradients, counts).
SEQUENTIAL = "viridis"
#: The one colour of categorical bars.
BAR = "C0"
#: How reference lines look: grey and dashed, below the data.
REFERENCE = {"color": "0.35", "linestyle": (0, (5, 3)), "linewidth": 1.3, "zorder": 1.5}

#: matplotlib defaults of every course figure (fonts of at least 11 px on screen).
RC: dict[str, object] = {
    "figure.dpi": DISPLAY_DPI,
    "savefig.dpi": DISPLAY_DPI * DENSITY,
    "figure.figsize": (6.0, 4.0),
    "figure.facecolor": "white",
    "font.size": 12,
    "axes.titlesize": 12,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 11,
    "legend.framealpha": 0.9,
    "figure.titlesize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "image.cmap": "gray",
}


def apply() -> None:
    """Make the course style matplotlib's default; in IPython also store stray ``plt`` figures at retina density."""
    mpl.rcParams.update(RC)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        return
    if get_ipython() is not None and "inline" in mpl.get_backend().lower():
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")


def subplots(nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] | None = None,
             **kwargs: object) -> tuple[Figure, np.ndarray]:
    """``plt.subplots`` with the course's layout (constrained: room for colourbars and titles) and a 2-D axes array."""
    return plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, layout="constrained", **kwargs)


def colorbar(fig: Figure, mappable: ScalarMappable, ax: plt.Axes | Sequence[plt.Axes], label: str = "",
             **kwargs: object) -> Colorbar:
    """A colourbar for ``mappable`` beside ``ax`` (one Axes or several sharing the scale), with readable ticks."""
    kwargs = {"shrink": 0.9, "pad": 0.02, "aspect": 25, **kwargs}
    bar = fig.colorbar(mappable, ax=ax, **kwargs)
    if label:
        bar.set_label(label)
    bar.ax.tick_params(labelsize=10)
    return bar


def text_colour(rgba: Sequence[float]) -> str:
    """'white' on a dark background colour, 'black' on a light one (relative luminance)."""
    r, g, b = rgba[:3]
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else "black"


def reference(ax: plt.Axes, label: str, y: float | None = None, x: float | None = None,
              curve: tuple[Sequence[float], Sequence[float]] | None = None) -> None:
    """Draw one reference on ``ax``: a horizontal line at ``y``, a vertical line at ``x``, or a reference
    ``curve=(xs, ys)`` (e.g. ``y = x``), grey and dashed, with ``label`` written on the line at its right end."""
    if sum(v is not None for v in (y, x, curve)) != 1:
        raise ValueError(f"reference {label!r} needs exactly one of y, x or curve")
    style = dict(REFERENCE)
    text = {"color": style["color"], "fontsize": 11, "fontstyle": "italic"}
    if y is not None:
        ax.axhline(y, **style)
        ax.annotate(label, xy=(1.0, y), xycoords=("axes fraction", "data"), xytext=(-3, 3),
                    textcoords="offset points", ha="right", va="bottom", **text)
    elif x is not None:
        ax.axvline(x, **style)
        ax.annotate(label, xy=(x, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
                    textcoords="offset points", ha="left", va="top", rotation=90, **text)
    else:
        xs, ys = (np.asarray(v, dtype=float) for v in curve)
        if xs.shape != ys.shape or xs.ndim != 1 or xs.size < 2:
            raise ValueError(f"reference {label!r}: curve must be two 1-D sequences of the same length >= 2")
        ax.plot(xs, ys, **style)
        ax.annotate(label, xy=(xs[-1], ys[-1]), xytext=(-3, 4), textcoords="offset points", ha="right",
                    va="bottom", **text)


def references(ax: plt.Axes, refs: Mapping[str, float | Sequence[float]] | None,
               x: Sequence[float] | None = None) -> None:
    """Draw every entry of ``refs`` (``{label: value}``): a number is a horizontal line, a sequence a reference
    curve over ``x`` (same length)."""
    for label, value in (refs or {}).items():
        if np.ndim(value) == 0:
            reference(ax, label, y=float(value))
        else:
            if x is None or len(value) != len(x):
                raise ValueError(f"references[{label!r}] must be a number or have one value per x "
                                 f"({None if x is None else len(x)}), got {len(value)}")
            reference(ax, label, curve=(x, value))
