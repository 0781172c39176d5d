"""utils.dropout: inverted and classic dropout agree in expectation and behave like keras.layers.Dropout."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from utils import dropout


def test_inverted_dropout_training_zeroes_and_scales():
    x = np.arange(1.0, 1001.0)
    y = dropout.inverted_dropout(x, 0.25, training=True, seed=3)
    kept = dropout.keep_mask(x.shape, 0.25, seed=3)
    np.testing.assert_allclose(y[kept], x[kept] / 0.75)
    assert np.all(y[~kept] == 0)
    assert 0.2 < 1 - kept.mean() < 0.3


def test_inference_modes():
    x = np.random.default_rng(0).normal(size=(4, 5))
    np.testing.assert_array_equal(dropout.inverted_dropout(x, 0.5, training=False), x)
    np.testing.assert_allclose(dropout.classic_dropout(x, 0.3, training=False), 0.7 * x)
    np.testing.assert_array_equal(dropout.inverted_dropout(x, 0.0, training=True, seed=1), x)


def test_classic_and_inverted_agree_in_expectation():
    x = np.linspace(-2.0, 3.0, 6)
    rng = np.random.default_rng(0)
    inv = np.mean([dropout.inverted_dropout(x, 0.4, True, rng) for _ in range(20_000)], axis=0)
    cla = np.mean([dropout.classic_dropout(x, 0.4, True, rng) for _ in range(20_000)], axis=0)
    np.testing.assert_allclose(inv, dropout.inverted_dropout(x, 0.4, False), atol=0.05)
    np.testing.assert_allclose(cla, dropout.classic_dropout(x, 0.4, False), atol=0.03)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_same_statistics_as_keras(rate):
    x = np.random.default_rng(1).uniform(0.5, 1.5, size=(200, 500)).astype("float32")
    ours = dropout.inverted_dropout(x, rate, training=True, seed=2)
    theirs = keras.ops.convert_to_numpy(keras.layers.Dropout(rate, seed=2)(x, training=True))
    for y in (ours, theirs):
        dropped = y == 0
        assert abs(dropped.mean() - rate) < 0.01                        # the drop rate
        np.testing.assert_allclose(y[~dropped], x[~dropped] / (1 - rate), rtol=1e-5)  # the 1/(1-p) scaling
        assert abs(y.mean() - x.mean()) < 0.02                          # the expectation is kept
    np.testing.assert_array_equal(keras.layers.Dropout(rate)(x, training=False), x)


def test_bad_rate():
    with pytest.raises(ValueError, match="rate"):
        dropout.inverted_dropout(np.ones(3), 1.0, training=True)
    with pytest.raises(ValueError, match="rate"):
        dropout.keep_mask((3,), -0.1)
