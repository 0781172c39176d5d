"""utils.plots.training: the callbacks figure marks each run's best epoch, draws the learning rate as steps on a log
scale, shows the epoch limit as a reference, and rejects bad input with ValueError."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from utils import plots

CNN = {"val_loss": [0.3, 0.2, 0.25, 0.15, 0.16, 0.17], "learning_rate": [2e-3, 2e-3, 2e-3, 1e-3, 1e-3, 5e-4]}
DENSE = {"val_loss": [0.5, 0.4, 0.4, 0.45], "learning_rate": [2e-3, 2e-3, 2e-3, 1e-3]}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_callbacks_run_marks_the_first_best_epoch_and_draws_rates_as_log_steps():
    fig = plots.callbacks_run({"CNN": CNN, "dense": DENSE}, max_epochs=8)
    watched, rates = fig.axes
    assert watched.get_legend() is None and rates.get_legend() is None, "inside, a legend covered the max-epochs label"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "CNN: best epoch 4 (kept)" in legend
    assert "dense: best epoch 2 (kept)" in legend, "ties keep the first best epoch, like EarlyStopping"
    stars = [line for line in watched.lines if line.get_marker() == "*"]
    assert [tuple(s.get_xdata()) for s in stars] == [(4,), (2,)]
    assert rates.get_yscale() == "log"
    assert all(line.get_drawstyle().startswith("steps") for line in rates.lines if line.get_label() in ("CNN", "dense"))
    assert "max epochs (8)" in {t.get_text() for t in watched.texts}


def test_callbacks_run_maximises_when_asked():
    fig = plots.callbacks_run({"run": {"val_accuracy": [0.5, 0.9, 0.8], "learning_rate": [1e-3] * 3}},
                              monitor="val_accuracy", mode="max")
    assert "run: best epoch 2 (kept)" in [t.get_text() for t in fig.legends[0].get_texts()]


@pytest.mark.parametrize("runs, kwargs, match", [
    ({}, {}, "runs"),
    ({"a": CNN}, {"mode": "lowest"}, "mode"),
    ({"a": CNN}, {"max_epochs": 0}, "max_epochs"),
    ({"a": {"val_loss": [1.0]}}, {}, "learning_rate"),
    ({"a": {"val_loss": [1.0, 0.5], "learning_rate": [1e-3]}}, {}, "same"),
])
def test_callbacks_run_rejects_bad_input(runs, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.callbacks_run(runs, **kwargs)
