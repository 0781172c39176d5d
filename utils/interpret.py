"""What a trained CNN looks at: saliency maps, SmoothGrad, Grad-CAM, occlusion, maximally activating patches, and
the model-randomisation sanity check that tells an explanation of the model from a picture of the input.

* :func:`saliency` -- |d score / d pixel| (Simonyan et al. 2014); with ``smooth > 0`` averaged over noisy copies of
  the image (SmoothGrad, Smilkov et al. 2017).
* :func:`grad_cam` -- Selvaraju et al. 2017: the gradients of the class score with respect to a layer's activations,
  averaged over space, weight the activation channels; ReLU; each map divided by its maximum.
* :func:`occlusion` -- Zeiler & Fergus 2014: how much the class probability drops when a patch is greyed out.
* :func:`top_patches` -- the images and positions where one unit responds most, with the unit's receptive field
  (computed by :func:`utils.receptive_field.receptive_field`).
* :func:`randomisation_check` -- Adebayo et al. 2018, "Sanity checks for saliency maps": re-initialise the layers
  from the top down, cumulatively, and measure how much the map changes (Spearman rank correlation with the map of
  the trained model). A map that barely changes when the weights it should explain are destroyed explains the
  input, not the model.

The class score is the **logit**, the score before the final softmax (or sigmoid): where the last layer is a
``Softmax``/``Activation`` layer, its input; where it is a layer with ``activation="softmax"``, its pre-activation
(computed by a linear copy of that layer). Gradients of the softmax output would mix in every other class.

Works on Sequential models (layer by layer, so the Keras 3 pitfall of keras-team/keras-io#1903 -- ``model.output``
of a Sequential model that was never called -- does not arise) and functional models, including layers inside
branches. All maps are NumPy arrays of shape ``(N, H, W)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from .receptive_field import receptive_field

__all__ = ["activations", "input_gradients", "cam_from_gradients", "layer_gradients", "grad_cam", "saliency",
           "occlusion", "normalise", "rank_correlation", "Patch", "top_patches", "SanityCheck", "weighted_layers",
           "randomisation_check"]

_SQUASHING = ("softmax", "sigmoid")
_BATCH = 256  # images per forward pass: bounds memory on large inputs

Forward = Callable[[tf.Tensor], tuple[tf.Tensor | None, tf.Tensor]]


# --------------------------------------------------------------------------------------------------------------------
# Checking arguments


def _check_model(model: object) -> keras.Model:
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model (Sequential or functional), got {type(model).__name__}")
    if not isinstance(model, keras.Sequential) and (len(model.inputs) != 1 or len(model.outputs) != 1):
        raise ValueError(f"model must have one input and one output, it has {len(model.inputs)} and "
                         f"{len(model.outputs)}")
    return model


def _check_images(model: keras.Model, images: object, name: str = "images") -> np.ndarray:
    """``images`` as float32 of shape (N, *input shape); the model's input must be an image (H, W, C)."""
    try:
        x = np.asarray(images, dtype="float32")
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of images, got {type(images).__name__}") from None
    try:
        expected = tuple(model.inputs[0].shape[1:])
    except (AttributeError, ValueError, IndexError):  # a Sequential model built without keras.Input
        expected = None
    if x.ndim != 4 or x.shape[0] == 0:
        raise ValueError(f"{name} must have shape (N, height, width, channels) with N >= 1, got {x.shape}")
    if expected is not None and any(e is not None and e != g for e, g in zip(expected, x.shape[1:])):
        raise ValueError(f"{name} must have shape (N, {', '.join(map(str, expected))}) for this model, got {x.shape}")
    return x


def _check_int(value: object, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _classes(class_index: object, logits: np.ndarray) -> np.ndarray:
    """One class per image: the predicted class (None), the same class for all (int), or one per image."""
    n, k = logits.shape
    if class_index is None:
        return logits.argmax(axis=1)
    if isinstance(class_index, (int, np.integer)) and not isinstance(class_index, bool):
        classes = np.full(n, int(class_index))
    else:
        classes = np.asarray(class_index)
        if classes.dtype.kind not in "iu" or classes.shape != (n,):
            raise ValueError(f"class_index must be None, an int or {n} ints (one per image), got {class_index!r}")
    if classes.min() < 0 or classes.max() >= k:
        raise ValueError(f"class_index must lie in [0, {k}) (the model has {k} classes), got {class_index!r}")
    return classes.astype(np.int64)


# --------------------------------------------------------------------------------------------------------------------
# The forward pass: a layer's activations and the class scores before softmax


def _activation_name(layer: keras.layers.Layer) -> str:
    return getattr(getattr(layer, "activation", None), "__name__", "")


def _score_head(layer: keras.layers.Layer) -> Callable[[tf.Tensor], tf.Tensor] | None:
    """From the input of the model's last layer to the class scores before softmax/sigmoid, or None when the last
    layer's output already is that score."""
    kind = type(layer).__name__
    if kind == "Softmax" or kind == "Activation" and _activation_name(layer) in _SQUASHING:
        return lambda x: x
    if _activation_name(layer) not in _SQUASHING:
        return None
    linear = type(layer).from_config({**layer.get_config(), "activation": "linear"})

    def pre_activation(x: tf.Tensor) -> tf.Tensor:
        if not linear.built:  # a linear copy of the layer with its current weights
            linear.build(tuple(x.shape))
            linear.set_weights(layer.get_weights())
        return linear(x)

    return pre_activation


def _check_layer_name(model: keras.Model, layer_name: object) -> None:
    names = [layer.name for layer in model.layers]
    if not isinstance(layer_name, str) or layer_name not in names:
        raise ValueError(f"layer_name must be one of the model's layers {names}, got {layer_name!r}")


def _forward(model: keras.Model, layer_name: str | None = None) -> Forward:
    """``forward(x) -> (activations of layer_name or None, class scores before softmax)``, in inference mode."""
    model = _check_model(model)
    if layer_name is not None:
        _check_layer_name(model, layer_name)
    if isinstance(model, keras.Sequential):
        *body, last = model.layers
        if layer_name == last.name:
            raise ValueError(f"layer_name must name a layer with a spatial output, got the output layer {last.name!r}")
        head = _score_head(last)

        def forward(x: tf.Tensor) -> tuple[tf.Tensor | None, tf.Tensor]:
            acts = None
            for layer in body:
                x = layer(x, training=False)
                if layer.name == layer_name:
                    acts = x
            return acts, head(x) if head is not None else last(x, training=False)

        return forward
    history = model.outputs[0]._keras_history
    last = history.operation
    head = _score_head(last)
    score = model.outputs[0] if head is None else last._inbound_nodes[history.node_index].arguments.keras_tensors[0]
    outputs = [score] if layer_name is None else [model.get_layer(layer_name).output, score]
    sub = keras.Model(model.inputs[0], outputs)

    def forward(x: tf.Tensor) -> tuple[tf.Tensor | None, tf.Tensor]:
        out = sub(x, training=False)
        acts, pre = (None, out) if layer_name is None else out
        return acts, pre if head is None else head(pre)

    return forward


def _chunks(n: int) -> list[slice]:
    return [slice(i, min(i + _BATCH, n)) for i in range(0, n, _BATCH)]


def activations(model: keras.Model, images: np.ndarray, layer_name: str) -> np.ndarray:
    """The output of layer ``layer_name`` for each image, in inference mode: (N, h, w, channels)."""
    x = _check_images(model, images)
    forward = _forward(model, layer_name)
    return np.concatenate([forward(tf.constant(x[s]))[0].numpy() for s in _chunks(len(x))])


def _scores(model: keras.Model, x: np.ndarray) -> np.ndarray:
    forward = _forward(model)
    return np.concatenate([forward(tf.constant(x[s]))[1].numpy() for s in _chunks(len(x))])


def _gradients(forward: Forward, x: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """(activations, d score / d activations) -- or (None, d score / d input) when the forward has no layer --
    where the score of image i is its logit of class ``classes[i]``."""
    acts_all, grads_all = [], []
    for s in _chunks(len(x)):
        inputs = tf.constant(x[s])
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            acts, logits = forward(inputs)
            score = tf.reduce_sum(tf.gather(logits, classes[s], axis=1, batch_dims=1))
        grads = tape.gradient(score, inputs if acts is None else acts)
        if acts is not None:
            acts_all.append(acts.numpy())
        grads_all.append(grads.numpy())
    return (np.concatenate(acts_all) if acts_all else None), np.concatenate(grads_all)


# --------------------------------------------------------------------------------------------------------------------
# Gradients: saliency and SmoothGrad


def normalise(maps: np.ndarray) -> np.ndarray:
    """Divide each map (along the first axis) by its maximum; a map whose maximum is not positive stays as it is
    (an all-zero map stays zero)."""
    m = np.asarray(maps, dtype="float32")
    if m.ndim < 2:
        raise ValueError(f"maps must have shape (N, ...) with one map per row, got {m.shape}")
    peak = m.reshape(len(m), -1).max(axis=1).reshape((-1,) + (1,) * (m.ndim - 1))
    return np.where(peak > 0, m / np.where(peak > 0, peak, 1), m)


def input_gradients(model: keras.Model, images: np.ndarray, class_index: object = None) -> np.ndarray:
    """d (class score before softmax) / d input, shape (N, H, W, C). ``class_index``: None (each image's predicted
    class), an int (the same class for all) or one int per image."""
    x = _check_images(model, images)
    classes = _classes(class_index, _scores(model, x))
    return _gradients(_forward(model), x, classes)[1]


def saliency(model: keras.Model, images: np.ndarray, class_index: object = None, smooth: int = 0,
             noise: float = 0.15, seed: int = 0) -> np.ndarray:
    """Gradient saliency maps, (N, H, W) in [0, 1]: the largest |d score / d pixel| over the colour channels,
    each map divided by its maximum.

    ``smooth=0``: the vanilla gradient. ``smooth=n > 0``: SmoothGrad, the gradient averaged over ``n`` copies of
    each image with Gaussian noise of standard deviation ``noise`` x (max - min of that image) added; the class is
    fixed on the clean image. ``seed`` makes the noise reproducible.
    """
    x = _check_images(model, images)
    smooth = _check_int(smooth, "smooth", 0)
    if not isinstance(noise, (int, float)) or not noise > 0:
        raise ValueError(f"noise must be a positive fraction of the image's value range, got {noise!r}")
    classes = _classes(class_index, _scores(model, x))
    forward = _forward(model)
    if smooth == 0:
        grads = _gradients(forward, x, classes)[1]
    else:
        rng = np.random.default_rng(seed)
        spread = noise * (x.max(axis=(1, 2, 3)) - x.min(axis=(1, 2, 3)))
        noisy = x[:, None] + rng.standard_normal((len(x), smooth, *x.shape[1:])).astype("float32") \
            * spread[:, None, None, None, None].astype("float32")
        grads = _gradients(forward, noisy.reshape(-1, *x.shape[1:]), np.repeat(classes, smooth))[1]
        grads = grads.reshape(len(x), smooth, *x.shape[1:]).mean(axis=1)
    return normalise(np.abs(grads).max(axis=-1))


# --------------------------------------------------------------------------------------------------------------------
# Grad-CAM


def cam_from_gradients(activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Grad-CAM from a layer's activations A and the gradients dy/dA, both (N, h, w, K): channel weights
    alpha_k = mean over positions of dy/dA_k, map = ReLU(sum_k alpha_k A_k), divided by its maximum. (N, h, w)."""
    a, g = np.asarray(activations, dtype="float32"), np.asarray(gradients, dtype="float32")
    if a.ndim != 4 or a.shape != g.shape:
        raise ValueError(f"activations and gradients must both have shape (N, h, w, channels), got {a.shape} "
                         f"and {g.shape}")
    weights = g.mean(axis=(1, 2))                                     # alpha: (N, K)
    return normalise(np.maximum(np.einsum("nhwk,nk->nhw", a, weights), 0.0))


def layer_gradients(model: keras.Model, images: np.ndarray, layer_name: str,
                    class_index: object = None) -> tuple[np.ndarray, np.ndarray]:
    """The activations A of ``layer_name`` and the gradients d (class score before softmax) / dA, both
    (N, h, w, channels): what Grad-CAM is computed from. ``class_index`` as in :func:`grad_cam`."""
    x = _check_images(model, images)
    forward = _forward(model, layer_name)
    classes = _classes(class_index, _scores(model, x))
    acts, grads = _gradients(forward, x, classes)
    if acts.ndim != 4:
        raise ValueError(f"layer_name must name a layer with a spatial output (N, h, w, channels); "
                         f"{layer_name!r} gives shape {acts.shape}")
    return acts, grads


def grad_cam(model: keras.Model, images: np.ndarray, layer_name: str, class_index: object = None,
             upsample: bool = True) -> np.ndarray:
    """Grad-CAM maps of ``layer_name`` for each image, (N, H, W) in [0, 1] (see :func:`cam_from_gradients`).

    ``class_index``: None explains each image's predicted class, an int the same class for every image, a sequence
    one class per image. ``upsample=False`` returns the maps at the layer's resolution (h, w); ``True`` resizes
    them bilinearly to the input's height and width (and divides by the maximum again).
    """
    if not isinstance(upsample, bool):
        raise ValueError(f"upsample must be True or False, got {upsample!r}")
    cams = cam_from_gradients(*layer_gradients(model, images, layer_name, class_index))
    if not upsample:
        return cams
    size = np.shape(images)[1:3]
    resized = tf.image.resize(cams[..., None], size, method="bilinear")[..., 0].numpy()
    return normalise(np.maximum(resized, 0.0))


# --------------------------------------------------------------------------------------------------------------------
# Occlusion


_OCCLUSION_SCORES = ("probability", "logit")


def _starts(n: int, patch: int, stride: int) -> list[int]:
    """Patch positions that cover every pixel: every ``stride``-th start, plus the last possible one."""
    starts = list(range(0, n - patch + 1, stride))
    return starts if starts[-1] == n - patch else starts + [n - patch]


def occlusion(model: keras.Model, image: np.ndarray, patch: int = 6, stride: int = 2, class_index: int | None = None,
              fill: float | None = None, score: str = "probability") -> np.ndarray:
    """Occlusion sensitivity of one image (H, W, C), an (H, W) map: for every position of a ``patch`` x ``patch``
    grey square (moved by ``stride``, the last position touching the border), the drop in the class probability
    when the square hides the image; each pixel gets the mean drop over the squares that cover it. Positive:
    hiding this region hurts the class; negative: it helps.

    ``class_index`` defaults to the predicted class; ``fill`` (the square's value) to the image's mean per channel.
    ``score='logit'`` measures the drop of the score before softmax instead: a probability close to 1 hardly moves
    (the softmax saturates), its logit still does.
    """
    if score not in _OCCLUSION_SCORES:
        raise ValueError(f"score must be one of {_OCCLUSION_SCORES}, got {score!r}")
    x = _check_images(model, np.asarray(image)[None], "image")[0]
    h, w = x.shape[:2]
    patch = _check_int(patch, "patch", 1)
    stride = _check_int(stride, "stride", 1)
    if patch > min(h, w):
        raise ValueError(f"patch must be at most the image size {min(h, w)}, got {patch}")
    value = x.mean(axis=(0, 1)) if fill is None else np.float32(fill)
    positions = [(r, c) for r in _starts(h, patch, stride) for c in _starts(w, patch, stride)]
    batch = np.repeat(x[None], len(positions) + 1, axis=0)
    for k, (r, c) in enumerate(positions, start=1):
        batch[k, r:r + patch, c:c + patch] = value
    scores = _scores(model, batch)
    scores = tf.nn.softmax(scores).numpy() if score == "probability" else scores
    cls = int(_classes(class_index, scores[:1])[0])
    drops = scores[0, cls] - scores[1:, cls]
    total, count = np.zeros((h, w), "float32"), np.zeros((h, w), "float32")
    for d, (r, c) in zip(drops, positions):
        total[r:r + patch, c:c + patch] += d
        count[r:r + patch, c:c + patch] += 1
    return total / count


# --------------------------------------------------------------------------------------------------------------------
# Comparing maps


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their average rank."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    first = np.r_[True, sorted_values[1:] != sorted_values[:-1]]      # start of each run of equal values
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(values)]
    average = (starts + ends + 1) / 2.0                                   # mean of ranks start+1 .. end
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(average, ends - starts)
    return ranks


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation of two maps of the same shape (ties get their average rank), in [-1, 1]:
    1 when they order the pixels the same way. A constant map orders nothing: its correlation is 0."""
    x, y = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if np.shape(a) != np.shape(b) or x.size < 2:
        raise ValueError(f"a and b must be maps of the same shape with at least 2 values, got {np.shape(a)} and "
                         f"{np.shape(b)}")
    rx, ry = _ranks(x) - (x.size + 1) / 2, _ranks(y) - (y.size + 1) / 2
    denominator = np.sqrt((rx ** 2).sum() * (ry ** 2).sum())
    return float((rx * ry).sum() / denominator) if denominator > 0 else 0.0


# --------------------------------------------------------------------------------------------------------------------
# Maximally activating patches


@dataclass(frozen=True)
class Patch:
    """Where a unit responds most in one image: ``index`` of the image, ``unit`` (row, col) in the layer's map,
    its activation ``value`` and the unit's receptive field ``box`` ((row_start, row_stop), (col_start, col_stop))
    in input pixels (stop excluded, not clipped to the image)."""

    index: int
    unit: tuple[int, int]
    value: float
    box: tuple[tuple[int, int], tuple[int, int]]


def top_patches(model: keras.Model, images: np.ndarray, layer_name: str, channel: int, k: int = 9,
                passthrough: Sequence[str] = ()) -> list[Patch]:
    """The ``k`` images whose strongest response of ``channel`` in ``layer_name`` is largest (one patch per image,
    largest first), each with the position of that response and its receptive field
    (:func:`utils.receptive_field.receptive_field`; ``passthrough`` is passed on to it)."""
    acts = activations(model, images, layer_name)
    if acts.ndim != 4:
        raise ValueError(f"layer_name must name a layer with a spatial output, {layer_name!r} gives {acts.shape}")
    channel = _check_int(channel, "channel", 0)
    if channel >= acts.shape[-1]:
        raise ValueError(f"channel must lie in [0, {acts.shape[-1]}) for layer {layer_name!r}, got {channel}")
    k = _check_int(k, "k", 1)
    field = receptive_field(model, layer_name, passthrough=passthrough)
    flat = acts[..., channel].reshape(len(acts), -1)
    best = flat.argmax(axis=1)
    order = np.argsort(-flat.max(axis=1), kind="stable")[:k]
    patches = []
    for i in order:
        unit = tuple(int(u) for u in np.unravel_index(best[i], acts.shape[1:3]))
        patches.append(Patch(int(i), unit, float(flat[i, best[i]]), field.box(unit)))
    return patches


# --------------------------------------------------------------------------------------------------------------------
# The model-randomisation sanity check


def _initialisers(layer: keras.layers.Layer) -> list[tuple[keras.Variable, keras.initializers.Initializer]]:
    """Each weight of ``layer`` with the initialiser the layer created it with (kernel_initializer for kernel,
    depthwise_initializer for depthwise_kernel, gamma_initializer, moving_mean_initializer, ...)."""
    found = []
    for variable in layer.weights:
        name = variable.path.rsplit("/", 1)[-1]
        init = getattr(layer, f"{name}_initializer", None) or \
            getattr(layer, f"{name.removesuffix('_kernel')}_initializer", None)
        if init is None:
            if variable.trainable:
                raise ValueError(f"layer {layer.name!r} has no initializer for its weight {name!r}: it cannot be "
                                 "re-initialised; leave it out of layers")
            continue
        found.append((variable, keras.initializers.get(init)))
    return found


def weighted_layers(model: keras.Model) -> list[str]:
    """Names of the layers with weights that :func:`randomisation_check` re-initialises, from the output to the
    input (the order of the cascade). Nested models are searched too."""
    names = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            names += reversed(weighted_layers(layer))
        elif _initialisers(layer):
            names.append(layer.name)
    return names[::-1]


def _find_layer(model: keras.Model, name: str) -> keras.layers.Layer | None:
    for layer in model.layers:
        if layer.name == name:
            return layer
        if isinstance(layer, keras.Model):
            inner = _find_layer(layer, name)
            if inner is not None:
                return inner
    return None


@dataclass(frozen=True)
class SanityCheck:
    """Result of :func:`randomisation_check`: ``steps`` ('trained', then each layer re-initialised on top of the
    previous ones), ``maps`` (steps, N, H, W) and ``similarity`` (steps, N), the rank correlation of each map with the
    trained model's map of the same image (row 0 is 1)."""

    steps: tuple[str, ...]
    maps: np.ndarray
    similarity: np.ndarray

    def mean(self) -> dict[str, float]:
        """Mean similarity over the images at each step."""
        return {step: float(s) for step, s in zip(self.steps, self.similarity.mean(axis=1))}


def randomisation_check(model: keras.Model, images: np.ndarray,
                        explain: Callable[[keras.Model, np.ndarray], np.ndarray],
                        layers: Sequence[str] | None = None, seed: int = 0) -> SanityCheck:
    """Cascading model randomisation (Adebayo et al. 2018). ``explain(model, images)`` returns (N, H, W) maps; it is
    called on the trained model, then again after each layer of ``layers`` (default :func:`weighted_layers`: every
    layer with weights, from the output down) has been re-initialised with its own initialisers, cumulatively.
    Fix the explained class inside ``explain`` (e.g. the trained model's prediction), as the paper does.
    The model's trained weights are restored afterwards, also when ``explain`` fails."""
    model = _check_model(model)
    x = _check_images(model, images)
    if not callable(explain):
        raise ValueError(f"explain must be a function (model, images) -> maps, got {explain!r}")
    names = weighted_layers(model) if layers is None else list(layers)
    chosen = [_find_layer(model, n) if isinstance(n, str) else None for n in names]
    if not names or None in chosen or any(not _initialisers(layer) for layer in chosen):
        raise ValueError(f"layers must be names of layers with weights, e.g. {weighted_layers(model)}, got {layers!r}")
    _check_int(seed, "seed", 0)
    saved = [v.numpy() for v in model.weights]
    maps = [np.asarray(explain(model, x), dtype="float32")]
    try:
        for step, layer in enumerate(chosen):
            for k, (variable, init) in enumerate(_initialisers(layer)):
                config = init.get_config()
                if "seed" in config:  # a fresh seeded initialiser: the same random weights on every run
                    init = type(init).from_config({**config, "seed": seed + 1000 * step + k})
                variable.assign(init(tuple(variable.shape), variable.dtype))
            maps.append(np.asarray(explain(model, x), dtype="float32"))
    finally:
        for variable, value in zip(model.weights, saved):
            variable.assign(value)
    stack = np.stack(maps)
    if stack.shape[1] != len(x):
        raise ValueError(f"explain must return one map per image ({len(x)}), got shape {stack.shape[1:]}")
    similarity = np.array([[rank_correlation(stack[0, n], stack[s, n]) for n in range(len(x))]
                           for s in range(len(stack))])
    return SanityCheck(("trained", *names), stack, similarity)
