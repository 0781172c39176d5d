"""Receptive fields of Keras models: the analytic calculator and its empirical (gradient) check.

Along one spatial axis a unit ``i`` of a layer sees the input pixels ``[offset + i*stride, offset + i*stride + size)``
(Araujo, Norris & Sim, "Computing receptive fields of convolutional neural networks", Distill 2019). Each layer
maps the field of its input to the field of its output; with ``k_eff = dilation*(kernel-1) + 1``:

    size'   = size + (k_eff - 1) * stride        # the window widens by (k_eff - 1) input steps
    stride' = stride * s                          # the "jump" between neighbouring units, in input pixels
    offset' = offset - pad_before * stride        # -offset is the effective padding

:func:`receptive_field` walks the graph of any Keras 3 functional or Sequential model with these rules;
:func:`empirical_receptive_field` measures the same quantity with gradients.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from .conv import padding_amounts

__all__ = ["AxisField", "ReceptiveField", "EmpiricalField", "receptive_field", "empirical_receptive_field",
           "stack_field", "layers_needed", "PASS_THROUGH"]


@dataclass(frozen=True)
class AxisField:
    """The receptive field along one spatial axis.

    ``size``: input pixels one unit sees; ``stride``: input pixels between neighbouring units (the jump; 0 when every
    unit sees the same region, after global pooling); ``offset``: input coordinate of the first pixel of unit 0's
    field (negative when it starts in the padding; ``None`` when it depends on an unknown input size).
    """

    size: int
    stride: int
    offset: int | None

    @property
    def padding(self) -> int | None:
        """Effective padding: zeros the field of unit 0 reaches before the input (``-offset``)."""
        return None if self.offset is None else -self.offset

    @property
    def is_global(self) -> bool:
        return self.stride == 0

    def span(self, i: int = 0) -> tuple[int, int]:
        """``(start, stop)`` of unit ``i``'s field in input coordinates (``stop`` excluded; may leave the input)."""
        if self.offset is None:
            raise ValueError("offset is unknown (padding 'same' with stride > 1 on an input of unknown size)")
        start = self.offset + i * self.stride
        return start, start + self.size

    def then(self, kernel: int = 1, stride: int = 1, pad_before: int | None = 0, dilation: int = 1) -> AxisField:
        """The field after one more sliding-window layer (conv, pooling, padding when ``kernel=1``)."""
        extent = dilation * (kernel - 1) + 1
        offset = None if self.offset is None or pad_before is None else self.offset - pad_before * self.stride
        return AxisField(self.size + (extent - 1) * self.stride, self.stride * stride, offset)

    def whole(self, n: int | None, where: str) -> AxisField:
        """The union of the fields of all ``n`` units of this axis: what a global pooling or Flatten sees."""
        if self.stride == 0:
            return self
        if n is None:
            raise ValueError(f"layer {where!r} sees the whole input, whose size is unknown: build the model with a "
                             "fixed input shape, e.g. keras.Input((224, 224, 3))")
        return AxisField((n - 1) * self.stride + self.size, 0, self.offset)


@dataclass(frozen=True)
class ReceptiveField:
    """The receptive field of the units of ``layer`` with respect to the model input, one :class:`AxisField` per
    spatial axis (rows, cols for images). ``size``, ``stride`` and ``padding`` give the per-axis tuples."""

    layer: str
    axes: tuple[AxisField, ...]
    input_size: tuple[int | None, ...]

    @property
    def size(self) -> tuple[int, ...]:
        return tuple(a.size for a in self.axes)

    @property
    def stride(self) -> tuple[int, ...]:
        return tuple(a.stride for a in self.axes)

    @property
    def padding(self) -> tuple[int | None, ...]:
        return tuple(a.padding for a in self.axes)

    @property
    def offset(self) -> tuple[int | None, ...]:
        return tuple(a.offset for a in self.axes)

    def box(self, unit: Sequence[int]) -> tuple[tuple[int, int], ...]:
        """``(start, stop)`` per axis of the field of the unit with index ``unit`` (e.g. ``(row, col)``),
        in input coordinates, not clipped to the input."""
        if len(unit) != len(self.axes):
            raise ValueError(f"unit must have {len(self.axes)} indices (one per spatial axis), got {unit!r}")
        return tuple(a.span(i) for a, i in zip(self.axes, unit))

    def __str__(self) -> str:
        fmt = lambda t: " x ".join("?" if v is None else str(v) for v in t)  # noqa: E731
        return f"{self.layer}: size {fmt(self.size)}, stride {fmt(self.stride)}, padding {fmt(self.padding)}"


# Layers (by class name) that act on each position separately: they leave the field unchanged.
PASS_THROUGH = frozenset({
    "InputLayer", "BatchNormalization", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Dropout",
    "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
    "Rescaling", "Normalization", "Identity", "ActivityRegularization", "UnitNormalization",
    "RandomFlip", "RandomContrast", "RandomBrightness",  # inactive at inference; flips keep the field size
    "LayerScale", "StochasticDepth",  # keras.applications.convnext: per-channel scale, drop-path (inactive)
})
MERGES = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Divide",
                    "CustomScaleLayer",  # keras.applications.inception_resnet_v2: x + scale * branch
                    "TrueDivide"})
_NO_SPATIAL = frozenset({"Flatten", "Reshape", "Dense", "EinsumDense"})


def _tuple(value: object, n: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (int(value),) * n


def _spatial(shape: Sequence[int | None], data_format: str = "channels_last") -> tuple[int | None, ...]:
    return tuple(shape[2:]) if data_format == "channels_first" else tuple(shape[1:-1])


def _window(layer: keras.layers.Layer, fields: tuple[AxisField, ...], in_shape: Sequence[int | None]) -> tuple:
    """Conv*, DepthwiseConv*, SeparableConv*, *Pooling*: the sliding-window rule on every spatial axis."""
    kernel = getattr(layer, "kernel_size", None) or layer.pool_size
    nd = len(kernel)
    if nd != len(fields):
        raise ValueError(f"layer {layer.name!r} slides over {nd} axes but the input has {len(fields)} spatial axes")
    strides = _tuple(layer.strides, nd)
    dilation = _tuple(getattr(layer, "dilation_rate", 1), nd)
    padding = layer.padding.lower()
    sizes = _spatial(in_shape, getattr(layer, "data_format", "channels_last"))
    out = []
    for f, n, k, s, d in zip(fields, sizes, kernel, strides, dilation):
        if padding == "same" and n is None and s > 1:
            before = None  # TensorFlow's split of the 'same' zeros depends on the input length
        else:
            before = padding_amounts(n or 1, k, s, padding, d)[0]
        out.append(f.then(k, s, before, d))
    return tuple(out)


def _shift(layer: keras.layers.Layer, fields: tuple[AxisField, ...], sign: int) -> tuple:
    """ZeroPadding* (sign +1: the field of unit 0 starts earlier) and Cropping* (sign -1: later)."""
    amounts = layer.padding if sign > 0 else layer.cropping
    amounts = [amounts] if isinstance(amounts[0], int) else amounts
    if len(amounts) != len(fields):
        raise ValueError(f"layer {layer.name!r} acts on {len(amounts)} axes but the input has {len(fields)}")
    return tuple(f.then(1, 1, sign * int(a[0])) for f, a in zip(fields, amounts))


def _union(name: str, branches: list[tuple[tuple[AxisField, ...], Sequence[int | None]]],
           out_size: tuple[int | None, ...]) -> tuple:
    """A merge: each output unit sees the union of what the matching units of its inputs see."""
    result = []
    for axis, n_out in enumerate(out_size):
        fs = []
        for fields, size in branches:
            f = fields[axis]
            # a branch of length 1 broadcast over a longer output: every unit sees the same region
            if len(size) == len(out_size) and size[axis] == 1 and n_out != 1 and f.stride:
                f = f.whole(1, name)
            fs.append(f)
        strides = {f.stride for f in fs}
        if any(f.offset is None for f in fs):
            if len(strides) > 1:
                raise ValueError(f"layer {name!r} merges branches with different strides whose offsets are unknown: "
                                 "build the model with a fixed input shape")
            result.append(AxisField(max(f.size for f in fs), fs[0].stride, None))  # assumes aligned branches
        elif len(strides) == 1:
            start = min(f.offset for f in fs)
            result.append(AxisField(max(f.offset + f.size for f in fs) - start, fs[0].stride, start))
        else:
            if n_out is None:
                raise ValueError(f"layer {name!r} merges branches with strides {sorted(strides)} on an axis of "
                                 "unknown length: build the model with a fixed input shape")
            spans = [(min(f.offset + i * f.stride for f in fs), max(f.offset + i * f.stride + f.size for f in fs))
                     for i in range(n_out)]
            starts, sizes = [a for a, _ in spans], {b - a for a, b in spans}
            steps = set(np.diff(starts).tolist()) or {0}
            if len(sizes) > 1 or len(steps) > 1:
                raise ValueError(f"layer {name!r} merges misaligned branches: its units see fields of different "
                                 f"sizes {sorted(sizes)}, so no single receptive field describes them")
            result.append(AxisField(sizes.pop(), int(steps.pop()), starts[0]))
    return tuple(result)


class _Walker:
    """Propagates per-axis fields through a Keras graph, tensor by tensor, memoised."""

    def __init__(self, passthrough: frozenset[str]) -> None:
        self.passthrough = PASS_THROUGH | passthrough
        self.memo: dict[int, tuple[AxisField, ...]] = {}

    def field(self, tensor: keras.KerasTensor) -> tuple[AxisField, ...]:
        """The field of ``tensor``, computing its ancestors first (iteratively: graphs can be deep)."""
        todo = [tensor]
        while todo:
            t = todo[-1]
            if id(t) in self.memo:
                todo.pop()
                continue
            history = getattr(t, "_keras_history", None)
            if history is None:
                raise ValueError(f"tensor {t!r} is not part of a Keras functional graph")
            op, node_index, _ = history
            node = op._inbound_nodes[node_index]
            inputs = node.arguments.keras_tensors
            if not inputs:  # an Input: the identity field
                self.memo[id(t)] = tuple(AxisField(1, 1, 0) for _ in _spatial(t.shape))
                continue
            missing = [x for x in inputs if id(x) not in self.memo]
            if missing:
                todo.extend(missing)
                continue
            self.memo[id(t)] = self.apply(op, node, t)
            todo.pop()
        return self.memo[id(tensor)]

    def apply(self, op: keras.Operation, node: object, tensor: keras.KerasTensor) -> tuple[AxisField, ...]:
        inputs = node.arguments.keras_tensors
        fields = [self.field(t) for t in inputs]
        kind, name = type(op).__name__, op.name
        if isinstance(op, keras.Model):  # a nested model: walk it with its inputs bound to our fields
            inner = _Walker(self.passthrough)
            for t, f in zip(op.inputs, fields):
                inner.memo[id(t)] = f
            return inner.field(op.outputs[node.outputs.index(tensor)])
        if kind in self.passthrough or kind in ("Dense", "EinsumDense") and len(inputs[0].shape) > 2:
            return fields[0]
        if kind in ("LayerNormalization", "GroupNormalization"):  # per position only if it normalises channels
            rank = len(inputs[0].shape)
            axes = {a % rank for a in _tuple(getattr(op, "axis", -1), 1)}
            if kind == "LayerNormalization" and axes == {rank - 1}:
                return fields[0]
            return tuple(f.whole(n, name) for f, n in zip(fields[0], _spatial(inputs[0].shape)))
        if kind in MERGES:
            axis = getattr(op, "axis", -1)
            rank = len(tensor.shape)
            if kind == "Concatenate" and axis % rank != rank - 1:
                raise ValueError(f"layer {name!r} concatenates along axis {axis}; only the channel axis (-1) is "
                                 "supported")
            return _union(name, [(f, _spatial(t.shape)) for f, t in zip(fields, inputs)], _spatial(tensor.shape))
        if "Transpose" in kind or "UpSampling" in kind:
            raise ValueError(f"layer {name!r} ({kind}) upsamples; fractional strides are not supported")
        if hasattr(op, "kernel_size") and hasattr(op, "strides") or kind.endswith(("Pooling1D", "Pooling2D",
                                                                                   "Pooling3D")) \
                and not kind.startswith("Global"):
            return _window(op, fields[0], inputs[0].shape)
        if kind.startswith("Global") and "Pooling" in kind:
            return tuple(f.whole(n, name) for f, n in zip(fields[0], _spatial(inputs[0].shape, op.data_format)))
        if kind.startswith("ZeroPadding"):
            return _shift(op, fields[0], +1)
        if kind.startswith("Cropping"):
            return _shift(op, fields[0], -1)
        if kind in _NO_SPATIAL:  # Flatten, Reshape, Dense on a flat tensor: every output sees the whole input
            if kind == "Reshape" and _spatial(inputs[0].shape) == _spatial(tensor.shape) or \
                    all(f.stride == 0 for f in fields[0]):
                return fields[0]
            if kind == "Reshape":
                raise ValueError(f"layer {name!r} (Reshape) rearranges spatial positions; not supported")
            return tuple(f.whole(n, name) for f, n in zip(fields[0], _spatial(inputs[0].shape)))
        raise ValueError(f"layer {name!r} of type {kind} is not supported by the receptive-field calculator; if it "
                         f"acts on each position separately, pass passthrough=[{kind!r}]")


def _output_tensor(model: keras.Model, layer_name: str) -> keras.KerasTensor:
    if not isinstance(layer_name, str):
        raise ValueError(f"layer_name must be a str (one of model's layer names), got {layer_name!r}")
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"layer_name must be one of the model's layers {names[:8]}..., got {layer_name!r}")
    try:
        return model.get_layer(layer_name).output
    except (AttributeError, ValueError) as err:
        raise ValueError(f"layer {layer_name!r} has no single output in a built graph ({err}); build the model "
                         "with keras.Input") from None


def receptive_field(model: keras.Model, layer_name: str, passthrough: Iterable[str] = ()) -> ReceptiveField:
    """Receptive field (size, stride, padding per spatial axis) of the units of ``layer_name`` w.r.t. the input.

    Works on Keras 3 functional and Sequential models built with ``keras.Input`` (keras.applications included):
    Conv1D/2D/3D, DepthwiseConv, SeparableConv (any kernel, stride, padding, dilation), Max/Average pooling,
    ZeroPadding, Cropping, global pooling and Flatten (field = whole input), per-position layers (BatchNorm,
    activations, Dropout, Rescaling, Normalization, Dense on feature maps) and merges (Add, Multiply, ...,
    Concatenate on channels; the field is the union of the branches' fields). Layers it cannot handle raise
    ``ValueError`` naming the layer; declare your own per-position layers with ``passthrough=["ClassName"]``.
    Effective padding of 'same' layers with stride > 1 depends on the input size: ``None`` when that is unknown.

    >>> m = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Conv2D(1, 3, name="c1"),
    ...                       keras.layers.Conv2D(1, 3, name="c2")])
    >>> receptive_field(m, "c2").size
    (5, 5)
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model (functional or Sequential), got {type(model).__name__}")
    if isinstance(passthrough, str):
        raise ValueError(f"passthrough must be a list of layer class names, got the string {passthrough!r}")
    tensor = _output_tensor(model, layer_name)
    if len(model.inputs) != 1:
        raise ValueError(f"model must have exactly one input, it has {len(model.inputs)}")
    axes = _Walker(frozenset(passthrough)).field(tensor)
    return ReceptiveField(layer_name, axes, _spatial(model.inputs[0].shape))


def stack_field(layers: Iterable[tuple[int, int] | tuple[int, int, int]]) -> AxisField:
    """Receptive field along one axis of a plain stack of sliding windows ``(kernel, stride[, dilation])``,
    valid padding: the formula without a model, for tables and exercises.

    >>> stack_field([(3, 1)] * 5).size, stack_field([(3, 1, 2 ** l) for l in range(5)]).size
    (11, 63)
    """
    f = AxisField(1, 1, 0)
    for spec in layers:
        if len(spec) not in (2, 3) or any(not isinstance(v, (int, np.integer)) or v < 1 for v in spec):
            raise ValueError(f"layers must hold (kernel, stride) or (kernel, stride, dilation) positive ints, "
                             f"got {spec!r}")
        f = f.then(spec[0], spec[1], 0, spec[2] if len(spec) == 3 else 1)
    return f


@dataclass(frozen=True)
class EmpiricalField:
    """What gradients say about one unit: ``gradient`` (|d unit / d input| summed over channels, input-sized),
    the ``unit`` index, and per axis the ``start``/``size`` of the non-zero region (clipped to the input)."""

    gradient: np.ndarray
    unit: tuple[int, ...]
    start: tuple[int, ...]
    size: tuple[int, ...]


_ACTIVATION_LAYERS = ("Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Dropout", "SpatialDropout2D")


def _linear_copy(model: keras.Model) -> keras.Model:
    """A float64 copy with identity activations, average instead of max pooling, positive averaging kernels and
    identity batch norm: every input pixel inside the field then gets a strictly positive gradient."""

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        kind = type(layer).__name__
        if kind in _ACTIVATION_LAYERS:
            return keras.layers.Identity(name=layer.name, dtype="float64")
        if "activation" in config:
            config["activation"] = "linear"
        config["dtype"] = "float64"
        if kind.startswith("MaxPooling"):
            return getattr(keras.layers, kind.replace("Max", "Average")).from_config(config)
        return type(layer).from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    for layer in copy.layers:
        weights = []
        for w in layer.weights:
            name, shape = w.path.rsplit("/", 1)[-1], tuple(w.shape)
            if "kernel" in name:  # positive, normalised so activations neither explode nor vanish
                fan_in = int(np.prod(shape[:-1])) if "depthwise" not in name else int(np.prod(shape[:2]))
                weights.append(np.full(shape, 1.0 / fan_in))
            elif name in ("gamma", "variance", "moving_variance"):
                weights.append(np.ones(shape))
            else:  # biases, beta, means
                weights.append(np.zeros(shape))
        layer.set_weights(weights) if weights else None
    return copy


def empirical_receptive_field(model: keras.Model, layer_name: str, mode: str = "linear",
                              inputs: np.ndarray | None = None, unit: Sequence[int] | None = None,
                              samples: int = 8, seed: int = 0) -> EmpiricalField:
    """Measure a unit's receptive field by back-propagating from it to the input.

    ``mode='linear'`` (default) differentiates a copy with positive averaging kernels, identity activations and
    average pooling (see :func:`_linear_copy`): its non-zero gradient region is exactly the analytic field, with no
    dead ReLUs, zero weights or max-pool routing to hide parts of it. ``mode='model'`` differentiates the model as
    it is, averaging |gradient| over ``inputs`` (default: ``samples`` standard-normal images): the *effective*
    receptive field of Luo et al. (2016). ``unit`` (one index per spatial axis) defaults to the central unit;
    channels are summed. The model input must have a fixed spatial size.
    """
    if mode not in ("linear", "model"):
        raise ValueError(f"mode must be 'linear' or 'model', got {mode!r}")
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {type(model).__name__}")
    tensor = _output_tensor(model, layer_name)
    in_shape = tuple(model.inputs[0].shape[1:])
    if any(d is None for d in in_shape):
        raise ValueError(f"model input must have a fixed shape to measure gradients, got {in_shape}")
    sub = keras.Model(model.inputs, tensor)
    if mode == "linear":
        sub = _linear_copy(sub)
        x = np.ones((1, *in_shape))
    else:
        x = np.random.default_rng(seed).standard_normal((samples, *in_shape)) if inputs is None else np.asarray(inputs)
        if x.shape[1:] != in_shape:
            raise ValueError(f"inputs must have shape (batch, {', '.join(map(str, in_shape))}), got {x.shape}")
    out_spatial = _spatial(tensor.shape)
    unit = tuple(n // 2 for n in out_spatial) if unit is None else tuple(int(u) for u in unit)
    if len(unit) != len(out_spatial) or any(not 0 <= u < n for u, n in zip(unit, out_spatial)):
        raise ValueError(f"unit must hold one index per spatial axis within {out_spatial}, got {unit!r}")
    x = tf.convert_to_tensor(x, dtype=sub.inputs[0].dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = sub(x, training=False)
        target = tf.reduce_sum(y[(slice(None), *unit)])
    grad = np.abs(tape.gradient(target, x).numpy()).sum(axis=(0, -1))
    nonzero = np.nonzero(grad > 0)
    if not nonzero[0].size:
        raise ValueError(f"the gradient of unit {unit} of {layer_name!r} is zero everywhere (dead unit?)")
    start = tuple(int(idx.min()) for idx in nonzero)
    size = tuple(int(idx.max()) - s + 1 for idx, s in zip(nonzero, start))
    return EmpiricalField(grad, unit, start, size)


def layers_needed(target: int, growth: str = "stack", kernel: int = 3) -> int:
    """Smallest number of ``kernel``-wide layers whose field reaches ``target`` pixels: ``'stack'`` (stride 1),
    ``'stride2'`` (every layer stride 2), ``'dilation2'`` (constant dilation 2) or ``'doubling'`` (dilation
    1, 2, 4, ...)."""
    specs = {"stack": lambda l: (kernel, 1), "stride2": lambda l: (kernel, 2), "dilation2": lambda l: (kernel, 1, 2),
             "doubling": lambda l: (kernel, 1, 2 ** l)}
    if growth not in specs:
        raise ValueError(f"growth must be one of {sorted(specs)}, got {growth!r}")
    if not isinstance(target, int) or target < 1:
        raise ValueError(f"target must be a positive int, got {target!r}")
    f, count = AxisField(1, 1, 0), 0
    while f.size < target:
        spec = specs[growth](count)
        f = f.then(spec[0], spec[1], 0, spec[2] if len(spec) == 3 else 1)
        count += 1
    return count

