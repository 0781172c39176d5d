"""Student notebooks run as a student would: every exercise stops with NotImplementedError, its checker fails with a
friendly NotAttempted error (so the grader reports the exercise `not attempted`), and no other cell fails (later
cells never need an answer).

Each student notebook runs top to bottom up to its last exercise or checker cell, the way ``tools/grade.py`` runs it.
The cells after it are the solution's cells verbatim (test_generator checks that notebooks/ is generated from
solutions/), and nbval runs them in solutions/, but for the progress cell the generator appends (it only prints, see
test_grade); what a student's run could add there is a cell that reads a name only an answer defines, and
:func:`exercise_analysis.reads_of_exercise_names` rules that out statically. Not re-running the long training cells
after the last exercise halves the time of ``make test``.
"""

from __future__ import annotations

import pytest

from exercise_analysis import reads_of_exercise_names
from exercises import split_at_last_exercise
from grade import NOT_ATTEMPTED, execute, exercises, outcome
from notebook_io import NOTEBOOKS, read

STUDENT_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def errors(cell) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("path", STUDENT_FILES, ids=lambda p: p.name)
def test_student_notebook_runs_and_stops_only_at_exercises(path, tmp_path):
    nb = read(path)
    upto_last_exercise, _ = split_at_last_exercise(nb)
    assert upto_last_exercise, f"{path.name} has no exercise"
    execute(nb, upto_last_exercise, tmp_path, timeout=600)
    for _, cell in upto_last_exercise:
        tags, errs = cell.metadata.get("tags", []), errors(cell)
        if "exercise" in tags and "def " not in cell.source.split("# YOUR CODE HERE")[0]:
            assert [e.ename for e in errs] == ["NotImplementedError"], cell.source
        elif "exercise" in tags:
            assert not errs or [e.ename for e in errs] == ["NotImplementedError"], cell.source
        elif "checker" in tags:
            assert [e.ename for e in errs] == ["NotAttempted"], f"checker did not fail politely:\n{cell.source}"
            assert "not implemented yet" in errs[0].evalue
        else:
            assert not errs, f"cell failed in {path.name}:\n{cell.source}\n{errs[0].ename}: {errs[0].evalue}"
    found = exercises(nb)
    assert all(j is not None for _, _, j in found), "an exercise without its checker cell"
    statuses = {name: outcome(name, nb.cells[i], nb.cells[j])[0] for name, i, j in found}
    assert set(statuses.values()) == {NOT_ATTEMPTED}, statuses
    needs = reads_of_exercise_names(nb)
    assert not needs, f"{path.name}: cells after the last exercise read names only an answer binds: {needs}"
