"""utils.plots.animation: the sliding-window frames follow the convolution arithmetic and render to small HTML."""

from __future__ import annotations

import numpy as np
import pytest

from utils import conv, plots


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


def test_sliding_window_frames_move_the_highlight():
    anim = plots.sliding_window([{"padding": "valid"}, {"stride": 2, "padding": "same"}, {"dilation": 2}], n=5)
    fig = anim._fig
    assert len(fig.axes) == 6

    def orange(ax):  # (row, col) of the highlighted cells of the panel's image
        return {tuple(rc) for rc in np.argwhere(np.all(ax.images[0].get_array() == (1.0, 0.6, 0.15), axis=-1))}

    anim._func(0)
    first_taps, first_out = orange(fig.axes[0]), orange(fig.axes[3])  # row 0 inputs, row 1 outputs
    anim._func(1)
    assert orange(fig.axes[0]) == {(r, c + 1) for r, c in first_taps}  # one column to the right
    assert first_out == {(0, 0)} and orange(fig.axes[3]) == {(0, 1)}
    assert orange(fig.axes[2]) == {(r, c) for r in (0, 2, 4) for c in (0, 2, 4)}  # dilation 2: one window on 5x5
    pad = fig.axes[1].images[0].get_array()  # stride 2 'same' on 5: padding (1, 1)
    assert pad.shape == (7, 7, 3) and tuple(pad[0, 3]) != tuple(pad[3, 3])


def test_sliding_window_html_is_small():
    anim = plots.sliding_window([{"padding": "valid"}, {"padding": "same"}], n=4)
    html = anim.to_jshtml(fps=2)
    assert "<script" in html and len(html) < 1_000_000


@pytest.mark.parametrize("kwargs,word", [({"configs": []}, "configs"), ({"configs": [{"pad": "same"}]}, "config"),
                                         ({"configs": [{}], "n": 0}, "n"), ({"configs": [{}], "frames": 0}, "frames"),
                                         ({"configs": [{"padding": "wide"}]}, "padding")])
def test_bad_input_raises(kwargs, word):
    with pytest.raises(ValueError, match=word):
        plots.sliding_window(**kwargs)


def test_jshtml_embeds_every_frame_once():
    anim = plots.sliding_window([{"padding": "valid"}], n=4)
    calls = []

    def draw(k):
        calls.append(k)
        anim._func(k)

    html = plots.jshtml(anim._fig, draw, frames=4, fps=2, dpi=30)
    assert calls == [0, 1, 2, 3] and html.count("data:image/png;base64") == 4
