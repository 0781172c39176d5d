"""utils.smoke -- a smoke run of full mode: capped training, unasserted claims, the shipped data at full size -- and
its runner tools/full_smoke.py on a planted notebook."""

from __future__ import annotations

import json

import keras
import nbformat
import numpy as np
import pytest
import tensorflow as tf

import full_smoke
from utils import claims, cost, data, resnet, smoke

PATCHED = [(keras.Model, "fit"), (keras.Model, "evaluate"), (resnet, "train_trace"), (data, "_keras_download"),
           (claims, "_check")]


class Batches(keras.callbacks.Callback):
    """Counts the training and the evaluation batches it sees."""

    def __init__(self) -> None:
        super().__init__()
        self.train, self.test = 0, 0

    def on_train_batch_end(self, batch, logs=None) -> None:
        self.train += 1

    def on_test_batch_end(self, batch, logs=None) -> None:
        self.test += 1


@pytest.fixture
def installed(monkeypatch, capsys):
    """smoke.install() in this process, undone after the test (monkeypatch restores every patched attribute)."""
    monkeypatch.setenv(smoke.ENV, "1")
    for owner, name in PATCHED:
        monkeypatch.setattr(owner, name, getattr(owner, name))
    assert smoke.install()
    assert capsys.readouterr().out.startswith("SMOKE RUN (COURSE_SMOKE=1)"), "the banner says it is a smoke run"
    return monkeypatch


def tiny_model() -> keras.Model:
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 3, name="conv1"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


XY = (np.random.default_rng(0).random((400, 8, 8, 3), dtype=np.float32), np.arange(400) % 3)


def test_without_the_variable_nothing_changes(monkeypatch):
    monkeypatch.delenv(smoke.ENV, raising=False)
    before = {(owner, name): getattr(owner, name) for owner, name in PATCHED}
    assert smoke.install() is False
    assert all(getattr(owner, name) is value for (owner, name), value in before.items())


def test_fit_and_evaluate_are_capped(installed):
    model, batches = tiny_model(), Batches()
    history = model.fit(*XY, epochs=50, batch_size=10, validation_split=0.5, verbose=0, callbacks=[batches])
    assert len(history.history["loss"]) == smoke.EPOCHS
    assert batches.train == smoke.EPOCHS * smoke.STEPS and batches.test == smoke.EPOCHS * smoke.STEPS
    assert len(model.fit(*XY, batch_size=10, verbose=0).history["loss"]) == 1, "fit's default of 1 epoch stays"
    evaluated = Batches()
    model.evaluate(*XY, batch_size=10, verbose=0, callbacks=[evaluated])
    assert evaluated.test == smoke.STEPS
    assert len(model.predict(XY[0], batch_size=10, verbose=0)) == len(XY[0]), "predict is not capped"
    fit = keras.Model.fit
    assert smoke.install() and keras.Model.fit is fit, "a second install wraps nothing twice"


def test_the_work_full_mode_asks_for_is_recorded(installed, tmp_path):
    installed.setenv(smoke.LOG_ENV, str(tmp_path / "work.jsonl"))
    installed.setenv("COURSE_NOTEBOOK", "planted.ipynb")
    model = tiny_model()
    model.fit(*XY, epochs=50, batch_size=10, validation_split=0.5, verbose=0)
    model.evaluate(*XY, batch_size=20, verbose=0)
    model.fit(tf.data.Dataset.from_tensor_slices(XY).batch(40), epochs=3, shuffle=False, verbose=0)
    rows = [json.loads(line) for line in (tmp_path / "work.jsonl").read_text().splitlines()]
    assert [(r["kind"], r["examples_per_epoch"], r["batch_size"], r["epochs"]) for r in rows] == [
        ("fit", 200, 10, 50), ("evaluate", 400, 20, 1), ("fit", 400, 40, 3)]
    assert rows[0]["notebook"] == "planted.ipynb" and rows[0]["params"] == model.count_params()
    assert rows[0]["multiply_adds"] == cost.forward_cost(model).multiply_adds > 0
    assert all(r["cpu_seconds_per_step"] > 0 for r in rows)


def test_train_trace_is_capped(installed):
    trace = resnet.train_trace(tiny_model(), *XY, steps=40, batch_size=10)
    assert len(trace["loss"]) == smoke.STEPS


def test_claims_are_printed_and_recorded_but_not_asserted(installed, tmp_path, capsys):
    installed.setenv("COURSE_RESULTS", str(tmp_path / "claims.jsonl"))
    claims.at_least("accuracy", 0.1, fast=0.9, full=0.99)
    claims.beats("model vs baseline", 0.1, 0.5)
    out = capsys.readouterr().out
    assert out.count("SMOKE RUN, not asserted") == 2
    rows = [json.loads(line) for line in (tmp_path / "claims.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in rows] == ["smoke:at_least", "smoke:beats"]


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_missing_complete_dataset_becomes_the_shipped_subset_at_full_size(monkeypatch, name):
    def offline(name: str, loader: str):
        raise data.DatasetUnavailable("no network")

    monkeypatch.setattr(data, "_keras_download", offline)
    monkeypatch.setenv(smoke.ENV, "1")
    wrapped = smoke._smoke_download(data._keras_download)
    (x_train, y_train), (x_test, y_test) = wrapped(name, name)
    subset = {"mnist": data.load_mnist, "cifar10": data.load_cifar10}[name]("fast")
    assert (len(x_train), len(x_test)) == smoke.FULL_SIZES[name] == (len(y_train), len(y_test))
    assert x_train.shape[1:] == subset.x_train.shape[1:]
    n = len(subset.x_train)
    np.testing.assert_array_equal(x_train[:n], subset.x_train)
    np.testing.assert_array_equal(x_train[n:2 * n], subset.x_train)
    np.testing.assert_array_equal(y_test[:len(subset.y_test)], subset.y_test)


def test_runner_reports_the_first_failing_cell_of_a_smoke_run(tmp_path, monkeypatch):
    for key, value in full_smoke.environment(tmp_path).items():
        monkeypatch.setenv(key, value)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import keras, numpy as np\nfrom utils import claims\n"
                                  "m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])\n"
                                  "m.compile('sgd', 'sparse_categorical_crossentropy')\n"
                                  "h = m.fit(np.ones((100, 2)), np.zeros(100), epochs=30, batch_size=10, verbose=0)\n"
                                  "print('epochs trained:', len(h.history['loss']))"),
        nbformat.v4.new_code_cell("del claims\nclaims.at_least('accuracy', 0.0, fast=1.0, full=1.0)"),
        nbformat.v4.new_code_cell("from utils import claims\nclaims.at_least('accuracy', 0.0, fast=1.0, full=1.0)"),
        nbformat.v4.new_code_cell("raise RuntimeError('planted failure')"),
    ])
    path = tmp_path / "planted.ipynb"
    nbformat.write(nb, path)
    result = full_smoke.run_one(path, tmp_path / "out")
    assert result["passed"] is False and result["failed_cell"] == 1
    assert result["error"] == "NameError: name 'claims' is not defined"
    assert result["errors"][1] == [3, "RuntimeError: planted failure"], "cells after a failure still run"
    executed = nbformat.read(tmp_path / "out" / "planted.ipynb", 4)
    text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "SMOKE RUN (COURSE_SMOKE=1)" in text and f"epochs trained: {smoke.EPOCHS}" in text
    assert "SMOKE RUN, not asserted: accuracy" in text
