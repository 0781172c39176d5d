"""The exercise generator: notebooks/ is up to date with solutions/, and no solution text leaks into it."""

from __future__ import annotations

import nbformat
import pytest

import generate_notebooks
from notebook_io import BEGIN, END, NOTEBOOKS, SOLUTIONS, read, solution_blocks, strip_solutions, student_version

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
    assert [c.metadata["tags"] for c in student.cells] == [["exercise", "raises-exception"],
                                                           ["checker", "raises-exception"]]
    with pytest.raises(ValueError, match="checker"):
        student_version(nbformat.v4.new_notebook(cells=cells[:1]))
