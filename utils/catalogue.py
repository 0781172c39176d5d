"""The course's exercises: for each, the reference solution, small test cases, a hint and its typical
misconceptions -- each a named wrong implementation (or a test on the answer) with what it gets wrong.

``checks.check_exercise(func)`` checks a student's function against its entry in :data:`EXERCISES` (looked up by
the function's name) and, when the answer is wrong in exactly the way a misconception is, names it. The small cases
are chosen so that every misconception fails on one of them; ``tests/test_checks.py`` feeds every wrong
implementation to its checker and asserts that the message names it. Modules that import TensorFlow are imported
only when a reference that needs them runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import batch_norm, conv, dropout
from .checks import Exercise, Misconception, difference


def _same_as_any(*wrongs: Callable[..., Any]) -> Callable[..., bool]:
    """A ``matches`` test for a misconception that several wrong implementations make (e.g. by hand or in code)."""
    return lambda got, *args, **kwargs: any(difference(got, w(*args, **kwargs)) is None for w in wrongs)


# -------------------------------------------------------------------------------------------- 00 · class_counts
CLASS_COUNTS = Exercise(
    name="class_counts",
    reference=lambda labels, num_classes: np.bincount(np.asarray(labels), minlength=num_classes),
    cases=((np.array([0, 2, 2, 1, 2]), 3), (np.array([3, 3]), 5), (np.array([1, 1, 0]), 4)),
    hint="np.bincount counts occurrences; its minlength argument keeps classes that never occur.",
    misconceptions=(
        Misconception("fractions instead of counts",
                      "the exercise asks how many labels fall in each class; do not divide by len(labels).",
                      lambda labels, num_classes: np.bincount(labels, minlength=num_classes) / len(labels)),
        Misconception("classes that never occur left out (np.bincount without minlength)",
                      "np.bincount stops at the largest label present, so the classes above it are missing; pass "
                      "minlength=num_classes to get one count per class.",
                      lambda labels, num_classes: np.bincount(labels)),
        Misconception("counts of the classes present only (np.unique)",
                      "np.unique(labels, return_counts=True) lists only the labels that occur, so a class without "
                      "labels gets no 0 and the counts after it move to the wrong positions.",
                      lambda labels, num_classes: np.unique(labels, return_counts=True)[1]),
    ),
)


# ------------------------------------------------------------------------------ 01 · cross_correlate_1d
def _correlate_one_short(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    return np.array([np.dot(w, x[i:i + len(w)]) for i in range(len(x) - len(w))])


def _padded_output(got: Any, x: np.ndarray, w: np.ndarray) -> bool:
    return len(w) > 1 and np.ndim(got) == 1 and len(got) in (len(x), len(x) + len(w) - 1)


CROSS_CORRELATE_1D = Exercise(
    name="cross_correlate_1d",
    reference=conv.conv1d,
    cases=((np.array([1.0, 2.0, 4.0, 7.0, 11.0]), np.array([1.0, 0.0, -1.0])),
           (np.arange(6.0), np.array([2.0, 1.0])), (np.ones(7), np.array([2.0]))),
    hint="the output has len(x) - len(w) + 1 entries; entry i is the dot product of w with x[i : i + len(w)].",
    misconceptions=(
        Misconception("convolution instead of cross-correlation (a flipped kernel)",
                      "you flipped the kernel. Deep learning's 'convolution' slides w over x as it is, "
                      "s_i = sum_m w_m x_(i+m); np.convolve and the textbook convolution reverse w first.",
                      lambda x, w: np.convolve(x, w, mode="valid")),
        Misconception("one output too few",
                      "the last window starts at i = len(x) - len(w), so there are len(x) - len(w) + 1 windows: "
                      "range(len(x) - len(w) + 1).",
                      _correlate_one_short),
        Misconception("a padded ('same' or 'full') output instead of 'valid'",
                      "'valid' keeps only the positions where the whole kernel lies inside the signal; no zeros "
                      "are added around x.",
                      lambda x, w: np.correlate(x, w, mode="full"), matches=_padded_output),
    ),
)


# ----------------------------------------------------------- 01 · conv_output_size, 03 · predict_size
def _size_reference(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    return conv.output_size(n, k, stride=s, padding=p, dilation=d)


_SIZE_MISCONCEPTIONS = (
    Misconception("the + 1 forgotten",
                  "(n + 2p - d(k - 1) - 1) // s counts the steps between the first and the last window; there is "
                  "one more window than steps.",
                  lambda n, k, s=1, p=0, d=1: (n + 2 * p - d * (k - 1) - 1) // s),
    Misconception("padding counted once instead of on each side",
                  "p zeros go on each side, so the padded input has n + 2p cells.",
                  lambda n, k, s=1, p=0, d=1: (n + p - d * (k - 1) - 1) // s + 1),
    Misconception("a missing floor (true division / instead of //)",
                  "when the stride does not divide the span, the last window would stick out of the input and is "
                  "not computed: the size is an integer, floor((n + 2p - d(k - 1) - 1) / s) + 1.",
                  lambda n, k, s=1, p=0, d=1: (n + 2 * p - d * (k - 1) - 1) / s + 1),
    Misconception("rounding up instead of down",
                  "a window that would stick out past the input is not computed: round the number of steps down "
                  "(//), not up.",
                  lambda n, k, s=1, p=0, d=1: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1),
    Misconception("the dilation ignored",
                  "a kernel of k taps with dilation d spans d(k - 1) + 1 input cells, not k.",
                  lambda n, k, s=1, p=0, d=1: (n + 2 * p - k) // s + 1),
)
_SIZE_CASES = ((28, 5, 1, 0, 1), (32, 5, 1, 2, 1), (8, 3, 2, 0, 1), (10, 3, 1, 0, 2), (9, 4, 3, 2, 1))
_SIZE_HINT = ("the padded input has n + 2p cells; a dilated kernel spans d(k - 1) + 1 of them; count the start "
              "positions that fit, stepping by s (floor division //).")

CONV_OUTPUT_SIZE = Exercise("conv_output_size", _size_reference, _SIZE_CASES, _SIZE_HINT, _SIZE_MISCONCEPTIONS)
PREDICT_SIZE = Exercise("predict_size", _size_reference, _SIZE_CASES, _SIZE_HINT, _SIZE_MISCONCEPTIONS)


# ---------------------------------------------------------------------------------------- 02 · diagonal_kernel
def edge_patterns(n: int = 12) -> dict[str, np.ndarray]:
    """Notebook 02's test images, one straight edge each (and a flat one): what the diagonal detector must tell
    apart."""
    i, j = np.indices((n, n))
    return {
        "/ diagonal": (i + j >= n).astype(np.float32),
        "\\ diagonal": (j >= i).astype(np.float32),
        "vertical": (j >= n // 2).astype(np.float32),
        "horizontal": (i >= n // 2).astype(np.float32),
        "flat": np.full((n, n), 0.5, dtype=np.float32),
    }


def _strengths(kernel: Any) -> dict[str, float]:
    """The strongest absolute response ('valid' padding) of a 3x3 kernel to each edge pattern."""
    k = np.asarray(kernel, dtype=np.float32)
    return {name: float(np.abs(conv.conv2d(img, k)).max()) for name, img in edge_patterns().items()}


def _diagonal_verdict(kernel: Any) -> str | None:
    try:
        k = np.asarray(kernel, dtype=np.float32)
    except (TypeError, ValueError):
        return f"expected a 3x3 array of numbers, got {kernel!r}"
    if k.shape != (3, 3):
        return f"the kernel must be 3x3, got shape {k.shape}"
    s = _strengths(k)
    if s["flat"] >= 1e-6:
        return f"it responds {s['flat']:.3g} to a flat image (its weights sum to {k.sum():.3g}, not 0)"
    if s["/ diagonal"] < 1e-6:
        return "it does not respond at all to the / edge"
    strong = [f"{s[p]:.3g} to the {p} edge" for p in ("vertical", "horizontal", "\\ diagonal")
              if s[p] >= 0.9 * s["/ diagonal"]]
    return f"it responds {' and '.join(strong)} but only {s['/ diagonal']:.3g} to the / edge" if strong else None


def _strongest_edge(kernel: Any) -> str | None:
    """The edge a zero-sum kernel responds to most strongly (None when its weights do not sum to 0)."""
    if abs(float(np.sum(kernel))) > 1e-6:
        return None
    s = _strengths(kernel)
    return max(("/ diagonal", "\\ diagonal", "vertical", "horizontal"), key=lambda p: s[p])


_DIAGONAL = np.array([[-2, -1, 0], [-1, 0, 1], [0, 1, 2]], dtype=np.float32)
_SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)

DIAGONAL_KERNEL = Exercise(
    name="diagonal_kernel",
    reference=lambda: _DIAGONAL,
    cases=((),),
    hint="weights growing along i + j: negative top-left, positive bottom-right, zero on the anti-diagonal.",
    verdict=_diagonal_verdict,
    misconceptions=(
        Misconception("a detector of the \\ diagonal instead of /",
                      "weights that grow from the top-right to the bottom-left corner find the \\ edge; the / edge "
                      "(dark top-left, bright bottom-right) needs weights growing along i + j.",
                      lambda: np.fliplr(_DIAGONAL), matches=lambda k: _strongest_edge(k) == "\\ diagonal"),
        Misconception("weights that do not sum to 0",
                      "on a flat image every window gives (sum of the weights) x (brightness); an edge detector "
                      "must answer 0 there, so its weights sum to 0.",
                      lambda: _DIAGONAL + 1, matches=lambda k: abs(float(np.sum(k))) > 1e-6),
        Misconception("a vertical or horizontal edge detector (Sobel)",
                      "Sobel x measures right minus left, so it answers vertical edges most strongly; rotate that "
                      "idea by 45 degrees: bottom-right minus top-left.",
                      lambda: _SOBEL_X, matches=lambda k: _strongest_edge(k) in ("vertical", "horizontal")),
    ),
)


# ------------------------------------------------------------------------------------------ 03 · same_padding
def _same_total(n: int, k: int, s: int, out: int, clip: bool = True) -> int:
    total = (out - 1) * s + k - n
    return max(total, 0) if clip else total


def _split_after(total: int) -> tuple[int, int]:
    return total // 2, total - total // 2


SAME_PADDING = Exercise(
    name="same_padding",
    reference=lambda n, k, s=1: conv.padding_amounts(n, k, s, "same"),
    cases=((5, 3), (6, 4), (8, 3, 2), (6, 1, 3), (7, 2, 2), (5, 8)),
    hint="the last window starts at (ceil(n/s) - 1) * s and needs k cells; the total cannot be negative; an odd "
         "total puts the extra zero after.",
    misconceptions=(
        Misconception("the extra zero before instead of after",
                      "when the total is odd TensorFlow puts the extra zero after (bottom/right): "
                      "(total // 2, total - total // 2).",
                      lambda n, k, s=1: _split_after(_same_total(n, k, s, -(-n // s)))[::-1]),
        Misconception("the stride ignored (k - 1 zeros in total)",
                      "k - 1 zeros keep the size only with stride 1; with stride s, 'same' means ceil(n/s) outputs, "
                      "so the total is (ceil(n/s) - 1) * s + k - n.",
                      lambda n, k, s=1: _split_after(k - 1)),
        Misconception("n outputs instead of ceil(n/s)",
                      "with stride s, 'same' keeps ceil(n/s) outputs (every s-th position), not n.",
                      lambda n, k, s=1: _split_after(_same_total(n, k, s, n))),
        Misconception("a negative total not clipped to 0",
                      "when the stride is larger than the kernel the windows may already fit without padding; "
                      "padding cannot be negative: max(total, 0).",
                      lambda n, k, s=1: _split_after(_same_total(n, k, s, -(-n // s), clip=False))),
    ),
)


# ------------------------------------------------------------------------------------------------ 04 · avg_pool
def _pool(x: np.ndarray, size: int, stride: int | None, mode: str = "avg") -> np.ndarray:
    return conv.pool2d(np.asarray(x, dtype=float), size, size if stride is None else stride, mode=mode)


_GRID = np.arange(16.0).reshape(4, 4) ** 1.5 % 7

AVG_POOL = Exercise(
    name="avg_pool",
    reference=lambda x, size=2, stride=None: _pool(x, size, stride),
    cases=((_GRID, 2, 1), (_GRID, 2), (np.arange(35.0).reshape(5, 7) % 4, 3, 2)),
    hint="the output has (n - size) // stride + 1 cells per axis; window (i, j) starts at (i*stride, j*stride).",
    misconceptions=(
        Misconception("max pooling instead of average pooling",
                      "average pooling takes the mean of each window, not its largest value.",
                      lambda x, size=2, stride=None: _pool(x, size, stride, mode="max")),
        Misconception("the window's sum instead of its mean",
                      "divide the sum by the size x size cells of the window (or use .mean()).",
                      lambda x, size=2, stride=None: _pool(x, size, stride) * size ** 2),
        Misconception("the last window dropped (no + 1 in the output size)",
                      "the last window starts at (n - size) // stride * stride, so there are (n - size) // stride "
                      "+ 1 windows per axis.",
                      lambda x, size=2, stride=None: _pool(x, size, stride)[:-1, :-1]),
        Misconception("the stride ignored (windows one cell apart)",
                      "window (i, j) starts at (i * stride, j * stride); by default stride = size, so the windows do "
                      "not overlap.",
                      lambda x, size=2, stride=None: _pool(x, size, 1)),
    ),
)


# --------------------------------------------------------------------------------------------- 05 · mlp_params
def _keras_mlp_params(sizes: list[int]) -> int:
    from . import models  # imports TensorFlow

    return models.dense_classifier((sizes[0],), hidden=tuple(sizes[1:-1]), num_classes=sizes[-1]).count_params()


def _pairs(sizes: list[int]) -> list[tuple[int, int]]:
    return list(zip(sizes[:-1], sizes[1:]))


MLP_PARAMS = Exercise(
    name="mlp_params",
    reference=_keras_mlp_params,
    cases=(([4, 3, 2],), ([784, 512, 10],), ([10, 5, 5, 2],)),
    hint="each layer has n_in * n_out weights plus n_out biases; pair consecutive sizes with zip(sizes, sizes[1:]).",
    misconceptions=(
        Misconception("the biases forgotten",
                      "every dense layer adds one bias per output unit: n_in * n_out + n_out.",
                      lambda sizes: sum(a * b for a, b in _pairs(sizes))),
        Misconception("a bias for the input too",
                      "the input is not a layer: it has no biases; only the n_out units of each layer do.",
                      lambda sizes: sum(a * b for a, b in _pairs(sizes)) + sum(sizes)),
        Misconception("one bias per input instead of per output unit",
                      "a layer adds one bias to each of its n_out output units, not to its n_in inputs.",
                      lambda sizes: sum(a * b + a for a, b in _pairs(sizes))),
    ),
)


# ------------------------------------------------------------------------------------------------ 06 · one_hot
def _keras_one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    import keras  # imports TensorFlow

    return keras.utils.to_categorical(labels, num_classes=num_classes)


def _every_row_every_label(labels: np.ndarray, num_classes: int) -> np.ndarray:
    out = np.zeros((len(labels), num_classes), dtype=np.float32)
    out[:, labels] = 1
    return out


ONE_HOT = Exercise(
    name="one_hot",
    reference=_keras_one_hot,
    cases=((np.array([3, 0, 1]), 4), (np.array([0]), 2), (np.array([2, 2, 1]), 5)),
    hint="row i of np.eye(num_classes) is the one-hot vector of class i; index it with the labels.",
    misconceptions=(
        Misconception("every row marked with every label",
                      "out[:, labels] = 1 sets the columns of all labels in every row; index rows and columns "
                      "together, out[np.arange(len(labels)), labels] = 1, to put one 1 per row.",
                      _every_row_every_label),
        Misconception("rows and columns swapped",
                      "the result has one row per label and one column per class: shape (len(labels), "
                      "num_classes).",
                      lambda labels, num_classes: np.eye(num_classes, dtype=np.float32)[:, labels]),
        Misconception("the number of classes taken from the labels",
                      "a batch need not contain the largest class; use num_classes columns, not labels.max() + 1.",
                      lambda labels, num_classes: np.eye(labels.max() + 1, dtype=np.float32)[labels]),
    ),
)


# --------------------------------------------------------------------------- 07 · field_size, alexnet_field
def _field(stack: list[tuple[int, ...]], jump_rule: str = "multiply", dilation: bool = True) -> tuple[int, int]:
    """Receptive-field size and jump of a stack of (kernel, stride[, dilation]) layers, right or with one mistake:
    ``jump_rule`` 'multiply' (right), 'add' (jump += stride, in code), 'sum' (jump = sum of the strides, by hand)
    or 'early' (the layer's own stride applied to its extent); ``dilation=False`` ignores the dilation."""
    size, jump, strides = 1, 1, []
    for kernel, stride, *rest in stack:
        d = rest[0] if rest and dilation else 1
        if jump_rule == "early":
            jump *= stride
        size += d * (kernel - 1) * jump
        strides.append(stride)
        jump = {"multiply": jump * stride, "add": jump + stride, "sum": sum(strides), "early": jump}[jump_rule]
    return size, jump


def _stack_field(stack: list[tuple[int, ...]]) -> Any:
    from .receptive_field import stack_field  # imports TensorFlow

    return stack_field(stack)


_STRIDES_ADDED = ("strides added instead of multiplied",
                  "a unit of layer l steps over jump_l input pixels, and each stride multiplies it: "
                  "jump_(l+1) = jump_l x stride_l (two stride-2 layers step 4 pixels, not 2 + 2 - 1 or 2 + 2).")
_EARLY_JUMP = ("the layer's own stride applied to its extent",
               "a layer's window is spread by the jump of the layers before it; add dilation x (kernel - 1) x jump "
               "first, then multiply the jump by the layer's stride.")
_NO_JUMP = ("the earlier strides ignored (kernel extents simply added)",
            "each layer's window counts cells of its input, which lie jump input pixels apart: it adds "
            "dilation x (kernel - 1) x jump pixels, not dilation x (kernel - 1).")

FIELD_SIZE = Exercise(
    name="field_size",
    reference=lambda stack: _stack_field(stack).size,
    cases=(([(3, 1, 1), (3, 1, 1)],), ([(3, 2, 1), (3, 2, 1)],), ([(3, 1, 2), (3, 1, 1)],),
           ([(3, 3, 1), (3, 3, 1), (3, 1, 1)],)),
    hint="start from size 1 and jump 1; each layer adds dilation*(kernel-1)*jump, then multiplies jump by its stride",
    misconceptions=(
        Misconception(*_STRIDES_ADDED, lambda stack: _field(stack, "add")[0],
                      matches=_same_as_any(lambda stack: _field(stack, "add")[0],
                                           lambda stack: _field(stack, "sum")[0])),
        Misconception(*_EARLY_JUMP, lambda stack: _field(stack, "early")[0]),
        Misconception(*_NO_JUMP, lambda stack: 1 + sum((s[2] if len(s) > 2 else 1) * (s[0] - 1) for s in stack)),
        Misconception("the dilation ignored",
                      "a dilated layer spreads its kernel taps dilation cells apart: it adds "
                      "dilation x (kernel - 1) x jump.",
                      lambda stack: _field(stack, dilation=False)[0]),
    ),
)

_ALEXNET = [(11, 4), (3, 2), (5, 1), (3, 2)]
_KERNELS_ADDED = 1 + sum(k - 1 for k, _ in _ALEXNET)

ALEXNET_FIELD = Exercise(
    name="alexnet_field",
    reference=lambda: (_stack_field(_ALEXNET).size, _stack_field(_ALEXNET).stride),
    cases=((),),
    outputs=("size", "stride"),
    hint="jumps before each layer: 1, 4, 8, 8; each layer adds (kernel-1)*jump to the size",
    misconceptions=(
        Misconception(*_STRIDES_ADDED, lambda: _field(_ALEXNET, "sum"),
                      matches=_same_as_any(lambda: _field(_ALEXNET, "sum"), lambda: _field(_ALEXNET, "add"))),
        Misconception(*_EARLY_JUMP, lambda: _field(_ALEXNET, "early")),
        Misconception(*_NO_JUMP, lambda: (_KERNELS_ADDED, 16),
                      matches=lambda got: np.size(got) == 2 and np.ravel(got)[0] == _KERNELS_ADDED),
        Misconception("the last pool's stride left out of the stride",
                      "the units after the second pool step over the jump before it (8) times that pool's stride "
                      "(2): 16 input pixels.",
                      lambda: (_field(_ALEXNET)[0], _field(_ALEXNET[:-1])[1])),
    ),
)


# ---------------------------------------------------------------------------------------------- 08 · my_dropout
def _dropped(x: np.ndarray, rate: float, seed: int, keep_scale: float, keep_where: str = "u >= rate") -> np.ndarray:
    x = np.asarray(x, dtype=float)
    u = np.random.default_rng(seed).random(x.shape)
    keep = u >= rate if keep_where == "u >= rate" else u < rate
    return np.where(keep, x * keep_scale, 0.0)


_DROPOUT_X = np.arange(1.0, 13.0).reshape(3, 4)

MY_DROPOUT = Exercise(
    name="my_dropout",
    reference=dropout.inverted_dropout,
    cases=((_DROPOUT_X, 0.5, True, 0), (_DROPOUT_X, 0.5, False, 1), (_DROPOUT_X, 0.2, True, 2),
           (_DROPOUT_X, 0.0, True, 3)),
    hint="keep = np.random.default_rng(seed).random(x.shape) >= rate; scale the kept units by 1 / (1 - rate); in "
         "inference mode nothing changes.",
    misconceptions=(
        Misconception("inverted dropout without the 1/(1-p) scaling",
                      "the kept units must be divided by 1 - rate, so that each unit's expected value stays x; "
                      "unscaled, the network sees weaker activations in training than at inference.",
                      lambda x, rate, training, seed: _dropped(x, rate, seed, 1.0) if training else np.asarray(x)),
        Misconception("multiplied by (1 - rate) instead of divided",
                      "inverted dropout divides the kept units by 1 - rate (they stand in for the dropped ones); "
                      "multiplying by 1 - rate is classic dropout's rule for inference.",
                      lambda x, rate, training, seed: _dropped(x, rate, seed, 1 - rate) if training
                      else np.asarray(x)),
        Misconception("the rate used as the keep probability",
                      "rate is the probability of dropping a unit: keep the units where u >= rate, and scale them by "
                      "1 / (1 - rate).",
                      lambda x, rate, training, seed: _dropped(x, rate, seed, 1 / rate, "u < rate") if training
                      else np.asarray(x)),
        Misconception("dropout applied at inference too",
                      "at inference (training=False) inverted dropout returns x unchanged: every unit is used.",
                      lambda x, rate, training, seed: _dropped(x, rate, seed, 1 / (1 - rate))),
        Misconception("classic dropout's inference scaling",
                      "with inverted dropout the scaling already happened in training; at inference return x "
                      "unchanged (multiplying by 1 - rate is the rule of classic dropout).",
                      lambda x, rate, training, seed: dropout.inverted_dropout(x, rate, training, seed) if training
                      else np.asarray(x) * (1 - rate)),
    ),
)


# ------------------------------------------------------------------------------------------- 09 · my_batch_norm
def _bn(x, gamma, beta, moving_mean, moving_variance, training, momentum=0.99, epsilon=1e-3, *, ddof=0,
        batch_axis_only=False, swapped=False, update=True, batch_at_inference=False, eps_outside=False):
    """Batch norm, right or with one mistake (keyword flags), returning (y, new moving_mean, new moving_variance)."""
    x = np.asarray(x, dtype=float)
    axes = 0 if batch_axis_only else tuple(range(x.ndim - 1))
    if training or batch_at_inference:
        mean, variance = x.mean(axis=axes), x.var(axis=axes, ddof=ddof)
    else:
        mean, variance = moving_mean, moving_variance
    if training and update:
        keep = 1 - momentum if swapped else momentum
        moving_mean = keep * moving_mean + (1 - keep) * mean
        moving_variance = keep * moving_variance + (1 - keep) * variance
    scale = np.sqrt(variance) + epsilon if eps_outside else np.sqrt(variance + epsilon)
    return gamma * (x - mean) / scale + beta, moving_mean, moving_variance


def _bn_params(channels: int, offset: float) -> tuple[np.ndarray, ...]:
    c = np.arange(channels, dtype=float)
    return 1.0 + 0.5 * c, c - offset, 0.1 * c + offset, 1.0 + c


_BN_DENSE = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [6.0, 0.0]])
_BN_CONV = (np.arange(24.0).reshape(2, 2, 2, 3) % 5) * np.array([1.0, -2.0, 0.5])

MY_BATCH_NORM = Exercise(
    name="my_batch_norm",
    reference=batch_norm.batch_norm_forward,
    cases=((_BN_DENSE, *_bn_params(2, 0.5), True), (_BN_DENSE, *_bn_params(2, 0.5), False),
           (_BN_CONV, *_bn_params(3, 1.0), True), ((_BN_CONV, *_bn_params(3, 1.0), True), {"momentum": 0.5}),
           (_BN_CONV, *_bn_params(3, 1.0), False)),
    outputs=("y", "new moving_mean", "new moving_variance"),
    hint="axes = all but the last; x.var() is the biased variance; in inference use (and return) the moving "
         "statistics unchanged.",
    misconceptions=(
        Misconception("the unbiased variance (divided by m - 1)",
                      "batch norm normalises with the biased variance of the batch, divided by m (x.var(), as "
                      "Keras does); ddof=1 divides by m - 1.",
                      lambda *a, **kw: _bn(*a, **kw, ddof=1)),
        Misconception("the momentum's weights swapped",
                      "momentum is the weight of the old moving statistic: new = momentum x moving + (1 - momentum) x "
                      "batch statistic.",
                      lambda *a, **kw: _bn(*a, **kw, swapped=True)),
        Misconception("the moving statistics not updated in training",
                      "each training step moves them towards the batch statistics: momentum x moving + "
                      "(1 - momentum) x batch.",
                      lambda *a, **kw: _bn(*a, **kw, update=False)),
        Misconception("the epsilon outside the square root",
                      "divide by sqrt(variance + epsilon), not sqrt(variance) + epsilon.",
                      lambda *a, **kw: _bn(*a, **kw, eps_outside=True)),
        Misconception("batch statistics at inference",
                      "at inference batch norm uses the moving statistics, so that an example's output does not "
                      "depend on the rest of its batch.",
                      lambda *a, **kw: _bn(*a, **kw, batch_at_inference=True)),
        Misconception("statistics over the batch axis only",
                      "for images every position of a channel measures the same feature: average over all axes but "
                      "the last (batch, height, width), axes = tuple(range(x.ndim - 1)).",
                      lambda *a, **kw: _bn(*a, **kw, batch_axis_only=True)),
    ),
)


# -------------------------------------------------------------------------------------------- 10 · inception_params
def _keras_inception_params(c_in: int, *config: int) -> int:
    import keras  # imports TensorFlow

    from . import resnet

    x = keras.Input((8, 8, c_in))
    return keras.Model(x, resnet.inception_module(x, *config, name="m")).count_params()


def _inception(c_in, f1, f3_reduce, f3, f5_reduce, f5, pool_proj, *, bias=True, reduced_inputs=True,
               pool=True, reductions=True) -> int:
    """The module's parameter count, right or with one mistake (keyword flags)."""
    p = lambda k, c, f: conv.conv_params(k, c, f, use_bias=bias)  # noqa: E731
    return (p(1, c_in, f1)
            + (p(1, c_in, f3_reduce) + p(1, c_in, f5_reduce) if reductions else 0)
            + p(3, f3_reduce if reduced_inputs else c_in, f3) + p(5, f5_reduce if reduced_inputs else c_in, f5)
            + (p(1, c_in, pool_proj) if pool else 0))


INCEPTION_PARAMS = Exercise(
    name="inception_params",
    reference=_keras_inception_params,
    cases=((3, 1, 1, 1, 1, 1, 1), (192, 64, 96, 128, 16, 32, 32)),
    hint="Six convolutions: 1x1 (f1), 1x1 (f3_reduce) then 3x3 (f3), 1x1 (f5_reduce) then 5x5 (f5), and the 1x1 "
         "pool projection. A reduced branch's 3x3/5x5 sees f3_reduce/f5_reduce channels, not c_in.",
    misconceptions=(
        Misconception("the 3x3 and 5x5 convolutions fed c_in channels",
                      "in the module with reductions the 3x3 (5x5) convolution sees the f3_reduce (f5_reduce) "
                      "channels of its 1x1 reduction, not the c_in channels of the module's input.",
                      lambda *a: _inception(*a, reduced_inputs=False)),
        Misconception("the biases forgotten",
                      "every convolution of the module has one bias per filter (conv.conv_params counts them).",
                      lambda *a: _inception(*a, bias=False)),
        Misconception("the pool projection left out",
                      "pooling has no parameters, but the 1x1 projection after it (pool_proj filters) has.",
                      lambda *a: _inception(*a, pool=False)),
        Misconception("the 1x1 reductions left out",
                      "the 1x1 reductions before the 3x3 and 5x5 convolutions are convolutions with weights and "
                      "biases too.",
                      lambda *a: _inception(*a, reductions=False)),
    ),
)


# ------------------------------------------------------------------------------------ 11 · nearest_mean_predict
def _class_means(train_f: np.ndarray, train_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    classes = np.unique(train_y)
    return classes, np.stack([train_f[train_y == c].mean(0) for c in classes])


def _nearest_mean(train_f, train_y, test_f, pick=np.argmin, labels=True):
    classes, means = _class_means(train_f, train_y)
    index = pick(np.linalg.norm(test_f[:, None] - means[None], axis=-1), axis=1)
    return classes[index] if labels else index


def _nearest_example(train_f, train_y, test_f):
    return train_y[np.linalg.norm(test_f[:, None] - train_f[None], axis=-1).argmin(1)]


NEAREST_MEAN_PREDICT = Exercise(
    name="nearest_mean_predict",
    reference=_nearest_mean,
    cases=((np.array([[0.0], [2.0], [10.0]]), np.array([3, 3, 7]), np.array([[0.5], [6.5], [5.0]])),
           (np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 1.0], [10.0, 1.0]]), np.array([1, 1, 4, 4]),
            np.array([[3.5, 0.5], [0.0, 1.0], [8.0, 1.0]]))),
    hint="means[k] = train_f[train_y == classes[k]].mean(axis=0); broadcast test_f[:, None, :] - means[None]; "
         "return classes[argmin], not the argmin itself (labels need not be 0..k-1).",
    misconceptions=(
        Misconception("the index of the nearest mean instead of its class label",
                      "means[k] belongs to classes[k] = np.unique(train_y)[k]; return classes[argmin], since labels "
                      "need not be 0, 1, ..., k - 1.",
                      lambda *a: _nearest_mean(*a, labels=False)),
        Misconception("the farthest class mean (argmax)",
                      "the prediction is the class whose mean is closest: argmin of the distances.",
                      lambda *a: _nearest_mean(*a, pick=np.argmax)),
        Misconception("the nearest training example instead of the nearest class mean",
                      "this classifier compares a test vector with one prototype per class, the mean of that "
                      "class's training vectors, not with every training vector (that is 1-nearest-neighbour).",
                      _nearest_example),
    ),
)


# ------------------------------------------------------------------------------------ 12 · global_mean_gradient
def _weighted_sum(grads: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return np.tensordot(np.asarray(counts, dtype=float), np.asarray(grads, dtype=float), axes=1)


GLOBAL_MEAN_GRADIENT = Exercise(
    name="global_mean_gradient",
    reference=lambda g, n: _weighted_sum(g, n) / np.sum(n),
    cases=((np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([64, 8])),
           (np.array([[2.0, 4.0], [6.0, 8.0], [1.0, 1.0]]), np.array([1, 2, 3])),
           (np.arange(12.0).reshape(2, 3, 2), np.array([4, 0]))),
    hint="Undo each replica's mean (multiply by its count), add them up, divide by the total count. The mean of the "
         "means is wrong when the counts differ.",
    misconceptions=(
        Misconception("the mean of the replicas' means (counts ignored)",
                      "a replica that saw 8 examples would weigh as much as one that saw 64: weight each replica's "
                      "mean by its count.",
                      lambda g, n: np.mean(g, axis=0)),
        Misconception("the replicas' means summed (an all-reduce SUM)",
                      "summing the per-replica means counts each replica once, whatever its number of examples; "
                      "weight each by its count and divide by the total.",
                      lambda g, n: np.sum(g, axis=0)),
        Misconception("not divided by the total count",
                      "sum_i counts[i] x grads[i] is the gradient summed over all examples; divide by sum(counts) to "
                      "average it.",
                      _weighted_sum),
        Misconception("divided by the number of replicas instead of the number of examples",
                      "the global batch has sum(counts) examples: divide the weighted sum by that, not by "
                      "len(counts).",
                      lambda g, n: _weighted_sum(g, n) / len(n)),
    ),
)


# ------------------------------------------------------------------------------------------ 03 · transposed_conv
def _zeros_route(x: Any, w: Any, stride: int = 1, *, gap: int | None = None, trailing: bool = False,
                 flip: bool = True, padding: str = "full") -> np.ndarray:
    """Transposed convolution as an ordinary one: ``gap - 1`` zeros between the pixels of ``x`` (default ``gap`` =
    ``stride``; ``trailing``: also after the last ones), then ``conv2d`` with the kernel flipped (unless ``flip`` is
    False). The defaults are the right answer; the keywords make the misconceptions."""
    x, kernel = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    gap = stride if gap is None else gap
    extra = gap - 1 if trailing else 0
    spread = np.zeros(((x.shape[0] - 1) * gap + 1 + extra, (x.shape[1] - 1) * gap + 1 + extra))
    spread[::gap, ::gap] = x
    return conv.conv2d(spread, kernel[::-1, ::-1] if flip else kernel, padding=padding)


TRANSPOSED_CONV = Exercise(
    name="transposed_conv",
    reference=lambda x, w, stride=1: conv.conv_transpose2d(np.asarray(x, dtype=float), np.asarray(w, dtype=float),
                                                           stride),
    cases=((np.array([[1.0, 2.0], [3.0, 4.0]]), np.arange(1.0, 10.0).reshape(3, 3), 2),
           (np.array([[1.0, -1.0, 2.0], [0.5, 3.0, -2.0]]), np.array([[1.0, 2.0], [3.0, 5.0]]), 2),
           (np.arange(6.0).reshape(3, 2), np.array([[0.0, 1.0, 2.0], [1.0, 0.0, -1.0], [3.0, 1.0, 0.0]]), 1),
           (np.array([[2.0, -1.0], [1.0, 3.0]]), np.arange(16.0).reshape(4, 4) % 5, 3)),
    hint="spread = np.zeros(((H - 1) * stride + 1, (W - 1) * stride + 1)); spread[::stride, ::stride] = x; then "
         "conv.conv2d(spread, w[::-1, ::-1], padding='full').",
    misconceptions=(
        Misconception("the kernel not flipped (a 'full' cross-correlation of the spread input)",
                      "conv.conv2d slides the kernel as it is; a copy of w placed at each pixel is, seen from the "
                      "output, w read backwards: flip it with w[::-1, ::-1] before the 'full' conv2d.",
                      lambda x, w, stride=1: _zeros_route(x, w, stride, flip=False)),
        Misconception("stride zeros between pixels instead of stride - 1",
                      "the copies must land stride pixels apart, so neighbouring pixels of x must end up stride "
                      "cells apart: stride - 1 zeros between them.",
                      lambda x, w, stride=1: _zeros_route(x, w, stride, gap=stride + 1)),
        Misconception("zeros after the last pixel too (the output stride - 1 pixels too long)",
                      "zeros go only between pixels: the spread input has (n - 1) * stride + 1 cells, not n * stride, "
                      "and the output (n - 1) * stride + k. (Keras adds such extra pixels only when asked: "
                      "output_padding.)",
                      lambda x, w, stride=1: _zeros_route(x, w, stride, trailing=True)),
        Misconception("no zeros inserted (the stride ignored)",
                      "without zeros between the pixels the copies land one pixel apart: that is the stride-1 "
                      "transposed convolution, whatever the stride.",
                      lambda x, w, stride=1: _zeros_route(x, w, stride, gap=1)),
        Misconception("a 'same' convolution of the spread input instead of 'full'",
                      "'same' keeps the size of the spread input; every partial overlap of the kernel with it is an "
                      "output pixel, so use padding='full': (n - 1) * stride + k pixels per axis.",
                      lambda x, w, stride=1: _zeros_route(x, w, stride, padding="same")),
    ),
)


# ------------------------------------------------------------------------------------------ 13 · grad_cam_map
def _weighted_sum_of_channels(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """sum_k alpha_k A^k with alpha_k = the gradient averaged over the positions: (N, h, w), before the ReLU."""
    a, g = np.asarray(a, dtype=float), np.asarray(g, dtype=float)
    return np.einsum("nhwk,nk->nhw", a, g.mean(axis=(1, 2)))


def _each_by_its_max(cam: np.ndarray) -> np.ndarray:
    """Each map divided by its own largest value; a map without a positive value is left as it is."""
    peak = cam.max(axis=(1, 2), keepdims=True)
    return np.where(peak > 0, cam / np.where(peak > 0, peak, 1.0), cam)


def _grad_cam_reference(activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    from . import interpret  # imports TensorFlow: only when the reference runs

    return interpret.cam_from_gradients(activations, gradients)


def _by_batch_max(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    cam = np.maximum(_weighted_sum_of_channels(a, g), 0.0)
    return cam / cam.max() if cam.max() > 0 else cam


def _zero_map_divided(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    cam = np.maximum(_weighted_sum_of_channels(a, g), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cam / cam.max(axis=(1, 2), keepdims=True)


_CAM_RNG = np.random.default_rng(13)

GRAD_CAM_MAP = Exercise(
    name="grad_cam_map",
    reference=_grad_cam_reference,
    cases=((_CAM_RNG.normal(size=(2, 3, 4, 5)), _CAM_RNG.normal(size=(2, 3, 4, 5))),
           (np.ones((1, 2, 2, 3)), -np.ones((1, 2, 2, 3)))),
    hint="alpha = gradients.mean(axis=(1, 2)) has shape (N, K); multiply alpha[:, None, None, :] with the "
         "activations and sum over the last axis, apply np.maximum(..., 0), then divide each map by its own maximum "
         "unless that is 0 (in the second case every map is 0 after the ReLU).",
    misconceptions=(
        Misconception("the ReLU missing",
                      "Grad-CAM keeps only the evidence *for* the class: clip the weighted sum at 0 before you "
                      "normalise (np.maximum(..., 0)).",
                      lambda a, g: _each_by_its_max(_weighted_sum_of_channels(a, g))),
        Misconception("the maps not divided by their maximum",
                      "each map is divided by its own largest value, so that it lies in [0, 1].",
                      lambda a, g: np.maximum(_weighted_sum_of_channels(a, g), 0.0)),
        Misconception("every map divided by the batch's largest value instead of its own",
                      "the maximum is taken per map (cam.max(axis=(1, 2), keepdims=True)); one maximum over the whole "
                      "batch leaves every map but the strongest below 1, so maps of different images are not "
                      "comparable.",
                      _by_batch_max),
        Misconception("gradient x activation at each position instead of one weight per channel",
                      "the gradients are averaged over the positions first: one weight alpha_k per channel, the same "
                      "at every position (gradients.mean(axis=(1, 2))), then sum_k alpha_k A^k.",
                      lambda a, g: _each_by_its_max(np.maximum((np.asarray(a) * np.asarray(g)).sum(axis=-1), 0.0))),
        Misconception("a map that is zero everywhere divided by 0 (NaN)",
                      "after the ReLU a map can be 0 everywhere (no evidence for the class at this layer); 0 / 0 is "
                      "NaN. Divide only where the maximum is positive and leave such a map at 0.",
                      _zero_map_divided),
    ),
    rtol=1e-4, atol=1e-5,
)


# --------------------------------------------------------------------------------------------- 13 · cam_shape
#: Notebook 13's two architectures, built on first use. Untrained: a map's shape does not depend on the weights.
CAM_NETWORKS: dict[str, Any] = {}
#: Notebook 13's per-position augmentation layer, declared to ``receptive_field``.
CAM_PASSTHROUGH = ("RandomTranslation",)


def cam_network(network: str) -> Any:
    """Notebook 13's network ``'MNIST'`` or ``'CIFAR-10'`` (its architecture, untrained)."""
    if network not in ("MNIST", "CIFAR-10"):
        raise ValueError(f"network must be 'MNIST' or 'CIFAR-10', got {network!r}")
    if network not in CAM_NETWORKS:
        from . import models  # imports TensorFlow: only when a check runs

        CAM_NETWORKS[network] = (models.mnist_cnn() if network == "MNIST" else
                                 models.cifar_cnn(widths=(16, 32, 64), convs_per_block=1))
    return CAM_NETWORKS[network]


def _by_field(network: str, layer_name: str, attribute: str) -> tuple[int, int]:
    """The input size divided by the layer's receptive-field ``attribute`` ('stride' or 'size'), per axis."""
    from .receptive_field import receptive_field

    model = cam_network(network)
    field = getattr(receptive_field(model, layer_name, passthrough=CAM_PASSTHROUGH), attribute)
    return tuple(int(n) // f for n, f in zip(model.inputs[0].shape[1:3], field))


def _by_own_stride(network: str, layer_name: str) -> tuple[int, int]:
    model = cam_network(network)
    stride = getattr(model.get_layer(layer_name), "strides", None) or (1, 1)
    return tuple(int(n) // s for n, s in zip(model.inputs[0].shape[1:3], stride))


CAM_SHAPE = Exercise(
    name="cam_shape",
    reference=lambda network, layer_name: tuple(cam_network(network).get_layer(layer_name).output.shape[1:3]),
    cases=tuple([("MNIST", name) for name in ("conv1", "pool1", "pool2", "conv2")]
                + [("CIFAR-10", name) for name in ("block1_relu1", "block2_relu1", "block3_relu1", "block3_pool")]),
    hint="neighbouring units of the layer are `stride` input pixels apart, so an input of H rows gives H // stride "
         "rows of units (receptive_field(...).stride is the effective stride: the product of all strides so far).",
    misconceptions=(
        Misconception("the receptive field's size instead of its stride",
                      "neighbouring cells overlap: they are `stride` pixels apart although each sees `size` pixels, "
                      "so the map has H // stride rows, not H // size.",
                      lambda network, layer_name: _by_field(network, layer_name, "size")),
        Misconception("the layer's own stride instead of the effective stride",
                      "a layer's `strides` says how far it moves over *its input*; on the image its units are the "
                      "product of all strides up to it apart (receptive_field(...).stride): pool2 moves by 2 over a "
                      "map that is already 2 pixels per cell, so 4 pixels per cell.",
                      _by_own_stride),
        Misconception("the input's size",
                      "that is the size of the upsampled map (upsample=True); the map itself has one cell per unit "
                      "of the layer.",
                      lambda network, layer_name: tuple(int(n) for n in cam_network(network).inputs[0].shape[1:3])),
    ),
)

EXERCISES: dict[str, Exercise] = {e.name: e for e in (
    CLASS_COUNTS, CROSS_CORRELATE_1D, CONV_OUTPUT_SIZE, DIAGONAL_KERNEL, PREDICT_SIZE, SAME_PADDING, AVG_POOL,
    MLP_PARAMS, ONE_HOT, FIELD_SIZE, ALEXNET_FIELD, MY_DROPOUT, MY_BATCH_NORM, INCEPTION_PARAMS,
    NEAREST_MEAN_PREDICT, GLOBAL_MEAN_GRADIENT, TRANSPOSED_CONV, GRAD_CAM_MAP, CAM_SHAPE)}
