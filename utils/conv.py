"""Convolution arithmetic in NumPy: 1-D/2-D convolution, pooling, output sizes and parameter counts.

Everything here follows the deep-learning convention (and Keras): ``conv2d`` computes a *cross-correlation* --
the kernel is not flipped. :func:`convolve2d` is the flipped, mathematical convolution. All functions are
vectorised with :func:`numpy.lib.stride_tricks.sliding_window_view`; :func:`conv2d_naive` is the explicit loop,
kept for teaching and benchmarking. :func:`conv_transpose2d` is the transposed ("de-")convolution of
``keras.layers.Conv2DTranspose`` -- the gradient of :func:`conv2d` with respect to its input.

Shapes are channels-last like Keras: images ``(H, W)`` or ``(H, W, C)``, kernels ``(kh, kw)`` or
``(kh, kw, C_in, C_out)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

PADDINGS_2D = ("valid", "same", "full")
PADDINGS_1D = ("valid", "same", "full", "causal")
PADDINGS_TRANSPOSED = ("valid", "same")
POOL_MODES = ("max", "avg")

Pair = int | Sequence[int]


def _pair(value: Pair, name: str) -> tuple[int, int]:
    """Turn an int or a pair of ints into a pair of positive ints, or raise ValueError naming ``name``."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of positive ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def _positive_int(value: int, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _check_padding(padding: str, accepted: tuple[str, ...]) -> str:
    if not isinstance(padding, str) or padding.lower() not in accepted:
        raise ValueError(f"padding must be one of {accepted}, got {padding!r}")
    return padding.lower()


def padding_amounts(n: int, kernel: int, stride: int = 1, padding: str = "valid", dilation: int = 1) -> tuple[int, int]:
    """Zeros added (before, after) one axis of length ``n`` -- the same choice TensorFlow makes.

    ``same`` pads so that the output has ``ceil(n / stride)`` elements; when the total is odd the extra zero goes
    *after* (bottom/right). ``full`` pads ``dilation*(kernel-1)`` on both sides, ``causal`` all of it before.

    >>> padding_amounts(5, 3, padding="same"), padding_amounts(6, 4, padding="same")
    ((1, 1), (1, 2))
    """
    n, kernel = _positive_int(n, "n"), _positive_int(kernel, "kernel")
    stride, dilation = _positive_int(stride, "stride"), _positive_int(dilation, "dilation")
    padding = _check_padding(padding, PADDINGS_1D)
    extent = dilation * (kernel - 1) + 1  # the span of input a dilated kernel covers
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return extent - 1, extent - 1
    if padding == "causal":
        return extent - 1, 0
    total = max((math.ceil(n / stride) - 1) * stride + extent - n, 0)
    return total // 2, total - total // 2


def output_size(n: int, kernel: int, stride: int = 1, padding: str | int = "valid", dilation: int = 1) -> int:
    """Length of a convolution's output along one axis: ``floor((n + p_total - d(k-1) - 1) / s) + 1``.

    ``padding`` is ``'valid'``, ``'same'``, ``'full'``, ``'causal'`` or an int ``p`` of zeros on each side.

    >>> output_size(32, 5), output_size(28, 3, padding="same"), output_size(7, 3, stride=2, padding=1)
    (28, 28, 4)
    """
    n, kernel = _positive_int(n, "n"), _positive_int(kernel, "kernel")
    stride, dilation = _positive_int(stride, "stride"), _positive_int(dilation, "dilation")
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        if padding < 0:
            raise ValueError(f"padding must be a non-negative int or one of {PADDINGS_1D}, got {padding!r}")
        total = 2 * int(padding)
    else:
        total = sum(padding_amounts(n, kernel, stride, padding, dilation))
    size = (n + total - dilation * (kernel - 1) - 1) // stride + 1
    if size < 1:
        raise ValueError(f"kernel (extent {dilation * (kernel - 1) + 1}) is larger than the padded input ({n + total})")
    return size


def transposed_output_size(n: int, kernel: int, stride: int = 1, padding: str = "valid",
                           output_padding: int | None = None, dilation: int = 1) -> int:
    """Length of a *transposed* convolution's output along one axis, exactly as ``keras.layers.Conv2DTranspose``.

    With the kernel's extent ``e = dilation*(kernel-1) + 1``, every input element spreads over ``e`` outputs
    placed ``stride`` apart, so the uncropped ("full") output has ``(n-1)*stride + e`` elements. Keras then gives

    * ``'valid'``: ``(n-1)*stride + max(e, stride)`` -- the full output, plus zeros when ``stride > e``;
    * ``'same'``: ``n*stride`` -- the inverse of a 'same' convolution's ``ceil(n/stride)``;
    * with ``output_padding=p`` (``0 <= p < stride``): ``(n-1)*stride + e + p`` ('valid') or
      ``(n-1)*stride + e % 2 + p`` ('same'): ``p`` picks one of the ``stride`` input sizes that a strided
      convolution maps to the same ``n``.

    >>> transposed_output_size(4, 3, stride=2), transposed_output_size(4, 3, 2, "same")
    (9, 8)
    """
    n, kernel = _positive_int(n, "n"), _positive_int(kernel, "kernel")
    stride, dilation = _positive_int(stride, "stride"), _positive_int(dilation, "dilation")
    padding = _check_padding(padding, PADDINGS_TRANSPOSED)
    if output_padding is not None and (
        isinstance(output_padding, bool) or not isinstance(output_padding, (int, np.integer))
        or not 0 <= output_padding < stride
    ):
        raise ValueError(f"output_padding must be None or an int with 0 <= output_padding < stride ({stride}), "
                         f"got {output_padding!r}")
    extent = dilation * (kernel - 1) + 1
    if output_padding is None:
        return (n - 1) * stride + max(extent, stride) if padding == "valid" else n * stride
    return (n - 1) * stride + (extent if padding == "valid" else extent % 2) + int(output_padding)


def conv_params(kernel_size: Pair, in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Trainable parameters of a 2-D convolution layer: ``kh*kw*in_channels*filters (+ filters biases)``.

    >>> conv_params(3, 3, 100, use_bias=False), conv_params(3, 3, 100)
    (2700, 2800)
    """
    kh, kw = _pair(kernel_size, "kernel_size")
    in_channels, filters = _positive_int(in_channels, "in_channels"), _positive_int(filters, "filters")
    return kh * kw * in_channels * filters + (filters if use_bias else 0)


def _as_image(image: np.ndarray, name: str = "image") -> np.ndarray:
    x = np.asarray(image)
    if x.ndim not in (2, 3):
        raise ValueError(f"{name} must have shape (H, W) or (H, W, C), got shape {x.shape}")
    return x.astype(np.result_type(x.dtype, np.float32), copy=False)


def _pad2d(x: np.ndarray, pads: tuple[tuple[int, int], tuple[int, int]], value: float = 0.0) -> np.ndarray:
    return np.pad(x, (*pads, (0, 0)), constant_values=value)


def _windows(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]) -> np.ndarray:
    """All kernel windows of a padded (H, W, C) array: a strided *view* of shape (Ho, Wo, C, kh, kw)."""
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if extent[0] > x.shape[0] or extent[1] > x.shape[1]:
        raise ValueError(f"kernel extent {extent} is larger than the padded input {x.shape[:2]}")
    view = sliding_window_view(x, extent, axis=(0, 1))
    return view[:: stride[0], :: stride[1], :, :: dilation[0], :: dilation[1]]


def conv2d(
    image: np.ndarray, kernel: np.ndarray, stride: Pair = 1, padding: str = "valid", dilation: Pair = 1
) -> np.ndarray:
    """2-D cross-correlation exactly as ``keras.layers.Conv2D`` / ``tf.nn.conv2d`` compute it (no bias).

    * ``image`` (H, W) with ``kernel`` (kh, kw) gives (H', W');
    * ``image`` (H, W, C) with ``kernel`` (kh, kw, C, F) gives (H', W', F) -- each output channel sums over all
      input channels, as a convolution layer does;
    * ``image`` (H, W, C) with a 2-D ``kernel`` filters every channel separately and gives (H', W', C);
    * ``image`` (H, W) with ``kernel`` (kh, kw, 1, F) gives (H', W', F).

    ``padding`` is ``'valid'`` (no zeros), ``'same'`` (output ``ceil(H/stride)``) or ``'full'`` (every partial
    overlap); ``stride`` and ``dilation`` are ints or (row, column) pairs.
    """
    x, w = _as_image(image), np.asarray(kernel)
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    padding = _check_padding(padding, PADDINGS_2D)
    if w.ndim not in (2, 4):
        raise ValueError(f"kernel must have shape (kh, kw) or (kh, kw, C_in, C_out), got shape {w.shape}")
    squeeze = x.ndim == 2 and w.ndim == 2
    x3 = x[..., None] if x.ndim == 2 else x
    if w.ndim == 4 and w.shape[2] != x3.shape[2]:
        raise ValueError(f"kernel has {w.shape[2]} input channels but image has {x3.shape[2]}")
    kh, kw = w.shape[:2]
    pads = tuple(
        padding_amounts(n, k, s, padding, d) for n, k, s, d in zip(x3.shape[:2], (kh, kw), stride, dilation)
    )
    win = _windows(_pad2d(x3, pads), (kh, kw), stride, dilation)
    if w.ndim == 2:  # the same 2-D kernel on every channel separately
        out = np.einsum("hwcij,ij->hwc", win, w, optimize=True)
    else:
        out = np.einsum("hwcij,ijco->hwo", win, w, optimize=True)
    return out[..., 0] if squeeze else out


def conv_transpose2d(x: np.ndarray, kernel: np.ndarray, stride: Pair = 1, padding: str = "valid") -> np.ndarray:
    """2-D transposed convolution exactly as ``keras.layers.Conv2DTranspose`` computes it (no bias).

    Shapes as in :func:`conv2d`: ``x`` (H, W) or (H, W, C_in); ``kernel`` (kh, kw) -- the same kernel on every
    channel -- or (kh, kw, C_in, C_out). Keras stores a Conv2DTranspose kernel as (kh, kw, C_out, C_in), so
    ``layer.kernel`` equals ``kernel.transpose(0, 1, 3, 2)``. Output size: :func:`transposed_output_size`.

    Every input pixel adds a copy of the kernel, scaled by its value, to the output, the copies ``stride`` pixels
    apart (where copies overlap they add up; where ``stride`` exceeds the kernel, gaps stay zero). Computed here
    as its equivalent: zeros inserted between the pixels (``stride - 1`` of them), then a 'full' :func:`conv2d`
    with the kernel flipped in both spatial axes, then the border cropped as Keras does.

    It is the gradient of a convolution: for ``y = conv2d(x, w, stride, padding)`` and an upstream gradient ``g``
    of ``y``'s shape, ``dL/dx = conv_transpose2d(g, w.transpose(0, 1, 3, 2), stride, padding)`` -- when ``x`` has
    the size ``transposed_output_size`` gives for ``y``'s (a strided convolution maps several input sizes to one
    output size; Keras' ``output_padding`` chooses among them).
    """
    arr, w = _as_image(x, "x"), np.asarray(kernel)
    stride = _pair(stride, "stride")
    padding = _check_padding(padding, PADDINGS_TRANSPOSED)
    if w.ndim not in (2, 4):
        raise ValueError(f"kernel must have shape (kh, kw) or (kh, kw, C_in, C_out), got shape {w.shape}")
    x3 = arr[..., None] if arr.ndim == 2 else arr
    if w.ndim == 4 and w.shape[2] != x3.shape[2]:
        raise ValueError(f"kernel has {w.shape[2]} input channels but x has {x3.shape[2]}")
    spread = np.zeros(((x3.shape[0] - 1) * stride[0] + 1, (x3.shape[1] - 1) * stride[1] + 1, x3.shape[2]), x3.dtype)
    spread[:: stride[0], :: stride[1]] = x3
    full = conv2d(spread, w[::-1, ::-1, ...], padding="full")  # (n-1)*stride + k along each axis
    sizes = [transposed_output_size(n, k, s, padding) for n, k, s in zip(x3.shape[:2], w.shape[:2], stride)]
    # 'same' crops the surplus of the full output like the matching convolution pads: the odd element at the end.
    starts = [max(f - n, 0) // 2 if padding == "same" else 0 for f, n in zip(full.shape[:2], sizes)]
    out = full[starts[0] : starts[0] + sizes[0], starts[1] : starts[1] + sizes[1]]
    out = np.pad(out, ((0, sizes[0] - out.shape[0]), (0, sizes[1] - out.shape[1]), (0, 0)))  # stride > kernel
    return out[..., 0] if arr.ndim == 2 and w.ndim == 2 else out


def conv2d_naive(image: np.ndarray, kernel: np.ndarray, stride: int = 1) -> np.ndarray:
    """The textbook loop over output pixels ('valid' padding, no dilation), for teaching and benchmarks only.

    ``image`` (H, W, C) and ``kernel`` (kh, kw, C, F); returns (H', W', F).
    """
    x, w = _as_image(image), np.asarray(kernel)
    if x.ndim != 3 or w.ndim != 4:
        raise ValueError(f"image must be (H, W, C) and kernel (kh, kw, C, F), got {x.shape} and {w.shape}")
    stride = _positive_int(stride, "stride")
    kh, kw, _, filters = w.shape
    ho, wo = output_size(x.shape[0], kh, stride), output_size(x.shape[1], kw, stride)
    out = np.zeros((ho, wo, filters), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            patch = x[i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            for f in range(filters):
                out[i, j, f] = np.sum(patch * w[..., f])
    return out


def convolve2d(image: np.ndarray, kernel: np.ndarray, stride: Pair = 1, padding: str = "valid", dilation: Pair = 1) -> np.ndarray:
    """True (mathematical) 2-D convolution: :func:`conv2d` with the kernel flipped in both spatial axes."""
    w = np.asarray(kernel)
    return conv2d(image, w[::-1, ::-1, ...], stride=stride, padding=padding, dilation=dilation)


def conv1d(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: str = "valid", dilation: int = 1) -> np.ndarray:
    """1-D cross-correlation of a signal ``x`` (n,) with a kernel ``w`` (k,), like ``keras.layers.Conv1D``.

    ``padding`` is ``'valid'``, ``'same'``, ``'full'`` or ``'causal'`` (all zeros on the left, so
    ``output[t]`` never depends on ``x[t+1:]``).

    >>> conv1d([1, 2, 3, 4], [1, 0, -1])
    array([-2., -2.])
    """
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim != 1 or w.ndim != 1:
        raise ValueError(f"x and w must be 1-D, got shapes {x.shape} and {w.shape}")
    stride, dilation = _positive_int(stride, "stride"), _positive_int(dilation, "dilation")
    padding = _check_padding(padding, PADDINGS_1D)
    before, after = padding_amounts(len(x), len(w), stride, padding, dilation)
    xp = np.pad(x, (before, after))
    extent = dilation * (len(w) - 1) + 1
    if extent > len(xp):
        raise ValueError(f"kernel extent {extent} is larger than the padded input ({len(xp)})")
    return sliding_window_view(xp, extent)[::stride, ::dilation] @ w


def pool2d(x: np.ndarray, size: Pair = 2, stride: Pair | None = None, mode: str = "max", padding: str = "valid") -> np.ndarray:
    """Max or average pooling of (H, W) or (H, W, C), channel by channel, like Keras' pooling layers.

    ``stride`` defaults to ``size`` (non-overlapping windows). With ``padding='same'`` the padded cells are
    ignored: they never win a max and are not counted in an average -- again as Keras does.
    """
    arr = _as_image(x)
    size = _pair(size, "size")
    stride = size if stride is None else _pair(stride, "stride")
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {POOL_MODES}, got {mode!r}")
    padding = _check_padding(padding, ("valid", "same"))
    x3 = arr[..., None] if arr.ndim == 2 else arr
    pads = tuple(padding_amounts(n, k, s, padding) for n, k, s in zip(x3.shape[:2], size, stride))
    if mode == "max":
        out = _windows(_pad2d(x3, pads, -np.inf), size, stride, (1, 1)).max(axis=(-2, -1))
    else:
        sums = _windows(_pad2d(x3, pads), size, stride, (1, 1)).sum(axis=(-2, -1))
        counts = _windows(_pad2d(np.ones_like(x3[..., :1]), pads), size, stride, (1, 1)).sum(axis=(-2, -1))
        out = sums / counts
    return out[..., 0] if arr.ndim == 2 else out
