"""The exercise generator: notebooks/ is up to date with solutions/, and no solution text leaks into it."""

from __future__ import annotations

import nbformat
import pytest

import generate_notebooks
from exercise_analysis import reads_of_exercise_names
from exercises import BEGIN, END, solution_blocks, split_at_last_exercise, strip_solutions, student_version
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
    assert [c.metadata["tags"] for c in student.cells] == [["exercise", "raises-exception"],
                                                           ["checker", "raises-exception"]]
    with pytest.raises(ValueError, match="checker"):
        student_version(nbformat.v4.new_notebook(cells=cells[:1]))


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
    assert [i for i, _ in upto] == [1, 2, 3] and [i for i, _ in after] == [4]
    upto, after = split_at_last_exercise(_student("x = 1"))
    assert upto == [] and [(i, c.source) for i, c in after] == [(0, "x = 1")]
