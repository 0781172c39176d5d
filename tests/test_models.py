"""utils.models: the reference networks build with the documented shapes and parameter counts."""

from __future__ import annotations

import pytest

from utils import models


def test_mnist_cnn_shapes_and_parameters():
    model = models.mnist_cnn()
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)
    # conv1 320 + conv2 18,496 + dense 7*7*64*128 + 128 + softmax 1,290
    assert model.count_params() == 320 + 18_496 + 401_536 + 1_290


def test_bad_num_classes():
    with pytest.raises(ValueError, match="num_classes"):
        models.mnist_cnn(num_classes=1)
