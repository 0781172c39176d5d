"""Run-time set-up shared by every notebook: mode, seeds, versions, and the offline guard.

The course runs in two modes:

* ``fast`` -- CPU, the small real data subsets shipped in ``data/``, few epochs; every notebook well under 90 s.
* ``full`` -- GPU, the complete datasets, the accuracy each notebook promises.

``MODE`` comes from the ``COURSE_MODE`` environment variable when it is set, otherwise ``full`` when TensorFlow
sees a GPU and ``fast`` when it does not.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import socket
import sys
import warnings
from collections.abc import Iterator
from typing import TypeVar

# Quieten TensorFlow's C++ logging (tf.data logs benign version-mismatch "errors" during fit); before `import tensorflow`.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

MODES = ("fast", "full")
T = TypeVar("T")

#: True when running inside Google Colab.
IS_COLAB = "google.colab" in sys.modules or os.environ.get("COURSE_COLAB") == "1"


def detect_mode(env: dict[str, str] | None = None) -> str:
    """Return ``'fast'`` or ``'full'``: ``COURSE_MODE`` if set, else ``'full'`` when a GPU is visible.

    >>> detect_mode({"COURSE_MODE": "fast"})
    'fast'
    """
    env = os.environ if env is None else env
    forced = env.get("COURSE_MODE", "").strip().lower()
    if forced:
        if forced not in MODES:
            raise ValueError(f"COURSE_MODE must be one of {MODES}, got {forced!r}")
        return forced
    return "full" if gpu_names() else "fast"


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null: TensorFlow's C++ start-up logs (CUDA probing on CPU-only machines)
    bypass Python and ``TF_CPP_MIN_LOG_LEVEL``, and Jupyter would store them in every notebook."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@functools.lru_cache(maxsize=1)
def gpu_names() -> tuple[str, ...]:
    """Names of the GPUs TensorFlow can see (empty on a CPU-only machine). Imports TensorFlow quietly."""
    with _native_stderr_silenced():
        import tensorflow as tf

        return tuple(d.name for d in tf.config.list_physical_devices("GPU"))


MODE: str = detect_mode()


def pick(fast: T, full: T) -> T:
    """Return ``fast`` or ``full`` according to :data:`MODE` -- the one place where the modes differ.

    >>> pick(fast=2, full=30) in (2, 30)
    True
    """
    return fast if MODE == "fast" else full


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and TensorFlow/Keras, and make TensorFlow's kernels deterministic."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    import keras
    import numpy as np
    import tensorflow as tf

    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def block_network() -> None:
    """Make every Python socket connection to a non-loopback address fail at once (used by the tests).

    Jupyter's own ZeroMQ traffic does not go through Python sockets and is unaffected. Set ``COURSE_OFFLINE=1``
    and :func:`setup` installs this guard inside a notebook kernel, so a notebook that tries to download
    anything fails loudly instead of depending on the network.
    """
    if getattr(socket.socket.connect, "_course_guard", False):
        return
    original_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (
            host in ("localhost", "::1") or host.startswith("127.") or self.family == socket.AF_UNIX
        ):
            return original_connect(self, address)
        raise ConnectionRefusedError(f"network access is disabled for the course tests (tried {address!r})")

    guarded_connect._course_guard = True  # type: ignore[attr-defined]
    socket.socket.connect = guarded_connect  # type: ignore[method-assign]


def describe() -> str:
    """One line: mode, library versions and compute device."""
    import keras
    import tensorflow as tf

    gpus = gpu_names()
    device = f"GPU x{len(gpus)}" if gpus else f"CPU ({os.cpu_count()} cores)"
    where = "Colab" if IS_COLAB else "local"
    return (
        f"mode: {MODE} | TensorFlow {tf.__version__} | Keras {keras.__version__} | "
        f"Python {sys.version.split()[0]} | device: {device} | {where}"
    )


def setup(seed: int = 0) -> None:
    """Prepare a notebook: seed everything, set figure defaults, print mode, versions and device once."""
    import matplotlib as mpl
    import numpy as np

    if os.environ.get("COURSE_OFFLINE") == "1":
        block_network()
    gpu_names()  # import TensorFlow and probe devices with the C++ start-up chatter silenced
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # tf.distribute logs INFO/WARNING lines into notebook outputs
    # Keras warns on stderr that fit(shuffle=True), its default, is ignored for a tf.data.Dataset; that is expected.
    warnings.filterwarnings("ignore", message=r".*`shuffle=True` was passed.*")
    seed_everything(seed)
    np.set_printoptions(precision=4, suppress=True, linewidth=110)
    mpl.rcParams.update({"figure.dpi": 72, "savefig.dpi": 72, "figure.figsize": (6.0, 4.0), "image.cmap": "gray"})
    print(describe())
