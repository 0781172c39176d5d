"""utils.hub: a TF2 reusable SavedModel as a Keras 3 layer that really fine-tunes, and clear offline errors.

Every test uses a small SavedModel exported here (conv with an L2 regularizer, batch norm, pooling), so nothing needs
the network, which conftest.py blocks.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import keras
from keras import layers

from utils import hub as uhub
from utils import runtime

SHAPE = (8, 8, 3)
L2 = 0.05


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    runtime.seed_everything(0)
    inputs = keras.Input(SHAPE)
    x = layers.Conv2D(6, 3, kernel_regularizer=keras.regularizers.L2(L2), name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU()(x)
    outputs = layers.GlobalAveragePooling2D()(x)
    return uhub.export_reusable(keras.Model(inputs, outputs), tmp_path_factory.mktemp("hub") / "backbone")


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    return rng.random((64, *SHAPE), dtype=np.float32), rng.integers(0, 3, 64)


def classifier(backbone: keras.layers.Layer, learning_rate: float = 0.01) -> keras.Model:
    model = keras.Sequential([keras.Input(SHAPE), backbone, layers.Dense(3, name="head")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def values(layer: uhub.HubLayer) -> dict[str, np.ndarray]:
    return {v.name: v.numpy().copy() for v in layer.weights}


def test_export_has_the_reusable_savedmodel_attributes(saved_model):
    obj = tf.saved_model.load(str(saved_model))
    assert callable(obj) and len(obj.regularization_losses) == 1
    names = sorted(v.name for v in obj.variables)
    assert names == sorted(["conv/kernel:0", "conv/bias:0", "bn/gamma:0", "bn/beta:0", "bn/moving_mean:0",
                            "bn/moving_variance:0"])
    assert sorted(v.name for v in obj.trainable_variables) == ["bn/beta:0", "bn/gamma:0", "conv/bias:0",
                                                               "conv/kernel:0"]
    x = np.ones((2, *SHAPE), np.float32)
    assert obj(x, training=False).shape == (2, 6)


def test_frozen_layer_adds_no_trainable_weights_and_does_not_change(saved_model, batch):
    backbone = uhub.hub_layer(saved_model, name="frozen")
    model = classifier(backbone)
    assert backbone.trainable_weights == [] and len(backbone.non_trainable_weights) == 6
    assert [w.path.split("/", 1)[1] for w in model.trainable_weights] == ["head/kernel", "head/bias"]
    before = values(backbone)
    head_before = model.get_layer("head").kernel.numpy().copy()
    model.fit(*batch, epochs=2, batch_size=16, verbose=0)
    for name, value in values(backbone).items():  # batch-norm statistics too: a frozen module runs in inference mode
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    assert not np.allclose(model.get_layer("head").kernel.numpy(), head_before), "the head must train"
    assert model.losses == [], "a frozen module adds no regularization loss"


def test_trainable_layer_is_fine_tuned_by_fit(saved_model, batch):
    backbone = uhub.hub_layer(saved_model, trainable=True)
    model = classifier(backbone)
    module = backbone._module
    # The Keras variables wrap the very tf.Variables the SavedModel's functions read.
    assert {id(w.value) for w in model.trainable_weights} >= {id(v) for v in module.trainable_variables}
    assert len(model.trainable_weights) == 4 + 2
    x = batch[0][:4]
    out_before = module(x, training=False).numpy()
    before = values(backbone)
    model.fit(*batch, epochs=2, batch_size=16, verbose=0)  # Adam creates a slot per variable: names must be valid
    after = values(backbone)
    for name in ("conv_kernel", "conv_bias", "bn_gamma", "bn_beta"):
        assert np.abs(after[name] - before[name]).max() > 1e-4, f"{name} was not fine-tuned"
    for name in ("bn_moving_mean", "bn_moving_variance"):  # training=True reached the batch norm inside
        assert np.abs(after[name] - before[name]).max() > 1e-4, f"{name} was not updated in training mode"
    assert not np.allclose(module(x, training=False).numpy(), out_before), "the SavedModel itself must change"
    assert len({v.path for v in model.optimizer.variables}) == len(model.optimizer.variables)


def test_unfreezing_a_frozen_layer_fine_tunes_it(saved_model, batch):
    backbone = uhub.hub_layer(saved_model)
    model = classifier(backbone)
    model.fit(*batch, epochs=1, batch_size=32, verbose=0)
    before = values(backbone)
    backbone.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len(model.trainable_weights) == 4 + 2
    model.fit(*batch, epochs=1, batch_size=32, verbose=0)
    assert np.abs(values(backbone)["conv_kernel"] - before["conv_kernel"]).max() > 1e-4


def test_fine_tune_trains_only_the_matching_variables(saved_model, batch):
    backbone = uhub.hub_layer(saved_model)
    assert backbone.fine_tune(r"^conv/") == ["conv/kernel:0", "conv/bias:0"]
    inputs = keras.Input(SHAPE)
    model = keras.Model(inputs, layers.Dense(3, name="head")(backbone(inputs)))
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert sorted(w.name for w in model.trainable_weights) == ["bias", "conv_bias", "conv_kernel", "kernel"]
    before = values(backbone)
    model.fit(*batch, epochs=1, verbose=0)
    after = values(backbone)
    assert np.abs(after["conv_kernel"] - before["conv_kernel"]).max() > 1e-4
    for name in ("bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_variance"):  # inference mode: BN untouched
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    with pytest.raises(ValueError, match="pattern must match"):
        backbone.fine_tune("no such variable")


def test_inference_mode_keeps_batch_norm_frozen_while_fine_tuning(saved_model, batch):
    backbone = uhub.hub_layer(saved_model, trainable=True, inference_mode=True)
    model = classifier(backbone)
    before = values(backbone)
    model.fit(*batch, epochs=1, verbose=0)
    after = values(backbone)
    assert np.abs(after["bn_gamma"] - before["bn_gamma"]).max() > 1e-4
    np.testing.assert_array_equal(after["bn_moving_mean"], before["bn_moving_mean"])


def test_two_copies_of_one_module_get_distinct_variable_paths(saved_model, batch):
    first, second = uhub.hub_layer(saved_model, trainable=True), uhub.hub_layer(saved_model, trainable=True)
    inputs = keras.Input(SHAPE)
    outputs = layers.Dense(3)(layers.Concatenate()([first(inputs), second(inputs)]))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    paths = [w.path for w in model.weights]
    assert len(set(paths)) == len(paths) and all(":" not in p for p in paths)
    model.fit(*batch, epochs=1, verbose=0)


def test_training_flag_reaches_the_module_only_when_trainable(saved_model, batch):
    x = batch[0][:8]
    # Each layer loads its own copy of the module. A training-mode call normalises with the batch statistics and
    # updates the moving ones, so every inference-mode reference is computed before any training-mode call.
    trainable, frozen = uhub.hub_layer(saved_model, trainable=True), uhub.hub_layer(saved_model)
    in_inference = trainable._module(x, training=False).numpy()
    np.testing.assert_allclose(trainable(x, training=False), in_inference, rtol=1e-5)
    np.testing.assert_allclose(frozen(x, training=True), in_inference, rtol=1e-5)  # like a frozen BatchNormalization
    in_training = trainable._module(x, training=True).numpy()
    assert not np.allclose(in_training, in_inference, rtol=1e-3), "the test module must depend on the training flag"
    np.testing.assert_allclose(trainable(x, training=True), in_training, rtol=1e-5)


def test_regularization_losses_enter_the_training_loss(saved_model, batch):
    backbone = uhub.hub_layer(saved_model, trainable=True)
    model = classifier(backbone)
    x, y = batch
    model(x, training=True)
    expected = float(backbone._module.regularization_losses[0]())
    kernel = next(v for v in backbone._module.variables if v.name == "conv/kernel:0")
    assert expected == pytest.approx(L2 * float(tf.reduce_sum(kernel**2)), rel=1e-5)
    assert len(model.losses) == 1 and float(model.losses[0]) == pytest.approx(expected, rel=1e-6)
    logits = model.predict(x, verbose=0)
    cross_entropy = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits))
    assert model.evaluate(x, y, batch_size=64, verbose=0) == pytest.approx(cross_entropy + expected, rel=1e-4)


def test_offline_url_gives_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path))
    with pytest.raises(uhub.HubModelUnavailable) as err:
        uhub.hub_layer(uhub.INCEPTION_V3)
    message = str(err.value)
    for part in (uhub.INCEPTION_V3, "tried downloading", "which failed (", "local copy",
                 "data/cache", "TFHUB_CACHE_DIR"):
        assert part in message, part


def test_kaggle_handle_is_resolved_through_its_url(monkeypatch, tmp_path):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path))
    handle = "google/inception-v3/tensorFlow2/feature-vector/2"
    assert uhub.handle_to_url(handle) == f"https://www.kaggle.com/models/{handle}"
    with pytest.raises(uhub.HubModelUnavailable, match="kaggle.com/models/google/inception-v3"):
        uhub.resolve(handle)


def test_local_path_errors(tmp_path, saved_model):
    with pytest.raises(uhub.HubModelUnavailable, match="does not exist"):
        uhub.hub_layer(tmp_path / "nowhere")
    with pytest.raises(uhub.HubModelUnavailable, match="has no saved_model.pb"):
        uhub.hub_layer(tmp_path)
    assert uhub.resolve(saved_model) == saved_model
    assert uhub.handle_to_url(str(saved_model)) is None


@pytest.mark.parametrize("handle", [None, "", 3])
def test_bad_handle_type(handle):
    with pytest.raises(ValueError, match="handle must be"):
        uhub.hub_layer(handle)


def test_bad_arguments(saved_model):
    with pytest.raises(ValueError, match="trainable must be"):
        uhub.hub_layer(saved_model, trainable="yes")
    with pytest.raises(ValueError, match="model must be"):
        uhub.export_reusable("not a model", "anywhere")
    with pytest.raises(ValueError, match="output_key must be"):
        uhub.hub_layer(saved_model, output_key="features")(np.zeros((1, *SHAPE), np.float32))
