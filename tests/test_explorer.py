"""utils.explorer: the kernel explorer is a real ipywidgets widget that filters photos and falls back to a PNG."""

from __future__ import annotations

import base64
import copy
import io

import ipywidgets as widgets
import nbformat
import numpy as np
import pytest
from notebook_io import normalise
from PIL import Image

from utils import conv, explorer, filters


@pytest.fixture(scope="module")
def ui():
    return explorer.kernel_explorer(photos=("camera", "coffee"), max_size=64)


def test_is_a_widget_with_a_sharp_static_fallback(ui):
    assert isinstance(ui, widgets.Widget)
    bundle, metadata = ui._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    (mime,) = set(bundle) & {"image/png", "image/jpeg"}
    stored = Image.open(io.BytesIO(base64.b64decode(bundle[mime])))
    assert stored.width == 2 * metadata[mime]["width"], "stored at twice the displayed width (HiDPI)"
    assert ui.image.format == mime.split("/")[1] and ui.image.width == str(metadata[mime]["width"])


def test_widget_state_is_kept_only_with_a_widget_output():
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    nb.cells = [nbformat.v4.new_code_cell("ui", outputs=[nbformat.v4.new_output(
        "display_data", {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "ui"})])]
    assert "widgets" in normalise(copy.deepcopy(nb)).metadata, "a reopened notebook needs the widget state"
    nb.cells[0].outputs = []
    assert "widgets" not in normalise(nb).metadata, "no widget shown (a student notebook): no state stored"


def test_presets_fill_weights_and_editing_makes_custom(ui):
    ui.preset.value = "sobel_x"
    np.testing.assert_array_equal(ui.kernel, filters.SOBEL_X)
    before = ui.image.value
    ui.weights[4].value = 1.0
    assert ui.preset.value == "custom" and ui.kernel[1, 1] == 1.0
    assert ui.image.value != before
    ui.preset.value = "box_blur"
    np.testing.assert_allclose(ui.kernel, filters.box_blur(3), atol=1e-4)


def test_photo_menu_changes_picture(ui):
    ui.photo.value = "coffee"
    assert ui.picture.ndim == 3 and max(ui.picture.shape[:2]) <= 64
    ui.photo.value = "camera"
    assert ui.picture.ndim == 2


def test_apply_kernel_is_per_channel_same_conv():
    rng = np.random.default_rng(0)
    img = rng.random((10, 12, 3)).astype(np.float32)
    out = explorer.apply_kernel(img, filters.LAPLACIAN)
    assert out.shape == img.shape
    np.testing.assert_allclose(out[..., 1], conv.conv2d(img[..., 1], filters.LAPLACIAN, padding="same"), atol=1e-6)


def test_displayable_centres_signed_responses():
    resp = np.zeros((20, 20))
    resp[:10], resp[0, 0], resp[-1, -1] = 1.0, 50.0, -2.0   # one outlier, like the zero-padding border
    shown, kw = explorer.displayable(resp, filters.LAPLACIAN)
    assert kw["cmap"] == "RdBu_r" and kw["vmin"] == -kw["vmax"] and 1.0 <= kw["vmax"] < 50.0
    lim = kw["vmax"]
    shown, kw = explorer.displayable(resp, filters.box_blur(3))
    assert shown.min() == 0 and shown.max() == 1
    shown, _ = explorer.displayable(np.stack([resp] * 3, -1), filters.SOBEL_X)
    assert shown.min() == 0 and shown.max() == 1 and np.isclose(shown[5, 5, 0], 0.5 + 0.5 / lim)


def test_render_and_shrink():
    assert len(explorer.render(np.zeros((20, 20)), filters.IDENTITY).axes) == 3
    assert len(explorer.render(np.random.default_rng(0).random((20, 20)), filters.LAPLACIAN).axes) == 4, \
        "a signed response gets its colourbar"
    assert explorer.shrink(np.zeros((512, 300)), 256).shape == (256, 150)


@pytest.mark.parametrize("kwargs,word", [({"photos": ["nope"]}, "photos"),
                                         ({"photo": "coffee", "photos": ["camera"]}, "photo"),
                                         ({"kernel": "blur9"}, "kernel"),
                                         ({"kernels": {"big": np.ones((5, 5))}}, "kernels")])
def test_bad_input_raises(kwargs, word):
    with pytest.raises(ValueError, match=word):
        explorer.KernelExplorer(**kwargs)


def test_bad_kernel_and_size_raise():
    with pytest.raises(ValueError, match="kernel"):
        explorer.apply_kernel(np.zeros((5, 5)), np.ones(3))
    with pytest.raises(ValueError, match="max_size"):
        explorer.shrink(np.zeros((5, 5)), 2)
