"""utils.filters: the kernels do what their names say."""

from __future__ import annotations

import numpy as np
import pytest

from utils import conv, filters


def test_smoothing_kernels_sum_to_one_and_edge_kernels_to_zero():
    for k in (filters.box_blur(3), filters.box_blur(5), filters.gaussian(5, 1.0), filters.IDENTITY, filters.SHARPEN):
        assert k.sum() == pytest.approx(1.0)
    for k in (filters.LAPLACIAN, filters.SOBEL_X, filters.SOBEL_Y):
        assert k.sum() == 0


def test_responses_on_test_patterns():
    ramp = np.tile(np.arange(8.0), (8, 1))  # brightness grows to the right
    assert np.allclose(conv.conv2d(ramp, filters.LAPLACIAN), 0)  # a linear ramp has no curvature
    assert np.allclose(conv.conv2d(ramp, filters.SOBEL_X), 8)  # (1 + 2 + 1) * 2 grey levels per 2 pixels
    assert np.allclose(conv.conv2d(ramp, filters.SOBEL_Y), 0)
    img = np.random.default_rng(0).random((6, 6))
    assert np.allclose(conv.conv2d(img, filters.IDENTITY, padding="same"), img)


def test_gaussian_is_symmetric_and_peaks_in_the_centre():
    g = filters.gaussian(7, 1.5)
    assert g.shape == (7, 7) and np.allclose(g, g.T) and np.allclose(g, g[::-1])
    assert g.argmax() == 24


@pytest.mark.parametrize("call,argument", [
    (lambda: filters.box_blur(0), "n"),
    (lambda: filters.gaussian(4, 1.0), "n"),
    (lambda: filters.gaussian(5, 0.0), "sigma"),
])
def test_bad_arguments(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
