"""The exercise generator: notebooks/ is up to date with solutions/, and no solution text leaks into it."""

from __future__ import annotations

import re

import nbformat
import pytest

import generate_notebooks
from exercise_analysis import reads_of_exercise_names
import exercises
from exercises import (BEGIN, END, PLACEHOLDER, POINTS, exercise_names, paste_solutions, solution_blocks,
                       split_at_last_exercise, strip_solutions, student_version)
from notebook_io import NOTEBOOKS, SOLUTIONS, read

SOLUTION_FILES = sorted(SOLUTIONS.glob("*.ipynb"))


def test_every_solution_has_a_student_notebook_and_none_is_stale():
    assert SOLUTION_FILES, "solutions/ holds no notebook"
    assert generate_notebooks.main(["--check"]) == 0, "notebooks/ is stale: run `make notebooks` and commit"


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.name)
def test_no_solution_text_leaks(path):
    student_text = (NOTEBOOKS / path.name).read_text("utf-8")
    assert BEGIN not in student_text and END not in student_text
    student = read(NOTEBOOKS / path.name)
    sources = "\n".join(c.source for c in student.cells)
    blocks = [b for c in read(path).cells if c.cell_type == "code" for b in solution_blocks(c.source)]
    for block in blocks:
        body = "\n".join(block.splitlines()[1:-1])
        assert body.strip() not in sources, f"solution leaked into notebooks/{path.name}:\n{body}"
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code"), "student outputs not cleared"


def test_strip_solutions_keeps_indentation_and_surrounding_code():
    source = f"def f(x):\n    {BEGIN}\n    y = x * 2\n    return y\n    {END}\n\nf(3)"
    assert strip_solutions(source) == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\nf(3)"
    with pytest.raises(ValueError, match="unbalanced"):
        strip_solutions(f"{BEGIN}\nx = 1\n")


def test_student_version_tags_exercise_and_checker_and_requires_a_checker():
    cells = [nbformat.v4.new_code_cell(f"def f():\n    {BEGIN}\n    return 1\n    {END}"),
             nbformat.v4.new_code_cell("checks.check_value('f', f(), 1)")]
    nb = nbformat.v4.new_notebook(cells=cells)
    student = student_version(nb)
    assert [c.metadata["tags"] for c in student.cells[:2]] == [["exercise", "raises-exception"],
                                                               ["checker", "raises-exception"]]
    with pytest.raises(ValueError, match="checker"):
        student_version(nbformat.v4.new_notebook(cells=cells[:1]))


def test_student_version_adds_nbgrader_metadata_and_a_progress_cell():
    cells = [nbformat.v4.new_code_cell(f"def f():\n    {BEGIN}\n    return 1\n    {END}"),
             nbformat.v4.new_code_cell("checks.check_value('f', f(), 1)"),
             nbformat.v4.new_code_cell(f"{BEGIN}\ny = 2\n{END}"),
             nbformat.v4.new_code_cell("checks.check_value('y', y, 2)")]
    student = student_version(nbformat.v4.new_notebook(cells=cells))
    base = {"locked": False, "schema_version": 3, "solution": True, "task": False, "grade": False}
    assert student.cells[0].metadata["nbgrader"] == base | {"grade_id": "f"}
    assert student.cells[1].metadata["nbgrader"] == base | {"grade_id": "check_f", "solution": False, "locked": True,
                                                            "grade": True, "points": POINTS}
    assert student.cells[2].metadata["nbgrader"]["grade_id"] == "exercise_2"
    assert [c.cell_type for c in student.cells[4:]] == ["markdown", "code"]
    assert student.cells[-1].source == "checks.progress(['f', 'exercise_2'])"


def test_nbgrader_source_notebooks_release_as_the_student_notebooks(tmp_path):
    """nbgrader's generate_assignment replaces each solution region as `make notebooks` does (verified with
    nbgrader 0.9.6: its release version has exactly the student notebook's cell sources)."""
    path = SOLUTION_FILES[1]
    assert exercises.main(["--nbgrader-source", str(tmp_path), str(path)]) == 0
    source, student = read(tmp_path / path.name), read(NOTEBOOKS / path.name)
    answers = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and all(solution_blocks(c.source) for c in answers)
    assert [strip_solutions(c.source) for c in source.cells] == [c.source for c in student.cells]
    assert exercises.main([]) == 2


def test_exercise_names_are_function_names_and_unique():
    code = [nbformat.v4.new_code_cell(s) for s in (
        f"def outer():\n    pass\n\ndef f(x):\n    {BEGIN}\n    return x\n    {END}\n\nf(1)",
        f"{BEGIN}\nz = 1\n{END}",
        f"def f(x):\n    {BEGIN}\n    return 2 * x\n    {END}",
        "print('no exercise')")]
    assert exercise_names(nbformat.v4.new_notebook(cells=code)) == ["f", "exercise_2", "f_3"]


def nbgrader_problems(nb: nbformat.NotebookNode) -> list[str]:
    """nbgrader's own rules for cell metadata (schema 3, as nbgrader's validator checks them)."""
    problems, ids = [], []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        allowed = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points"}
        problems += [f"unknown key {k}" for k in set(meta) - allowed]
        problems += [f"missing key {k}" for k in {"schema_version", "grade", "locked", "solution"} - set(meta)]
        if not re.fullmatch(r"[a-zA-Z0-9_\-]+", meta.get("grade_id", "")):
            problems.append(f"invalid grade_id {meta.get('grade_id')!r}")
        if meta.get("grade") and not isinstance(meta.get("points"), (int, float)):
            problems.append(f"grade cell {meta['grade_id']} without points")
        ids.append(meta.get("grade_id"))
    return problems + [f"duplicate grade_id {i}" for i in set(ids) if ids.count(i) > 1]


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.name)
def test_student_notebook_carries_valid_nbgrader_metadata_and_ends_with_progress(path):
    student, names = read(NOTEBOOKS / path.name), exercise_names(read(path))
    assert nbgrader_problems(student) == []
    answers = [c.metadata["nbgrader"]["grade_id"] for c in student.cells
               if c.metadata.get("nbgrader", {}).get("solution")]
    tests = [c.metadata["nbgrader"]["grade_id"] for c in student.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert answers == names and tests == [f"check_{n}" for n in names]
    assert student.cells[-1].source == f"checks.progress({names!r})"


@pytest.mark.parametrize("path", SOLUTION_FILES[:2], ids=lambda p: p.name)
def test_paste_solutions_gives_the_student_notebook_every_answer(path):
    pasted = paste_solutions(read(NOTEBOOKS / path.name), read(path))
    exercises = [c for c in pasted.cells if "exercise" in c.metadata.get("tags", [])]
    assert exercises and all(solution_blocks(c.source) and PLACEHOLDER[1] not in c.source for c in exercises)
    with pytest.raises(ValueError, match="generated from this solution"):
        paste_solutions(read(NOTEBOOKS / path.name), nbformat.v4.new_notebook())


def _student(*sources: str) -> nbformat.NotebookNode:
    """A student notebook from code sources; a source starting with '#ex' holds an exercise."""
    cells = []
    for source in sources:
        if source.startswith("#ex"):
            cells += [nbformat.v4.new_code_cell(f"{source}\ndef answer():\n    {BEGIN}\n    return 1\n    {END}\n"
                                                "result = answer()"),
                      nbformat.v4.new_code_cell("checks.check_value('answer', answer(), 1)")]
        else:
            cells.append(nbformat.v4.new_code_cell(source))
    return student_version(nbformat.v4.new_notebook(cells=cells))


@pytest.mark.parametrize("later, expected", [
    ("print(result)", {"result"}),                       # needs the answer's value
    ("%matplotlib inline\nanswer()", {"answer"}),        # cells with IPython magics parse too
    ("def g():\n    return result + 1", {"result"}),     # a global read inside a function
    ("result = 2\nprint(result)", set()),                # rebinds before reading
    ("data = [result for result in range(3)]", set()),   # a comprehension's own variable
    ("print(model)", set()),                             # bound by an ordinary cell
])
def test_reads_of_exercise_names_finds_later_cells_that_need_an_answer(later, expected):
    nb = _student("model = 1", "#ex", later)
    assert reads_of_exercise_names(nb) == ({3: expected} if expected else {})


def test_split_at_last_exercise_keeps_cell_indices():
    nb = _student("model = 1", "#ex", "print(model)")
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# title"))
    upto, after = split_at_last_exercise(nb)
    assert [i for i, _ in upto] == [1, 2, 3] and [i for i, _ in after] == [4, 6]  # 6: the progress cell
    upto, after = split_at_last_exercise(_student("x = 1"))
    assert upto == [] and [(i, c.source) for i, c in after] == [(0, "x = 1")]
