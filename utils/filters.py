"""Classic image-processing kernels, as (kh, kw) float arrays ready for :func:`utils.conv.conv2d`.

Every kernel is written for cross-correlation (the deep-learning convention). The symmetric ones (Laplacian, box,
Gaussian, sharpen) are the same either way; the Sobel kernels are antisymmetric, so flipping them flips the sign.
"""

from __future__ import annotations

import numpy as np

#: The slides' "edge detector": the 4-neighbour Laplacian. Zero response on flat regions and linear ramps.
LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float32)

#: Horizontal gradient (responds to vertical edges): right minus left, centre row weighted twice.
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)

#: Vertical gradient (responds to horizontal edges): bottom minus top.
SOBEL_Y = SOBEL_X.T.copy()

#: Sharpen = identity + (-Laplacian): boosts each pixel against its four neighbours.
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32)

#: Identity: reproduces the image (with 'same' padding).
IDENTITY = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float32)


def box_blur(n: int = 3) -> np.ndarray:
    """An n x n mean filter; ``box_blur(3)`` is the slides' 1/9 blur.

    >>> box_blur(3).sum()
    np.float32(1.0)
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    return np.full((n, n), 1.0 / (n * n), dtype=np.float32)


def gaussian(n: int = 5, sigma: float = 1.0) -> np.ndarray:
    """An n x n Gaussian blur kernel with standard deviation ``sigma`` (in pixels), normalised to sum 1.

    ``n`` must be odd so that the kernel has a centre pixel.
    """
    if not isinstance(n, (int, np.integer)) or n < 1 or n % 2 == 0:
        raise ValueError(f"n must be a positive odd int, got {n!r}")
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a positive number, got {sigma!r}")
    r = np.arange(n) - n // 2
    g = np.exp(-(r**2) / (2.0 * sigma**2))
    k = np.outer(g, g)
    return (k / k.sum()).astype(np.float32)


#: The named 3x3 kernels, for menus and loops.
KERNELS: dict[str, np.ndarray] = {
    "identity": IDENTITY,
    "laplacian": LAPLACIAN,
    "sobel_x": SOBEL_X,
    "sobel_y": SOBEL_Y,
    "sharpen": SHARPEN,
    "box_blur": box_blur(3),
    "gaussian": gaussian(3, 0.85),
}
