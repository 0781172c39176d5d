"""utils.batch_norm: the NumPy forward pass equals keras.layers.BatchNormalization in both modes, over many steps."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from utils import batch_norm


def keras_bn(shape, momentum=0.99, epsilon=1e-3, seed=0):
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon)
    layer.build((None, *shape[1:]))
    rng = np.random.default_rng(seed)
    layer.gamma.assign(rng.uniform(0.5, 2.0, shape[-1]))
    layer.beta.assign(rng.normal(size=shape[-1]))
    return layer


@pytest.mark.parametrize("shape,momentum", [((16, 5), 0.99), ((8, 6, 7, 3), 0.9), ((2, 4, 4, 4), 0.5)])
def test_equal_to_keras_in_training_and_inference_over_steps(shape, momentum):
    layer = keras_bn(shape, momentum=momentum)
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    mm, mv = np.zeros(shape[-1]), np.ones(shape[-1])
    rng = np.random.default_rng(1)
    for step in range(5):
        x = rng.normal(3.0, 2.0, size=shape).astype("float32")
        y_keras = keras.ops.convert_to_numpy(layer(x, training=True))
        y, mm, mv = batch_norm.batch_norm_forward(x, gamma, beta, mm, mv, training=True, momentum=momentum)
        np.testing.assert_allclose(y, y_keras, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(mm, layer.moving_mean.numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(mv, layer.moving_variance.numpy(), rtol=1e-5, atol=1e-6)
    y_inf, mm2, mv2 = batch_norm.batch_norm_forward(x, gamma, beta, mm, mv, training=False)
    np.testing.assert_allclose(y_inf, keras.ops.convert_to_numpy(layer(x, training=False)), rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(mm2, mm)  # inference leaves the moving statistics alone
    np.testing.assert_array_equal(mv2, mv)


def test_keras_moving_variance_is_the_biased_batch_variance():
    x = np.random.default_rng(2).normal(size=(4, 3)).astype("float32")   # m = 4: biased and unbiased differ by 4/3
    layer = keras_bn((4, 3), momentum=0.0)  # momentum 0: the moving variance becomes the last batch's variance
    layer(x, training=True)
    _, biased = batch_norm.batch_moments(x, ddof=0)
    _, unbiased = batch_norm.batch_moments(x, ddof=1)
    np.testing.assert_allclose(layer.moving_variance.numpy(), biased, rtol=1e-5)
    assert not np.allclose(layer.moving_variance.numpy(), unbiased, rtol=1e-2)


def test_training_output_is_normalised_per_channel():
    x = np.random.default_rng(3).normal(5.0, 3.0, size=(10, 4, 4, 2))
    y, _, _ = batch_norm.batch_norm_forward(x, np.ones(2), np.zeros(2), np.zeros(2), np.ones(2), training=True,
                                            epsilon=1e-8)
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-9)
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1.0, atol=1e-6)


def test_bad_inputs():
    ones = np.ones(3)
    with pytest.raises(ValueError, match="gamma"):
        batch_norm.batch_norm_forward(np.ones((2, 3)), np.ones(2), ones, ones, ones, training=True)
    with pytest.raises(ValueError, match="x must"):
        batch_norm.batch_norm_forward(np.ones(3), ones, ones, ones, ones, training=True)
    with pytest.raises(ValueError, match="momentum"):
        batch_norm.batch_norm_forward(np.ones((2, 3)), ones, ones, ones, ones, training=True, momentum=1.5)
    with pytest.raises(ValueError, match="ddof"):
        batch_norm.batch_moments(np.ones((2, 3)), ddof=2)
