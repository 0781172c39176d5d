"""Shared test set-up (root conftest: loaded for every pytest run, also `pytest solutions/X.ipynb`): import paths,
a non-interactive plotting backend and no network anywhere.

``COURSE_OFFLINE=1`` is inherited by every notebook kernel the tests start (nbval, nbclient), whose
``runtime.setup()`` then installs the same socket guard, so no test and no notebook can touch the network.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]
os.environ["COURSE_OFFLINE"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")

from utils import runtime  # noqa: E402  (after the environment is set)

runtime.block_network()


def pytest_runtest_setup(item) -> None:
    """Tell a notebook's kernel which notebook it runs (nbval starts the kernel when the first cell is set up), so
    that ``utils.claims`` can record its results under that name."""
    if item.path.suffix == ".ipynb":
        os.environ["COURSE_NOTEBOOK"] = item.path.name
