"""Residual networks (He et al. 2015) and GoogLeNet's Inception module (Szegedy et al. 2015) in Keras 3.

* :func:`residual_block` -- the basic two-3x3 block, ``x_{l+1} = relu(x_l + F(x_l))``, with an identity, projection
  (1x1 conv, "option B") or zero-padding ("option A") shortcut, and its plain counterpart (no addition).
* :func:`cifar_resnet` -- the 6n+2-layer CIFAR-10 networks of He et al. (ResNet-20, -32, -44, -56, -110) and the
  plain networks of the same depth.
* :class:`RandomShiftFlip` -- the paper's augmentation: pad 4 pixels, random 32x32 crop, random horizontal flip,
  drawn independently for every image.
* :func:`inception_module`, :func:`googlenet` -- the Inception module (naive or with 1x1 reductions) and the whole
  GoogLeNet of the paper's Table 1 (optionally with its two auxiliary classifiers), for parameter counting.
"""

from __future__ import annotations

import keras
from keras import layers

SHORTCUTS = ("auto", "identity", "projection", "zero_pad")

#: Moving-average momentum of every BatchNormalization layer: 0.9, Torch's default (written momentum=0.1 there and in
#: PyTorch, the weight of the new value), which fb.resnet.torch keeps; He et al. released their ImageNet models for
#: Caffe, whose default moving-average fraction is 0.999. Keras' default 0.99 makes short runs evaluate with stale
#: statistics.
BN_MOMENTUM = 0.9

#: Inception (3a) of Szegedy et al. 2015, Table 1: input 28x28x192.
INCEPTION_3A = {"f1": 64, "f3_reduce": 96, "f3": 128, "f5_reduce": 16, "f5": 32, "pool_proj": 32}

#: GoogLeNet's nine Inception modules (Table 1): (name, f1, f3_reduce, f3, f5_reduce, f5, pool_proj).
GOOGLENET_MODULES = (
    ("3a", 64, 96, 128, 16, 32, 32), ("3b", 128, 128, 192, 32, 96, 64),
    ("4a", 192, 96, 208, 16, 48, 64), ("4b", 160, 112, 224, 24, 64, 64), ("4c", 128, 128, 256, 24, 64, 64),
    ("4d", 112, 144, 288, 32, 64, 64), ("4e", 256, 160, 320, 32, 128, 128),
    ("5a", 256, 160, 320, 32, 128, 128), ("5b", 384, 192, 384, 48, 128, 128),
)


def _check_int(name: str, value: object, minimum: int = 1) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def _blocks_per_stage(depth: object, widths: object) -> int:
    """``n`` of a ``6n + 2``-layer CIFAR network, after checking ``depth`` and the three stage ``widths``."""
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 8 or (depth - 2) % 6:
        raise ValueError(f"depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, ...), got {depth!r}")
    if (not isinstance(widths, (tuple, list)) or len(widths) != 3
            or any(not isinstance(w, int) or isinstance(w, bool) or w < 1 for w in widths)
            or list(widths) != sorted(widths)):
        raise ValueError(f"widths must be three non-decreasing ints >= 1, e.g. (16, 32, 64), got {widths!r}")
    return (depth - 2) // 6


@keras.saving.register_keras_serializable(package="course")
class ZeroPadShortcut(layers.Layer):
    """He et al.'s parameter-free "option A" shortcut: subsample by ``stride``, then zero-pad the new channels."""

    def __init__(self, filters: int, stride: int = 2, **kwargs: object) -> None:
        super().__init__(**kwargs)
        _check_int("filters", filters)
        _check_int("stride", stride)
        self.filters, self.stride = filters, stride

    def call(self, x):
        x = x[:, :: self.stride, :: self.stride, :]
        extra = self.filters - x.shape[-1]
        if extra < 0:
            raise ValueError(f"filters must be >= the input channels ({x.shape[-1]}), got {self.filters}")
        return keras.ops.pad(x, [[0, 0], [0, 0], [0, 0], [extra // 2, extra - extra // 2]])

    def compute_output_shape(self, input_shape):
        b, h, w, _ = input_shape
        down = (lambda n: None if n is None else -(-n // self.stride))
        return (b, down(h), down(w), self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "stride": self.stride}


@keras.saving.register_keras_serializable(package="course")
class RandomShiftFlip(layers.Layer):
    """Training-time augmentation of He et al. 2015 for CIFAR: zero-pad ``pad`` pixels on each side, take a random
    crop of the original size and flip horizontally with probability 1/2 -- a new draw for every image (Keras'
    ``RandomCrop`` draws one window per batch). At inference the layer is the identity."""

    def __init__(self, pad: int = 4, seed: int | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        _check_int("pad", pad, minimum=0)
        self.pad, self.seed = pad, seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=None):
        if not training:
            return x
        ops, p = keras.ops, self.pad
        n, h, w = ops.shape(x)[0], x.shape[1], x.shape[2]
        padded = ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]])
        dy = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)
        dx = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)
        flip = keras.random.uniform((n, 1), seed=self.seed_generator) < 0.5
        rows = dy + ops.arange(h)[None, :]                                           # (n, h)
        cols = ops.where(flip, dx + ops.arange(w - 1, -1, -1)[None, :], dx + ops.arange(w)[None, :])  # (n, w)
        out = ops.take_along_axis(padded, rows[:, :, None, None], axis=1)             # (n, h, w+2p, c)
        return ops.take_along_axis(out, cols[:, None, :, None], axis=2)               # (n, h, w, c)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "pad": self.pad, "seed": self.seed}


def residual_block(x, filters: int, stride: int = 1, shortcut: str = "auto", residual: bool = True,
                   weight_decay: float = 0.0, zero_init: bool = False, name: str = "block"):
    """The basic residual block of He et al.: conv3x3-BN-ReLU-conv3x3-BN, plus the shortcut, then ReLU.

    ``shortcut``: ``'identity'`` (needs the same shape in and out), ``'projection'`` (1x1 conv with ``stride`` and
    BN, "option B"), ``'zero_pad'`` (subsample and zero-pad channels, "option A", no parameters) or ``'auto'``
    (identity when the shapes match, projection otherwise). ``residual=False`` gives the *plain* block: the same
    two conv layers without the addition. ``weight_decay`` is the SGD weight decay (applied as an L2 penalty
    ``weight_decay / 2 * ||w||^2`` on the kernels, whose gradient is ``weight_decay * w``). ``zero_init=True``
    starts the residual branch's last BN scale gamma at 0 (Goyal et al. 2017), so that the block is the identity
    (then ReLU) at initialisation; it needs ``residual=True`` (a plain block would output only zeros).
    """
    _check_int("filters", filters)
    if zero_init and not residual:
        raise ValueError("zero_init=True needs residual=True: a plain block whose last gamma is 0 outputs zeros")
    _check_int("stride", stride)
    if shortcut not in SHORTCUTS:
        raise ValueError(f"shortcut must be one of {SHORTCUTS}, got {shortcut!r}")
    reg = keras.regularizers.L2(weight_decay / 2) if weight_decay else None
    conv = dict(padding="same", use_bias=False, kernel_initializer="he_normal", kernel_regularizer=reg)
    y = layers.Conv2D(filters, 3, strides=stride, name=f"{name}_conv1", **conv)(x)
    y = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn1")(y)
    y = layers.Activation("relu", name=f"{name}_relu1")(y)
    y = layers.Conv2D(filters, 3, name=f"{name}_conv2", **conv)(y)
    y = layers.BatchNormalization(momentum=BN_MOMENTUM, gamma_initializer="zeros" if zero_init else "ones",
                                  name=f"{name}_bn2")(y)
    if residual:
        same_shape = stride == 1 and x.shape[-1] == filters
        kind = ("identity" if same_shape else "projection") if shortcut == "auto" else shortcut
        if kind == "identity" and not same_shape:
            raise ValueError(f"shortcut='identity' needs stride 1 and {x.shape[-1]} filters; "
                             f"use 'projection' or 'zero_pad' for stride {stride}, {filters} filters")
        if kind == "projection":
            x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_proj", **conv)(x)
            x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_proj_bn")(x)
        elif kind == "zero_pad" and not same_shape:
            x = ZeroPadShortcut(filters, stride, name=f"{name}_pad")(x)
        y = layers.Add(name=f"{name}_add")([x, y])
    return layers.Activation("relu", name=f"{name}_out")(y)


def cifar_resnet(depth: int = 20, residual: bool = True, shortcut: str = "zero_pad", num_classes: int = 10,
                 weight_decay: float = 1e-4, augment: bool = False, input_shape: tuple[int, int, int] = (32, 32, 3),
                 widths: tuple[int, int, int] = (16, 32, 64), zero_init_residual: bool = False,
                 name: str | None = None) -> keras.Model:
    """He et al.'s CIFAR-10 network with ``depth = 6n + 2`` weight layers: a 3x3 conv with 16 filters, three stages
    of ``n`` blocks with 16, 32, 64 filters (feature maps 32, 16, 8; the first block of stages 2 and 3 has stride 2),
    global average pooling and a softmax dense layer. ``residual=False`` builds the plain network of the same depth.
    ``widths`` replaces the three stages' filter counts (the first conv has ``widths[0]``): narrower networks of the
    same depth for CPU experiments. ``zero_init_residual=True`` starts every residual branch's last BN gamma at 0
    (see :func:`residual_block`); it needs ``residual=True``.
    ``shortcut`` is used where the shape changes (the paper's CIFAR models use ``'zero_pad'``, option A).
    ``augment=True`` puts :class:`RandomShiftFlip` in front (active in training only). Returned uncompiled;
    inputs are normalised float images.
    """
    _check_int("num_classes", num_classes, minimum=2)
    n = _blocks_per_stage(depth, widths)
    if shortcut not in ("projection", "zero_pad"):
        raise ValueError(f"shortcut must be 'projection' or 'zero_pad' (where the shape changes), got {shortcut!r}")
    if zero_init_residual and not residual:
        raise ValueError("zero_init_residual=True needs residual=True (a plain network would output constants)")
    reg = keras.regularizers.L2(weight_decay / 2) if weight_decay else None
    inputs = keras.Input(input_shape, name="image")
    x = RandomShiftFlip(4, name="augment")(inputs) if augment else inputs
    x = layers.Conv2D(widths[0], 3, padding="same", use_bias=False, kernel_initializer="he_normal",
                      kernel_regularizer=reg, name="conv1")(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name="bn1")(x)
    x = layers.Activation("relu", name="relu1")(x)
    for stage, filters in enumerate(widths, start=1):
        for b in range(n):
            stride = 2 if stage > 1 and b == 0 else 1
            x = residual_block(x, filters, stride, shortcut="auto" if stride == 1 else shortcut, residual=residual,
                               weight_decay=weight_decay, zero_init=zero_init_residual,
                               name=f"stage{stage}_block{b + 1}")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", kernel_initializer="he_normal",
                           kernel_regularizer=reg, name="predictions")(x)
    kind = "resnet" if residual else "plain"
    return keras.Model(inputs, outputs, name=name or f"{kind}{depth}")


def inception_module(x, f1: int, f3_reduce: int, f3: int, f5_reduce: int, f5: int, pool_proj: int,
                     reduce: bool = True, name: str = "inception"):
    """GoogLeNet's Inception module: parallel 1x1, 3x3, 5x5 convolutions and 3x3 max pooling, concatenated along
    channels (all ReLU, 'same' padding, with biases as in the paper).

    ``reduce=True`` is Figure 2(b): 1x1 convolutions (``f3_reduce``, ``f5_reduce`` filters) before the 3x3 and 5x5
    convolutions and a 1x1 projection (``pool_proj``) after the pooling. ``reduce=False`` is the naive Figure 2(a):
    the reductions and the projection are left out, so the pooling branch passes all input channels through.
    Layer names start with ``{name}_1x1``, ``{name}_3x3``, ``{name}_5x5``, ``{name}_pool`` (one per branch).
    """
    for arg, v in dict(f1=f1, f3=f3, f5=f5).items():
        _check_int(arg, v)
    if reduce:
        for arg, v in dict(f3_reduce=f3_reduce, f5_reduce=f5_reduce, pool_proj=pool_proj).items():
            _check_int(arg, v)
    conv = lambda filters, k, n: layers.Conv2D(filters, k, padding="same", activation="relu", name=f"{name}_{n}")  # noqa: E731
    b1 = conv(f1, 1, "1x1")(x)
    b3 = conv(f3, 3, "3x3")(conv(f3_reduce, 1, "3x3_reduce")(x) if reduce else x)
    b5 = conv(f5, 5, "5x5")(conv(f5_reduce, 1, "5x5_reduce")(x) if reduce else x)
    bp = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    if reduce:
        bp = conv(pool_proj, 1, "pool_proj")(bp)
    return layers.Concatenate(name=f"{name}_concat")([b1, b3, b5, bp])


def branch_params(model: keras.Model, name: str = "inception") -> dict[str, int]:
    """Parameters of each branch of the Inception module called ``name`` in ``model``:
    ``{'1x1': ..., '3x3': ..., '5x5': ..., 'pool': ...}`` (a branch's reduction layer counts with its branch)."""
    counts = {"1x1": 0, "3x3": 0, "5x5": 0, "pool": 0}
    found = False
    for layer in model.layers:
        for branch in counts:
            if layer.name.startswith(f"{name}_{branch}"):
                counts[branch] += layer.count_params()
                found = True
    if not found:
        raise ValueError(f"name must be the name of an Inception module in the model, got {name!r}")
    return counts


def googlenet(aux_classifiers: bool = True, num_classes: int = 1000) -> keras.Model:
    """GoogLeNet as in Szegedy et al. 2015, Table 1 and Section 5 (224x224x3 input, ReLU everywhere, no batch norm;
    local response normalisation has no parameters and is left out). With ``aux_classifiers`` the model has the two
    training-time side heads after 4a and 4d (5x5/3 average pooling, 1x1 conv with 128 filters, dense 1024,
    dropout 0.7, dense ``num_classes``) as extra outputs. Returned uncompiled; built for counting parameters."""
    _check_int("num_classes", num_classes, minimum=2)
    conv = lambda f, k, s, n: layers.Conv2D(f, k, strides=s, padding="same", activation="relu", name=n)  # noqa: E731
    pool = lambda n: layers.MaxPooling2D(3, strides=2, padding="same", name=n)  # noqa: E731
    inputs = keras.Input((224, 224, 3), name="image")
    x = pool("pool1")(conv(64, 7, 2, "conv1_7x7")(inputs))
    x = conv(192, 3, 1, "conv2_3x3")(conv(64, 1, 1, "conv2_3x3_reduce")(x))
    x = pool("pool2")(x)
    outputs = []
    for mod_name, *config in GOOGLENET_MODULES:
        if mod_name in ("4a", "5a"):
            x = pool(f"pool_before_{mod_name}")(x)
        x = inception_module(x, *config, name=f"inception_{mod_name}")
        if aux_classifiers and mod_name in ("4a", "4d"):
            a = layers.AveragePooling2D(5, strides=3, name=f"aux_{mod_name}_pool")(x)
            a = conv(128, 1, 1, f"aux_{mod_name}_conv")(a)
            a = layers.Dense(1024, activation="relu", name=f"aux_{mod_name}_fc")(layers.Flatten()(a))
            a = layers.Dropout(0.7, name=f"aux_{mod_name}_dropout")(a)
            outputs.append(layers.Dense(num_classes, activation="softmax", name=f"aux_{mod_name}_predictions")(a))
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dropout(0.4, name="dropout")(x)
    main = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, [main, *outputs] if outputs else main, name="googlenet")


def weight_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The layers holding convolution or dense kernels (what papers count as "layers"), in model order."""
    return [layer for layer in model.layers if isinstance(layer, (layers.Conv2D, layers.Dense))]


def dense_share(model: keras.Model) -> float:
    """Fraction of ``model``'s parameters that sit in its ``Dense`` layers."""
    total = model.count_params()
    if total == 0:
        raise ValueError("model must have parameters")
    return sum(layer.count_params() for layer in model.layers if isinstance(layer, layers.Dense)) / total


def cifar_resnet_params(depth: int, widths: tuple[int, int, int] = (16, 32, 64), num_classes: int = 10) -> int:
    """Trainable parameters of :func:`cifar_resnet` (``shortcut='zero_pad'``) by formula, without building it: the
    first 3x3 conv (no bias) and its BN (gamma, beta), two 3x3 convs with BN per block, the dense softmax layer.
    The plain network of the same depth has the same count. For depths whose model would take long to build
    (ResNet-1202: 19.4 M)."""
    n = _blocks_per_stage(depth, widths)
    _check_int("num_classes", num_classes, minimum=2)
    total = 3 * 3 * 3 * widths[0] + 2 * widths[0]
    channels = widths[0]
    for filters in widths:
        for _ in range(n):
            total += 9 * channels * filters + 9 * filters * filters + 4 * filters
            channels = filters
    return total + channels * num_classes + num_classes


def train_trace(model: keras.Model, x, y, steps: int, batch_size: int = 32,
                learning_rate: float | keras.optimizers.schedules.LearningRateSchedule = 0.05,
                layer: str = "conv1") -> dict[str, list[float]]:
    """Train ``model`` with SGD (momentum 0.9) on ``steps`` consecutive mini-batches of ``(x, y)`` (sparse labels)
    and record, before every update, the mini-batch loss (the data term, without weight decay) and the L2 norm of
    the gradient with respect to the kernel of ``layer`` (the first convolution by default). ``learning_rate`` is a
    number or a Keras schedule (e.g. with a warm-up). Like ``fit``, the gradient includes the model's
    regularisation losses (weight decay).
    Returns ``{'loss': [...], 'grad_norm': [...]}``."""
    import numpy as np
    import tensorflow as tf

    _check_int("steps", steps)
    _check_int("batch_size", batch_size)
    if len(x) < batch_size:
        raise ValueError(f"batch_size must be <= the number of examples ({len(x)}), got {batch_size}")
    names = [lay.name for lay in model.layers]
    if layer not in names:
        raise ValueError(f"layer must be one of the model's layers, e.g. {names[1:4]}, got {layer!r}")
    kernel = model.get_layer(layer).kernel
    optimizer = keras.optimizers.SGD(learning_rate, momentum=0.9)
    optimizer.build(model.trainable_variables)  # its variables exist before tracing: one trace, not two
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    index = [v.path for v in model.trainable_variables].index(kernel.path)

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
            total = loss + tf.add_n(model.losses) if model.losses else loss
        grads = tape.gradient(total, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss, tf.norm(grads[index])

    trace: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    batches = len(x) // batch_size
    for s in range(steps):
        i = (s % batches) * batch_size
        loss, norm = step(np.asarray(x[i:i + batch_size]), np.asarray(y[i:i + batch_size]))
        trace["loss"].append(float(loss))
        trace["grad_norm"].append(float(norm))
    return trace
