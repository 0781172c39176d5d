"""Every figure of the course, one call each. In a notebook a figure is displayed once; elsewhere it is returned.

Submodules group the figures by kind; import them from here: ``from utils import plots; plots.matrices(...)``.
``plots.style`` holds the course's figure style (fonts, HiDPI storage, colour maps, reference lines); importing this
package applies it.
"""

from . import animation, diagrams, interpret, receptive, style
from .animation import *  # noqa: F403
from .arrays import draw_matrix, feature_maps, filters, image_grid, kernels, matrices, matrix
from .charts import bars, confusion_matrix, histograms, history, lines
from .diagrams import *  # noqa: F403
from .interpret import *  # noqa: F403  (notebook 13: explanation maps, receptive fields on images)
from .receptive import *  # noqa: F403
from .training import *  # noqa: F403  (notebooks 05, 06: what the callbacks did)

style.apply()

__all__ = [
    "bars", "confusion_matrix", "draw_matrix", "feature_maps", "filters", "histograms", "history", "image_grid",
    "kernels", "lines", "matrices", "matrix", "style", *animation.__all__, *diagrams.__all__, *interpret.__all__,
    *receptive.__all__,
]
