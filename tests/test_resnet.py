"""utils.resnet: residual blocks, CIFAR ResNets, augmentation, Inception modules and GoogLeNet counts."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from utils import resnet


def test_cifar_resnet20_matches_the_paper():
    model = resnet.cifar_resnet(20)
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 10)
    assert len(resnet.weight_layers(model)) == 20
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    assert trainable == 269_722  # He et al. 2015, Table 6: 0.27 M
    assert model.get_layer("stage3_block3_out").output.shape[1:] == (8, 8, 64)


def test_plain_network_has_same_parameters_and_no_additions():
    plain, res = resnet.cifar_resnet(20, residual=False), resnet.cifar_resnet(20)
    assert plain.count_params() == res.count_params()
    assert not any(isinstance(l, keras.layers.Add) for l in plain.layers)
    assert sum(isinstance(l, keras.layers.Add) for l in res.layers) == 9


@pytest.mark.parametrize(("depth", "widths"), [(8, (16, 32, 64)), (20, (16, 32, 64)), (14, (4, 8, 16)), (8, (8, 8, 8))])
def test_parameter_formula_matches_the_built_network(depth, widths):
    model = resnet.cifar_resnet(depth, widths=widths)
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    assert resnet.cifar_resnet_params(depth, widths) == trainable


def test_parameter_formula_gives_the_papers_deep_networks():
    # He et al. 2015, Table 6: ResNet-110 1.7 M, ResNet-1202 19.4 M parameters
    assert round(resnet.cifar_resnet_params(110) / 1e6, 1) == 1.7
    assert round(resnet.cifar_resnet_params(1202) / 1e6, 1) == 19.4


def test_widths_make_a_narrower_network_of_the_same_depth():
    model = resnet.cifar_resnet(14, widths=(4, 8, 16), input_shape=(16, 16, 3))
    assert len(resnet.weight_layers(model)) == 14
    assert model.get_layer("conv1").output.shape[-1] == 4
    assert model.get_layer("stage3_block2_out").output.shape[1:] == (4, 4, 16)


def test_zero_init_residual_makes_every_block_start_as_the_identity():
    model = resnet.cifar_resnet(14, zero_init_residual=True, weight_decay=0.0)
    gammas = [layer.gamma.numpy() for layer in model.layers if layer.name.endswith("_bn2")]
    assert len(gammas) == 6 and not any(g.any() for g in gammas)
    assert all(layer.gamma.numpy().all() for layer in model.layers if layer.name.endswith("_bn1"))
    data = np.random.default_rng(0).normal(size=(4, 32, 32, 3)).astype("float32")
    stem = keras.Model(model.input, model.get_layer("relu1").output)(data, training=True)
    first_stage = keras.Model(model.input, model.get_layer("stage1_block2_out").output)(data, training=True)
    np.testing.assert_allclose(first_stage, stem, atol=1e-6)  # relu(x + 0) = x for x >= 0


def test_train_trace_accepts_a_schedule_and_includes_weight_decay():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 32, 32, 3)).astype("float32"), rng.integers(0, 10, 8)
    warmup = keras.optimizers.schedules.CosineDecay(0.0, 100, warmup_target=0.05, warmup_steps=4)
    model = resnet.cifar_resnet(8, weight_decay=0.0)
    before = [v.numpy().copy() for v in model.trainable_weights]
    resnet.train_trace(model, x, y, steps=1, batch_size=4, learning_rate=warmup)  # the first rate of the warm-up: 0
    assert all(np.array_equal(b, v.numpy()) for b, v in zip(before, model.trainable_weights))
    decayed = resnet.cifar_resnet(8, weight_decay=1.0)
    kernel = decayed.get_layer("conv1").kernel
    start = float(np.linalg.norm(kernel.numpy()))
    resnet.train_trace(decayed, x, y, steps=3, batch_size=4, learning_rate=0.05)
    assert np.linalg.norm(kernel.numpy()) < start  # weight decay shrank the kernel


def test_projection_shortcut_adds_parameters():
    extra = resnet.cifar_resnet(20, shortcut="projection").count_params() - resnet.cifar_resnet(20).count_params()
    # two 1x1 projections (16->32, 32->64) without bias, each with BN (4 parameters per channel)
    assert extra == 16 * 32 + 32 * 64 + 4 * (32 + 64)


def test_identity_block_is_identity_when_residual_branch_is_zero():
    x = keras.Input((8, 8, 4))
    model = keras.Model(x, resnet.residual_block(x, 4, shortcut="identity", name="b"))
    model.get_layer("b_bn2").gamma.assign(np.zeros(4))
    data = np.abs(np.random.default_rng(0).normal(size=(2, 8, 8, 4))).astype("float32")
    np.testing.assert_allclose(model(data, training=False), data, atol=1e-6)


def test_zero_pad_shortcut_subsamples_and_pads():
    x = np.arange(2 * 4 * 4 * 2, dtype="float32").reshape(2, 4, 4, 2)
    out = np.asarray(resnet.ZeroPadShortcut(6, 2)(x))
    assert out.shape == (2, 2, 2, 6)
    np.testing.assert_array_equal(out[..., 2:4], x[:, ::2, ::2, :])
    assert not out[..., :2].any() and not out[..., 4:].any()


def test_random_shift_flip_is_a_per_image_shift_or_flip():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 6, 6, 1)).astype("float32")
    layer = resnet.RandomShiftFlip(2, seed=3)
    np.testing.assert_array_equal(layer(x, training=False), x)
    out = np.asarray(layer(x, training=True))
    padded = np.pad(x, [(0, 0), (2, 2), (2, 2), (0, 0)])
    for img, orig in zip(out, padded):
        windows = [w for dy in range(5) for dx in range(5) for w in (orig[dy:dy + 6, dx:dx + 6],
                                                                     orig[dy:dy + 6, dx:dx + 6][:, ::-1])]
        assert any(np.array_equal(img, w) for w in windows)
    assert len({out[i].tobytes() for i in range(16)}) > 1 and not np.array_equal(out, x)


def test_inception_3a_branch_parameters():
    x = keras.Input((28, 28, 192))
    reduced = keras.Model(x, resnet.inception_module(x, **resnet.INCEPTION_3A))
    assert reduced.output_shape == (None, 28, 28, 256)
    assert resnet.branch_params(reduced) == {
        "1x1": 192 * 64 + 64, "3x3": 192 * 96 + 96 + 9 * 96 * 128 + 128,
        "5x5": 192 * 16 + 16 + 25 * 16 * 32 + 32, "pool": 192 * 32 + 32}
    naive = keras.Model(x, resnet.inception_module(x, **resnet.INCEPTION_3A, reduce=False))
    assert naive.output_shape == (None, 28, 28, 64 + 128 + 32 + 192)
    assert naive.count_params() == 192 * 64 + 64 + 9 * 192 * 128 + 128 + 25 * 192 * 32 + 32


def test_googlenet_layers_and_dense_share():
    main, full = resnet.googlenet(aux_classifiers=False), resnet.googlenet()
    assert len(resnet.weight_layers(main)) == 58 and len(resnet.weight_layers(full)) == 64
    assert main.count_params() == 6_998_552 and full.count_params() == 13_378_280
    assert resnet.dense_share(main) == pytest.approx(1_025_000 / 6_998_552)
    assert len(full.outputs) == 3


def test_train_trace_records_loss_and_gradient():
    model = resnet.cifar_resnet(8)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 32, 32, 3)).astype("float32"), rng.integers(0, 10, 8)
    trace = resnet.train_trace(model, x, y, steps=3, batch_size=4)
    assert len(trace["loss"]) == len(trace["grad_norm"]) == 3
    assert all(g > 0 for g in trace["grad_norm"]) and all(np.isfinite(trace["loss"]))


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(depth=21), "depth"), (dict(depth=20, shortcut="identity"), "shortcut"), (dict(num_classes=1), "num_classes"),
    (dict(widths=(16, 32)), "widths"), (dict(widths=(32, 16, 64)), "widths"), (dict(widths=(16, 0, 64)), "widths"),
    (dict(residual=False, zero_init_residual=True), "zero_init_residual"),
])
def test_cifar_resnet_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        resnet.cifar_resnet(**kwargs)


def test_residual_block_bad_input():
    x = keras.Input((8, 8, 4))
    with pytest.raises(ValueError, match="shortcut"):
        resnet.residual_block(x, 4, shortcut="dense")
    with pytest.raises(ValueError, match="identity"):
        resnet.residual_block(x, 8, stride=2, shortcut="identity")
    with pytest.raises(ValueError, match="filters"):
        resnet.residual_block(x, 0)
    with pytest.raises(ValueError, match="zero_init"):
        resnet.residual_block(x, 4, residual=False, zero_init=True)


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(depth=21), "depth"), (dict(depth=True), "depth"), (dict(depth=20, widths=(1, 2)), "widths"),
    (dict(depth=20, num_classes=1), "num_classes"),
])
def test_parameter_formula_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        resnet.cifar_resnet_params(**kwargs)


def test_other_bad_input():
    model = resnet.cifar_resnet(8)
    with pytest.raises(ValueError, match="name"):
        resnet.branch_params(model, "inception_9z")
    with pytest.raises(ValueError, match="layer"):
        resnet.train_trace(model, np.zeros((4, 32, 32, 3)), np.zeros(4), steps=1, batch_size=2, layer="nope")
    with pytest.raises(ValueError, match="batch_size"):
        resnet.train_trace(model, np.zeros((4, 32, 32, 3)), np.zeros(4), steps=1, batch_size=8)
    with pytest.raises(ValueError, match="pad"):
        resnet.RandomShiftFlip(-1)
