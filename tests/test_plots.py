"""utils.plots: each figure builds with the expected panels, and bad input raises ValueError."""

from __future__ import annotations

import numpy as np
import pytest

from utils import plots

RNG = np.random.default_rng(0)


def test_matrices_draw_every_value():
    fig = plots.matrices([np.eye(3), np.ones((2, 2))], ["a", "b"], ops=["="])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(fig.axes) == 2 and texts.count("1") == 3 and texts.count("0") == 6


def test_grids_and_charts_build():
    assert len(plots.image_grid([RNG.random((8, 8))] * 7, ncols=3).axes) == 9
    assert len(plots.kernels({"a": np.eye(3), "b": np.ones((3, 3))}).axes) == 2
    assert len(plots.feature_maps(RNG.random((6, 6, 4))).axes) == 4
    assert len(plots.filters(RNG.random((3, 3, 3, 10)), ncols=5).axes) == 10
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8], "val_accuracy": [0.4, 0.7]}
    fig = plots.history({"a": history, "b": history})
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 4
    assert all(float(t).is_integer() for t in fig.axes[0].get_xticks()), "epoch ticks must be whole numbers"
    assert len(plots.lines([1, 2], {"x": [1, 2]}).axes) == 1
    assert len(plots.bars({"a": 1, "b": 2}).axes[0].patches) == 2
    fig = plots.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], ["a", "b", "c"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["1", "1", "1", "1"]


@pytest.mark.parametrize("call,argument", [
    (lambda: plots.matrices([np.eye(2)], ["a", "b"]), "titles"),
    (lambda: plots.matrices([np.eye(2), np.eye(2)], ops=["=", "="]), "ops"),
    (lambda: plots.matrix(np.ones(3)), "values"),
    (lambda: plots.image_grid([]), "images"),
    (lambda: plots.image_grid([np.ones((2, 2))], ncols=0), "ncols"),
    (lambda: plots.feature_maps(np.ones((2, 2))), "maps"),
    (lambda: plots.filters(np.ones((3, 3, 2, 4))), "weights"),
    (lambda: plots.history({"a": {"loss": [1]}}, metrics=["accuracy"]), "metric"),
    (lambda: plots.lines([1, 2], {"a": [1]}), "curve"),
    (lambda: plots.confusion_matrix([0, 1], [0], ["a", "b"]), "y_true"),
])
def test_bad_arguments(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
