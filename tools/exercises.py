"""Exercises: solution blocks in solutions/ become ``# YOUR CODE HERE`` stubs in the student notebooks/.

A student notebook's exercise cells carry nbgrader metadata (an autograded answer, ``grade_id`` = the exercise's
function name) and its checker cells are nbgrader's autograder tests (``check_<name>``, :data:`POINTS` points each),
so an instructor can autograde them with nbgrader as well as with ``tools/grade.py``. Its last cell prints the
student's progress (``checks.progress``). ``python tools/exercises.py --nbgrader-source DIR`` writes nbgrader's
source notebooks (see :func:`main`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from notebook_io import SOLUTIONS, normalise, read, write

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = ["# YOUR CODE HERE", "raise NotImplementedError()"]
POINTS = 1
NBGRADER_SCHEMA = 3
PROGRESS_TITLE = "## Your progress"
_DEF = re.compile(r"^[ \t]*def[ \t]+(\w+)", re.M)
_BLOCK = re.compile(rf"^([ \t]*){re.escape(BEGIN)}[ \t]*\n.*?^[ \t]*{re.escape(END)}[ \t]*$", re.M | re.S)

Cells = list[tuple[int, nbformat.NotebookNode]]


def solution_blocks(source: str) -> list[str]:
    """The text of every solution block in a cell's source, markers included."""
    return [m.group(0) for m in _BLOCK.finditer(source)]


def strip_solutions(source: str) -> str:
    """Replace every solution block by ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` at its indentation."""
    if source.count(BEGIN) != source.count(END) or len(solution_blocks(source)) != source.count(BEGIN):
        raise ValueError(f"unbalanced {BEGIN!r} / {END!r} markers in cell:\n{source}")
    return _BLOCK.sub(lambda m: "\n".join(m.group(1) + line for line in PLACEHOLDER), source)


def exercise_name(source: str) -> str | None:
    """The function whose body holds a cell's first solution block (``None`` when the block is not in a def)."""
    names = _DEF.findall(source[:source.find(BEGIN)])
    return names[-1] if BEGIN in source and names else None


def exercise_names(nb: nbformat.NotebookNode) -> list[str]:
    """The names of a solution notebook's exercises, in order: each function name, ``exercise_<k>`` for the k-th
    exercise when it is not a function, with ``_<k>`` appended to a name used twice (nbgrader ids are unique)."""
    names: list[str] = []
    sources = [c.source for c in nb.cells if c.cell_type == "code" and solution_blocks(c.source)]
    for k, source in enumerate(sources, start=1):
        name = exercise_name(source) or f"exercise_{k}"
        names.append(f"{name}_{k}" if name in names else name)
    return names


def nbgrader_metadata(grade_id: str, *, solution: bool, points: int | None = None) -> dict:
    """nbgrader's cell metadata (schema 3): an autograded answer (``solution``) or an autograder test (with
    ``points``, locked)."""
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
            "schema_version": NBGRADER_SCHEMA, "solution": solution, "task": False}
    return meta | ({"points": points} if points is not None else {})


def progress_cells(names: list[str]) -> list[nbformat.NotebookNode]:
    """The notebook's last two cells: a heading and the cell that prints which exercises pass."""
    title = nbformat.v4.new_markdown_cell(f"{PROGRESS_TITLE}\n\nRun this cell to see which exercises of this "
                                          "notebook pass (it lists the result of every checker cell you have run).")
    cell = nbformat.v4.new_code_cell(f"checks.progress({names!r})")
    title.id, cell.id = "progress-title", "progress"  # fixed ids: regenerating gives the same file
    return [title, cell]


def student_version(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The student notebook: solutions replaced, outputs cleared, exercise and checker cells tagged (and tagged
    ``raises-exception``, so that running all cells goes on past an exercise that is not solved yet) and carrying
    nbgrader metadata, and a last cell that prints the student's progress.

    Every exercise cell must be followed by a checker cell (a code cell that calls ``checks.``).
    """
    student = nbformat.from_dict(nb)
    names = iter(exercise_names(student))
    code_cells = [c for c in student.cells if c.cell_type == "code"]
    for cell in code_cells:
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("nbgrader", None)
        kept = [t for t in cell.metadata.pop("tags", []) if t not in ("exercise", "checker", "raises-exception")]
        if kept:
            cell.metadata["tags"] = kept
    graded = []
    for k, cell in enumerate(code_cells):
        if not solution_blocks(cell.source):
            continue
        cell.source = strip_solutions(cell.source)
        checker = code_cells[k + 1] if k + 1 < len(code_cells) else None
        if checker is None or "checks." not in checker.source:
            raise ValueError(f"{name}: the exercise cell\n{cell.source}\nis not followed by a checker cell")
        # 'raises-exception' lets JupyterLab's "Run All" (and nbclient) carry on past an unsolved exercise.
        cell.metadata["tags"] = [*cell.metadata.get("tags", []), "exercise", "raises-exception"]
        checker.metadata["tags"] = [*checker.metadata.get("tags", []), "checker", "raises-exception"]
        grade_id = next(names)
        cell.metadata["nbgrader"] = nbgrader_metadata(grade_id, solution=True)
        checker.metadata["nbgrader"] = nbgrader_metadata(f"check_{grade_id}", solution=False, points=POINTS)
        graded.append(grade_id)
    if graded:
        student.cells += progress_cells(graded)
    return normalise(student)


def paste_solutions(student: nbformat.NotebookNode, solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of a student notebook with every exercise cell replaced by the solution's cell at the same position
    (what a student who solved everything hands in)."""
    pasted = nbformat.from_dict(student)
    for index, cell in enumerate(pasted.cells):
        if "exercise" in cell.metadata.get("tags", []):
            source = solution.cells[index].source if index < len(solution.cells) else ""
            if not solution_blocks(source):
                raise ValueError(f"cell {index} of the solution is not the exercise of the student notebook's cell "
                                 f"{index}: is the student notebook generated from this solution?")
            cell.source = source
    return pasted


def is_graded(cell: nbformat.NotebookNode) -> bool:
    """Whether a student notebook's cell is an exercise or its checker (tags set by :func:`student_version`)."""
    return bool({"exercise", "checker"} & set(cell.metadata.get("tags", [])))


def split_at_last_exercise(nb: nbformat.NotebookNode) -> tuple[Cells, Cells]:
    """A student notebook's code cells as ``(index in nb.cells, cell)`` pairs, split after its last exercise or
    checker cell: ``(up to and including it, after it)``. The first part is empty when there is no exercise."""
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    graded = [k for k, (_, c) in enumerate(code) if is_graded(c)]
    end = graded[-1] + 1 if graded else 0
    return code[:end], code[end:]


def main(argv: list[str]) -> int:
    """``python tools/exercises.py --nbgrader-source DIR [SOLUTION...]``: write nbgrader *source* notebooks (the
    student notebook with the solutions pasted back: nbgrader metadata and ``### BEGIN SOLUTION`` regions) into
    DIR, for instructors who release and autograde the exercises with nbgrader."""
    if len(argv) < 2 or argv[0] != "--nbgrader-source":
        print(main.__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for path in [Path(p) for p in argv[2:]] or sorted(SOLUTIONS.glob("*.ipynb")):
        solution = read(path)
        write(paste_solutions(student_version(solution, path.name), solution), out / path.name)
        print(f"wrote {out / path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
