"""Every solution notebook has the course's shape: title, badge, goals, one setup cell, summary, exercises."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from notebook_io import SETUP_BOOTSTRAP, SOLUTIONS, read

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
    assert code[0].source.startswith(SETUP_BOOTSTRAP), "the first code cell must be the standard setup cell"
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
