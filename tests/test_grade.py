"""tools/grade.py: every exercise of a student notebook graded passed, failed (with the checker's message), not
attempted or error; a notebook that cannot run is one error row; JSON and text output; the progress cell."""

from __future__ import annotations

import json

import nbformat
import pytest

import grade
from exercises import BEGIN, END, paste_solutions, student_version
from notebook_io import NOTEBOOKS, SOLUTIONS, read


def _exercise(name: str, args: str, body: str, checker: str) -> list[nbformat.NotebookNode]:
    return [nbformat.v4.new_code_cell(f"def {name}({args}):\n    {BEGIN}\n    {body}\n    {END}"),
            nbformat.v4.new_code_cell(checker)]


def _solution(*extra: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A small solution notebook: four exercises (one from the catalogue) after a setup cell."""
    cells = [nbformat.v4.new_code_cell("import numpy as np\nfrom utils import checks"),
             *_exercise("double", "x", "return 2 * x",
                        "checks.check_function(double, reference=lambda x: 2 * x, cases=[(1,), (3,)])"),
             *_exercise("cross_correlate_1d", "x, w", "return np.correlate(x, w, mode='valid')",
                        "checks.check_exercise(cross_correlate_1d)"),
             *_exercise("third", "x", "return x + 1",
                        "checks.check_function(third, reference=lambda x: x + 1, cases=[(1,)])"),
             *_exercise("fourth", "", "return 4", "checks.check_function(fourth, reference=lambda: 4, cases=[()])"),
             *extra]
    return nbformat.v4.new_notebook(cells=cells)


def _answer(nb: nbformat.NotebookNode, name: str, source: str) -> None:
    """Replace the exercise cell that defines ``name`` by a student's ``source``."""
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name)
    cell.source = source


@pytest.fixture
def submission() -> nbformat.NotebookNode:
    """The student version with a right, a wrong (a misconception), a crashing and an untouched answer."""
    solution = _solution()
    nb = paste_solutions(student_version(solution), solution)
    _answer(nb, "cross_correlate_1d", "def cross_correlate_1d(x, w):\n    return np.convolve(x, w, mode='valid')")
    _answer(nb, "third", "def third(x):\n    return x[5]")
    _answer(nb, "fourth", student_version(solution).cells[7].source)
    return nb


def test_a_folder_of_submissions_is_graded_per_exercise_in_json(submission, tmp_path, capsys):
    folder = tmp_path / "submissions"
    (folder / "alice").mkdir(parents=True)
    nbformat.write(submission, folder / "alice" / "lab.ipynb")
    (folder / "bob").mkdir()
    (folder / "bob" / "lab.ipynb").write_text("{ not a notebook", encoding="utf-8")
    nbformat.write(_solution(), folder / "carol.ipynb")  # not generated: no tagged exercise
    assert grade.main(["--json", str(folder)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(list(r) == ["notebook", "exercise", "status", "message"] for r in rows)
    alice = str(folder / "alice" / "lab.ipynb")
    assert [(r["notebook"], r["exercise"], r["status"]) for r in rows] == [
        (alice, "double", "passed"), (alice, "cross_correlate_1d", "failed"), (alice, "third", "error"),
        (alice, "fourth", "not attempted"),
        (str(folder / "bob" / "lab.ipynb"), "-", "error"), (str(folder / "carol.ipynb"), "-", "error")]
    messages = [r["message"] for r in rows]
    assert messages[0] == "correct on all 2 test cases"
    assert messages[1].startswith("wrong result for cross_correlate_1d(x=[ 1. 2. 4. 7. 11.], w=[ 1. 0. -1.]):\n"
                                  "  expected [-3. -5. -7.], got [3. 5. 7.]\n"
                                  "  This looks like convolution instead of cross-correlation (a flipped kernel)")
    assert messages[2] == "third(x=1) raised TypeError: 'int' object is not subscriptable"
    assert "not implemented yet" in messages[3]
    assert messages[4].startswith("cannot read the notebook:") and messages[5].startswith("no exercise found")


def test_a_timeout_a_missing_checker_and_a_dead_kernel_are_errors_of_their_exercises(tmp_path):
    solution = _solution(nbformat.v4.new_code_cell("import os\nos._exit(1)"),
                         *_exercise("last", "", "return 1", "checks.check_function(last, lambda: 1, [()])"))
    nb = paste_solutions(student_version(solution), solution)
    _answer(nb, "double", "def double(x):\n    while True:\n        pass")
    del nb.cells[8]  # the checker of 'fourth'
    nbformat.write(nb, tmp_path / "lab.ipynb")
    rows = grade.grade(tmp_path / "lab.ipynb", timeout=3, shown="lab")
    assert [(r.exercise, r.status) for r in rows] == [("double", "error"), ("cross_correlate_1d", "passed"),
                                                      ("third", "passed"), ("fourth", "error"), ("last", "error")]
    assert rows[0].message == "timed out: a cell ran longer than 3 s and was interrupted"
    assert rows[3].message == "no checker cell follows this exercise (was it deleted?)"
    assert rows[-1].message.startswith("the kernel died")


def test_a_notebook_whose_kernel_cannot_start_is_one_error_row(submission, tmp_path, monkeypatch):
    def no_kernel(*args, **kwargs):
        raise RuntimeError("no kernel named python3")

    monkeypatch.setattr(grade, "execute", no_kernel)
    nbformat.write(submission, tmp_path / "lab.ipynb")
    assert grade.grade(tmp_path / "lab.ipynb", shown="lab") == [
        grade.Row("lab", "-", "error", "the notebook could not run: RuntimeError: no kernel named python3")]


def test_the_progress_cell_prints_which_exercises_pass(submission, tmp_path):
    cells = [(i, c) for i, c in enumerate(submission.cells) if c.cell_type == "code"]
    grade.execute(submission, cells, tmp_path, timeout=60)
    assert "".join(o.text for o in submission.cells[-1].outputs) == (
        "Your progress: 1 of 4 exercises pass.\n"
        "  ✓ double              passed\n"
        "  ✗ cross_correlate_1d  failed -- wrong result for cross_correlate_1d(x=[ 1. 2. 4. 7. 11.], "
        "w=[ 1. 0. -1.]):\n"
        "  ! third               error -- third(x=1) raised TypeError: 'int' object is not subscriptable\n"
        "  · fourth              not attempted -- not implemented yet -- replace `raise NotImplementedError()` in "
        "the cell above with your code, run that cell, then run this one again.\n")


def test_a_real_student_notebook_with_one_wrong_and_one_right_answer(tmp_path):
    name = "01_convolution_arithmetic.ipynb"
    nb = paste_solutions(read(NOTEBOOKS / name), read(SOLUTIONS / name))
    _answer(nb, "cross_correlate_1d", "def cross_correlate_1d(x, w):\n    return np.convolve(x, w, mode='valid')")
    nbformat.write(nb, tmp_path / name)
    rows = grade.grade(tmp_path / name, shown=name)
    assert [(r.exercise, r.status) for r in rows] == [("cross_correlate_1d", "failed"), ("conv_output_size", "passed")]
    assert "This looks like convolution instead of cross-correlation (a flipped kernel)" in rows[0].message


def test_the_text_table_shows_messages_of_failures_and_errors_only():
    rows = [grade.Row("a.ipynb", "f", "passed", "correct on all 2 test cases"),
            grade.Row("a.ipynb", "long_name", "failed", "wrong result for long_name(1):\n  expected 2, got 3"),
            grade.Row("b.ipynb", "g", "not attempted", "not implemented yet")]
    assert grade.table(rows).splitlines() == [
        "notebook  exercise   status",
        "a.ipynb   f          passed",
        "a.ipynb   long_name  failed",
        "    wrong result for long_name(1):",
        "      expected 2, got 3",
        "b.ipynb   g          not attempted",
        "total: 1 passed, 1 failed, 1 not attempted",
    ]


def test_bad_command_lines_are_refused(tmp_path, capsys):
    assert grade.main([str(tmp_path / "missing.ipynb")]) == 2
    assert "NOTEBOOK_OR_FOLDER must be an .ipynb file or a folder" in capsys.readouterr().err
    assert grade.main(["--timeout", "soon", str(tmp_path)]) == 2
    assert grade.main([str(tmp_path)]) == 2  # a folder without notebooks
