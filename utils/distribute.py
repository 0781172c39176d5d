"""Data-parallel training helpers: a MirroredStrategy on every GPU (or on logical CPU devices), the global-batch
arithmetic, and a NumPy simulation of asynchronous SGD with stale gradients.

* :func:`cpu_devices` splits the one physical CPU into ``n`` logical TensorFlow devices, so that
  ``tf.distribute.MirroredStrategy`` really runs with ``n`` replicas on a laptop or in CI (they share the same cores:
  this is for correctness, not speed).
* :func:`mirrored_strategy` returns a strategy over all visible GPUs, or over ``n`` logical CPU devices without one.
* :func:`stale_sgd` trains a softmax (multinomial logistic) regression with minibatch SGD in which every gradient is
  computed from the weights of ``staleness`` updates ago -- what a parameter server sees from asynchronous workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import runtime

if TYPE_CHECKING:
    import tensorflow as tf


def cpu_devices(n: int = 2) -> list[str]:
    """Split the physical CPU into ``n`` logical TensorFlow devices and return their names (``/cpu:0`` ...).

    Must run before TensorFlow executes its first op (logical devices are fixed when the runtime starts). If the
    runtime already started with at least ``n`` CPU devices the existing ones are returned; otherwise a
    :class:`RuntimeError` says to restart the kernel and call this right after the setup cell.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * n)
    except RuntimeError as err:  # the runtime is initialised: the device list can no longer change
        existing = tf.config.list_logical_devices("CPU")
        if len(existing) < n:
            raise RuntimeError(
                f"cannot make {n} logical CPU devices: TensorFlow already started with {len(existing)} "
                "(logical devices must be configured before the first TensorFlow operation). Restart the kernel "
                "and call utils.distribute.cpu_devices() (or mirrored_strategy()) right after the setup cell."
            ) from err
    return [f"/cpu:{k}" for k in range(n)]


def mirrored_strategy(num_cpu_devices: int = 2) -> tf.distribute.MirroredStrategy:
    """Synchronous data parallelism: a ``MirroredStrategy`` over every visible GPU, or, on a machine without
    GPUs, over ``num_cpu_devices`` logical CPU devices (see :func:`cpu_devices`)."""
    import tensorflow as tf

    if runtime.gpu_names():
        return tf.distribute.MirroredStrategy()  # all visible GPUs, NCCL all-reduce
    return tf.distribute.MirroredStrategy(cpu_devices(num_cpu_devices))


def scaled_learning_rate(base_lr: float, base_batch: int, global_batch: int) -> float:
    """The linear scaling rule (Goyal et al., 2017): multiply the learning rate by the growth of the global batch.

    >>> scaled_learning_rate(0.01, 32, 128)
    0.04
    """
    if not base_lr > 0:
        raise ValueError(f"base_lr must be > 0, got {base_lr!r}")
    for name, value in (("base_batch", base_batch), ("global_batch", global_batch)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return base_lr * global_batch / base_batch


def softmax_loss_and_grad(w: np.ndarray, x: np.ndarray, y: np.ndarray,
                          with_grad: bool = True) -> tuple[float, np.ndarray | None]:
    """Mean cross-entropy of a softmax regression ``softmax([x, 1] @ w)`` and its gradient with respect to ``w``.

    ``w`` has shape (features + 1, classes) (the last row is the bias), ``x`` (n, features), ``y`` int labels (n,).
    """
    logits = x @ w[:-1] + w[-1]
    logits = logits - logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    loss = float(-log_p[rows, y].mean())
    if not with_grad:
        return loss, None
    delta = np.exp(log_p)
    delta[rows, y] -= 1.0
    delta /= len(y)
    return loss, np.vstack([x.T @ delta, delta.sum(axis=0, keepdims=True)])


def stale_sgd(x: np.ndarray, y: np.ndarray, staleness: int, steps: int, lr: float, batch_size: int = 32,
              eval_every: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Minibatch SGD on a softmax regression where update ``t`` applies a gradient computed at ``w[t - staleness]``.

    ``staleness=0`` is ordinary (synchronous) SGD. With ``K`` asynchronous workers taking turns, each gradient
    reaches the parameter server after the other ``K - 1`` workers' updates: staleness ``K - 1``. The minibatches
    are the same for every staleness (same ``seed``), so the curves differ only by the delay.

    Returns ``(update counts, training loss on all of x after that many updates)``, evaluated every ``eval_every``
    updates (including 0). Once the weights overflow (divergence) every later loss is ``inf``.
    """
    x, y = np.asarray(x, dtype=np.float32), np.asarray(y)
    if x.ndim != 2 or y.shape != (len(x),):
        raise ValueError(f"x must be (n, features) and y (n,), got x {x.shape} and y {y.shape}")
    for name, value, low in (("staleness", staleness, 0), ("steps", steps, 1), ("batch_size", batch_size, 1),
                             ("eval_every", eval_every, 1)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    classes = int(y.max()) + 1
    rng = np.random.default_rng(seed)
    w = np.zeros((x.shape[1] + 1, classes), dtype=np.float32)
    history = [w.copy()]  # w after 0, 1, 2, ... updates; only the last staleness + 1 are kept
    counts, losses = [0], [softmax_loss_and_grad(w, x, y, with_grad=False)[0]]
    for t in range(1, steps + 1):
        batch = rng.choice(len(x), size=batch_size, replace=False)
        _, grad = softmax_loss_and_grad(history[0], x[batch], y[batch])
        with np.errstate(over="ignore", invalid="ignore"):
            w = w - np.float32(lr) * grad
        if not np.isfinite(w).all():  # diverged: every later loss is infinite
            later = list(range((t + eval_every - 1) // eval_every * eval_every, steps + 1, eval_every))
            return np.array(counts + later), np.array(losses + [np.inf] * len(later))
        history.append(w.copy())
        if len(history) > staleness + 1:
            history.pop(0)
        if t % eval_every == 0:
            counts.append(t)
            losses.append(softmax_loss_and_grad(w, x, y, with_grad=False)[0])
    return np.array(counts), np.array(losses)
