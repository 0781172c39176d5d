"""Find where notebook code reads the course mode other than through ``runtime.pick(fast=..., full=...)``.

The modes may differ only in the values ``runtime.pick`` returns (README, *Modes*), so a notebook must not branch on
the mode itself. A *mode read* is ``<anything>.MODE`` or a bare ``MODE``, a call of ``detect_mode``, a lookup of the
``COURSE_MODE`` environment variable (``os.environ["COURSE_MODE"]``, ``os.environ.get("COURSE_MODE")``,
``os.getenv("COURSE_MODE")``), or an import of ``MODE`` / ``detect_mode``. One use of a read is allowed because
it only shows the mode: the read as a whole is an argument of ``print(...)`` or a ``{...}`` field of an f-string.
Every other use -- a condition, a comparison, an index, an assignment, an argument of any other call -- is a
branch waiting to happen and is reported. IPython magics (``%env COURSE_MODE=fast``) are not Python and are
skipped.
"""

from __future__ import annotations

import ast
from pathlib import Path

from notebook_io import read

MODE_NAMES = ("MODE", "detect_mode")
ENV_VARIABLE = "COURSE_MODE"
_ENV_GETTERS = ("get", "getenv", "pop", "setdefault")


def _python(source: str) -> str:
    """A cell's source without IPython magics and shell escapes (kept as blank lines: line numbers stay)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _reads(tree: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[ast.AST]:
    """Every node of ``tree`` that reads the mode (see the module docstring)."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "MODE" and isinstance(node.ctx, ast.Load):
            found.append(node)
        elif isinstance(node, ast.Name) and node.id == "MODE" and isinstance(node.ctx, ast.Load):
            found.append(node)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "detect_mode":
            found.append(node)
        elif isinstance(node, ast.ImportFrom) and any(alias.name in MODE_NAMES for alias in node.names):
            found.append(node)
        elif isinstance(node, ast.Constant) and node.value == ENV_VARIABLE:
            parent = parents.get(node)
            if isinstance(parent, ast.Subscript) and parent.slice is node:
                found.append(parent)
            elif isinstance(parent, ast.Call) and node in parent.args and getattr(
                    parent.func, "attr", getattr(parent.func, "id", None)) in _ENV_GETTERS:
                found.append(parent)
    return found


def _shown_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """True when the read is a whole argument of print() or a whole f-string field (it only shows the mode)."""
    parent = parents.get(node)
    if isinstance(parent, ast.FormattedValue) and parent.value is node:
        return True
    return (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "print"
            and node in parent.args)


def mode_branches(source: str) -> list[tuple[int, str]]:
    """``(line, code)`` of every mode read in ``source`` (one cell) that is used for more than showing the mode."""
    code = _python(source)
    tree = ast.parse(code)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    return sorted({(n.lineno, ast.get_source_segment(code, n) or "") for n in _reads(tree, parents)
                   if not _shown_only(n, parents)})


def notebook_mode_branches(path: Path) -> list[str]:
    """``'cell N, line L: code'`` for every mode branch in the code cells of a notebook."""
    return [f"cell {index}, line {line}: {code}" for index, cell in enumerate(read(path).cells)
            if cell.cell_type == "code" for line, code in mode_branches(cell.source)]
