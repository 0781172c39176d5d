"""What one image costs a Keras model: multiply-adds and activations of a forward pass, counted by TensorFlow.

The forward pass (``training=False``, batch of one) is traced, its variables frozen into constants and nested
functions inlined -- so a TF-Hub SavedModel inside (``utils.hub.HubLayer``) is counted too -- and TensorFlow's
profiler adds up the floating-point operations it registers for each op (a convolution: 2 per multiply-add, bias
additions and other element-wise ops included). :func:`forward_cost` reports half of that as multiply-adds, and the
number of float values the ops produce (an upper bound of what back-propagation keeps per image).

>>> import keras
>>> model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3), keras.layers.Flatten(),
...                           keras.layers.Dense(10)])
>>> cost = forward_cost(model)
>>> 26 * 26 * 9 * 32 + 26 * 26 * 32 * 10 <= cost.multiply_adds < 1.05 * (26 * 26 * 9 * 32 + 26 * 26 * 32 * 10)
True
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

_NOT_COMPUTED = ("Const", "Placeholder", "Identity", "NoOp", "Shape", "Reshape", "Squeeze", "ExpandDims")


class ForwardCost(NamedTuple):
    """Cost of one image's forward pass."""

    multiply_adds: int  # half the float operations TensorFlow's profiler counts
    activations: int  # float values produced by the pass's ops (excluding constants, reshapes, identities)


def forward_cost(model: keras.Model, input_shape: tuple[int, ...] | None = None) -> ForwardCost:
    """Multiply-adds and activations of ``model`` for one input of ``input_shape`` (default: the model's input
    shape without the batch axis; needed when that has unknown sizes)."""
    if not isinstance(model, keras.Model) or not model.inputs or len(model.inputs) != 1:
        raise ValueError(f"model must be a built Keras model with one input, got {model!r}")
    shape = tuple(model.inputs[0].shape[1:]) if input_shape is None else tuple(input_shape)
    if any(n is None for n in shape):
        raise ValueError(f"input_shape must be given for a model whose input has unknown sizes, got {shape}")
    spec = tf.TensorSpec((1, *shape), model.inputs[0].dtype)
    frozen = convert_variables_to_constants_v2(
        tf.function(lambda x: model(x, training=False)).get_concrete_function(spec))
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(frozen.graph.as_graph_def(), name="")
    builder = tf.compat.v1.profiler.ProfileOptionBuilder
    options = builder(builder.float_operation()).with_empty_output().build()
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")  # the v1 profiler logs a deprecation warning on every call
    try:
        flops = tf.compat.v1.profiler.profile(graph, options=options).total_float_ops
    finally:
        logger.setLevel(level)
    activations = sum(int(np.prod(t.shape.as_list())) for op in graph.get_operations() if op.type not in _NOT_COMPUTED
                      for t in op.outputs if t.dtype.is_floating and t.shape.is_fully_defined())
    return ForwardCost(multiply_adds=int(flops) // 2, activations=activations)
