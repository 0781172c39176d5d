"""utils.models: the reference networks build with the documented shapes and parameter counts."""

from __future__ import annotations

import numpy as np
import pytest

from utils import conv, models


def test_mnist_cnn_shapes_and_parameters():
    model = models.mnist_cnn()
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)
    # conv1 320 + conv2 18,496 + dense 7*7*64*128 + 128 + softmax 1,290
    assert model.count_params() == 320 + 18_496 + 401_536 + 1_290
    assert not model.compiled, "returned uncompiled"


def test_mnist_cnn_num_classes_and_name():
    model = models.mnist_cnn(num_classes=3, name="replica")
    assert model.output_shape == (None, 3) and model.name == "replica"


def test_dense_classifier_parameters_and_rescaling():
    model = models.dense_classifier((28, 28, 1), hidden=(512,))
    assert model.count_params() == 784 * 512 + 512 + 512 * 10 + 10
    deep = models.dense_classifier((32, 32, 3), hidden=(256, 128), num_classes=5, rescale=1 / 255)
    assert deep.output_shape == (None, 5)
    assert deep.count_params() == 3072 * 256 + 256 + 256 * 128 + 128 + 128 * 5 + 5
    x = np.full((1, 32, 32, 3), 255, dtype="uint8")
    assert np.allclose(deep.get_layer("rescale")(x), 1.0)


def test_cifar_cnn_shapes_names_and_parameters():
    model = models.cifar_cnn(widths=(16, 32), convs_per_block=2, num_classes=10)
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 10)
    assert model.get_layer("block2_pool").output.shape[1:] == (8, 8, 32)
    convs = [conv.conv_params(3, 3, 16, use_bias=False), conv.conv_params(3, 16, 16, use_bias=False),
             conv.conv_params(3, 16, 32, use_bias=False), conv.conv_params(3, 32, 32, use_bias=False)]
    batch_norm = 4 * (16 + 16 + 32 + 32)  # gamma, beta, moving mean, moving variance per channel
    assert model.count_params() == sum(convs) + batch_norm + 32 * 10 + 10


def test_cifar_cnn_softmax_on_raw_pixels_and_augmentation_only_in_training():
    model = models.cifar_cnn(widths=(8,), convs_per_block=1)
    x = np.random.default_rng(0).integers(0, 256, size=(4, 32, 32, 3)).astype("uint8")
    p = np.asarray(model(x, training=False))
    assert p.shape == (4, 10) and np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    augment = models.augmentation()
    xf = x.astype("float32")
    assert np.array_equal(np.asarray(augment(xf, training=False)), xf)
    assert not np.array_equal(np.asarray(augment(xf, training=True)), xf)
    assert "augment" not in [layer.name for layer in models.cifar_cnn(widths=(8,), augment=False).layers]


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: models.mnist_cnn(num_classes=1), "num_classes"),
        (lambda: models.dense_classifier((28, 28, 1), hidden=()), "hidden"),
        (lambda: models.dense_classifier((28, 0), hidden=(8,)), "input_shape"),
        (lambda: models.dense_classifier((28, 28), dropout=1.0), "dropout"),
        (lambda: models.cifar_cnn(widths=(32, -1)), "widths"),
        (lambda: models.cifar_cnn(convs_per_block=0), "convs_per_block"),
        (lambda: models.cifar_cnn(num_classes=True), "num_classes"),
        (lambda: models.augmentation(translate=0.7), "translate"),
    ],
)
def test_bad_arguments(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
