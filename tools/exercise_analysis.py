"""Static analysis of a student notebook: which cells after its last exercise would need a student's answer."""

from __future__ import annotations

import ast

import nbformat
from exercises import is_graded, split_at_last_exercise


def _bound_at_top_level(tree: ast.Module) -> set[str]:
    """Names a cell binds in the notebook's namespace (assignments, defs, imports; not names local to a function)."""
    bound: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            stack.extend(node.decorator_list)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif not isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.extend(ast.iter_child_nodes(node))
    return bound


def parse(source: str) -> ast.Module:
    """A code cell's syntax tree (IPython ``%magics`` and ``!shell`` lines turned into Python first)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


def reads_of_exercise_names(nb: nbformat.NotebookNode) -> dict[int, set[str]]:
    """Cells after a student notebook's last exercise or checker cell that read a name which only an exercise or
    checker cell binds: ``{cell index: names}``. Empty when every later cell runs without the answers.

    A name bound by an ordinary cell before it is read counts as available (the student's run has it too, even if
    an unsolved exercise left it unchanged); a later cell that binds a name before reading it does not need it.
    """
    upto, after = split_at_last_exercise(nb)
    available: set[str] = set()
    only_in_exercises: set[str] = set()
    for _, cell in upto:
        names = _bound_at_top_level(parse(cell.source))
        if is_graded(cell):
            only_in_exercises |= names - available
        else:
            available |= names
            only_in_exercises -= names
    found: dict[int, set[str]] = {}
    for index, cell in after:
        tree = parse(cell.source)
        nodes, bound = list(ast.walk(tree)), _bound_at_top_level(tree)
        read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        # Anything the cell binds anywhere (incl. arguments, loop and comprehension variables) is not read from outside.
        local = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        local |= {n.arg for n in nodes if isinstance(n, ast.arg)}
        missing = (read - local - bound) & only_in_exercises
        if missing:
            found[index] = missing
        only_in_exercises -= bound
    return found
