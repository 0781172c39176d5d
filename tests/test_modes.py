"""Modes differ only through runtime.pick(...): no solution notebook reads the mode to branch on it
(tools/mode_branches.py, an AST check), with planted cases that must be caught and cases that must pass."""

from __future__ import annotations

import pytest

from mode_branches import mode_branches, notebook_mode_branches
from notebook_io import SOLUTIONS

NOTEBOOKS = sorted(SOLUTIONS.glob("*.ipynb"))

BRANCHES = [  # each must be reported
    'if runtime.MODE == "full":\n    epochs = 30',
    'epochs = 30 if runtime.MODE == "full" else 3',
    "mode = runtime.MODE",
    'sizes = {"fast": 2, "full": 50}[runtime.MODE]',
    "train(mode=runtime.MODE)",
    'print("big" if runtime.MODE == "full" else "small")',
    'print(f"{30 if runtime.MODE == \'full\' else 3} epochs")',
    'if os.environ["COURSE_MODE"] == "full":\n    pass',
    'if os.environ.get("COURSE_MODE"):\n    pass',
    'full = os.getenv("COURSE_MODE") == "full"',
    'if runtime.detect_mode() == "full":\n    pass',
    "from utils.runtime import MODE",
    "from utils.runtime import detect_mode as which",
    'if MODE == "full":\n    pass',
]

SHOWN_ONLY = [  # each must pass: pick, or the mode only shown
    "epochs = runtime.pick(fast=3, full=30)",
    'print("mode:", runtime.MODE)',
    'plots.history(history, title=f"ResNet-20, {runtime.MODE} mode")',
    'print("COURSE_MODE =", os.environ.get("COURSE_MODE", "not set"))',
    'print("run %env COURSE_MODE=fast first")',
    "%env COURSE_MODE=fast\nx = 1",
    "modes = runtime.MODES",
    'n_train = {"fast": 5_000, "full": 60_000}\nprint(n_train["full"])',
]


@pytest.mark.parametrize("source", BRANCHES)
def test_planted_mode_branches_are_caught(source):
    assert mode_branches(source), source


@pytest.mark.parametrize("source", SHOWN_ONLY)
def test_pick_and_showing_the_mode_pass(source):
    assert mode_branches(source) == [], source


def test_reports_line_and_code():
    assert mode_branches('x = 1\nif runtime.MODE == "full":\n    x = 2') == [(2, "runtime.MODE")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_notebook_branches_on_the_mode(path):
    found = notebook_mode_branches(path)
    assert not found, (f"{path.name} reads the mode other than through runtime.pick(fast=..., full=...): {found}. "
                       "Use runtime.pick for values that differ between modes; only print() or an f-string may "
                       "show the mode.")
