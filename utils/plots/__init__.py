"""Every figure of the course, one call each. In a notebook a figure is displayed once; elsewhere it is returned.

Submodules group the figures by kind; import them from here: ``from utils import plots; plots.matrices(...)``.
"""

from . import animation, receptive
from .animation import *  # noqa: F403
from .arrays import draw_matrix, feature_maps, filters, image_grid, kernels, matrices, matrix
from .charts import bars, confusion_matrix, history, lines
from .receptive import *  # noqa: F403

__all__ = [
    "bars", "confusion_matrix", "draw_matrix", "feature_maps", "filters", "history", "image_grid", "kernels",
    "lines", "matrices", "matrix", *animation.__all__, *receptive.__all__,
]
