"""Data-parallel training helpers: a MirroredStrategy on every GPU (or on logical CPU devices), the global-batch
arithmetic, and a NumPy simulation of asynchronous SGD with stale gradients.

* :func:`cpu_devices` splits the one physical CPU into ``n`` logical TensorFlow devices, so that
  ``tf.distribute.MirroredStrategy`` really runs with ``n`` replicas on a laptop or in CI (they share the same cores:
  this is for correctness, not speed); :func:`gpu_devices` does the same with a single GPU (Colab's usual set-up).
* :func:`plan_devices` decides where the replicas go (every GPU when there are several, one GPU split into logical
  GPUs, or logical CPUs) and :func:`mirrored_strategy` builds that strategy; :func:`plan_of` reads the plan back
  from a strategy.
* :func:`stale_sgd` trains a softmax (multinomial logistic) regression with minibatch SGD in which every gradient is
  computed from the weights of ``staleness`` updates ago -- what a parameter server sees from asynchronous workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from . import runtime

if TYPE_CHECKING:
    import tensorflow as tf


def _check_count(n: object, name: str = "n", minimum: int = 1) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {n!r}")


def _logical_devices(kind: str, n: int, config: object) -> list[str]:
    """Split the first physical ``kind`` device ('CPU' or 'GPU') into ``n`` logical ones configured by ``config``."""
    import tensorflow as tf

    physical = tf.config.list_physical_devices(kind)
    if not physical:
        raise RuntimeError(f"cannot make {n} logical {kind} devices: TensorFlow sees no {kind}")
    try:
        tf.config.set_logical_device_configuration(physical[0], [config] * n)
    except RuntimeError as err:  # the runtime is initialised: the device list can no longer change
        existing = tf.config.list_logical_devices(kind)
        if len(existing) < n:
            raise RuntimeError(
                f"cannot make {n} logical {kind} devices: TensorFlow already started with {len(existing)} "
                "(logical devices must be configured before the first TensorFlow operation). Restart the kernel "
                f"and call utils.distribute.{kind.lower()}_devices() (or mirrored_strategy()) right after the setup "
                "cell."
            ) from err
    return [f"/{kind.lower()}:{k}" for k in range(n)]


def cpu_devices(n: int = 2) -> list[str]:
    """Split the physical CPU into ``n`` logical TensorFlow devices and return their names (``/cpu:0`` ...).

    Must run before TensorFlow executes its first op (logical devices are fixed when the runtime starts). If the
    runtime already started with at least ``n`` CPU devices the existing ones are returned; otherwise a
    :class:`RuntimeError` says to restart the kernel and call this right after the setup cell.
    """
    _check_count(n)
    import tensorflow as tf

    return _logical_devices("CPU", n, tf.config.LogicalDeviceConfiguration())


def gpu_devices(n: int = 2, memory_mb: int = 4096) -> list[str]:
    """Split the first physical GPU into ``n`` logical GPUs of ``memory_mb`` MB each; return their names (``/gpu:0``
    ...). Like :func:`cpu_devices` it must run before TensorFlow's first op. The logical GPUs share the one GPU's
    compute (correctness, not speed), and ``MirroredStrategy`` all-reduces through one device instead of NCCL."""
    _check_count(n)
    _check_count(memory_mb, "memory_mb")
    import tensorflow as tf

    return _logical_devices("GPU", n, tf.config.LogicalDeviceConfiguration(memory_limit=memory_mb))


class DevicePlan(NamedTuple):
    """Where the replicas of :func:`mirrored_strategy` run: ``kind`` is ``'gpus'`` (one replica per physical GPU),
    ``'logical_gpus'`` (one GPU split into ``replicas`` logical GPUs) or ``'logical_cpus'`` (the CPU split)."""

    kind: str
    replicas: int

    @property
    def shared(self) -> bool:
        """True when all replicas share one physical device's compute: no speed-up is to be expected."""
        return self.kind != "gpus"

    def describe(self) -> str:
        """The plan in words, e.g. 'the CPU split into 2 logical devices (they share its cores)'."""
        return {"gpus": f"{self.replicas} GPU{'s' if self.replicas > 1 else ''}, one replica on each",
                "logical_gpus": f"one GPU split into {self.replicas} logical GPUs (they share its compute)",
                "logical_cpus": f"the CPU split into {self.replicas} logical devices (they share its cores)"}[self.kind]


def plan_devices(num_gpus: int, replicas: int = 2) -> DevicePlan:
    """Where to put the replicas: every GPU when there are at least two (real data parallelism); a single GPU split
    into ``replicas`` logical GPUs; no GPU: ``replicas`` logical CPU devices. So the same notebook runs with at least
    ``min(replicas, 2)`` replicas everywhere.

    >>> [tuple(plan_devices(n)) for n in (0, 1, 4)]
    [('logical_cpus', 2), ('logical_gpus', 2), ('gpus', 4)]
    """
    _check_count(num_gpus, "num_gpus", minimum=0)
    _check_count(replicas, "replicas")
    if num_gpus >= 2 or (num_gpus == 1 and replicas == 1):
        return DevicePlan("gpus", num_gpus)
    return DevicePlan("logical_gpus" if num_gpus == 1 else "logical_cpus", replicas)


def mirrored_strategy(replicas: int = 2, gpu_memory_mb: int = 4096) -> tf.distribute.MirroredStrategy:
    """Synchronous data parallelism: a ``MirroredStrategy`` over the devices :func:`plan_devices` chooses -- every
    visible GPU when there are several, else ``replicas`` logical GPUs of ``gpu_memory_mb`` MB on the one GPU, else
    ``replicas`` logical CPU devices. Call it before TensorFlow's first operation."""
    import tensorflow as tf

    plan = plan_devices(len(runtime.gpu_names()), replicas)
    if plan.kind == "gpus":
        return tf.distribute.MirroredStrategy()  # all visible GPUs, NCCL all-reduce
    if plan.kind == "logical_gpus":
        return tf.distribute.MirroredStrategy(gpu_devices(replicas, gpu_memory_mb))
    return tf.distribute.MirroredStrategy(cpu_devices(replicas))


def plan_of(strategy: tf.distribute.Strategy) -> DevicePlan:
    """The :class:`DevicePlan` a strategy runs on, read from its devices and TensorFlow's physical/logical GPUs."""
    import tensorflow as tf

    devices = list(strategy.extended.worker_devices)
    if not all("GPU" in d.upper() for d in devices):
        return DevicePlan("logical_cpus", len(devices))
    split = len(tf.config.list_logical_devices("GPU")) > len(tf.config.list_physical_devices("GPU"))
    return DevicePlan("logical_gpus" if split else "gpus", len(devices))


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
