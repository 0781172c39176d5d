"""utils.receptive_field: hand-derivable cases, the gradient check, real keras.applications models, and plots."""

from __future__ import annotations

import inspect
import sys

import keras
import numpy as np
import pytest
from keras import layers

from utils import plots
from utils.conv import padding_amounts
from utils.receptive_field import (AxisField, empirical_receptive_field, layers_needed, receptive_field,
                                   stack_field)


def seq(shape, *stack):
    return keras.Sequential([keras.Input(shape), *stack])


def test_stack_of_3x3_grows_by_two_per_layer():
    for depth in (1, 2, 5):
        model = seq((32, 32, 1), *[layers.Conv2D(1, 3, name=f"c{i}") for i in range(depth)])
        rf = receptive_field(model, f"c{depth - 1}")
        assert rf.size == (2 * depth + 1,) * 2 and rf.stride == (1, 1) and rf.padding == (0, 0)
    same = seq((32, 32, 1), *[layers.Conv2D(1, 3, padding="same", name=f"c{i}") for i in range(4)])
    assert receptive_field(same, "c3").padding == (4, 4)  # one zero per 'same' layer


def test_pooling_stride_and_rectangular_kernels():
    model = seq((40, 40, 3), layers.Conv2D(4, (3, 5), name="c1"), layers.MaxPooling2D(2, name="p1"),
                layers.Conv2D(4, 3, strides=(2, 1), name="c2"), layers.BatchNormalization(name="bn"),
                layers.ReLU(name="relu"))
    # rows: 3 -> +1 (pool, jump 1) = 4, jump 2 -> +2*2 = 8, jump 4; cols: 5 -> 6 (jump 2) -> 10, jump 2
    rf = receptive_field(model, "relu")
    assert rf.size == (8, 10) and rf.stride == (4, 2) and rf.box((1, 1)) == ((4, 12), (2, 12))


def test_dilation_doubling_gives_2_power_l_plus_1_minus_1_in_1d():
    model = seq((100, 1), *[layers.Conv1D(1, 3, dilation_rate=2 ** i, name=f"d{i}") for i in range(5)])
    assert [receptive_field(model, f"d{i}").size[0] for i in range(5)] == [2 ** (i + 2) - 1 for i in range(5)]
    assert stack_field([(3, 1, 2 ** i) for i in range(5)]) == AxisField(63, 1, 0)


def test_causal_padding_and_zero_padding_and_cropping_shift_the_offset():
    causal = seq((50, 1), layers.Conv1D(1, 2, padding="causal", dilation_rate=4, name="c"))
    assert receptive_field(causal, "c").axes[0] == AxisField(5, 1, -4)
    model = seq((20, 20, 1), layers.ZeroPadding2D(((2, 0), (1, 1)), name="z"), layers.Conv2D(1, 3, strides=2,
                name="c"), layers.Cropping2D(((1, 0), (0, 2)), name="crop"))
    assert receptive_field(model, "c").offset == (-2, -1)
    assert receptive_field(model, "crop").offset == (0, -1)  # one row cropped: unit 0 moves one jump (2) down


def test_same_padding_with_stride_uses_tensorflows_split_and_needs_a_known_size():
    for n in (7, 8):
        model = seq((n, n, 1), layers.Conv2D(1, 4, strides=2, padding="same", name="c"))
        assert receptive_field(model, "c").padding == (padding_amounts(n, 4, 2, "same")[0],) * 2
    free = keras.Sequential([keras.Input((None, None, 1)), layers.Conv2D(1, 3, strides=2, padding="same", name="c")])
    rf = receptive_field(free, "c")
    assert rf.size == (3, 3) and rf.padding == (None, None)
    with pytest.raises(ValueError, match="unknown"):
        rf.box((0, 0))


def test_merges_take_the_union_of_the_branches():
    x = keras.Input((16, 16, 2))
    a = layers.Conv2D(2, 5, padding="same", name="a")(x)
    b = layers.Conv2D(2, 1, name="b")(x)
    c = layers.Conv2D(2, 3, padding="same", name="c")(layers.ZeroPadding2D(((2, 0), (0, 0)))(x))
    c = layers.Cropping2D(((0, 2), (0, 0)), name="c_crop")(c)
    model = keras.Model(x, [layers.Add(name="add")([a, b]), layers.Concatenate(name="cat")([b, c])])
    assert receptive_field(model, "add").axes[0] == AxisField(5, 1, -2)
    # c sees rows [i-3, i) (shifted up by the padding), b sees row i: the union is [i-3, i+1)
    assert receptive_field(model, "cat").axes[0] == AxisField(4, 1, -3)
    assert receptive_field(model, "cat").axes[1] == AxisField(3, 1, -1)


def test_global_pooling_and_flatten_see_the_whole_input():
    model = seq((10, 12, 1), layers.Conv2D(3, 3, name="c"), layers.GlobalAveragePooling2D(name="gap"),
                layers.Dense(2, name="dense"))
    for name in ("gap", "dense"):
        assert receptive_field(model, name).axes == (AxisField(10, 0, 0), AxisField(12, 0, 0))
    flat = seq((8, 8, 1), layers.Conv2D(3, 3, padding="same", name="c"), layers.Flatten(name="f"))
    assert receptive_field(flat, "f").size == (10, 10)  # the 8 pixels plus one padding zero on each side


def test_depthwise_separable_nested_and_passthrough():
    inner = seq((12, 12, 3), layers.DepthwiseConv2D(3, name="dw"), layers.SeparableConv2D(4, 3, strides=2,
                name="sep"))
    x = keras.Input((12, 12, 3))
    y = layers.Rescaling(1 / 255)(x)
    y = inner(y)

    class Scale(layers.Layer):
        def call(self, t):
            return 2 * t

    out = Scale(name="scale")(layers.Dropout(0.5)(y))
    model = keras.Model(x, out)
    assert receptive_field(model, inner.name).size == (5, 5)
    with pytest.raises(ValueError, match="'scale' of type Scale"):
        receptive_field(model, "scale")
    assert receptive_field(model, "scale", passthrough=["Scale"]).stride == (2, 2)


@pytest.mark.parametrize("model,name,match", [
    (lambda: seq((8, 8, 1), layers.Conv2DTranspose(1, 3, strides=2, name="up")), "up", "'up'"),
    (lambda: seq((8, 8, 1), layers.Lambda(lambda t: t[:, ::-1], name="flip")), "flip", "'flip'"),
    (lambda: seq((8, 8, 1), layers.Conv2D(1, 3, name="c")), "nope", "layer_name"),
    (lambda: "not a model", "c", "model"),
])
def test_unsupported_layers_and_bad_arguments_raise_naming_them(model, name, match):
    with pytest.raises(ValueError, match=match):
        receptive_field(model(), name)


def test_layers_needed_for_the_slides_500_pixel_window():
    assert layers_needed(500, "stack") == 250 and stack_field([(3, 1)] * 250).size == 501
    assert layers_needed(500, "doubling") == 8 and layers_needed(500, "stride2") == 8
    assert layers_needed(500, "dilation2") == 125
    with pytest.raises(ValueError, match="growth"):
        layers_needed(500, "fast")
    with pytest.raises(ValueError, match="layers"):
        stack_field([(3, 0)])


@pytest.mark.parametrize("stack", [
    [layers.Conv2D(4, 3, activation="relu"), layers.Conv2D(4, 3, activation="relu")],
    [layers.Conv2D(4, 5, strides=2), layers.MaxPooling2D(2), layers.ReLU(max_value=6.0), layers.Conv2D(4, 3)],
    [layers.Conv2D(4, 3, dilation_rate=2, padding="same"), layers.BatchNormalization(), layers.Conv2D(4, (3, 1),
                                                                                                     dilation_rate=4)],
    [layers.ZeroPadding2D(1), layers.DepthwiseConv2D(3, strides=2), layers.AveragePooling2D(3, strides=1),
     layers.SeparableConv2D(3, 3)],
])
def test_gradient_extent_matches_the_analytic_field(stack):
    model = seq((48, 48, 2), *stack, layers.Activation("relu", name="out"))
    emp = empirical_receptive_field(model, "out")
    rf = receptive_field(model, "out")
    box = rf.box(emp.unit)
    assert all(0 <= a and b <= 48 for a, b in box)  # the central unit's field lies inside the input
    assert emp.size == rf.size and emp.start == tuple(a for a, _ in box)


def test_effective_field_of_a_random_relu_network_is_peaked_not_flat():
    keras.utils.set_random_seed(0)
    model = seq((33, 33, 1), *[layers.Conv2D(8, 3, activation="relu") for _ in range(6)],
                layers.Conv2D(1, 3, name="out"))
    erf = empirical_receptive_field(model, "out", mode="model", samples=4)
    profile = erf.gradient[16]
    assert erf.size[0] <= receptive_field(model, "out").size[0] == 15
    assert profile[16] > 5 * profile[16 - 6]  # centre much stronger than near the edge
    with pytest.raises(ValueError, match="mode"):
        empirical_receptive_field(model, "out", mode="exact")
    with pytest.raises(ValueError, match="unit"):
        empirical_receptive_field(model, "out", unit=(99, 0))


@pytest.fixture(scope="module")
def applications():
    shape = {"InceptionV3": (299, 299, 3)}
    names = ("VGG16", "ResNet50", "InceptionV3", "MobileNet")
    return {n: getattr(keras.applications, n)(weights=None, include_top=False, input_shape=shape.get(n, (224, 224, 3)))
            for n in names}


@pytest.mark.parametrize("name,layer,size,padding", [
    ("VGG16", "block5_pool", 212, 90),  # 13 3x3 convs, 5 2x2 pools: 1 + 2*(2*1 + 2*2 + 3*4 + 3*8 + 3*16) + 31
    ("VGG16", "block1_conv2", 5, 2),
    ("ResNet50", "conv5_block3_out", 483, 241),
    ("InceptionV3", "mixed10", 1311, 618),
    ("MobileNet", "conv_pw_13_relu", 315, 126),
])
def test_keras_applications(applications, name, layer, size, padding):
    rf = receptive_field(applications[name], layer)
    assert rf.size == (size, size) and rf.padding == (padding, padding)
    assert rf.stride == ((32, 32) if size > 5 else (1, 1))


def test_plots_build_and_reject_bad_input():
    grad = np.zeros((12, 12))
    grad[3:8, 4:9] = 1.0
    fig = plots.field_on_image(np.ones((12, 12)), {"unit (0, 0)": ((-2, 3), (-2, 3)), "centre": ((3, 8), (4, 9))})
    assert len(fig.axes[0].patches) == 2 and fig.axes[0].get_xlim()[0] < -2
    fig = plots.gradient_fields({"linear": grad, "model": grad * 2}, {"linear": ((3, 8), (4, 9))}, log=True)
    assert len(fig.axes) == 4 and len(fig.axes[0].patches) == 1
    fig = plots.field_profile({"a": grad[5]}, edges=(4, 9))
    assert len(fig.axes[0].lines) == 4
    with pytest.raises(ValueError, match="boxes"):
        plots.field_on_image(np.ones((4, 4)), {"a": ((3, 1), (0, 2))})
    with pytest.raises(ValueError, match="boxes"):
        plots.gradient_fields({"a": grad}, {"b": ((0, 1), (0, 1))})
    with pytest.raises(ValueError, match="profiles"):
        plots.field_profile({"a": np.zeros(5)})
    with pytest.raises(ValueError, match="edges"):
        plots.field_profile({"a": grad[5]}, edges=(5, 2))


def test_deep_graphs_do_not_hit_the_recursion_limit():
    model = seq((8, 8, 1), layers.Conv2D(1, 3, name="c"), *[layers.Activation("relu") for _ in range(700)])
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 300)  # far fewer frames than layers: the walk must be iterative
    try:
        assert receptive_field(model, model.layers[-1].name).size == (3, 3)
    finally:
        sys.setrecursionlimit(limit)


def test_custom_scale_layer_of_inception_resnet_v2_is_a_merge():
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    x = keras.Input((16, 16, 2))
    branch = layers.Conv2D(2, 5, padding="same")(x)
    model = keras.Model(x, CustomScaleLayer(0.2, name="scale")([x, branch]))
    assert receptive_field(model, "scale").size == (5, 5)
