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
import re
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

#: The versions the course is tested with: package -> (oldest tested, first release not yet tested). `make test-oldest`
#: installs the first column, `make test-latest` the newest releases below the second, requirements.txt pins one set
#: inside the range (tools/versions.py turns this table into those requirement files). Why the floors: TensorFlow 2.16
#: is the first with Keras 3; Keras 3.4 computes MirroredStrategy steps wrongly (notebook 12: the replicas' weights
#: drift apart), 3.5 computes them right; NumPy 1.26 is what TensorFlow 2.16 builds on;
#: Matplotlib 3.8 cannot be imported under IPython 9, which current JupyterLab kernels use.
SUPPORTED: dict[str, tuple[str, str]] = {
    "tensorflow": ("2.16.2", "2.22"),
    "keras": ("3.5.0", "3.16"),
    "tensorflow-hub": ("0.16.1", "0.17"),
    "numpy": ("1.26.4", "2.5"),
    "matplotlib": ("3.9.0", "3.12"),
}
#: The module each supported package is imported as.
MODULES = {"tensorflow": "tensorflow", "keras": "keras", "tensorflow-hub": "tensorflow_hub", "numpy": "numpy",
           "matplotlib": "matplotlib"}


class UnsupportedEnvironment(RuntimeError):
    """An imported package's version is outside the range the course is tested with (:data:`SUPPORTED`)."""

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


#: The environment when this module was imported: the moment :data:`MODE` was decided (a ``COURSE_MODE`` set later
#: changes nothing until the kernel restarts).
_ENV_AT_IMPORT: dict[str, str] = dict(os.environ)
MODE: str = detect_mode(_ENV_AT_IMPORT)


def mode_reason(env: dict[str, str] | None = None) -> str:
    """Why the mode is what it is, in words: ``'forced by COURSE_MODE'``, ``'auto-detected: a GPU is visible'`` or
    ``'auto-detected: no GPU'``.

    ``env`` defaults to the environment at import time, so the reason always belongs to :data:`MODE`; it decides
    as :func:`detect_mode` does.

    >>> mode_reason({"COURSE_MODE": "fast"})
    'forced by COURSE_MODE'
    """
    env = _ENV_AT_IMPORT if env is None else env
    if env.get("COURSE_MODE", "").strip():
        return "forced by COURSE_MODE"
    return "auto-detected: a GPU is visible" if gpu_names() else "auto-detected: no GPU"


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
    try:  # Keras >= 3.13 does this in set_random_seed; older Keras 3 keep drawing keras.random.* from the old generator
        from keras.src.backend.common import global_state

        global_state.set_global_attribute("global_seed_generator", None)
    except ImportError:  # a future Keras without this private module resets the generator itself
        pass
    tf.config.experimental.enable_op_determinism()


def version_tuple(version: str) -> tuple[int, ...]:
    """The leading release numbers of a version string: ``'2.16.0rc1'`` -> ``(2, 16, 0)``.

    >>> version_tuple("3.10.0.post1") > version_tuple("3.9")
    True
    """
    match = re.match(r"\d+(?:\.\d+)*", str(version).strip())
    if not match:
        raise ValueError(f"version must start with a release number like '2.16.2', got {version!r}")
    return tuple(int(part) for part in match.group(0).split("."))


def requirement(package: str) -> str:
    """The pip requirement of a supported package, e.g. ``'tensorflow>=2.16.2,<2.22'``."""
    if package not in SUPPORTED:
        raise ValueError(f"package must be one of {sorted(SUPPORTED)}, got {package!r}")
    oldest, untested = SUPPORTED[package]
    return f"{package}>={oldest},<{untested}"


def check_versions(modules: dict[str, object] | None = None) -> dict[str, str]:
    """Compare the imported modules' ``__version__`` with :data:`SUPPORTED`; return ``{package: version}``.

    ``modules`` maps module names to modules and defaults to ``sys.modules``; packages that are not imported are
    not checked. Raises :class:`UnsupportedEnvironment` naming the package, the version found, the supported range
    and the command that installs a supported version. ``COURSE_SKIP_VERSION_CHECK=1`` skips the check.
    """
    modules = sys.modules if modules is None else modules
    found: dict[str, str] = {}
    for package, module_name in MODULES.items():
        module = modules.get(module_name)
        if module is None:
            continue
        version = str(getattr(module, "__version__", "unknown"))
        found[package] = version
        oldest, untested = SUPPORTED[package]
        try:
            ok = version_tuple(oldest) <= version_tuple(version) < version_tuple(untested)
        except ValueError:
            ok = False
        if not ok and os.environ.get("COURSE_SKIP_VERSION_CHECK") != "1":
            raise UnsupportedEnvironment(
                f"{package} {version} is not supported by this course (tested: {oldest} <= version < {untested}). "
                f"Fix: pip install '{requirement(package)}' and restart the kernel "
                f"(or set COURSE_SKIP_VERSION_CHECK=1 to try anyway).")
    return found


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
    """Prepare a notebook: check library versions, seed everything, set figure defaults, print mode, versions
    and device once."""
    import matplotlib  # noqa: F401  (imported so that check_versions sees it)
    import numpy as np

    if os.environ.get("COURSE_OFFLINE") == "1":
        block_network()
    gpu_names()  # import TensorFlow and probe devices with the C++ start-up chatter silenced
    import keras  # noqa: F401  (imported so that check_versions sees it)
    import tensorflow as tf

    check_versions()

    tf.get_logger().setLevel("ERROR")  # tf.distribute logs INFO/WARNING lines into notebook outputs
    # Keras warns on stderr that fit(shuffle=True), its default, is ignored for a tf.data.Dataset; that is expected.
    warnings.filterwarnings("ignore", message=r".*`shuffle=True` was passed.*")
    seed_everything(seed)
    np.set_printoptions(precision=4, suppress=True, linewidth=110)
    from .plots import style  # the course's figure style: fonts readable at 100 %, figures stored at retina density

    style.apply()
    print(describe())
