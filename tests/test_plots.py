"""utils.plots: each figure builds with the expected panels, follows the course style (HiDPI storage, readable
fonts, colourbars, shared scales, reference lines, one-colour bars, counted confusion matrices), and bad input
raises ValueError."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import LogNorm
from PIL import Image

from utils import plots
from utils.plots import _show, style

RNG = np.random.default_rng(0)
HISTORY = {"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.8, 0.9],
           "val_accuracy": [0.4, 0.7, 0.8]}


@pytest.fixture(autouse=True)
def look_at_figures(request):
    """Close every figure a test made; with COURSE_TEST_FIGURES=<folder>, first store each as the notebooks would,
    to look at."""
    yield
    folder = os.environ.get("COURSE_TEST_FIGURES")
    for k, number in enumerate(plt.get_fignums()):
        if folder:
            rendered = _show.encode(plt.figure(number))
            name = re.sub(r"\W+", "_", request.node.name)
            Path(folder, f"{name}_{k}.{rendered.mime.split('/')[1]}").write_bytes(rendered.data)
    plt.close("all")


def images(fig):
    return [im for ax in fig.axes for im in ax.images]


def colorbars(fig):
    return [ax for ax in fig.axes if getattr(ax, "_colorbar", None) is not None]


def is_reference(line) -> bool:
    return line.get_color() == style.REFERENCE["color"] and line.get_linestyle() == "--"


# --- style and storage ----------------------------------------------------------------------------------------------

def test_style_fonts_are_readable_at_100_percent():
    for key in ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize",
                "legend.fontsize"):
        assert mpl.rcParams[key] >= 11, key  # points = CSS pixels at the course's 72 px per figure inch
    assert mpl.rcParams["figure.dpi"] == style.DISPLAY_DPI and style.DENSITY >= 1.5
    fig = plots.matrices([RNG.normal(size=(4, 4))])
    assert min(t.get_fontsize() for t in fig.axes[0].texts) >= 10, "matrix cell numbers"


def test_charts_are_stored_as_palette_png_at_twice_the_displayed_size():
    fig = plots.lines([1, 2, 3], {"a": [1, 2, 3]})
    width_in = fig.get_figwidth()
    rendered = _show.encode(fig)
    image = Image.open(io.BytesIO(rendered.data))
    assert rendered.mime == "image/png" and image.mode == "P"
    assert image.size == (2 * rendered.width, 2 * rendered.height)
    assert abs(rendered.width - width_in * style.DISPLAY_DPI) < 0.15 * width_in * style.DISPLAY_DPI  # trimmed
    assert rendered.data_uri().startswith("data:image/png;base64,")


def test_a_figure_mixing_colour_maps_keeps_every_colourbar_colour():
    """Three colour maps need more than 256 colours: median cut alone drew bands of grey and teal into a RdBu bar
    (notebook 13's occlusion figure). The stored image stays within PALETTE_MAX_ERROR of the full-colour render."""
    fig, axes = plt.subplots(1, 3, figsize=(9, 3))
    ramp = np.linspace(-1, 1, 64)[None] * np.ones((64, 1))
    for ax, cmap, values in zip(axes, ["gray", "viridis", "RdBu_r"], [RNG.random((28, 28)), ramp.T ** 2, ramp]):
        fig.colorbar(ax.imshow(values, cmap=cmap), ax=ax)
    full = np.asarray(Image.open(io.BytesIO(_show.encode(fig, fmt="png").data)).convert("RGB"), dtype=int)
    stored = np.asarray(Image.open(io.BytesIO(_show.encode(fig).data)).convert("RGB"), dtype=int)
    error = np.abs(stored - full).max(axis=2)
    assert np.quantile(error, 0.999) <= _show.PALETTE_MAX_ERROR
    plt.close(fig)


def test_photos_are_stored_as_jpeg_and_png_can_be_forced():
    photo = RNG.random((200, 200, 3))
    assert _show.encode(plots.image_grid([photo], size=3.0)).mime == "image/jpeg"
    forced = _show.encode(plots.image_grid([photo], size=3.0), fmt="png")
    assert forced.mime == "image/png" and Image.open(io.BytesIO(forced.data)).mode in ("RGB", "RGBA")
    with pytest.raises(ValueError, match="fmt"):
        _show.encode(plots.lines([1, 2], {"a": [1, 2]}), fmt="gif")


def test_in_a_notebook_a_figure_is_displayed_once_with_its_displayed_size(monkeypatch):
    shown = []
    monkeypatch.setattr(_show, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", shown.append)
    assert plots.bars({"a": 1, "b": 2}) is None
    (image,) = shown
    assert image.format == "png" and image.width > 100 and image.height > 100


def test_reference_needs_exactly_one_position():
    fig = plots.lines([1, 2], {"a": [1, 2]})
    with pytest.raises(ValueError, match="exactly one"):
        style.reference(fig.axes[0], "bad", y=1.0, x=1.0)
    with pytest.raises(ValueError, match="references"):
        plots.lines([1, 2, 3], {"a": [1, 2, 3]}, references={"y = x": [1, 2]})


# --- arrays ---------------------------------------------------------------------------------------------------------

def test_matrices_draw_every_value():
    fig = plots.matrices([np.eye(3), np.ones((2, 2))], ["a", "b"], ops=["="])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(fig.axes) == 2 and texts.count("1") == 3 and texts.count("0") == 6


def test_matrices_give_every_cell_the_same_size():
    fig = plots.matrices([np.ones((3, 3)), np.ones((2, 2))], ["3×3 input", "2×2 output"], ops=["→"])
    (w3, h3), (w2, h2) = (ax.get_position().size * fig.get_size_inches() for ax in fig.axes)
    assert np.isclose(w3 / 3, w2 / 2) and np.isclose(h3 / 3, h2 / 2), "a 2×2 result must not look bigger"


def test_matrices_enlarge_the_small_cross_correlation_star():
    fig = plots.matrices([np.ones((2, 2))] * 3, ops=["⋆", "="])
    sizes = {t.get_text(): t.get_fontsize() for t in fig.texts}
    assert sizes["⋆"] > 1.5 * sizes["="], "⋆ is a small glyph: drawn at the operators' size it is barely visible"


def test_matrices_share_scales_by_group_with_colourbars():
    a, b, c = np.ones((2, 2)), 4 * np.ones((2, 2)), -2 * np.ones((2, 2))
    fig = plots.matrices([a, b, c], shared=[(1, 2)], colorbar=True)
    clims = [im.get_clim() for im in images(fig)]
    assert clims[0] == (-1, 1) and clims[1] == clims[2] == (-4, 4)
    assert len(colorbars(fig)) == 2, "one colourbar per scale"
    assert len({im.get_clim() for im in images(plots.matrices([a, b, c], shared=True))}) == 1
    assert images(plots.matrix(a, vmax=10))[0].get_clim() == (-10, 10)
    assert len(plots.kernels({"a": a, "b": b}, shared=True, colorbar=True).axes) == 3


def test_image_grid_shows_photos_on_their_range_in_frames():
    flat, half = np.full((6, 6), 0.5), np.tri(6)
    fig = plots.image_grid([half, flat], ["edge", "flat"], ncols=2)
    assert [im.get_clim() for im in images(fig)] == [(0, 1), (0, 1)], "flat 0.5 must be mid-grey, not black"
    assert not colorbars(fig), "photos need no colour scale"
    assert all(ax.spines["right"].get_visible() for ax in fig.axes), "frames keep white parts visible"
    assert images(plots.image_grid([np.full((4, 4), 200, np.uint8)]))[0].get_clim() == (0, 255)


def test_image_grid_signed_panels_share_a_centred_scale_and_one_colourbar():
    photo, r1, r2 = RNG.random((8, 8)), RNG.normal(size=(8, 8)), 3 * RNG.normal(size=(8, 8))
    fig = plots.image_grid([photo, r1, r2], symmetric=[False, True, True], shared=True, label="response")
    (p, s1, s2) = images(fig)
    assert p.get_cmap().name == "gray" and p.get_clim() == (0, 1)
    assert s1.get_cmap().name == style.DIVERGING and s1.get_clim() == s2.get_clim()
    assert s1.get_clim()[0] == -s1.get_clim()[1] == -np.abs(r2).max()
    (bar,) = colorbars(fig)
    assert bar.get_ylabel() == "response"
    each = plots.image_grid([r1, r2], symmetric=True)
    assert len(colorbars(each)) == 2 and images(each)[0].get_clim() != images(each)[1].get_clim()


def test_image_grid_value_maps_get_a_colourbar_and_fixed_limits():
    fig = plots.image_grid([5 * RNG.random((4, 4)), RNG.random((4, 4))], vmin=0, vmax=5)
    assert {im.get_clim() for im in images(fig)} == {(0, 5)} and len(colorbars(fig)) == 1
    assert len(colorbars(plots.image_grid([10 * RNG.random((4, 4))]))) == 1, "not a photo: colour is a value"


def test_feature_maps_share_one_scale_and_name_dead_channels():
    maps = RNG.random((6, 6, 4))
    maps[..., 2] = 0
    fig = plots.feature_maps(maps)
    assert len({im.get_clim() for im in images(fig)}) == 1 and images(fig)[0].get_clim() == (0, maps.max())
    assert len(colorbars(fig)) == 1
    assert fig.axes[2].get_title() == "ch 2 (all 0)"
    assert len(colorbars(plots.feature_maps(maps, shared=False))) == 4
    signed = plots.feature_maps(RNG.normal(size=(5, 5, 3)))
    assert images(signed)[0].get_cmap().name == style.DIVERGING


def test_filters_share_a_centred_scale():
    w = RNG.normal(size=(3, 3, 1, 6))
    fig = plots.filters(w)
    assert {im.get_clim() for im in images(fig)} == {(-np.abs(w).max(), np.abs(w).max())}
    assert len(colorbars(fig)) == 1
    rgb = np.zeros((3, 3, 3, 2))
    rgb[0, 0, 0, 0] = 1.0
    shown = images(plots.filters(rgb))[1].get_array()
    assert np.allclose(shown, 0.5), "an all-zero RGB filter is mid-grey"


# --- charts ---------------------------------------------------------------------------------------------------------

def test_history_draws_references_as_labelled_lines_not_legend_entries():
    fig = plots.history({"a": HISTORY, "b": HISTORY}, references={"accuracy": {"chance": 0.1}})
    loss, acc = fig.axes
    assert len(loss.lines) == 4 and len(acc.lines) == 5 and is_reference(acc.lines[-1])
    assert "chance" not in [t.get_text() for t in acc.get_legend().get_texts()]
    assert "chance" in [t.get_text() for t in acc.texts]
    assert all(float(t).is_integer() for t in loss.get_xticks()), "epoch ticks must be whole numbers"
    with pytest.raises(ValueError, match="references"):
        plots.history(HISTORY, references={"auc": {"chance": 0.5}})


def test_history_ylim_fixes_a_metrics_range():
    fig = plots.history(HISTORY, ylim={"loss": (0.0, 3.0)})
    assert fig.axes[0].get_ylim() == (0.0, 3.0)
    with pytest.raises(ValueError, match="ylim"):
        plots.history(HISTORY, ylim={"auc": (0.0, 1.0)})


def test_lines_merge_a_curve_hidden_under_another():
    x = [1, 2, 3, 4]
    fig = plots.lines(x, {"ours": [1, 2, 3, 4], "Keras": [1, 2, 3, 4.001], "other": [4, 3, 2, 1]},
                      references={"y = x": x, "threshold": 2.5}, xreferences={"x = 2": 2}, ylim=(0, 5))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ours = Keras", "other"]
    assert sum(map(is_reference, ax.lines)) == 3 and ax.get_ylim() == (0, 5)
    assert {"y = x", "threshold", "x = 2"} <= {t.get_text() for t in ax.texts}
    assert len(plots.lines(x, {"a": x, "b": x}, merge_identical=False).axes[0].get_legend().get_texts()) == 2


def test_bars_are_one_colour_with_references_and_grouped_series():
    fig = plots.bars({"a": 1, "b": 2, "c": 3}, references={"chance": 0.5})
    ax = fig.axes[0]
    assert len(ax.patches) == 3 and len({p.get_facecolor() for p in ax.patches}) == 1
    assert [t.get_text() for t in ax.texts if t.get_text() == "chance"] and is_reference(ax.lines[0])
    grouped = plots.bars({"lr 0.01": {"plain": 0.9, "BN": 0.95}, "lr 0.1": {"plain": 0.1, "BN": 0.96}})
    ax = grouped.axes[0]
    assert len(ax.patches) == 4 and len({p.get_facecolor() for p in ax.patches}) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["plain", "BN"]


def test_histograms_share_bins_and_axes():
    fig = plots.histograms({"before": RNG.normal(3, 2, 100), "after": RNG.normal(0, 0.1, 100)},
                           references={"0": 0.0})
    a, b = fig.axes
    assert a.get_xlim() == b.get_xlim() and a.get_ylim() == b.get_ylim()
    assert [p.get_width() for p in a.patches][:3] == pytest.approx([p.get_width() for p in b.patches][:3])
    assert is_reference(a.lines[0])
    overlay = plots.histograms({"a": [1, 2, 2], "b": [2, 3]}, overlay=True)
    assert len(overlay.axes) == 1 and len(overlay.axes[0].get_legend().get_texts()) == 2


def test_confusion_matrix_counts_and_a_scale_that_shows_small_errors():
    y_true = [0] * 50 + [1] * 50 + [2]
    y_pred = [0] * 49 + [1] + [1] * 50 + [0]
    fig = plots.confusion_matrix(y_true, y_pred, ["a", "b", "c"])
    ax = fig.axes[0]
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    assert {k: t.get_text() for k, t in texts.items()} == {(0, 0): "49", (0, 1): "1", (1, 1): "50", (2, 0): "1"}
    assert texts[(0, 0)].get_fontweight() == "bold", "the diagonal is set apart"
    errors = ax.images[1]
    assert errors.get_clim() == (0, 1), "errors on their own scale: one error gets the darkest colour"
    assert len(colorbars(fig)) == 1
    assert isinstance(plots.confusion_matrix(y_true, y_pred, ["a", "b", "c"], log=True).axes[0].images[1].norm,
                      LogNorm)


# --- diagrams and receptive fields -----------------------------------------------------------------------------------

def test_dilated_stack_shows_the_receptive_field():
    fig = plots.dilated_stack([1, 2, 4, 8], kernel=2)
    ax = fig.axes[0]
    assert any(t.get_text() == "receptive field: 16 inputs" for t in ax.texts)
    bottom = ax.collections[0].get_facecolors()  # the input row
    assert sum(not np.allclose(c, 1.0) for c in bottom) == 16
    assert plots.stack_taps([1, 2], kernel=3, causal=False) == [[-1, 0, 1], [-2, 0, 2]]


def test_gradient_fields_can_share_one_scale():
    g = {"a": RNG.random((5, 5)), "b": 3 * RNG.random((5, 5))}
    fig = plots.gradient_fields(g, shared=True)
    assert len({im.get_clim() for im in images(fig)}) == 1 and len(colorbars(fig)) == 1
    assert len(colorbars(plots.gradient_fields(g))) == 2


def test_grids_and_charts_build():
    assert len(plots.image_grid([RNG.random((8, 8))] * 7, ncols=3).axes) == 9
    assert len(plots.kernels({"a": np.eye(3), "b": np.ones((3, 3))}).axes) == 2
    assert len(plots.filters(RNG.random((3, 3, 3, 10)), ncols=5).axes) == 10
    assert len(plots.lines([1, 2], {"x": [1, 2]}).axes) == 1


@pytest.mark.parametrize("call,argument", [
    (lambda: plots.matrices([np.eye(2)], ["a", "b"]), "titles"),
    (lambda: plots.matrices([np.eye(2), np.eye(2)], ops=["=", "="]), "ops"),
    (lambda: plots.matrices([np.eye(2), np.eye(2)], shared=[(0, 5)]), "shared"),
    (lambda: plots.matrix(np.ones(3)), "values"),
    (lambda: plots.image_grid([]), "images"),
    (lambda: plots.image_grid([np.ones((2, 2))], ncols=0), "ncols"),
    (lambda: plots.image_grid([np.ones((2, 2))], symmetric=[True, False]), "symmetric"),
    (lambda: plots.feature_maps(np.ones((2, 2))), "maps"),
    (lambda: plots.filters(np.ones((3, 3, 2, 4))), "weights"),
    (lambda: plots.history({"a": {"loss": [1]}}, metrics=["accuracy"]), "metric"),
    (lambda: plots.lines([1, 2], {"a": [1]}), "curve"),
    (lambda: plots.bars({"a": 1, "b": {"x": 1}}), "values"),
    (lambda: plots.histograms({}), "samples"),
    (lambda: plots.histograms({"a": [1]}, bins=0), "bins"),
    (lambda: plots.confusion_matrix([0, 1], [0], ["a", "b"]), "y_true"),
    (lambda: plots.confusion_matrix([0, 3], [0, 1], ["a", "b"]), "labels"),
    (lambda: plots.dilated_stack([1, 0]), "dilations"),
    (lambda: plots.dilated_stack([1, 2], kernel=2, causal=False), "odd"),
    (lambda: plots.dilated_stack([1], n=4, output=4), "output"),
])
def test_bad_arguments(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_lines_error_bars_and_a_legend_outside_the_axes():
    x = [2, 5, 25]
    fig = plots.lines(x, {"a": [0.4, 0.45, 0.5], "b": [0.3, 0.3, 0.4]}, errors={"a": [0.02, 0.01, 0.0]})
    ax = fig.axes[0]
    assert len(ax.containers) == 1, "one errorbar container, for curve 'a' only"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    fig = plots.lines(x, {"a": [1, 2, 3], "b": [3, 2, 1]}, legend="outside")
    fig.canvas.draw()
    legend, axes_box = fig.axes[0].get_legend().get_window_extent(), fig.axes[0].get_window_extent()
    assert legend.x0 >= axes_box.x1, "the legend sits right of the axes, over no curve"
    assert legend.x1 <= fig.bbox.x1 + 1, "and inside the figure"
    for kwargs, match in [({"errors": {"c": [0, 0, 0]}}, "errors"), ({"errors": {"a": [0, 0]}}, "errors"),
                          ({"errors": {"a": [-1, 0, 0]}}, "errors"), ({"legend": "left"}, "legend")]:
        with pytest.raises(ValueError, match=match):
            plots.lines(x, {"a": [1, 2, 3]}, **kwargs)


def test_matrices_integer_colourbar_ticks_for_counts():
    counts = np.tile([[1, 2], [2, 4]], (4, 4))  # the copies of a transposed convolution (notebook 03)
    fig = plots.matrices([counts], colorbar=True, vmin=0, cmap="Reds", integer_ticks=True)
    fig.canvas.draw()
    (bar,) = colorbars(fig)
    low, high = bar.get_ylim()
    ticks = [t for t in bar.get_yticks() if low <= t <= high]
    assert ticks == [0, 1, 2, 3, 4], "whole numbers only, for counts"
    fig = plots.matrices([counts], colorbar=True, vmin=0, cmap="Reds")
    fig.canvas.draw()
    (plain,) = colorbars(fig)
    assert any(not float(t).is_integer() for t in plain.get_yticks()), "the default keeps matplotlib's ticks"


def test_gradient_fields_relative_scales_each_map_to_its_maximum():
    g = {"a": RNG.random((5, 5)) + 0.1, "b": 1e-3 * (RNG.random((5, 5)) + 0.1)}
    fig = plots.gradient_fields(g, log=True, shared=True, relative=True)
    assert [im.get_array().max() for im in images(fig)] == pytest.approx([0.0, 0.0]), "log10(max / max) = 0"
    assert colorbars(fig)[0].get_ylabel() == "log10 (|gradient| / max)"
    assert fig.axes[0].get_xlabel() == "input column" and fig.axes[0].get_ylabel() == "input row"
    with pytest.raises(ValueError, match="positive"):
        plots.gradient_fields({"z": np.zeros((3, 3))}, relative=True)
