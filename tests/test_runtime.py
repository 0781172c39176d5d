"""utils.runtime: mode detection, pick, seeding, the network guard."""

from __future__ import annotations

import socket
import types

import numpy as np
import pytest

from utils import runtime


def test_mode_from_environment():
    assert runtime.detect_mode({"COURSE_MODE": "fast"}) == "fast"
    assert runtime.detect_mode({"COURSE_MODE": " FULL "}) == "full"
    expected = "full" if runtime.gpu_names() else "fast"
    assert runtime.detect_mode({}) == expected
    with pytest.raises(ValueError, match="COURSE_MODE"):
        runtime.detect_mode({"COURSE_MODE": "turbo"})


def test_mode_reason_says_forced_or_auto_detected(monkeypatch):
    at_import = runtime.mode_reason()
    monkeypatch.setenv("COURSE_MODE", "full" if at_import == "auto-detected: no GPU" else "")
    assert runtime.mode_reason() == at_import  # the reason belongs to MODE, decided at import
    assert runtime.mode_reason({"COURSE_MODE": "full"}) == "forced by COURSE_MODE"
    assert runtime.mode_reason({"COURSE_MODE": " fast "}) == "forced by COURSE_MODE"
    expected = "auto-detected: a GPU is visible" if runtime.gpu_names() else "auto-detected: no GPU"
    assert runtime.mode_reason({}) == expected
    assert runtime.mode_reason({"COURSE_MODE": "  "}) == expected  # blank is not set, as for detect_mode


def test_pick_follows_mode():
    assert runtime.pick(fast="a", full="b") == ("a" if runtime.MODE == "fast" else "b")


def test_seeding_is_reproducible():
    import keras

    runtime.seed_everything(3)
    a = (np.random.rand(3), keras.random.normal((3,)).numpy())
    runtime.seed_everything(3)
    b = (np.random.rand(3), keras.random.normal((3,)).numpy())
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="seed"):
        runtime.seed_everything(-1)


def test_network_is_blocked_but_loopback_is_not():
    runtime.block_network()  # idempotent; conftest installed it already
    with pytest.raises(ConnectionRefusedError, match="network access is disabled"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with socket.create_connection(server.getsockname(), timeout=1):
        pass
    server.close()


def test_describe_names_mode_and_versions():
    import keras
    import tensorflow as tf

    line = runtime.describe()
    assert f"mode: {runtime.MODE}" in line and f"TensorFlow {tf.__version__}" in line
    assert f"Keras {keras.__version__}" in line and keras.__version__.startswith("3.")


def test_the_installed_versions_are_supported():
    import keras
    import matplotlib
    import tensorflow as tf

    found = runtime.check_versions({"tensorflow": tf, "keras": keras, "numpy": np, "matplotlib": matplotlib})
    assert found == {"tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__,
                     "matplotlib": matplotlib.__version__}


@pytest.mark.parametrize("module, version, problem", [
    ("tensorflow", "2.15.1", "too old"), ("tensorflow", "2.22.0", "newer than tested"),
    ("keras", "2.15.0", "Keras 2"), ("numpy", "1.26.3", "patch below the oldest"), ("numpy", "banana", "garbled"),
])
def test_an_unsupported_version_names_package_version_range_and_fix(module, version, problem, monkeypatch):
    monkeypatch.delenv("COURSE_SKIP_VERSION_CHECK", raising=False)
    package = {v: k for k, v in runtime.MODULES.items()}[module]
    oldest, untested = runtime.SUPPORTED[package]
    fake = types.SimpleNamespace(__version__=version)
    with pytest.raises(runtime.UnsupportedEnvironment) as err:
        runtime.check_versions({module: fake})
    message = str(err.value)
    assert isinstance(err.value, RuntimeError) and "\n" not in message, problem
    assert f"{package} {version} is not supported" in message and f"{oldest} <= version < {untested}" in message
    assert f"pip install '{package}>={oldest},<{untested}'" in message


def test_the_version_check_can_be_skipped_and_ignores_what_is_not_imported(monkeypatch):
    monkeypatch.setenv("COURSE_SKIP_VERSION_CHECK", "1")
    assert runtime.check_versions({"tensorflow": types.SimpleNamespace(__version__="1.15.0")}) == \
        {"tensorflow": "1.15.0"}
    assert runtime.check_versions({}) == {}


def test_version_helpers_refuse_bad_input():
    assert runtime.version_tuple("2.16.0rc1") == (2, 16, 0) and runtime.version_tuple(" 3.9 ") == (3, 9)
    with pytest.raises(ValueError, match="version"):
        runtime.version_tuple("v2")
    with pytest.raises(ValueError, match="package"):
        runtime.requirement("torch")
