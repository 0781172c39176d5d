"""Exercises: solution blocks in solutions/ become ``# YOUR CODE HERE`` stubs in the student notebooks/."""

from __future__ import annotations

import re

import nbformat
from notebook_io import normalise

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = ["# YOUR CODE HERE", "raise NotImplementedError()"]
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


def student_version(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The student notebook: solutions replaced, outputs cleared, exercise and checker cells tagged (and tagged
    ``raises-exception``, so that running all cells goes on past an exercise that is not solved yet).

    Every exercise cell must be followed by a checker cell (a code cell that calls ``checks.``).
    """
    student = nbformat.from_dict(nb)
    code_cells = [c for c in student.cells if c.cell_type == "code"]
    for cell in code_cells:
        cell.outputs, cell.execution_count = [], None
        kept = [t for t in cell.metadata.pop("tags", []) if t not in ("exercise", "checker", "raises-exception")]
        if kept:
            cell.metadata["tags"] = kept
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
    return normalise(student)


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
