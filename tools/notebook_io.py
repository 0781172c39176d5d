"""Reading, normalising and writing course notebooks, and turning solutions into student exercises."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = ["# YOUR CODE HERE", "raise NotImplementedError()"]
_BLOCK = re.compile(rf"^([ \t]*){re.escape(BEGIN)}[ \t]*\n.*?^[ \t]*{re.escape(END)}[ \t]*$", re.M | re.S)
_CELL_METADATA_DROPPED = ("execution", "collapsed", "scrolled", "ExecuteTime")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop volatile metadata (timings, widget state, scroll state) so that diffs show only content."""
    for key in ("widgets", "toc", "varInspector"):
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    for cell in nb.cells:
        for key in _CELL_METADATA_DROPPED:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.get("outputs", []))
            for out in cell.outputs:
                out.get("metadata", {}).pop("execution", None)
    nbformat.validate(nb)
    return nb


def _coalesce_streams(outputs: list) -> list:
    """Merge consecutive stdout (or stderr) chunks: how a print is split depends on flush timing, not content."""
    merged: list = []
    for out in outputs:
        if out.output_type == "stream" and merged and merged[-1].output_type == "stream" and merged[-1].name == out.name:
            merged[-1].text += out.text
        else:
            merged.append(out)
    return merged


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.write_text(nbformat.writes(normalise(nb)) + "\n", encoding="utf-8")


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


Cells = list[tuple[int, nbformat.NotebookNode]]


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


def _parse(source: str) -> ast.Module:
    from IPython.core.inputtransformer2 import TransformerManager  # turns %magics and !shell lines into Python

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
        names = _bound_at_top_level(_parse(cell.source))
        if is_graded(cell):
            only_in_exercises |= names - available
        else:
            available |= names
            only_in_exercises -= names
    found: dict[int, set[str]] = {}
    for index, cell in after:
        tree = _parse(cell.source)
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


# ---- Authoring: the pieces every course notebook starts with -------------------------------------------------

REPO = "cnn-course/cnn-course"  # GitHub owner/name used by the Colab badges and the Colab branch of the setup cell
COLAB = "https://colab.research.google.com/github/{repo}/blob/main/{folder}/{name}"
BADGE = '<a href="{url}"><img src="https://colab.research.google.com/assets/colab-badge.svg" alt="{alt}"></a>'

#: First lines of every setup cell: find utils/ locally, or fetch the course on Colab. Notebook imports follow.
SETUP_BOOTSTRAP = f'''# Setup -- run this cell first. Locally it finds the course's utils/; on Colab it fetches the course once.
import pathlib, subprocess, sys
COURSE = pathlib.Path("/content/cnn-course")
if "google.colab" in sys.modules and not COURSE.exists():
    subprocess.run(["git", "clone", "-q", "--depth=1", "https://github.com/{REPO}", str(COURSE)], check=True)
sys.path.insert(0, str(next(p for p in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents, COURSE]
                            if (p / "utils" / "runtime.py").exists())))
from utils import runtime
runtime.setup(seed=0)
'''


def header(name: str, title: str, intro: str, goals: list[str]) -> nbformat.NotebookNode:
    """The first cell: title, Colab badges (exercises and solutions), intro paragraph and learning goals."""
    badges = " ".join(
        BADGE.format(url=COLAB.format(repo=REPO, folder=folder, name=name), alt=f"Open the {what} in Colab")
        for folder, what in (("notebooks", "exercises"), ("solutions", "solutions"))
    )
    goal_lines = "\n".join(f"- {g}" for g in goals)
    text = f"# {title}\n\n{badges} &nbsp; exercises · solutions\n\n{intro}\n\n**Learning goals**\n\n{goal_lines}"
    return nbformat.v4.new_markdown_cell(text)


def setup_cell(imports: str) -> nbformat.NotebookNode:
    """The one setup cell: the standard bootstrap followed by this notebook's imports."""
    return nbformat.v4.new_code_cell(SETUP_BOOTSTRAP + "\n" + imports.strip())


def build(name: str, title: str, intro: str, goals: list[str], imports: str, cells: list[tuple[str, str]]) -> Path:
    """Write solutions/<name> from (kind, source) pairs, kind 'md' or 'code' (unexecuted; then `make solutions`)."""
    made = [header(name, title, intro, goals), setup_cell(imports)]
    for kind, source in cells:
        if kind not in ("md", "code"):
            raise ValueError(f"cell kind must be 'md' or 'code', got {kind!r}")
        new = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        made.append(new(source.strip("\n")))
    nb = nbformat.v4.new_notebook(cells=made)
    path = SOLUTIONS / name
    write(nb, path)
    return path
