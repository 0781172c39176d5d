"""utils.conv against TensorFlow and Keras: values, output sizes, parameter counts, pooling, bad input."""

from __future__ import annotations

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from utils import conv

RNG = np.random.default_rng(0)


def tf_conv(x: np.ndarray, w: np.ndarray, stride, padding: str, dilation) -> np.ndarray:
    """Reference: tf.nn.conv2d, with 'full' padding given explicitly."""
    s, d = conv._pair(stride, "stride"), conv._pair(dilation, "dilation")
    if padding == "full":
        pads = [[0, 0], *[[di * (k - 1)] * 2 for k, di in zip(w.shape[:2], d)], [0, 0]]
    else:
        pads = padding.upper()
    return tf.nn.conv2d(x[None], w, strides=s, padding=pads, dilations=d)[0].numpy()


@pytest.mark.parametrize(
    "stride,padding,dilation,ksize",
    list(itertools.product([1, 2, 3, (1, 2)], conv.PADDINGS_2D, [1, 2, (2, 1)], [(3, 3), (2, 4), (5, 5)])),
)
def test_conv2d_matches_tf(stride, padding, dilation, ksize):
    x = RNG.standard_normal((13, 11, 3)).astype(np.float32)
    w = RNG.standard_normal((*ksize, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(conv.conv2d(x, w, stride, padding, dilation), tf_conv(x, w, stride, padding, dilation),
                               rtol=1e-4, atol=1e-4)


def test_conv2d_shapes_for_every_input_kind():
    grey, colour = RNG.random((8, 9)), RNG.random((8, 9, 3))
    assert conv.conv2d(grey, np.ones((3, 3))).shape == (6, 7)
    assert conv.conv2d(grey, np.ones((3, 3, 1, 5))).shape == (6, 7, 5)
    assert conv.conv2d(colour, np.ones((3, 3, 3, 5))).shape == (6, 7, 5)
    per_channel = conv.conv2d(colour, np.ones((3, 3)), padding="same")
    assert per_channel.shape == (8, 9, 3)
    np.testing.assert_allclose(per_channel[..., 1], conv.conv2d(colour[..., 1], np.ones((3, 3)), padding="same"))


def test_naive_loop_and_convolve2d():
    x, w = RNG.random((10, 12, 3)), RNG.standard_normal((3, 3, 3, 2))
    np.testing.assert_allclose(conv.conv2d_naive(x, w, stride=2), conv.conv2d(x, w, stride=2), atol=1e-10)
    asym = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(conv.convolve2d(x[..., 0], asym), conv.conv2d(x[..., 0], asym[::-1, ::-1]))
    assert not np.allclose(conv.convolve2d(x[..., 0], asym), conv.conv2d(x[..., 0], asym))


@pytest.mark.parametrize("stride,padding,dilation", itertools.product([1, 2, 3], conv.PADDINGS_1D, [1, 2, 3]))
def test_conv1d_matches_keras(stride, padding, dilation):
    x, w = RNG.standard_normal(17), RNG.standard_normal(3)
    if padding in ("full", "causal") or (stride > 1 and dilation > 1):
        # Keras has no 'full' and refuses stride > 1 with dilation > 1: use tf.nn.conv2d on a 1-row image.
        pad = {"full": [2 * dilation] * 2, "causal": [2 * dilation, 0]}.get(padding)
        tf_padding = [[0, 0], [0, 0], pad, [0, 0]] if pad else padding.upper()
        expected = tf.nn.conv2d(x[None, None, :, None], w[None, :, None, None], strides=(1, stride),
                                padding=tf_padding, dilations=(1, dilation))[0, 0, :, 0].numpy()
    else:
        layer = keras.layers.Conv1D(1, 3, strides=stride, padding=padding, dilation_rate=dilation, use_bias=False)
        layer.build((None, 17, 1))
        layer.set_weights([w.reshape(3, 1, 1)])
        expected = layer(x[None, :, None].astype(np.float32)).numpy()[0, :, 0]
    np.testing.assert_allclose(conv.conv1d(x, w, stride, padding, dilation), expected, rtol=1e-5, atol=1e-5)


def test_causal_output_never_sees_the_future():
    x = np.zeros(10)
    x[6] = 1.0
    y = conv.conv1d(x, [1.0, 1.0, 1.0], padding="causal", dilation=2)
    assert np.all(y[:6] == 0) and y[6] == 1.0


@pytest.mark.parametrize(
    "n,k,s,padding,d",
    [(n, k, s, p, d) for n, k, s, p, d in itertools.product([7, 8, 28, 32], [1, 2, 3, 5], [1, 2, 3],
                                                             ["valid", "same"], [1, 2])
     if not (s > 1 and d > 1) and d * (k - 1) < n],
)
def test_output_size_matches_keras(n, k, s, padding, d):
    layer = keras.layers.Conv2D(1, k, strides=s, padding=padding, dilation_rate=d)
    assert layer.compute_output_shape((None, n, n, 1))[1] == conv.output_size(n, k, s, padding, d)


def test_output_size_full_causal_and_explicit():
    assert conv.output_size(5, 3, padding="full") == 7
    assert conv.output_size(10, 3, padding="causal", dilation=4) == 10
    assert conv.output_size(7, 3, stride=2, padding=1) == 4
    assert conv.padding_amounts(6, 4, padding="same") == (1, 2)


@pytest.mark.parametrize("k,cin,f,bias", [(3, 3, 100, False), (3, 3, 100, True), ((5, 3), 16, 8, True), (1, 64, 32, True)])
def test_conv_params_match_keras(k, cin, f, bias):
    layer = keras.layers.Conv2D(f, k, use_bias=bias)
    layer.build((None, 32, 32, cin))
    assert layer.count_params() == conv.conv_params(k, cin, f, bias)


@pytest.mark.parametrize("mode,size,stride,padding", itertools.product(
    ["max", "avg"], [2, 3, (2, 3)], [None, 1, 2], ["valid", "same"]))
def test_pool2d_matches_keras(mode, size, stride, padding):
    x = RNG.standard_normal((9, 10, 3)).astype(np.float32)
    cls = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    expected = cls(pool_size=size, strides=stride, padding=padding)(x[None]).numpy()[0]
    np.testing.assert_allclose(conv.pool2d(x, size, stride, mode, padding), expected, rtol=1e-5, atol=1e-6)


def keras_conv_transpose(x: np.ndarray, w: np.ndarray, stride, padding: str) -> np.ndarray:
    """Reference: keras.layers.Conv2DTranspose, whose kernel is stored (kh, kw, C_out, C_in)."""
    layer = keras.layers.Conv2DTranspose(w.shape[3], w.shape[:2], strides=stride, padding=padding, use_bias=False)
    layer.build((None, *x.shape))
    layer.kernel.assign(w.transpose(0, 1, 3, 2))
    return layer(x[None]).numpy()[0]


@pytest.mark.parametrize(
    "size,ksize,stride,padding",
    list(itertools.product([(5, 5), (7, 4), (1, 3)], [(1, 1), (2, 2), (3, 3), (2, 4), (5, 3)],
                           [1, 2, 3, (2, 1), (1, 3)], conv.PADDINGS_TRANSPOSED)),
)
def test_conv_transpose2d_matches_keras(size, ksize, stride, padding):
    x = RNG.standard_normal((*size, 3)).astype(np.float32)
    w = RNG.standard_normal((*ksize, 3, 4)).astype(np.float32)
    expected = keras_conv_transpose(x, w, stride, padding)
    got = conv.conv_transpose2d(x, w, stride, padding)
    s = conv._pair(stride, "stride")
    assert got.shape == (*(conv.transposed_output_size(n, k, si, padding) for n, k, si in zip(size, ksize, s)), 4)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_conv_transpose2d_shapes_for_every_input_kind():
    grey, colour, kernel = RNG.random((4, 5)), RNG.random((4, 5, 3)), RNG.random((3, 3))
    single = conv.conv_transpose2d(grey, kernel, stride=2)
    assert single.shape == (9, 11)
    np.testing.assert_allclose(single, keras_conv_transpose(grey[..., None], kernel[..., None, None], 2, "valid")[..., 0],
                               rtol=1e-5)
    per_channel = conv.conv_transpose2d(colour, kernel, stride=2)  # a 2-D kernel filters every channel separately
    for c in range(3):
        np.testing.assert_allclose(per_channel[..., c], conv.conv_transpose2d(colour[..., c], kernel, stride=2))
    assert conv.conv_transpose2d(grey, RNG.random((3, 3, 1, 6)), stride=2, padding="same").shape == (8, 10, 6)


def test_conv_transpose2d_spreads_one_kernel_copy_per_pixel():
    """One non-zero pixel at (i, j) puts one copy of the kernel, scaled by it, at (stride*i, stride*j)."""
    x = np.zeros((3, 3))
    x[1, 2] = 5.0
    out = conv.conv_transpose2d(x, np.ones((3, 3)), stride=2)
    expected = np.zeros((7, 7))
    expected[2:5, 4:7] = 5.0
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize(
    "n,k,s,padding,op,d",
    [(n, k, s, p, op, d) for n, k, s, p, d in itertools.product([1, 4, 7], [1, 2, 3, 5], [1, 2, 3],
                                                                conv.PADDINGS_TRANSPOSED, [1, 2])
     for op in [None, *range(s)] if not (s > 1 and d > 1)],
)
def test_transposed_output_size_matches_keras(n, k, s, padding, op, d):
    layer = keras.layers.Conv2DTranspose(1, k, strides=s, padding=padding, output_padding=op, dilation_rate=d)
    assert layer.compute_output_shape((None, n, n, 1))[1] == conv.transposed_output_size(n, k, s, padding, op, d)


@pytest.mark.parametrize("n,k,s,op", [(4, 3, 2, 1), (5, 2, 3, 2), (3, 1, 2, 0), (6, 4, 2, 1)])
def test_transposed_output_size_with_output_padding_runs_in_keras(n, k, s, op):
    layer = keras.layers.Conv2DTranspose(1, k, strides=s, padding="valid", output_padding=op)
    assert layer(np.ones((1, n, n, 1), np.float32)).shape[1] == conv.transposed_output_size(n, k, s, "valid", op)


# Not a 1x1 kernel with stride > 1: there TensorFlow's oneDNN Conv2DBackpropFilter (which the tape runs too) fails
# intermittently on this machine ("could not create a primitive descriptor for the reorder primitive"); the values
# of those cases are covered by test_conv_transpose2d_matches_keras.
@pytest.mark.parametrize("k,s,padding", [(k, s, p) for k, s, p in itertools.product(
    [1, 2, 3, 5], [1, 2, 3], conv.PADDINGS_TRANSPOSED) if not (k == 1 and s > 1)])
def test_conv_transpose2d_is_the_gradient_of_conv2d(k, s, padding):
    """dL/dx of L = sum(g * conv2d(x, w)) from tf.GradientTape equals conv_transpose2d(g, w with C_in, C_out swapped)."""
    size = conv.transposed_output_size(4, k, s, padding)  # an input size that the convolution maps back to 4
    x = tf.Variable(RNG.standard_normal((1, size, size + s, 2)).astype(np.float32))
    w = RNG.standard_normal((k, k, 2, 3)).astype(np.float32)
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(x, w, strides=s, padding=padding.upper())
        g = tf.constant(RNG.standard_normal(y.shape).astype(np.float32))
        loss = tf.reduce_sum(g * y)
    expected = tape.gradient(loss, x).numpy()[0]
    np.testing.assert_allclose(conv.conv_transpose2d(g.numpy()[0], w.transpose(0, 1, 3, 2), s, padding), expected,
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("call,argument", [
    (lambda: conv.conv2d(np.ones((5, 5)), np.ones((3, 3)), padding="circular"), "padding"),
    (lambda: conv.conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=0), "stride"),
    (lambda: conv.conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=(1, 2, 3)), "stride"),
    (lambda: conv.conv2d(np.ones((5, 5)), np.ones((3, 3)), dilation=-1), "dilation"),
    (lambda: conv.conv2d(np.ones(5), np.ones((3, 3))), "image"),
    (lambda: conv.conv2d(np.ones((5, 5)), np.ones(3)), "kernel"),
    (lambda: conv.conv2d(np.ones((5, 5, 2)), np.ones((3, 3, 3, 1))), "kernel"),
    (lambda: conv.conv2d(np.ones((2, 2)), np.ones((3, 3))), "kernel"),
    (lambda: conv.conv2d_naive(np.ones((5, 5)), np.ones((3, 3))), "image"),
    (lambda: conv.conv1d(np.ones((3, 3)), np.ones(2)), "x and w"),
    (lambda: conv.conv1d(np.ones(5), np.ones(2), padding="full-ish"), "padding"),
    (lambda: conv.conv1d(np.ones(2), np.ones(5)), "kernel"),
    (lambda: conv.pool2d(np.ones((4, 4)), mode="median"), "mode"),
    (lambda: conv.pool2d(np.ones((4, 4)), padding="full"), "padding"),
    (lambda: conv.pool2d(np.ones((4, 4)), size=0), "size"),
    (lambda: conv.output_size(0, 3), "n"),
    (lambda: conv.output_size(5, 3, padding=-1), "padding"),
    (lambda: conv.output_size(5, 7), "kernel"),
    (lambda: conv.output_size(5, 3, padding="reflect"), "padding"),
    (lambda: conv.padding_amounts(5, 3, stride=0), "stride"),
    (lambda: conv.conv_params(3, 0, 4), "in_channels"),
    (lambda: conv.conv_params(3, 3, 0), "filters"),
    (lambda: conv.conv_params((3, 3, 3), 3, 4), "kernel_size"),
    (lambda: conv.conv_transpose2d(np.ones(5), np.ones((3, 3))), "x"),
    (lambda: conv.conv_transpose2d(np.ones((5, 5)), np.ones(3)), "kernel"),
    (lambda: conv.conv_transpose2d(np.ones((5, 5, 2)), np.ones((3, 3, 3, 1))), "kernel"),
    (lambda: conv.conv_transpose2d(np.ones((5, 5)), np.ones((3, 3)), stride=0), "stride"),
    (lambda: conv.conv_transpose2d(np.ones((5, 5)), np.ones((3, 3)), padding="full"), "padding"),
    (lambda: conv.transposed_output_size(0, 3), "n"),
    (lambda: conv.transposed_output_size(5, 0), "kernel"),
    (lambda: conv.transposed_output_size(5, 3, stride=0), "stride"),
    (lambda: conv.transposed_output_size(5, 3, dilation=0), "dilation"),
    (lambda: conv.transposed_output_size(5, 3, padding="causal"), "padding"),
    (lambda: conv.transposed_output_size(5, 3, stride=2, output_padding=2), "output_padding"),
    (lambda: conv.transposed_output_size(5, 3, stride=2, output_padding=-1), "output_padding"),
    (lambda: conv.transposed_output_size(5, 3, stride=2, output_padding=1.0), "output_padding"),
])
def test_bad_arguments_raise_value_error_naming_them(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
