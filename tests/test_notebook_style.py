"""Every solution notebook has the course's shape: title, badge, goals, one setup cell, summary, exercises."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from checked_outputs import checked_cells, output_text, problems
from colab import setup_bootstrap
from notebook_io import SOLUTIONS, read

SOLUTION_FILES = sorted(SOLUTIONS.glob("*.ipynb"))
SETUP_MARKER = "from utils import runtime"


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.name)
def test_notebook_shape(path):
    nb = read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "first cell must be the title"
    assert f"notebooks/{path.name}" in first.source and f"solutions/{path.name}" in first.source, "Colab badges"
    assert "colab.research.google.com" in first.source
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"learning goals", markdown, re.I), "learning goals missing"
    assert re.search(r"^## Summary", markdown, re.M), "summary missing"
    assert re.search(r"^## (Exercises|More exercises)", markdown, re.M), "exercises missing"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.startswith(setup_bootstrap()), "the first code cell must be the standard setup cell"
    assert sum(SETUP_MARKER in c.source for c in code) == 1, "exactly one setup cell"


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.name)
def test_notebook_is_normalised_executed_and_small(path):
    text = path.read_text("utf-8")
    assert text == nbformat.writes(nbformat.reads(text, as_version=4)) + "\n", "not normalised: run make solutions"
    nb = json.loads(text)
    counts = [c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(counts) and counts == sorted(counts), "solutions are stored executed top to bottom"
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("name") == "stderr":
                pytest.fail(f"stderr output stored in {path.name}: {''.join(out['text'])[:300]}")
            if out["output_type"] == "stream":
                assert len("".join(out["text"]).splitlines()) <= 60, "output longer than 60 lines"
    assert path.stat().st_size < 2_500_000, "notebook larger than 2.5 MB"


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.name)
def test_checked_outputs_are_portable(path):
    """No # NBVAL_CHECK_OUTPUT cell prints round-off, a library version or a Keras summary (README: Design)."""
    found = {i: problems(output_text(cell)) for i, cell in checked_cells(read(path))}
    found = {i: p for i, p in found.items() if p}
    assert not found, f"checked outputs that another machine or version prints differently: {found}"


@pytest.mark.parametrize("text", [
    "max |keras - utils.conv| = 1.8e-06",                 # notebook 01 on an AVX-512 machine
    "Laplacian on a flat image: 2.220446049250313e-16",   # notebook 02 on an AVX-512 machine
    "max |difference|: 6.7e-07 -> equal up to rounding",  # notebook 09
    "mean 0.30000000000000004",
    "keras 3.15.1 DepthwiseConv2D(strides=2)",
    "┏━━━━━━━━━┓\n┃ Layer  ┃",
])
def test_the_rule_catches_machine_dependent_output(text):
    assert problems(text)


@pytest.mark.parametrize("text", [
    "Keras == utils.conv up to float32 round-off (every |difference| < 1e-5): True",
    "GlobalAveragePooling2D (1, 512, 512, 2) -> (1, 2): 0.0936, 0.5065",
    "parameters: 6423872 | lr 2e-3 | 1.69 MB",
    "after 1000 steps the initial moving statistics still weigh 0.99^1000 = 0.000",
])
def test_the_rule_lets_portable_output_through(text):
    assert problems(text) == []
