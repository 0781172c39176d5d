"""utils.plots.animation: the sliding-window frames follow the convolution arithmetic (2-D and 1-D, every padding,
causal included), and the player is small, sharp (frames at twice the displayed size) and self-contained."""

from __future__ import annotations

import base64
import gc
import io
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

from utils import conv, plots
from utils.plots import style

ORANGE = (1.0, 0.6, 0.15)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    with warnings.catch_warnings():  # the animations a test returns were only drawn frame by frame, never "run"
        warnings.simplefilter("ignore", UserWarning)
        plt.close("all")
        gc.collect()


@pytest.mark.parametrize("n,k,s,p,d", [(5, 3, 1, "valid", 1), (5, 3, 1, "same", 1), (6, 3, 2, "same", 1),
                                       (7, 3, 1, "valid", 2), (6, 2, 2, "valid", 1), (5, 3, 1, "full", 1)])
def test_window_positions_reproduce_conv2d(n, k, s, p, d):
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(n, n)), rng.normal(size=(k, k))
    before, after = conv.padding_amounts(n, k, s, p, d)
    xp = np.pad(x, (before, after))
    got = {ij: sum(xp[r, c] * wt for (r, c), wt in zip(cells, w.ravel())) for ij, cells in
           plots.window_positions(n, k, s, p, d)}
    expected = conv.conv2d(x, w, stride=s, padding=p, dilation=d)
    assert len(got) == expected.size
    for (i, j), v in got.items():
        assert np.isclose(v, expected[i, j])


@pytest.mark.parametrize("n,k,s,p,d", [(8, 3, 1, "valid", 1), (8, 3, 1, "same", 1), (8, 3, 1, "full", 1),
                                       (8, 3, 1, "causal", 1), (8, 2, 1, "causal", 4), (9, 3, 2, "same", 1)])
def test_window_positions_1d_reproduce_conv1d(n, k, s, p, d):
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=n), rng.normal(size=k)
    before, after = conv.padding_amounts(n, k, s, p, d)
    xp = np.pad(x, (before, after))
    windows = plots.window_positions(n, k, s, p, d, ndim=1)
    expected = conv.conv1d(x, w, stride=s, padding=p, dilation=d)
    assert len(windows) == expected.size
    for (i,), cells in windows:
        assert np.isclose(sum(xp[c] * wt for (c,), wt in zip(cells, w)), expected[i])
    if p == "causal":  # output t never reads an input after t (padded index t + before)
        assert all(max(c for (c,) in cells) == i * s + before for (i,), cells in windows)


def orange(ax):  # (row, col) of the highlighted cells of the panel's image
    return {tuple(rc) for rc in np.argwhere(np.all(ax.images[0].get_array() == ORANGE, axis=-1))}


def test_sliding_window_frames_move_the_highlight():
    anim = plots.sliding_window([{"padding": "valid"}, {"stride": 2, "padding": "same"}, {"dilation": 2},
                                 {"padding": "full"}], n=5)
    fig = anim._fig
    assert len(fig.axes) == 8
    anim._func(0)
    first_taps, first_out = orange(fig.axes[0]), orange(fig.axes[4])  # row 0 inputs, row 1 outputs
    anim._func(1)
    assert orange(fig.axes[0]) == {(r, c + 1) for r, c in first_taps}  # one column to the right
    assert first_out == {(0, 0)} and orange(fig.axes[4]) == {(0, 1)}
    assert orange(fig.axes[2]) == {(r, c) for r in (0, 2, 4) for c in (0, 2, 4)}  # dilation 2: one window on 5x5
    pad = fig.axes[1].images[0].get_array()  # stride 2 'same' on 5: padding (1, 1)
    assert pad.shape == (7, 7, 3) and tuple(pad[0, 3]) != tuple(pad[3, 3])
    assert fig.axes[3].images[0].get_array().shape == (9, 9, 3), "full padding: 2 zeros on each side of 5"
    labels = [t for t in fig.findobj(Text) if t.get_text()]
    assert labels and min(t.get_fontsize() for t in labels) >= 11, "labels readable at 100 %"


def test_sliding_window_1d_shows_causal_padding():
    anim = plots.sliding_window([{"padding": "causal"}, {"padding": "causal", "dilation": 2}], n=6, ndim=1)
    fig = anim._fig
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    inputs, outputs = ax.patches[:8], ax.patches[8:]  # 2 padding zeros + 6 inputs, then 6 outputs
    assert len(outputs) == 6
    anim._func(3)
    taps = [k for k, p in enumerate(inputs) if np.allclose(p.get_facecolor()[:3], ORANGE)]
    assert taps == [3, 4, 5], "output 3 reads inputs 1, 2, 3 (padded 3, 4, 5)"
    current = [p for p in outputs if np.allclose(p.get_facecolor()[:3], ORANGE)]
    assert len(current) == 1 and current[0].get_x() + 0.5 == 5, "a causal output sits under its newest input"
    assert "padding (4, 0)" in fig.axes[1].get_title(loc="left")
    with pytest.raises(ValueError, match="causal"):
        plots.sliding_window([{"padding": "causal"}], n=5)


def frames(html):
    return [base64.b64decode(b) for b in re.findall(r'"data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def test_player_is_self_contained_small_and_sharp():
    anim = plots.sliding_window([{"padding": "valid"}, {"padding": "same"}], n=4)
    html = plots.jshtml(anim._fig, anim._func, frames=16, fps=2)
    assert "<script" in html and len(html) < 400_000
    assert not re.search(r"https?://|<link|fa fa-", html), "no CDN: icons are inline SVG"
    assert html.count("<svg") == 9 and "title=\"Next frame\"" in html and 'class="anim-slider"' in html
    width = int(re.search(r'<img style="width:(\d+)px', html).group(1))
    first = Image.open(io.BytesIO(frames(html)[0]))
    assert width == round(anim._fig.get_figwidth() * style.DISPLAY_DPI)
    assert first.width == style.DENSITY * width and first.mode == "P", "frames at retina density, palette PNG"


def test_jshtml_draws_every_frame_once_and_blits():
    anim = plots.sliding_window([{"padding": "valid"}], n=4)
    calls = []

    def draw(k):
        calls.append(k)
        return anim._func(k)

    html = plots.jshtml(anim._fig, draw, frames=4, fps=2, dpi=30)
    assert calls == [0, 1, 2, 3] and len(frames(html)) == 4
    images = [a for ax in anim._fig.axes for a in ax.images]
    blitted = plots.jshtml(anim._fig, anim._func, frames=4, fps=2, dpi=30, animated=images)
    assert [Image.open(io.BytesIO(f)).size for f in frames(blitted)] == [Image.open(io.BytesIO(f)).size
                                                                         for f in frames(html)]
    assert not any(a.get_animated() for a in images), "artists are restored after blitting"


@pytest.mark.parametrize("kwargs,word", [({"configs": []}, "configs"), ({"configs": [{"pad": "same"}]}, "config"),
                                         ({"configs": [{}], "n": 0}, "n"), ({"configs": [{}], "frames": 0}, "frames"),
                                         ({"configs": [{"padding": "wide"}]}, "padding"),
                                         ({"configs": [{}], "ndim": 3}, "ndim")])
def test_bad_input_raises(kwargs, word):
    with pytest.raises(ValueError, match=word):
        plots.sliding_window(**kwargs)
