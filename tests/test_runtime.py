"""utils.runtime: mode detection, pick, seeding, the network guard."""

from __future__ import annotations

import socket

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
    line = runtime.describe()
    assert f"mode: {runtime.MODE}" in line and "TensorFlow 2.21" in line and "Keras 3." in line
