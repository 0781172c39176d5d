"""An interactive kernel explorer: choose or edit a 3x3 kernel and a photo, see the filtered image.

:func:`kernel_explorer` returns a real ipywidgets widget (:class:`KernelExplorer`): a kernel preset menu, nine
editable weights, a photo menu and the result. It runs in JupyterLab and Colab (core widgets only). Where no widget
front-end exists (nbval, CI, a static HTML export, GitHub) the same output carries a static image of the current
state, so the cell still runs and shows a figure.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from . import conv, data, filters
from .plots import style
from .plots._show import Rendered, encode
from .plots.arrays import draw_matrix

DEFAULT_PHOTOS = ("camera", "astronaut", "coffee", "chelsea", "grace_hopper")
CUSTOM = "custom"


def shrink(image: np.ndarray, max_size: int = 256) -> np.ndarray:
    """Subsample ``image`` by an integer step so that neither side exceeds ``max_size`` (keeps filtering fast)."""
    if not isinstance(max_size, (int, np.integer)) or max_size < 8:
        raise ValueError(f"max_size must be an int >= 8, got {max_size!r}")
    step = -(-max(image.shape[:2]) // max_size)
    return image[::step, ::step]


def apply_kernel(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Filter ``image`` (H, W) or (H, W, 3) with a 2-D ``kernel``, each channel separately, 'same' padding."""
    k = np.asarray(kernel, dtype=np.float32)
    if k.ndim != 2:
        raise ValueError(f"kernel must be 2-D (kh, kw), got shape {k.shape}")
    return conv.conv2d(image, k, padding="same")


def displayable(result: np.ndarray, kernel: np.ndarray) -> tuple[np.ndarray, dict]:
    """How to show a filter response: (array, imshow keyword arguments).

    Kernels whose weights sum to about 0 (edge detectors) give signed responses: grey ones are drawn on a diverging
    colour map centred on 0, colour ones as 0.5 + response scaled to [0, 1]; both saturate at the 99.5th percentile
    of |response| so that the strong zero-padding edge at the border does not wash out the photo's edges. Other
    kernels keep the brightness of the photo and are clipped to [0, 1].
    """
    signed = abs(float(np.sum(kernel))) < 1e-6
    lim = float(np.percentile(np.abs(result), 99.5)) or float(np.abs(result).max()) or 1.0
    if result.ndim == 2:
        return (result, {"cmap": "RdBu_r", "vmin": -lim, "vmax": lim}) if signed else \
            (np.clip(result, 0, 1), {"cmap": "gray", "vmin": 0, "vmax": 1})
    return (np.clip(0.5 + result / (2 * lim), 0, 1) if signed else np.clip(result, 0, 1)), {}


def render(image: np.ndarray, kernel: np.ndarray, title: str = "") -> Figure:
    """A static figure: the photo, the kernel with its weights, and the filtered photo (with a colourbar when the
    response is signed and grey)."""
    k = np.asarray(kernel, dtype=np.float32)
    result = apply_kernel(image, k)
    fig, axes = style.subplots(1, 3, figsize=(9.6, 3.4), gridspec_kw={"width_ratios": [3, 1.7, 3]})
    axes = axes[0]
    axes[0].imshow(image, **({"cmap": "gray", "vmin": 0, "vmax": 1} if image.ndim == 2 else {}))
    axes[0].set_title(f"photo {image.shape}", fontsize=11)
    draw_matrix(axes[1], k, "kernel")
    shown, kwargs = displayable(result, k)
    im = axes[2].imshow(shown, **kwargs)
    axes[2].set_title(f"result {result.shape}", fontsize=11)
    if kwargs.get("cmap") == style.DIVERGING:
        style.colorbar(fig, im, axes[2], "response", fraction=0.046)
    for ax in (axes[0], axes[2]):
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


def figure_image(fig: Figure) -> Rendered:
    """``fig`` stored as the course stores figures (retina density; JPEG for photos, see ``plots._show.encode``),
    and closed."""
    rendered = encode(fig)
    plt.close(fig)
    return rendered


class KernelExplorer(widgets.VBox):
    """Kernel preset menu, a 3x3 grid of editable weights, a photo menu and the filtered result (an ``Image``).

    Editing a weight switches the preset menu to ``'custom'``; choosing a preset fills in the weights. The widget
    shows itself in JupyterLab/Colab; its display also carries a static image for front-ends without widgets.
    The image is stored at twice its displayed resolution (sharp on HiDPI screens).
    """

    def __init__(self, photos: Sequence[str] = DEFAULT_PHOTOS, kernels: Mapping[str, np.ndarray] | None = None,
                 photo: str | None = None, kernel: str = "laplacian", max_size: int = 256) -> None:
        kernels = dict(filters.KERNELS if kernels is None else kernels)
        for name, k in kernels.items():
            if np.shape(k) != (3, 3):
                raise ValueError(f"kernels must be 3x3, got shape {np.shape(k)} for {name!r}")
        photos = list(photos)
        if not photos or any(p not in data.PHOTOS for p in photos):
            raise ValueError(f"photos must be a non-empty list of names from {data.PHOTOS}, got {photos!r}")
        photo = photos[0] if photo is None else photo
        if photo not in photos:
            raise ValueError(f"photo must be one of {photos}, got {photo!r}")
        if kernel not in kernels:
            raise ValueError(f"kernel must be one of {sorted(kernels)}, got {kernel!r}")
        self.kernels, self.max_size = kernels, max_size
        self._images: dict[str, np.ndarray] = {}
        self.preset = widgets.Dropdown(options=[*kernels, CUSTOM], value=kernel, description="kernel")
        self.photo = widgets.Dropdown(options=photos, value=photo, description="photo")
        self.weights = [widgets.FloatText(value=0.0, step=0.1, layout=widgets.Layout(width="70px")) for _ in range(9)]
        grid = widgets.GridBox(self.weights, layout=widgets.Layout(grid_template_columns="repeat(3, 74px)"))
        self.image = widgets.Image(format="png")
        self.rendered: Rendered | None = None
        self._syncing = False
        super().__init__([widgets.HBox([widgets.VBox([self.preset, self.photo]), grid]), self.image])
        self._fill(kernels[kernel])
        self.preset.observe(self._on_preset, names="value")
        self.photo.observe(lambda _: self.update(), names="value")
        for w in self.weights:
            w.observe(self._on_weight, names="value")
        self.update()

    @property
    def kernel(self) -> np.ndarray:
        """The 3x3 kernel currently in the weight boxes."""
        return np.array([w.value for w in self.weights], dtype=np.float32).reshape(3, 3)

    @property
    def picture(self) -> np.ndarray:
        """The chosen photo, shrunk to at most ``max_size`` pixels a side (cached)."""
        name = self.photo.value
        if name not in self._images:
            self._images[name] = shrink(data.sample_image(name), self.max_size)
        return self._images[name]

    def figure(self) -> Figure:
        """The current state as a static matplotlib figure."""
        return render(self.picture, self.kernel, f"{self.preset.value} kernel on {self.photo.value}")

    def update(self) -> None:
        """Recompute the result image from the current photo and weights."""
        self.rendered = figure_image(self.figure())
        self.image.format = self.rendered.mime.split("/")[1]
        self.image.width = str(self.rendered.width)
        self.image.value = self.rendered.data

    def _fill(self, kernel: np.ndarray) -> None:
        self._syncing = True
        for w, v in zip(self.weights, np.asarray(kernel, dtype=float).ravel()):
            w.value = round(float(v), 4)
        self._syncing = False

    def _on_preset(self, change: dict) -> None:
        if change["new"] != CUSTOM:
            self._fill(self.kernels[change["new"]])
            self.update()

    def _on_weight(self, _change: dict) -> None:
        if self._syncing:
            return
        if self.preset.value != CUSTOM and not np.allclose(self.kernel, self.kernels[self.preset.value], atol=1e-4):
            self.preset.value = CUSTOM
        self.update()

    def _repr_mimebundle_(self, **kwargs: object) -> tuple[dict, dict]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        # the static fallback shown where no widget manager renders the view (nbval, CI, HTML export, GitHub)
        mime, size = self.rendered.mime, {"width": self.rendered.width, "height": self.rendered.height}
        bundle[mime] = base64.b64encode(self.rendered.data).decode("ascii")
        return bundle, {mime: size}


def kernel_explorer(photos: Sequence[str] = DEFAULT_PHOTOS, kernel: str = "laplacian",
                    **kwargs: object) -> KernelExplorer:
    """The interactive kernel explorer (see :class:`KernelExplorer`); display it as a cell's last expression."""
    return KernelExplorer(photos=photos, kernel=kernel, **kwargs)
