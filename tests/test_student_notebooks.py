"""Student notebooks run top to bottom as a student would: every exercise stops with NotImplementedError, its
checker fails with a friendly ExerciseError, and no other cell fails (later cells never need an answer)."""

from __future__ import annotations

import pytest
from nbclient import NotebookClient

from notebook_io import NOTEBOOKS, read

STUDENT_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def errors(cell) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("path", STUDENT_FILES, ids=lambda p: p.name)
def test_student_notebook_runs_and_stops_only_at_exercises(path):
    nb = read(path)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    exercises = [c for c in code if "exercise" in c.metadata.get("tags", [])]
    assert exercises, f"{path.name} has no exercise"
    for cell in code:
        tags, errs = cell.metadata.get("tags", []), errors(cell)
        if "exercise" in tags and "def " not in cell.source.split("# YOUR CODE HERE")[0]:
            assert [e.ename for e in errs] == ["NotImplementedError"], cell.source
        elif "exercise" in tags:
            assert not errs or [e.ename for e in errs] == ["NotImplementedError"], cell.source
        elif "checker" in tags:
            assert [e.ename for e in errs] == ["ExerciseError"], f"checker did not fail politely:\n{cell.source}"
            assert "not implemented yet" in errs[0].evalue
        else:
            assert not errs, f"cell failed in {path.name}:\n{cell.source}\n{errs[0].ename}: {errs[0].evalue}"
