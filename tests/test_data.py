"""utils.data and data/: shipped files intact, subsets as documented, full mode fails clearly offline."""

from __future__ import annotations

import re

import numpy as np
import pytest

from utils import data


@pytest.mark.parametrize("name", sorted(data.SHA256))
def test_shipped_file_hashes(name):
    assert data.sha256(data.DATA_DIR / name) == data.SHA256[name]


def test_readme_records_the_same_hashes():
    readme = (data.DATA_DIR / "README.md").read_text()
    for name, digest in data.SHA256.items():
        assert re.search(rf"`{re.escape(name)}`.*{digest}", readme), f"data/README.md lacks the sha256 of {name}"


def test_fast_mnist_is_the_documented_subset():
    ds = data.load_mnist("fast")
    assert ds.x_train.shape == (5000, 28, 28) and ds.x_test.shape == (10000, 28, 28)
    assert ds.x_train.dtype == np.uint8 and ds.y_test.dtype == np.int64
    assert np.bincount(ds.y_train).tolist() == [500] * 10
    assert np.bincount(ds.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert not ds.x_train.flags.writeable
    assert len(set(ds.y_train[-500:].tolist())) == 10, "the sorted file must be shuffled (validation_split!)"


def test_fast_cifar10_is_the_documented_subset():
    ds = data.load_cifar10("fast")
    assert ds.x_train.shape == (5000, 32, 32, 3) and ds.x_test.shape == (1000, 32, 32, 3)
    assert ds.y_train.shape == (5000,) and set(np.unique(ds.y_train)) == set(range(10))
    assert ds.x_train[0, 0, 0].tolist() == [59, 62, 63] and ds.class_names[ds.y_train[0]] == "frog"


def keras_home(monkeypatch, path) -> None:
    """Point Keras' cache at ``path`` (Keras reads $KERAS_HOME once, when it is imported)."""
    from keras.src.backend import config

    monkeypatch.setattr(config, "_KERAS_DIR", str(path))


@pytest.mark.parametrize("loader,name", [(data.load_mnist, "mnist"), (data.load_cifar10, "cifar10")])
def test_full_mode_offline_names_file_url_and_folder(loader, name, tmp_path, monkeypatch):
    keras_home(monkeypatch, tmp_path)  # an empty cache: keras must try to download, and cannot
    assert not data.full_dataset_cached(name)
    with pytest.raises(data.DatasetUnavailable) as err:
        loader.__wrapped__("full")
    message = str(err.value)
    assert str(data.full_cache_file(name)) in message and data.FULL_SOURCES[name][1] in message
    assert str(tmp_path / "datasets") in message and "COURSE_MODE=fast" in message


@pytest.mark.parametrize("loader,name", [(data.load_mnist, "mnist"), (data.load_cifar10, "cifar10")])
def test_the_offline_message_names_the_file_keras_reads(loader, name, tmp_path, monkeypatch, capsys):
    """A file at full_cache_file(name) is the one this Keras checks before downloading: a wrong one is found (and
    its hash refused), so a student who copies the real download there needs no network."""
    keras_home(monkeypatch, tmp_path)
    target = data.full_cache_file(name)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not the dataset")
    assert data.full_dataset_cached(name)
    with pytest.raises(data.DatasetUnavailable):
        loader.__wrapped__("full")
    assert "A local file was found" in capsys.readouterr().out


def test_the_cifar10_cache_name_follows_the_keras_version():
    assert data.full_cache_file("cifar10", "3.5.0").name == "cifar-10-batches-py.tar.gz"
    assert data.full_cache_file("cifar10", "3.15.1").name == "cifar-10-batches-py-target_archive"
    with pytest.raises(ValueError, match="name must be one of"):
        data.full_cache_file("imagenet")


def test_sample_images():
    assert data.sample_image("camera").shape == (512, 512)
    rgb = data.sample_image("grace_hopper")
    assert rgb.shape == (600, 512, 3) and rgb.dtype == np.float32 and 0 <= rgb.min() and rgb.max() <= 1
    grey = data.sample_image("astronaut", grey=True)
    assert grey.shape == (512, 512)


@pytest.mark.parametrize("call,argument", [
    (lambda: data.sample_image("lena"), "name"),
    (lambda: data.load_mnist("medium"), "mode"),
    (lambda: data.data_file("mnist/train.gz"), "name"),
])
def test_bad_arguments(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_cache_dir_defaults_to_data_cache_and_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_CACHE_DIR", raising=False)
    assert data.cache_dir() == data.DATA_DIR / "cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "own"))
    assert data.cache_dir() == tmp_path / "own" and (tmp_path / "own").is_dir()
