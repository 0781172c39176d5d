"""utils.interpret against hand computations: Grad-CAM with a GradientTape on Sequential and functional models
(a branch included), saliency against finite differences, occlusion against a loop, the randomisation check where
the answer is known; every bad argument raises ValueError naming it."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from utils import interpret, plots
from utils.receptive_field import receptive_field

RNG = np.random.default_rng(0)
IMAGES = RNG.random((3, 8, 8, 2)).astype("float32")


def sequential(final_softmax: str = "dense") -> keras.Model:
    """Conv-pool-conv-GAP-dense; the softmax inside the last Dense ('dense') or as its own layer ('layer')."""
    keras.utils.set_random_seed(1)
    head = [layers.Dense(3, activation="softmax", name="out")] if final_softmax == "dense" else \
        [layers.Dense(3, name="out"), layers.Softmax(name="softmax")]
    return keras.Sequential([
        keras.Input((8, 8, 2)),
        layers.Conv2D(4, 3, padding="same", activation="relu", name="c1"),
        layers.MaxPooling2D(2, name="p1"),
        layers.Conv2D(5, 3, padding="same", activation="relu", name="c2"),
        layers.GlobalAveragePooling2D(name="gap"),
        *head,
    ])


def functional() -> keras.Model:
    """Two branches after c1 (a: conv, b: pool then upsample-free 1x1 conv), added, then GAP, Dense, Activation."""
    keras.utils.set_random_seed(2)
    inputs = keras.Input((8, 8, 2))
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="c1")(inputs)
    a = layers.Conv2D(6, 3, padding="same", activation="relu", name="branch_a")(x)
    b = layers.Conv2D(6, 1, activation="relu", name="branch_b")(x)
    x = layers.Add(name="add")([a, b])
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(3, name="logits")(x)
    return keras.Model(inputs, layers.Activation("softmax", name="probs")(x))


def hand_logits_and_layer(model: keras.Model, x: tf.Tensor, layer_name: str):
    """The class scores before softmax and the layer's activations, computed without utils.interpret."""
    if isinstance(model, keras.Sequential):
        acts = None
        for layer in model.layers:
            if layer.name == "softmax":
                break
            if layer.name == "out" and layer.activation is keras.activations.softmax:
                return acts, x @ layer.kernel + layer.bias      # the Dense's pre-activation by hand
            x = layer(x)
            acts = x if layer.name == layer_name else acts
        return acts, x
    sub = keras.Model(model.inputs, [model.get_layer(layer_name).output, model.get_layer("logits").output])
    return tuple(sub(x))


def hand_grad_cam(model, images, layer_name, classes, upsample):
    x = tf.constant(images)
    with tf.GradientTape() as tape:
        acts, logits = hand_logits_and_layer(model, x, layer_name)
        score = tf.reduce_sum(tf.gather(logits, classes, axis=1, batch_dims=1))
    grads = tape.gradient(score, acts).numpy()
    acts = acts.numpy()
    cams = []
    for a, g in zip(acts, grads):
        cam = np.maximum(sum(g[..., k].mean() * a[..., k] for k in range(a.shape[-1])), 0)
        if upsample:
            cam = tf.image.resize(cam[..., None], images.shape[1:3], method="bilinear")[..., 0].numpy()
        cams.append(cam / cam.max() if cam.max() > 0 else cam)
    return np.stack(cams), logits.numpy()


@pytest.mark.parametrize("build,layer_name", [
    (lambda: sequential("dense"), "c1"), (lambda: sequential("dense"), "c2"), (lambda: sequential("layer"), "c2"),
    (functional, "c1"), (functional, "branch_a"), (functional, "branch_b"), (functional, "add"),
])
@pytest.mark.parametrize("upsample", [False, True])
def test_grad_cam_equals_the_hand_computation(build, layer_name, upsample):
    model = build()
    _, logits = hand_grad_cam(model, IMAGES, layer_name, np.zeros(3, int), upsample)
    classes = logits.argmax(axis=1)
    expected, _ = hand_grad_cam(model, IMAGES, layer_name, classes, upsample)
    got = interpret.grad_cam(model, IMAGES, layer_name, upsample=upsample)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    size = IMAGES.shape[1:3] if upsample else model.get_layer(layer_name).output.shape[1:3]
    assert got.shape == (3, *size)


def test_grad_cam_uses_the_logit_whether_softmax_is_an_activation_or_a_layer():
    inside, separate = sequential("dense"), sequential("layer")
    separate.set_weights(inside.get_weights())
    for k in range(3):
        np.testing.assert_allclose(interpret.grad_cam(inside, IMAGES, "c2", class_index=k),
                                   interpret.grad_cam(separate, IMAGES, "c2", class_index=k), atol=1e-6)


def test_grad_cam_maps_are_normalised_and_class_index_forms_agree():
    model = functional()
    maps = interpret.grad_cam(model, IMAGES, "add")
    assert maps.min() >= 0 and np.allclose(maps.reshape(3, -1).max(axis=1), 1.0)
    predicted = model.predict(IMAGES, verbose=0).argmax(axis=1)
    np.testing.assert_allclose(maps, interpret.grad_cam(model, IMAGES, "add", class_index=predicted))
    each = [interpret.grad_cam(model, IMAGES[i:i + 1], "add", class_index=int(c))[0] for i, c in enumerate(predicted)]
    np.testing.assert_allclose(maps, np.stack(each), atol=1e-6)
    other = (predicted + 1) % 3
    assert not np.allclose(maps, interpret.grad_cam(model, IMAGES, "add", class_index=other))


def test_an_all_zero_map_stays_zero():
    model = sequential()
    layer = model.get_layer("c1")
    layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])   # c1 = ReLU(0) = 0 everywhere
    maps = interpret.grad_cam(model, IMAGES, "c1")
    assert np.array_equal(maps, np.zeros_like(maps))
    assert np.array_equal(interpret.normalise(np.zeros((2, 3, 3))), np.zeros((2, 3, 3)))


def test_grad_cam_on_a_sequential_model_without_keras_input():
    """keras-team/keras-io#1903: model.output of such a model is undefined; grad_cam goes layer by layer."""
    keras.utils.set_random_seed(3)
    model = keras.Sequential([layers.Conv2D(3, 3, activation="relu", name="c"), layers.Flatten(),
                              layers.Dense(2, activation="softmax")])
    model(IMAGES)
    assert interpret.grad_cam(model, IMAGES, "c", upsample=False).shape == (3, 6, 6)


def test_cam_from_gradients_by_hand():
    acts = np.array([[[[1.0, 2.0]], [[3.0, 0.0]]]])                    # (1, 2, 1, 2)
    grads = np.array([[[[1.0, -1.0]], [[1.0, -3.0]]]])                  # alpha = (1, -2)
    raw = np.array([[[1 - 4], [3 - 0]]], dtype=float)                    # sum_k alpha_k A_k = (-3, 3)
    np.testing.assert_allclose(interpret.cam_from_gradients(acts, grads), np.maximum(raw, 0) / 3)


def smooth_model() -> keras.Model:
    keras.utils.set_random_seed(4)
    return keras.Sequential([keras.Input((5, 5, 2)), layers.Conv2D(3, 3, activation="tanh", name="c"),
                             layers.Flatten(), layers.Dense(3, activation="softmax", name="out")])


def test_saliency_equals_finite_differences():
    model = smooth_model()
    x = RNG.random((2, 5, 5, 2)).astype("float64")
    dense = model.get_layer("out")

    def logit(images: np.ndarray, k: int) -> np.ndarray:
        feats = model.layers[1](model.layers[0](tf.constant(images, "float32")))
        return (feats @ dense.kernel + dense.bias).numpy()[:, k]

    k = 2
    eps = 1e-2
    grads = np.zeros_like(x)
    for idx in np.ndindex(x.shape[1:]):
        step = np.zeros_like(x)
        step[(slice(None), *idx)] = eps
        grads[(slice(None), *idx)] = (logit(x + step, k) - logit(x - step, k)) / (2 * eps)
    expected = np.abs(grads).max(axis=-1)
    expected /= expected.reshape(2, -1).max(axis=1)[:, None, None]
    np.testing.assert_allclose(interpret.saliency(model, x, class_index=k), expected, atol=2e-3)
    np.testing.assert_allclose(interpret.input_gradients(model, x, class_index=k), grads, atol=2e-3)


def test_smoothgrad_is_seeded_and_tends_to_the_gradient_for_small_noise():
    model = smooth_model()
    x = RNG.random((2, 5, 5, 2))
    a = interpret.saliency(model, x, smooth=8, seed=1)
    assert np.array_equal(a, interpret.saliency(model, x, smooth=8, seed=1))
    assert not np.allclose(a, interpret.saliency(model, x, smooth=8, seed=2))
    np.testing.assert_allclose(interpret.saliency(model, x, smooth=4, noise=1e-6), interpret.saliency(model, x),
                               atol=1e-3)


@pytest.mark.parametrize("score", ["probability", "logit"])
def test_occlusion_equals_a_hand_loop(score):
    model = smooth_model()
    dense = model.get_layer("out")

    def scores(x: np.ndarray) -> np.ndarray:
        if score == "probability":
            return model.predict(x, verbose=0)[0]
        feats = model.layers[1](model.layers[0](tf.constant(x)))
        return (feats @ dense.kernel + dense.bias).numpy()[0]

    image = RNG.random((5, 5, 2)).astype("float32")
    patch, stride = 3, 1
    clean = scores(image[None])
    cls = int(clean.argmax())
    total, count = np.zeros((5, 5)), np.zeros((5, 5))
    for r in range(3):
        for c in range(3):
            occluded = image.copy()
            occluded[r:r + patch, c:c + patch] = image.mean(axis=(0, 1))
            drop = clean[cls] - scores(occluded[None])[cls]
            total[r:r + patch, c:c + patch] += drop
            count[r:r + patch, c:c + patch] += 1
    got = interpret.occlusion(model, image, patch=patch, stride=stride, score=score)
    np.testing.assert_allclose(got, total / count, atol=1e-5)
    assert got.shape == (5, 5)


def test_occlusion_positions_reach_the_border():
    assert interpret._starts(8, 3, 2) == [0, 2, 4, 5]
    assert interpret._starts(8, 4, 2) == [0, 2, 4]


def test_rank_correlation_with_ties_and_constant_maps():
    scipy_stats = pytest.importorskip("scipy.stats")
    a, b = RNG.integers(0, 4, (6, 6)), RNG.integers(0, 4, (6, 6))
    assert interpret.rank_correlation(a, b) == pytest.approx(scipy_stats.spearmanr(a.ravel(), b.ravel())[0])
    assert interpret.rank_correlation(a, 2 * a + 1) == pytest.approx(1.0)
    assert interpret.rank_correlation(a, -a) == pytest.approx(-1.0)
    assert interpret.rank_correlation(a, np.zeros_like(a)) == 0.0


def test_top_patches_find_the_brightest_pixels_with_their_field():
    """An identity 3x3 conv (weight 1 at the centre): the unit's response is the pixel under it."""
    model = keras.Sequential([keras.Input((6, 6, 1)), layers.Conv2D(1, 3, padding="same", name="c", use_bias=False),
                              layers.Flatten(), layers.Dense(2)])
    kernel = np.zeros((3, 3, 1, 1), "float32")
    kernel[1, 1] = 1
    model.get_layer("c").set_weights([kernel])
    images = np.zeros((4, 6, 6, 1), "float32")
    for i, (r, c, v) in enumerate([(0, 0, 0.5), (2, 3, 0.9), (5, 1, 0.2), (4, 4, 0.7)]):
        images[i, r, c] = v
    patches = interpret.top_patches(model, images, "c", channel=0, k=3)
    assert [(p.index, p.unit) for p in patches] == [(1, (2, 3)), (3, (4, 4)), (0, (0, 0))]
    assert [p.value for p in patches] == pytest.approx([0.9, 0.7, 0.5])
    assert patches[0].box == receptive_field(model, "c").box((2, 3)) == ((1, 4), (2, 5))


def test_randomisation_check_where_the_answer_is_known():
    model = sequential()
    first = model.get_layer("c1")
    seen = []

    def first_kernel(m, x):  # a "map" that depends only on c1's weights
        seen.append(m.get_layer("out").bias.numpy().copy())
        return np.repeat(np.abs(m.get_layer("c1").kernel.numpy()).sum(axis=(2, 3))[None], len(x), axis=0)

    before = [w.copy() for w in model.get_weights()]
    check = interpret.randomisation_check(model, IMAGES, first_kernel)
    assert check.steps == ("trained", "out", "c2", "c1") == ("trained", *interpret.weighted_layers(model))
    np.testing.assert_allclose(check.similarity[:3], 1.0)               # randomising the layers above c1: no change
    assert check.similarity[3].max() < 0.9                               # re-initialising c1 changes it
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())), "weights restored"
    assert np.array_equal(seen[1], np.zeros(3)), "re-initialised with the layer's own bias_initializer (zeros)"
    assert check.mean()["trained"] == 1.0
    again = interpret.randomisation_check(model, IMAGES, first_kernel)
    np.testing.assert_array_equal(check.maps, again.maps)              # seeded
    image_only = interpret.randomisation_check(model, IMAGES, lambda m, x: x[..., 0], layers=["c1"])
    np.testing.assert_allclose(image_only.similarity, 1.0)              # ignores the model: passes every step
    assert first is model.get_layer("c1")


def test_randomisation_check_restores_weights_when_explain_fails():
    model = sequential()
    before = [w.copy() for w in model.get_weights()]
    calls = []

    def fails_second_time(m, x):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return x[..., 0]

    with pytest.raises(RuntimeError):
        interpret.randomisation_check(model, IMAGES, fails_second_time)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_figures_build():
    maps = {"saliency": RNG.random((3, 8, 8)), "occlusion": RNG.normal(size=(3, 8, 8)), "coarse": RNG.random((3, 2, 2))}
    fig = plots.heatmaps(IMAGES[..., :1], maps, titles=["a", "b", "c"])
    assert len(fig.axes) == 4 * 4, "3 images and 9 maps, one colourbar beside each row of maps"
    fig = plots.heatmaps(IMAGES[..., :1], {"a": RNG.random((3, 8, 8))}, label={"a": "drop"})
    assert fig.axes[-1].get_ylabel() == "drop"
    sims = RNG.uniform(-1, 1, (4, 5))
    fig = plots.randomisation_curves(["trained", "x", "y", "z"], {"m": sims, "n": sims}, references={"pass": 0.5})
    assert len(fig.axes[0].lines) >= 2 and [t.get_text() for t in fig.axes[0].get_xticklabels()][:2] == ["trained", "x"]
    assert fig.axes[0].get_xlim()[1] > 3 + 0.4, "a margin right of the last step holds the references' labels"
    fig = plots.boxes_on_images((IMAGES[..., 0] * 255).astype("uint8"), [((-1, 2), (0, 3))] * 3, ncols=2)
    assert len(fig.axes) == 4 and len(fig.axes[0].patches) == 1
    assert fig.axes[0].get_ylim()[1] == -1.5, "the box reaching one row above the image widens the view"
    assert fig.axes[0].get_facecolor()[:3] == (0.0, 0.0, 0.0), "beyond the image: black, the zero padding"


@pytest.mark.parametrize("call,argument", [
    (lambda: interpret.grad_cam("model", IMAGES, "c1"), "model"),
    (lambda: interpret.grad_cam(sequential(), IMAGES[0], "c1"), "images"),
    (lambda: interpret.grad_cam(sequential(), IMAGES[..., :1], "c1"), "images"),
    (lambda: interpret.grad_cam(sequential(), IMAGES, "nope"), "layer_name"),
    (lambda: interpret.grad_cam(sequential(), IMAGES, "out"), "layer_name"),
    (lambda: interpret.grad_cam(sequential(), IMAGES, "gap"), "layer_name"),
    (lambda: interpret.grad_cam(functional(), IMAGES, "gap"), "layer_name"),
    (lambda: interpret.grad_cam(sequential(), IMAGES, "c1", class_index=3), "class_index"),
    (lambda: interpret.grad_cam(sequential(), IMAGES, "c1", class_index=[0, 1]), "class_index"),
    (lambda: interpret.grad_cam(sequential(), IMAGES, "c1", upsample="yes"), "upsample"),
    (lambda: interpret.saliency(sequential(), IMAGES, smooth=-1), "smooth"),
    (lambda: interpret.saliency(sequential(), IMAGES, smooth=2, noise=0), "noise"),
    (lambda: interpret.occlusion(sequential(), IMAGES, patch=3), "image"),
    (lambda: interpret.occlusion(sequential(), IMAGES[0], patch=9), "patch"),
    (lambda: interpret.occlusion(sequential(), IMAGES[0], stride=0), "stride"),
    (lambda: interpret.occlusion(sequential(), IMAGES[0], score="probabilities"), "score"),
    (lambda: interpret.cam_from_gradients(np.ones((1, 2, 2, 3)), np.ones((1, 2, 2, 2))), "gradients"),
    (lambda: interpret.normalise(np.ones(3)), "maps"),
    (lambda: interpret.rank_correlation(np.ones((2, 2)), np.ones((2, 3))), "same shape"),
    (lambda: interpret.top_patches(sequential(), IMAGES, "c1", channel=4), "channel"),
    (lambda: interpret.top_patches(sequential(), IMAGES, "c1", channel=0, k=0), "k"),
    (lambda: interpret.randomisation_check(sequential(), IMAGES, "saliency"), "explain"),
    (lambda: interpret.randomisation_check(sequential(), IMAGES, lambda m, x: x[..., 0], layers=["p1"]), "layers"),
    (lambda: interpret.randomisation_check(sequential(), IMAGES, lambda m, x: x[:1, ..., 0]), "explain"),
    (lambda: plots.heatmaps(IMAGES, {"a": np.ones((2, 8, 8))}), "maps"),
    (lambda: plots.heatmaps(IMAGES, {}), "maps"),
    (lambda: plots.heatmaps(IMAGES[..., :1], {"a": np.ones((3, 8, 8))}, label={"b": "x"}), "label"),
    (lambda: plots.randomisation_curves(["a", "b"], {"m": np.ones((3, 2))}), "similarity"),
    (lambda: plots.randomisation_curves(["a", "b"], {}), "similarity"),
    (lambda: plots.boxes_on_images(IMAGES[..., 0], [((0, 1), (0, 1))]), "boxes"),
    (lambda: plots.boxes_on_images(IMAGES[..., 0], [(0, 1)] * 3), "boxes"),
])
def test_bad_arguments(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
