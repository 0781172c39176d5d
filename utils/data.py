"""Datasets and photos for the course: real data, offline in ``fast`` mode, the complete sets in ``full`` mode.

* ``fast`` mode reads the real subsets shipped in ``data/`` (see ``data/README.md``): the official MNIST test set
  with 5,000 MNIST training digits, and 6,000 CIFAR-10 images. Their sha256 is checked; the network is never used.
* ``full`` mode loads the complete datasets through ``keras.datasets`` (which verifies the download's hash).
  When the download is impossible it raises :class:`DatasetUnavailable`, naming the file, the URL and the folder
  to put it in.

Arrays are returned read-only (uint8 images, int64 labels) so that one notebook cell cannot silently change the
data another cell sees; take ``.copy()`` to modify them.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import runtime

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

MNIST_CLASSES = tuple(str(d) for d in range(10))
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

#: sha256 of every file shipped in data/ (the same values as data/README.md; a test checks both).
SHA256 = {
    "mnist/t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "mnist/t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    "mnist/mnist_train_5000.npz": "a3ece31d43e29c78c3c279cf0de9ac0c7e9191e4cfbf7b2fc1dcac59be340514",
    "cifar10_subset.npz": "ee2ad75a2e1d56bbce8a9a448fce33de4fbc6581c3d67ff3e92c9f7eeeba729a",
}

#: What keras.datasets downloads in full mode: (the file at that URL, URL). Where Keras keeps it in its cache
#: depends on the Keras version: :func:`full_cache_file`.
FULL_SOURCES = {
    "mnist": ("mnist.npz", "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"),
    "cifar10": ("cifar-10-python.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"),
}

_SKIMAGE_PHOTOS = ("astronaut", "camera", "chelsea", "coffee", "rocket", "brick", "grass", "gravel", "moon", "text")
PHOTOS = (*_SKIMAGE_PHOTOS, "grace_hopper")


class Dataset(NamedTuple):
    """Train and test split of an image-classification dataset; unpacks like a tuple."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str  # a one-line description of where the arrays came from


class DatasetUnavailable(RuntimeError):
    """Full-mode data could not be downloaded (no network) and is not in the Keras cache."""


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_dir() -> Path:
    """The folder for files the notebooks generate (e.g. notebook 11's exported SavedModel): ``data/cache``, or
    ``$COURSE_CACHE_DIR`` when set (the student-notebook test gives its kernels their own, so that a notebook's
    student run and its nbval run never write the same files at the same time). Created if missing."""
    path = Path(os.environ.get("COURSE_CACHE_DIR") or DATA_DIR / "cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_file(name: str) -> Path:
    """Path of a shipped file in data/, after checking that it exists and its sha256 is the recorded one."""
    if name not in SHA256:
        raise ValueError(f"name must be one of {sorted(SHA256)}, got {name!r}")
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: it is part of the course repository (git checkout data/)")
    digest = sha256(path)
    if digest != SHA256[name]:
        raise OSError(f"{path} is corrupted: sha256 {digest}, expected {SHA256[name]}")
    return path


def _read_idx(path: Path, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def _frozen(*arrays: np.ndarray) -> list[np.ndarray]:
    out = []
    for a in arrays:
        a = np.ascontiguousarray(a)
        a.setflags(write=False)
        out.append(a)
    return out


def _check_mode(mode: str | None) -> str:
    mode = runtime.MODE if mode is None else mode
    if mode not in runtime.MODES:
        raise ValueError(f"mode must be one of {runtime.MODES} or None, got {mode!r}")
    return mode


def full_cache_file(name: str, keras_version: str | None = None) -> Path:
    """Where ``keras.datasets`` looks for the downloaded file of ``name`` (see :data:`FULL_SOURCES`) before it
    downloads: Keras' home (``$KERAS_HOME`` when Keras was imported, else ``~/.keras``) + ``datasets``, under the
    name this Keras version gives it.
    CIFAR-10's archive is ``cifar-10-batches-py.tar.gz`` up to Keras 3.5 and ``cifar-10-batches-py-target_archive``
    from Keras 3.6 on (``get_file(fname="cifar-10-batches-py-target", extract=True)``); MNIST's is ``mnist.npz``.
    A file copied there with that name is hash-checked and used without a download."""
    if name not in FULL_SOURCES:
        raise ValueError(f"name must be one of {sorted(FULL_SOURCES)}, got {name!r}")
    import keras
    from keras.src.backend import config  # keras_home(): $KERAS_HOME as read when Keras was imported, or ~/.keras

    home = Path(config.keras_home()).expanduser()
    folder = (home if os.access(home, os.W_OK) else Path("/tmp/.keras")) / "datasets"  # get_file's own fallback
    if name == "mnist":
        return folder / "mnist.npz"
    keras_version = keras.__version__ if keras_version is None else keras_version
    major, minor = (int(part) for part in keras_version.split(".")[:2])
    return folder / ("cifar-10-batches-py.tar.gz" if (major, minor) < (3, 6) else "cifar-10-batches-py-target_archive")


def full_dataset_cached(name: str) -> bool:
    """Whether full mode's ``name`` dataset is already in the Keras cache (the downloaded file or what Keras
    extracted from it), so that full mode needs no network."""
    path = full_cache_file(name)
    extracted = path.parent / path.name.removesuffix("_archive").removesuffix(".tar.gz")
    return path.exists() or (name != "mnist" and extracted.is_dir())


def _keras_download(name: str, loader: str) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Call ``keras.datasets.<loader>.load_data()``; turn any download failure into one clear message."""
    import keras

    try:
        return getattr(keras.datasets, loader).load_data()
    except Exception as err:  # urllib, socket and hash errors all mean the same thing to a student
        _, url = FULL_SOURCES[name]
        raise DatasetUnavailable(
            f"full mode needs the complete {name} dataset, and downloading it failed ({type(err).__name__}: {err}).\n"
            f"Download {url} on a machine with internet and copy it to {full_cache_file(name)} (that file name), "
            f"or run with COURSE_MODE=fast to use the offline subset in {DATA_DIR}."
        ) from err


@functools.lru_cache(maxsize=None)
def load_mnist(mode: str | None = None) -> Dataset:
    """MNIST digits as uint8 (n, 28, 28) images and int64 labels.

    fast: the 5,000 shipped training digits (500 per class, in a fixed shuffled order) and the official 10,000-image
    test set.
    full: the complete 60,000 / 10,000 split from ``keras.datasets.mnist``.
    """
    if _check_mode(mode) == "full":
        (x_train, y_train), (x_test, y_test) = _keras_download("mnist", "mnist")
        source = "complete MNIST (keras.datasets): 60,000 train / 10,000 test"
    else:
        with np.load(data_file("mnist/mnist_train_5000.npz"), allow_pickle=False) as f:
            # The file is sorted by class; one fixed shuffle makes it behave like the (unsorted) full set, so that
            # e.g. validation_split does not hold out only nines.
            order = np.random.default_rng(0).permutation(len(f["y_train"]))
            x_train, y_train = f["x_train"][order], f["y_train"][order]
        x_test = _read_idx(data_file("mnist/t10k-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28)
        y_test = _read_idx(data_file("mnist/t10k-labels-idx1-ubyte.gz"), 8)
        source = "offline MNIST subset (data/): 5,000 train / official 10,000 test"
    x_train, x_test, y_train, y_test = _frozen(x_train, x_test, y_train.astype(np.int64), y_test.astype(np.int64))
    return Dataset(x_train, y_train, x_test, y_test, MNIST_CLASSES, source)


@functools.lru_cache(maxsize=None)
def load_cifar10(mode: str | None = None) -> Dataset:
    """CIFAR-10 as uint8 (n, 32, 32, 3) images and int64 labels (flat, shape (n,)).

    fast: the shipped 5,000 training + 1,000 test images (the first of each official batch, same order).
    full: the complete 50,000 / 10,000 split from ``keras.datasets.cifar10``.
    """
    if _check_mode(mode) == "full":
        (x_train, y_train), (x_test, y_test) = _keras_download("cifar10", "cifar10")
        source = "complete CIFAR-10 (keras.datasets): 50,000 train / 10,000 test"
    else:
        with np.load(data_file("cifar10_subset.npz"), allow_pickle=False) as f:
            x_train, y_train, x_test, y_test = f["x_train"], f["y_train"], f["x_test"], f["y_test"]
        source = "offline CIFAR-10 subset (data/): 5,000 train / 1,000 test"
    y_train, y_test = np.ravel(y_train).astype(np.int64), np.ravel(y_test).astype(np.int64)
    x_train, x_test, y_train, y_test = _frozen(x_train, x_test, y_train, y_test)
    return Dataset(x_train, y_train, x_test, y_test, CIFAR10_CLASSES, source)


@functools.lru_cache(maxsize=None)
def _photo_uint8(name: str) -> np.ndarray:
    if name == "grace_hopper":
        from matplotlib import cbook, image

        with cbook.get_sample_data("grace_hopper.jpg") as f:
            return image.imread(f, format="jpg")
    import skimage.data

    return getattr(skimage.data, name)()


def sample_image(name: str, grey: bool = False) -> np.ndarray:
    """A real photo bundled with scikit-image or matplotlib (offline), as float32 in [0, 1].

    Colour photos are (H, W, 3), grey ones (H, W); ``grey=True`` converts colour to luminance (ITU-R BT.709).
    Names: ``astronaut, camera, chelsea, coffee, rocket, brick, grass, gravel, moon, text, grace_hopper``.
    """
    if name not in PHOTOS:
        raise ValueError(f"name must be one of {PHOTOS}, got {name!r}")
    img = _photo_uint8(name).astype(np.float32) / 255.0
    if grey and img.ndim == 3:
        img = img @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    return img
