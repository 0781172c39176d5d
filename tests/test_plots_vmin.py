"""utils.plots.matrices(vmin=...): non-negative values (counts) on a scale that starts at the given lower limit
instead of one centred on 0 (notebook 03's checkerboard counts)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from utils import plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_matrices_vmin_sets_the_lower_limit_of_every_scale():
    counts = [np.array([[1.0, 2.0], [2.0, 4.0]]), np.full((3, 3), 2.0)]
    fig = plots.matrices(counts, shared=True, colorbar=True, vmin=0, cmap="Reds")
    clims = [im.get_clim() for ax in fig.axes for im in ax.images]
    assert clims == [(0, 4), (0, 4)], "one shared scale from vmin to the largest count"
    own = plots.matrices(counts, vmin=1, cmap="Reds")
    assert [im.get_clim() for ax in own.axes for im in ax.images] == [(1, 4), (1, 2)]
    assert [im.get_clim() for ax in plots.matrices(counts).axes for im in ax.images] == [(-4, 4), (-2, 2)], \
        "without vmin the scales stay centred on 0"
