"""Smoke runs: every ``full``-mode code path executed on a CPU in minutes -- never a result.

A smoke run (``make test-full-smoke``, ``tools/full_smoke.py``) executes a notebook with ``COURSE_MODE=full`` sizes
for models, batch sizes and input pipelines, so that what only ``full`` mode reaches (shapes, layer names, memory at
full batch sizes) runs somewhere before a student meets it. To finish in minutes, :func:`install` -- called in the
notebook's kernel before its first cell -- changes four things, all inside ``utils`` and Keras, none in the notebook:

* ``keras.Model.fit`` trains at most :data:`EPOCHS` epochs of :data:`STEPS` batches (validation: :data:`STEPS`
  batches), ``keras.Model.evaluate`` evaluates :data:`STEPS` batches -- of arrays, their first ``STEPS x batch``
  examples (stopping ``evaluate(steps=...)`` early over a large array through a TF-Hub model kills the kernel with
  TensorFlow 2.21 / Keras 3.15); ``utils.resnet.train_trace`` takes at most :data:`STEPS` steps. (``predict`` is
  left whole: later cells rely on its length.)
* ``utils.data``: when a complete dataset is neither downloadable nor in the Keras cache, the shipped real subset
  stands in, repeated to the complete dataset's size (so full-size slicing and memory are exercised).
* ``utils.claims``: a claim is printed and recorded, marked as a smoke run, but not asserted -- a few steps of
  training promise nothing.
* a banner says, in the notebook's output, that this is a smoke run.

With ``COURSE_SMOKE_LOG`` naming a file, every capped call also appends one JSON line to it: the work full mode
*asked for* (model, multiply-adds and activations per image from :mod:`utils.cost`, batch size, examples per epoch,
epochs) and the measured CPU seconds per step of the capped run -- the data of the README's full-mode plan.

``COURSE_SMOKE=1`` marks a smoke run (:func:`active`); :func:`install` does nothing without it.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

ENV = "COURSE_SMOKE"
LOG_ENV = "COURSE_SMOKE_LOG"
#: At most this many epochs per ``fit``...
EPOCHS = 2
#: ... of at most this many batches (also the batches of a validation pass, an ``evaluate``, a ``train_trace``).
STEPS = 2
#: Sizes of the complete datasets (train, test), which a shipped subset is repeated to.
FULL_SIZES = {"mnist": (60_000, 10_000), "cifar10": (50_000, 10_000)}
BANNER = ("SMOKE RUN (COURSE_SMOKE=1): full-mode sizes, at most {epochs} epochs of {steps} batches per fit, claims "
          "not asserted. Nothing printed below is a result.")

_INSTALLED = "_course_smoke"
_COSTS: dict[int, dict] = {}  # id(model) -> its forward cost, computed once


def active(env: dict[str, str] | None = None) -> bool:
    """True when ``COURSE_SMOKE=1`` (in ``env``, default ``os.environ``).

    >>> active({"COURSE_SMOKE": "1"}), active({})
    (True, False)
    """
    return (os.environ if env is None else env).get(ENV, "").strip() == "1"


def _cap(value: int | None, limit: int) -> int:
    return limit if value is None else min(int(value), limit)


def _step_timer(phase: str) -> Any:
    """A Keras callback timing the ``'train'`` (``fit``) or ``'test'`` (``evaluate``) batches; ``per_step()`` is
    the median seconds of the batches after the first (which also traces the step)."""
    import keras

    class StepTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self.start = 0.0

        def begin(self, batch: int, logs: dict | None = None) -> None:
            self.start = time.perf_counter()

        def end(self, batch: int, logs: dict | None = None) -> None:
            self.seconds.append(time.perf_counter() - self.start)

        def per_step(self) -> float | None:
            return round(statistics.median(self.seconds[1:]), 4) if len(self.seconds) > 1 else None

    setattr(StepTimer, f"on_{phase}_batch_begin", StepTimer.begin)
    setattr(StepTimer, f"on_{phase}_batch_end", StepTimer.end)
    return StepTimer()


def _examples(x: Any, batch_size: int | None) -> tuple[int | None, int | None]:
    """(examples, batch size) one pass over ``x`` gives: arrays by their length, a finite ``tf.data.Dataset`` by
    its batches times the size of its first batch; None where unknown (an infinite dataset)."""
    if x is None:
        return None, batch_size
    first = x[0] if isinstance(x, (list, tuple)) else next(iter(x.values())) if isinstance(x, dict) else x
    if hasattr(first, "shape") and not hasattr(x, "element_spec"):
        return int(first.shape[0]), batch_size or 32  # Keras' default batch size
    batches = int(x.cardinality())
    size = int(np.shape(next(iter(x))[0])[0])
    return (batches * size if batches >= 0 else None), size


def _is_arrays(data: Any) -> bool:
    """True for an array (NumPy, tensor) or a list/tuple/dict of arrays -- not for a dataset or generator."""
    if isinstance(data, dict):
        return all(_is_arrays(v) for v in data.values())
    if isinstance(data, (list, tuple)):
        return all(_is_arrays(v) for v in data)
    return hasattr(data, "shape") and not hasattr(data, "element_spec")


def _head(data: Any, n: int) -> Any:
    """The first ``n`` examples of an array, or of each array in a list/tuple/dict; None stays None."""
    if isinstance(data, dict):
        return {k: _head(v, n) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(_head(v, n) for v in data)
    return None if data is None else data[:n]


def _forward_cost(model: Any) -> dict:
    if id(model) not in _COSTS:
        from . import cost

        try:
            _COSTS[id(model)] = cost.forward_cost(model)._asdict()
        except Exception as err:  # a cost we cannot count must not stop the smoke run
            _COSTS[id(model)] = {"multiply_adds": None, "activations": None, "error": f"{type(err).__name__}: {err}"}
    return _COSTS[id(model)]


def _record(kind: str, model: Any, args: dict, seconds_per_step: float | None) -> None:
    """Append the work ``args`` (the call's arguments before capping) asked for to ``$COURSE_SMOKE_LOG``."""
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    validation = 0
    if kind == "train_trace":
        examples, batch, epochs = args["steps"] * args["batch_size"], args["batch_size"], 1
    else:
        examples, batch = _examples(args["x"], args["batch_size"])
        steps = args["steps_per_epoch" if kind == "fit" else "steps"]
        if steps is not None and batch is not None:
            examples = steps * batch if examples is None else min(examples, steps * batch)
        epochs = args["epochs"] - args["initial_epoch"] if kind == "fit" else 1
        if kind == "fit" and args["validation_data"] is not None:
            validation = _examples(args["validation_data"], batch)[0] or 0
        elif kind == "fit" and examples is not None and args["validation_split"]:
            validation = int(examples * args["validation_split"])
            examples -= validation
    row = {"notebook": os.environ.get("COURSE_NOTEBOOK", ""), "kind": kind, "model": model.name,
           "params": int(model.count_params()),
           "trainable_params": int(sum(np.prod(v.shape) for v in model.trainable_weights)),
           **_forward_cost(model), "batch_size": batch,
           "examples_per_epoch": examples, "validation_examples_per_epoch": validation, "epochs": epochs,
           "cpu_seconds_per_step": seconds_per_step}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")


def _smoke_call(function: Callable, kind: str, caps: dict[str, int]) -> Callable:
    """``function`` (``fit``, ``evaluate`` or ``train_trace``) with each named argument capped at its limit --
    ``None`` ("as many as the data give") becomes the limit, a default below it (``fit``'s ``epochs=1``) stays --
    its steps timed, and the requested work recorded (:func:`_record`)."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("_use_cached_eval_dataset"):  # fit's own validation pass: its steps are capped already
            return function(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        requested = dict(bound.arguments)
        if kind == "evaluate" and _is_arrays(bound.arguments["x"]):  # cut the arrays instead of stopping early
            for name in ("x", "y", "sample_weight"):
                bound.arguments[name] = _head(bound.arguments[name], STEPS * (bound.arguments["batch_size"] or 32))
        for name, limit in caps.items():
            bound.arguments[name] = _cap(bound.arguments[name], limit)
        timer = _step_timer("test" if kind == "evaluate" else "train")
        if kind != "train_trace":
            bound.arguments["callbacks"] = [*(bound.arguments["callbacks"] or []), timer]
        start = time.perf_counter()
        result = function(*bound.args, **bound.kwargs)
        per_step = timer.per_step() if kind != "train_trace" else round(
            (time.perf_counter() - start) / bound.arguments["steps"], 4)  # includes tracing: an upper bound
        _record(kind, requested["model" if kind == "train_trace" else "self"], requested, per_step)
        return result

    setattr(wrapper, _INSTALLED, True)
    return wrapper


def _smoke_download(download: Callable) -> Callable:
    """``utils.data._keras_download`` that falls back to the shipped subset, repeated to the complete size."""
    from . import data

    @functools.wraps(download)
    def wrapper(name: str, loader: str) -> Any:
        try:
            return download(name, loader)
        except data.DatasetUnavailable:
            subset = {"mnist": data.load_mnist, "cifar10": data.load_cifar10}[name]("fast")
            n_train, n_test = FULL_SIZES[name]
            print(f"SMOKE RUN: the complete {name} is not available here; the shipped subset "
                  f"({len(subset.x_train):,} / {len(subset.x_test):,} images) is repeated to {n_train:,} / {n_test:,}")
            return ((np.resize(subset.x_train, (n_train, *subset.x_train.shape[1:])), np.resize(subset.y_train, n_train)),
                    (np.resize(subset.x_test, (n_test, *subset.x_test.shape[1:])), np.resize(subset.y_test, n_test)))

    setattr(wrapper, _INSTALLED, True)
    return wrapper


def _unasserted(kind: str, claim: str, value: float, threshold: float, what: str, fmt: str) -> None:
    """``utils.claims._check`` of a smoke run: record and print, never raise."""
    from . import claims

    claims._record(f"smoke:{kind}", claim, value, threshold)
    print(f"SMOKE RUN, not asserted: {claim}: {fmt.format(value)} vs {what} {fmt.format(threshold)}")


def install() -> bool:
    """In a smoke run (``COURSE_SMOKE=1``), apply the changes listed in the module docstring to this process and
    print the banner; return whether it did. Idempotent; without ``COURSE_SMOKE=1`` it changes nothing."""
    if not active():
        return False
    from . import claims, data, resnet, runtime

    runtime.gpu_names()  # imports TensorFlow with its C++ start-up logs silenced, as runtime.setup() does
    import keras

    if not getattr(keras.Model.fit, _INSTALLED, False):
        keras.Model.fit = _smoke_call(keras.Model.fit, "fit", {"epochs": EPOCHS, "steps_per_epoch": STEPS,
                                                                "validation_steps": STEPS})
        keras.Model.evaluate = _smoke_call(keras.Model.evaluate, "evaluate", {"steps": STEPS})
        resnet.train_trace = _smoke_call(resnet.train_trace, "train_trace", {"steps": STEPS})
        data._keras_download = _smoke_download(data._keras_download)
        claims._check = _unasserted
        print(BANNER.format(epochs=EPOCHS, steps=STEPS))
    return True
