"""The course's reference networks, shared by the notebooks that train them (05 MNIST, 06 CIFAR-10, 12 distributed).

Every builder returns an **uncompiled** ``keras.Model`` with named layers, so notebooks can inspect layers by name
(``model.get_layer("conv1")``) and choose the optimiser themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers


def _check_num_classes(num_classes: int) -> None:
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got {num_classes!r}")


def _check_sizes(values: Sequence[int], argument: str) -> tuple[int, ...]:
    sizes = tuple(values)
    if not sizes or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in sizes):
        raise ValueError(f"{argument} must be a non-empty sequence of positive ints, got {values!r}")
    return sizes


def _check_rate(rate: float, argument: str) -> None:
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"{argument} must be in [0, 1), got {rate!r}")


def mnist_cnn(num_classes: int = 10, name: str = "mnist_cnn") -> keras.Model:
    """The seed's MNIST network in Keras 3: conv(32, 3x3, same) - pool - conv(64, 3x3, same) - pool - dense(128)
    - dropout - softmax. Input: (28, 28, 1) floats in [0, 1]. Returned uncompiled."""
    _check_num_classes(num_classes)
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


def dense_classifier(input_shape: Sequence[int], hidden: Sequence[int] = (512,), num_classes: int = 10,
                     dropout: float = 0.4, rescale: float | None = None, name: str = "dense") -> keras.Model:
    """A fully connected baseline: [rescale] - flatten - dense(h, relu) for h in ``hidden`` - dropout - softmax.

    ``rescale`` multiplies the input first (e.g. ``1/255`` for raw uint8 pixels); ``None`` keeps it as given.
    Returned uncompiled.
    """
    shape = _check_sizes(input_shape, "input_shape")
    hidden = _check_sizes(hidden, "hidden")
    _check_num_classes(num_classes)
    _check_rate(dropout, "dropout")
    stack: list[layers.Layer] = [keras.Input(shape)]
    if rescale is not None:
        stack.append(layers.Rescaling(rescale, name="rescale"))
    stack.append(layers.Flatten(name="flatten"))
    stack += [layers.Dense(h, activation="relu", name=f"dense{k + 1}") for k, h in enumerate(hidden)]
    stack += [layers.Dropout(dropout, name="dropout"), layers.Dense(num_classes, activation="softmax", name="predictions")]
    return keras.Sequential(stack, name=name)


def augmentation(translate: float = 0.1, name: str = "augment") -> keras.Sequential:
    """CIFAR-style data augmentation as Keras preprocessing layers: random horizontal flip and random translation
    by up to ``translate`` of the height/width. Active only in training (``model.fit``), identity at inference."""
    if not 0.0 <= translate < 0.5:
        raise ValueError(f"translate must be in [0, 0.5), got {translate!r}")
    return keras.Sequential(
        [layers.RandomFlip("horizontal", name="flip"),
         layers.RandomTranslation(translate, translate, fill_mode="reflect", name="translate")],
        name=name,
    )


def cifar_cnn(widths: Sequence[int] = (32, 64, 128), convs_per_block: int = 2, dropout: float = 0.3,
              augment: bool = True, num_classes: int = 10, name: str = "cifar_cnn") -> keras.Model:
    """A VGG-style CNN for 32x32 colour images, taking raw uint8 pixels (0..255).

    rescale(1/255) - [augmentation] - for each width w in ``widths``: ``convs_per_block`` x (conv(w, 3x3, same,
    no bias) - batch norm - relu), max-pool 2x2 - global average pooling - dropout - softmax.
    Conv layers are named ``block{b}_conv{c}`` and pooling layers ``block{b}_pool`` (b, c from 1). Uncompiled.
    """
    widths = _check_sizes(widths, "widths")
    (convs_per_block,) = _check_sizes((convs_per_block,), "convs_per_block")
    _check_rate(dropout, "dropout")
    _check_num_classes(num_classes)
    stack: list[layers.Layer] = [keras.Input((32, 32, 3)), layers.Rescaling(1 / 255, name="rescale")]
    if augment:
        stack.append(augmentation())
    for b, width in enumerate(widths, start=1):
        for c in range(1, convs_per_block + 1):
            stack += [
                layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{b}_conv{c}"),
                layers.BatchNormalization(name=f"block{b}_bn{c}"),
                layers.ReLU(name=f"block{b}_relu{c}"),
            ]
        stack.append(layers.MaxPooling2D(2, name=f"block{b}_pool"))
    stack += [
        layers.GlobalAveragePooling2D(name="gap"),
        layers.Dropout(dropout, name="dropout"),
        layers.Dense(num_classes, activation="softmax", name="predictions"),
    ]
    return keras.Sequential(stack, name=name)
