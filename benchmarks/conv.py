"""Benchmark `make bench`: utils.conv.conv2d (vectorised NumPy) vs the naive loop vs tf.nn.conv2d.

A 256x256x3 image with 16 filters of 3x3x3, 'valid' padding, float32, in one run. Prints the median time of each
and the ratios; the README quotes the result. Targets: >= 50x faster than the loop, within 5x of tf.nn.conv2d.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from utils import conv, runtime  # noqa: E402


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up (TensorFlow traces and allocates on the first call)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runtime.gpu_names()  # import TensorFlow quietly
    import tensorflow as tf

    rng = np.random.default_rng(0)
    image = rng.random((256, 256, 3), dtype=np.float32)
    kernel = rng.standard_normal((3, 3, 3, 16)).astype(np.float32)
    expected = tf.nn.conv2d(image[None], kernel, strides=1, padding="VALID")[0].numpy()
    np.testing.assert_allclose(conv.conv2d(image, kernel), expected, rtol=1e-4, atol=1e-4)

    t_numpy = median_seconds(lambda: conv.conv2d(image, kernel), repeats=30)
    t_loop = median_seconds(lambda: conv.conv2d_naive(image, kernel), repeats=1)
    t_tf = median_seconds(lambda: tf.nn.conv2d(image[None], kernel, strides=1, padding="VALID").numpy(), repeats=30)

    print(f"256x256x3 image, 16 filters 3x3x3, valid padding, float32, {runtime.describe()}")
    print(f"  naive loop           {t_loop * 1e3:9.1f} ms")
    print(f"  utils.conv.conv2d    {t_numpy * 1e3:9.2f} ms   {t_loop / t_numpy:7.0f}x faster than the loop")
    print(f"  tf.nn.conv2d         {t_tf * 1e3:9.2f} ms   utils.conv is {t_numpy / t_tf:.2f}x the time of TensorFlow")
    ok = t_loop / t_numpy >= 50 and t_numpy / t_tf <= 5
    print("targets (>= 50x the loop, within 5x of tf.nn.conv2d):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
