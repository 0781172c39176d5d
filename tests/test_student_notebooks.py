"""Student notebooks run as a student would: every exercise stops with NotImplementedError, its checker fails with a
friendly ExerciseError, and no other cell fails (later cells never need an answer).

Each student notebook runs top to bottom up to its last exercise or checker cell. The cells after it are the
solution's cells verbatim (test_generator checks that notebooks/ is generated from solutions/), and nbval runs them
in solutions/; what a student's run could add there is a cell that reads a name only an answer defines, and
:func:`exercise_analysis.reads_of_exercise_names` rules that out statically. Not re-running the long training cells after
the last exercise halves the time of ``make test``.
"""

from __future__ import annotations

import pytest
from nbclient import NotebookClient

from exercise_analysis import reads_of_exercise_names
from exercises import split_at_last_exercise
from notebook_io import NOTEBOOKS, read

STUDENT_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def errors(cell) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("path", STUDENT_FILES, ids=lambda p: p.name)
def test_student_notebook_runs_and_stops_only_at_exercises(path, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))  # the kernel's generated files, apart from nbval's run
    nb = read(path)
    upto_last_exercise, _ = split_at_last_exercise(nb)
    assert upto_last_exercise, f"{path.name} has no exercise"
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    with client.setup_kernel():
        for index, cell in upto_last_exercise:
            client.execute_cell(cell, index)
    for _, cell in upto_last_exercise:
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
    needs = reads_of_exercise_names(nb)
    assert not needs, f"{path.name}: cells after the last exercise read names only an answer binds: {needs}"
