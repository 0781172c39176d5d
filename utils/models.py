"""The course's reference CNNs, shared by the notebooks that train them (05 MNIST, 12 distributed training, ...)."""

from __future__ import annotations

import keras
from keras import layers


def mnist_cnn(num_classes: int = 10, name: str = "mnist_cnn") -> keras.Model:
    """The seed's MNIST network in Keras 3: conv(32, 3x3, same) - pool - conv(64, 3x3, same) - pool - dense(128)
    - dropout - softmax. Input: (28, 28, 1) floats in [0, 1]. Returned uncompiled."""
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got {num_classes!r}")
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense"),
            layers.Dropout(0.4, name="dropout"),
            layers.Dense(num_classes, activation="softmax", name="predictions"),
        ],
        name=name,
    )
