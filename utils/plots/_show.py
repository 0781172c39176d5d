"""How every course figure is shown: once in a notebook, returned as a Figure elsewhere (tests, scripts).

In a notebook a figure is stored at :data:`~.style.DENSITY` times its displayed resolution (retina) with its
displayed size in the output's metadata: a palette PNG for charts and diagrams, JPEG for photographs
(:func:`encode`).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from .style import DENSITY, DISPLAY_DPI

FORMATS = ("auto", "png", "jpeg")
#: Figures with at most this many distinct colours (charts, matrices, colour-mapped arrays: a colour map has 256
#: entries) are stored as 256-colour palette PNGs, a third of the bytes and no visible change ...
PALETTE_MAX_COLOURS = 8192
#: ... when the palette is faithful: 99.9 % of the pixels within this many levels (of 255) of the full-colour
#: render in every channel. A figure that mixes several colour maps can need more than 256 colours; then the next
#: quantizer is tried, and if none is faithful the figure stays full-colour (a colourbar must not show bands of
#: colours its map does not have).
PALETTE_MAX_ERROR = 8
PALETTE_METHODS = (Image.Quantize.MEDIANCUT, Image.Quantize.MAXCOVERAGE, Image.Quantize.FASTOCTREE)
#: A PNG larger than this (photographs) is replaced by JPEG when that is at most JPEG_MAX_RATIO of its size.
JPEG_TRY_BYTES = 40_000
JPEG_MAX_RATIO = 0.5
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Rendered:
    """A figure's stored image: bytes, MIME type and the size it is displayed at (CSS pixels)."""

    data: bytes
    mime: str
    width: int
    height: int

    def data_uri(self) -> str:
        """The image as a ``data:`` URI (for HTML pages that must work offline)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    def display_object(self):
        """An IPython ``Image`` that shows the stored pixels at the displayed size."""
        from IPython.display import Image as IPythonImage

        return IPythonImage(data=self.data, format=self.mime.split("/")[1], width=self.width, height=self.height)


def in_notebook() -> bool:
    """True inside a Jupyter kernel with the inline backend (JupyterLab, Colab, nbval)."""
    return "inline" in matplotlib.get_backend().lower()


def faithful_palette(image: Image.Image) -> Image.Image | None:
    """``image`` (RGB) as a 256-colour palette image from the first of :data:`PALETTE_METHODS` that keeps 99.9 % of
    its pixels within :data:`PALETTE_MAX_ERROR` levels in every channel; None when none does."""
    pixels = np.asarray(image, dtype=np.int16)
    for method in PALETTE_METHODS:
        palette = image.quantize(256, method=method, dither=Image.Dither.NONE)
        error = np.abs(np.asarray(palette.convert("RGB"), dtype=np.int16) - pixels).max(axis=2)
        if np.quantile(error, 0.999) <= PALETTE_MAX_ERROR:
            return palette
    return None


def encode(fig: Figure, fmt: str = "auto", density: float = DENSITY) -> Rendered:
    """Render ``fig`` (trimmed to its content) at ``density`` x its display resolution.

    ``fmt='auto'``: a figure of few colours (:data:`PALETTE_MAX_COLOURS`: charts, matrices, colour-mapped arrays)
    becomes a 256-colour palette PNG where that is faithful (:func:`faithful_palette`), others a full-colour PNG; when that PNG is large (photographs), JPEG
    (quality 85, colour at the displayed resolution) replaces it if at most half its size. ``'png'`` is always
    full-colour PNG, ``'jpeg'`` always JPEG.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    if not density > 0:
        raise ValueError(f"density must be positive, got {density!r}")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DISPLAY_DPI * density, bbox_inches="tight", pad_inches=0.06,
                facecolor="white")
    png = buf.getvalue()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = (round(side / density) for side in image.size)
    if fmt == "png":
        return Rendered(png, "image/png", width, height)
    if fmt == "auto" and image.getcolors(PALETTE_MAX_COLOURS) is not None:
        palette = faithful_palette(image)
        if palette is not None:
            out = io.BytesIO()
            palette.save(out, format="png")
            png = out.getvalue()
    if fmt == "auto" and len(png) <= JPEG_TRY_BYTES:
        return Rendered(png, "image/png", width, height)
    out = io.BytesIO()
    image.save(out, format="jpeg", quality=JPEG_QUALITY, subsampling=2, optimize=True)  # colour at display res.
    jpeg = out.getvalue()
    if fmt == "jpeg" or len(jpeg) <= JPEG_MAX_RATIO * len(png):
        return Rendered(jpeg, "image/jpeg", width, height)
    return Rendered(png, "image/png", width, height)


def finish(fig: Figure, title: str | None = None, fmt: str = "auto", tight: bool = True) -> Figure | None:
    """Lay out ``fig``; in a notebook display it once (see :func:`encode`) and close it (returns None), otherwise
    return it. Figures made with a layout engine (``style.subplots``) keep it; others get ``tight_layout`` unless
    ``tight=False`` (figures placed by hand)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    if title:
        fig.suptitle(title)
    if tight and fig.get_layout_engine() is None:
        fig.tight_layout()
    if in_notebook():
        from IPython.display import display

        display(encode(fig, fmt).display_object())
        plt.close(fig)
        return None
    return fig
