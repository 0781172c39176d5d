"""utils.distribute: logical CPU devices and MirroredStrategy (in fresh subprocesses, because logical devices can
only be configured before TensorFlow starts), the linear scaling rule, and the stale-gradient SGD simulation."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from utils import distribute

# Runs in a fresh interpreter: configure 2 logical CPUs, check the strategy and one synchronous all-reduce step,
# then ask for 3 devices after the runtime started (must fail with the clear message, not TF's own).
_FRESH = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from utils import distribute, runtime
runtime.setup(0)
import tensorflow as tf
out = {"devices": distribute.cpu_devices(2)}
strategy = distribute.mirrored_strategy(2)
out["replicas"] = strategy.num_replicas_in_sync
out["plan"] = list(distribute.plan_of(strategy))
out["again"] = distribute.cpu_devices(2)  # runtime started with 2: the same devices come back
values = strategy.run(lambda: tf.distribute.get_replica_context().all_reduce(
    "SUM", tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group + 1, tf.float32)))
out["all_reduce"] = [float(v) for v in strategy.experimental_local_results(values)]
try:
    distribute.cpu_devices(3)
except RuntimeError as err:
    out["error"] = str(err)
try:
    distribute.gpu_devices(2)  # CUDA_VISIBLE_DEVICES="": there is no GPU to split
except RuntimeError as err:
    out["gpu_error"] = str(err)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def fresh_run() -> dict:
    env = {**os.environ, "COURSE_MODE": "fast", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([sys.executable, "-c", _FRESH, str(ROOT)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_logical_cpu_devices_give_a_two_replica_strategy(fresh_run):
    assert fresh_run["devices"] == ["/cpu:0", "/cpu:1"]
    assert fresh_run["again"] == ["/cpu:0", "/cpu:1"]
    assert fresh_run["replicas"] == 2
    assert fresh_run["plan"] == ["logical_cpus", 2]
    assert fresh_run["all_reduce"] == [3.0, 3.0]  # 1 + 2 summed across the replicas, on every replica


def test_too_late_for_more_devices_says_what_to_do(fresh_run):
    assert "already started with 2" in fresh_run["error"]
    assert "Restart the kernel" in fresh_run["error"]
    assert "TensorFlow sees no GPU" in fresh_run["gpu_error"]


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_cpu_devices_bad_n(n):
    with pytest.raises(ValueError, match="n must be"):
        distribute.cpu_devices(n)
    with pytest.raises(ValueError, match="n must be"):
        distribute.gpu_devices(n)


@pytest.mark.parametrize("num_gpus, replicas, kind, count", [
    (0, 2, "logical_cpus", 2),   # no GPU: the CPU split into logical devices
    (0, 3, "logical_cpus", 3),
    (1, 2, "logical_gpus", 2),   # one GPU (Colab): split into logical GPUs, so there are still 2 replicas
    (1, 1, "gpus", 1),           # one replica asked for: the GPU itself
    (2, 2, "gpus", 2),           # several GPUs: every one of them, one replica each
    (4, 2, "gpus", 4),
])
def test_device_plan_gives_every_setup_at_least_two_replicas(num_gpus, replicas, kind, count):
    plan = distribute.plan_devices(num_gpus, replicas)
    assert (plan.kind, plan.replicas) == (kind, count)
    assert plan.shared == (kind != "gpus")
    assert str(count) in plan.describe()


@pytest.mark.parametrize("num_gpus, replicas, match", [(-1, 2, "num_gpus"), (1.0, 2, "num_gpus"),
                                                      (True, 2, "num_gpus"), (1, 0, "replicas")])
def test_device_plan_bad_arguments(num_gpus, replicas, match):
    with pytest.raises(ValueError, match=match):
        distribute.plan_devices(num_gpus, replicas)


def test_scaled_learning_rate():
    assert distribute.scaled_learning_rate(0.01, 32, 128) == pytest.approx(0.04)
    assert distribute.scaled_learning_rate(0.1, 256, 256) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="global_batch"):
        distribute.scaled_learning_rate(0.1, 32, 0)
    with pytest.raises(ValueError, match="base_lr"):
        distribute.scaled_learning_rate(0.0, 32, 64)


def _problem(n: int = 300, features: int = 5, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    y = np.argmax(x @ rng.normal(size=(features, classes)) + rng.normal(size=(n, classes)), axis=1)  # overlapping
    return x, y


def test_softmax_gradient_matches_finite_differences():
    x, y = _problem(n=40)
    w = np.random.default_rng(1).normal(scale=0.1, size=(x.shape[1] + 1, 3))
    loss, grad = distribute.softmax_loss_and_grad(w, x, y)
    assert loss == pytest.approx(distribute.softmax_loss_and_grad(w, x, y, with_grad=False)[0])
    eps, numeric = 1e-6, np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        dw = np.zeros_like(w)
        dw[idx] = eps
        numeric[idx] = (distribute.softmax_loss_and_grad(w + dw, x, y, False)[0]
                        - distribute.softmax_loss_and_grad(w - dw, x, y, False)[0]) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, atol=1e-6)


def test_zero_staleness_is_plain_sgd():
    x, y = _problem()
    counts, losses = distribute.stale_sgd(x, y, staleness=0, steps=50, lr=0.5, batch_size=16, eval_every=10)
    assert counts.tolist() == [0, 10, 20, 30, 40, 50]
    assert losses[0] == pytest.approx(np.log(3))  # zero weights: uniform prediction over 3 classes
    # the same updates by hand
    rng, w = np.random.default_rng(0), np.zeros((6, 3), dtype=np.float32)
    for _ in range(50):
        batch = rng.choice(len(x), size=16, replace=False)
        w = w - np.float32(0.5) * distribute.softmax_loss_and_grad(w, x[batch].astype(np.float32), y[batch])[1]
    assert losses[-1] == pytest.approx(distribute.softmax_loss_and_grad(w, x, y, False)[0], rel=1e-5)
    assert losses[-1] < 0.7 * losses[0]


def test_staleness_delays_the_gradient():
    x, y = _problem()
    # With staleness 3 the first 4 updates all use the zero weights: the same gradient directions as at w0.
    _, stale = distribute.stale_sgd(x, y, staleness=3, steps=4, lr=0.5, batch_size=16, eval_every=4)
    rng, w0 = np.random.default_rng(0), np.zeros((6, 3), dtype=np.float32)
    w = w0.copy()
    for _ in range(4):
        batch = rng.choice(len(x), size=16, replace=False)
        w = w - np.float32(0.5) * distribute.softmax_loss_and_grad(w0, x[batch].astype(np.float32), y[batch])[1]
    assert stale[-1] == pytest.approx(distribute.softmax_loss_and_grad(w, x, y, False)[0], rel=1e-5)


def test_large_staleness_hurts_and_divergence_is_infinite():
    x, y = _problem()
    final = [distribute.stale_sgd(x, y, staleness=s, steps=100, lr=1.0, eval_every=100)[1][-1] for s in (0, 10, 20)]
    assert final[0] < 0.7 < 1.0 < final[1] < final[2]  # measured: about 0.59, 1.1, 1.8
    counts, losses = distribute.stale_sgd(x * 1e30, y, staleness=5, steps=30, lr=1e10, eval_every=10)
    assert counts.tolist() == [0, 10, 20, 30] and np.isinf(losses[-1])


@pytest.mark.parametrize("kwargs, match", [
    ({"staleness": -1}, "staleness"), ({"steps": 0}, "steps"), ({"batch_size": 0}, "batch_size"),
    ({"eval_every": 0}, "eval_every"), ({"lr": 0.0}, "lr"),
])
def test_stale_sgd_bad_arguments(kwargs, match):
    x, y = _problem()
    args = {"staleness": 1, "steps": 5, "lr": 0.1, **kwargs}
    with pytest.raises(ValueError, match=match):
        distribute.stale_sgd(x, y, **args)


def test_stale_sgd_bad_shapes():
    x, y = _problem()
    with pytest.raises(ValueError, match="x must be"):
        distribute.stale_sgd(x[:, 0], y, staleness=0, steps=5, lr=0.1)
