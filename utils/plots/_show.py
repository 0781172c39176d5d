"""How every course figure is shown: once in a notebook, returned as a Figure elsewhere (tests, scripts)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def in_notebook() -> bool:
    """True inside a Jupyter kernel with the inline backend (JupyterLab, Colab, nbval)."""
    return "inline" in matplotlib.get_backend().lower()


def finish(fig: Figure, title: str | None = None) -> Figure | None:
    """Lay out ``fig``; in a notebook display it once and close it (returns None), otherwise return it."""
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if in_notebook():
        from IPython.display import display

        display(fig)
        plt.close(fig)
        return None
    return fig
