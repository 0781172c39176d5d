"""Grade student notebooks per exercise (``make grade NB="..."``): passed, failed, not attempted or error.

Usage: python tools/grade.py [--json] [--timeout SECONDS] NOTEBOOK_OR_FOLDER...

A folder stands for every notebook below it (e.g. one sub-folder per student). Each notebook runs headless in its
own kernel: offline (``COURSE_OFFLINE=1``), with a per-cell timeout, in a temporary folder that is its working
directory and its ``COURSE_CACHE_DIR`` (the course's ``utils`` is linked into it, so a submission can lie anywhere),
and only up to its last exercise or checker cell. Each exercise (a cell tagged ``exercise`` followed by its
``checker``, as ``make notebooks`` generates them) is then

- ``passed``: its checker printed the check mark;
- ``failed``: its checker raised ``ExerciseError`` -- the message says what was expected and what was got;
- ``not attempted``: the function still raises ``NotImplementedError``;
- ``error``: the answer crashed, timed out, or the kernel died.

A notebook that cannot be read or run at all is one ``error`` row. The text table goes to stdout (``--json``: a
list of objects with keys notebook, exercise, status, message, in notebook order); progress goes to stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
from exercises import exercise_name, split_at_last_exercise
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from notebook_io import ROOT

PASSED, FAILED, NOT_ATTEMPTED, ERROR = "passed", "failed", "not attempted", "error"
CELL_TIMEOUT_S = 300
_CHECKER_STATUS = {"ExerciseError": FAILED, "NotAttempted": NOT_ATTEMPTED, "AnswerCrashed": ERROR}


@dataclass(frozen=True)
class Row:
    """One exercise of one notebook (or the whole notebook, ``exercise='-'``, when it could not run)."""

    notebook: str
    exercise: str
    status: str
    message: str


def notebook_paths(targets: list[str]) -> list[Path]:
    """The notebooks named by ``targets`` (files, or folders searched recursively), in the order given."""
    paths: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            paths += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb" and path.is_file():
            paths.append(path)
        else:
            raise ValueError(f"NOTEBOOK_OR_FOLDER must be an .ipynb file or a folder, got {target!r}")
    return paths


def exercises(nb: nbformat.NotebookNode) -> list[tuple[str, int, int | None]]:
    """``(name, exercise cell index, checker cell index or None)`` of every exercise, in notebook order. The name is
    the cell's nbgrader ``grade_id`` (the generator sets it to the exercise's function name); the checker is the
    next code cell, when it is tagged as one."""
    found: list[tuple[str, int, int | None]] = []
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for k, i in enumerate(code):
        cell = nb.cells[i]
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        after = code[k + 1] if k + 1 < len(code) else None
        checker = after if after is not None and "checker" in nb.cells[after].metadata.get("tags", []) else None
        name = (cell.metadata.get("nbgrader", {}).get("grade_id") or exercise_name(cell.source)
                or f"exercise_{len(found) + 1}")
        found.append((name, i, checker))
    return found


def _first_error(cell: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    return next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)


def _stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stdout")


def _strip_name(text: str, name: str) -> str:
    return text.removeprefix(f"✗ {name}: ").removeprefix(f"✓ {name}: ").strip()


def outcome(name: str, exercise: nbformat.NotebookNode, checker: nbformat.NotebookNode,
            timeout: float = CELL_TIMEOUT_S) -> tuple[str, str]:
    """The status and message of one exercise from its executed exercise and checker cells."""
    ex_err, ch_err = _first_error(exercise), _first_error(checker)
    if ch_err is None:
        if checker.get("execution_count") is None:
            return ERROR, "the checker cell did not run"
        printed = _stdout(checker).strip()
        if "✓" in printed:
            return PASSED, _strip_name(printed.splitlines()[-1], name)
        return ERROR, "the checker cell printed no check mark (was it changed?)"
    if ch_err.ename in _CHECKER_STATUS:
        return _CHECKER_STATUS[ch_err.ename], _strip_name(ch_err.evalue, name)
    if ex_err is not None and ex_err.ename == "NotImplementedError":
        return NOT_ATTEMPTED, "the exercise cell still raises NotImplementedError"
    if ch_err.ename == "KeyboardInterrupt" or (ex_err is not None and ex_err.ename == "KeyboardInterrupt"):
        return ERROR, f"timed out: a cell ran longer than {timeout:g} s and was interrupted"
    cell, err = ("exercise", ex_err) if ex_err is not None else ("checker", ch_err)
    return ERROR, f"the {cell} cell raised {err.ename}: {err.evalue}"


def execute(nb: nbformat.NotebookNode, cells: list[tuple[int, nbformat.NotebookNode]], workdir: Path,
            timeout: float = CELL_TIMEOUT_S) -> None:
    """Run ``cells`` (index, cell) of ``nb`` in one fresh kernel, offline, in ``workdir`` (which gets a link to the
    course's utils/ and is the kernel's COURSE_CACHE_DIR); outputs are stored in the cells, errors included. A cell
    running longer than ``timeout`` seconds is interrupted (it ends with KeyboardInterrupt) and the next one runs."""
    (workdir / "utils").symlink_to(ROOT / "utils", target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_NOTEBOOK", "COURSE_RESULTS")}
    env.update(COURSE_OFFLINE="1", COURSE_CACHE_DIR=str(workdir / "cache"), MPLBACKEND="Agg")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
                            resources={"metadata": {"path": str(workdir)}})
    with client.setup_kernel(env=env, stderr=subprocess.DEVNULL):  # the kernel's start-up chatter
        for index, cell in cells:
            client.execute_cell(cell, index)


def grade(path: Path, timeout: float = CELL_TIMEOUT_S, shown: str | None = None) -> list[Row]:
    """The rows of one notebook: one per exercise, or a single ``error`` row when it cannot be read or run."""
    shown = shown or str(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # any unreadable file is one row, never a crash of the grader
        return [Row(shown, "-", ERROR, f"cannot read the notebook: {type(exc).__name__}: {exc}")]
    found = exercises(nb)
    if not found:
        return [Row(shown, "-", ERROR, "no exercise found (cells tagged 'exercise' followed by a 'checker'); "
                                       "grade the student notebooks that `make notebooks` generates")]
    upto, _ = split_at_last_exercise(nb)
    died = None
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        try:
            execute(nb, upto, Path(tmp), timeout)
        except DeadKernelError as exc:
            died = f"the kernel died (out of memory, or a crash): {exc}".rstrip(": ")
        except Exception as exc:  # the kernel could not start, or the client failed: the notebook did not run
            return [Row(shown, "-", ERROR, f"the notebook could not run: {type(exc).__name__}: {exc}")]
    rows = []
    for name, i, j in found:
        if j is None:
            rows.append(Row(shown, name, ERROR, "no checker cell follows this exercise (was it deleted?)"))
        elif died and nb.cells[j].get("execution_count") is None:
            rows.append(Row(shown, name, ERROR, died))
        else:
            rows.append(Row(shown, name, *outcome(name, nb.cells[i], nb.cells[j], timeout)))
    return rows


def table(rows: list[Row]) -> str:
    """Rows as an aligned text table; the message of a failed or error row is printed below it, indented."""
    widths = [max([len(h)] + [len(getattr(r, h)) for r in rows]) for h in ("notebook", "exercise")]
    lines = [f"{'notebook':<{widths[0]}}  {'exercise':<{widths[1]}}  status"]
    for r in rows:
        lines.append(f"{r.notebook:<{widths[0]}}  {r.exercise:<{widths[1]}}  {r.status}")
        if r.status in (FAILED, ERROR) and r.message:
            lines += ["    " + line for line in r.message.splitlines()]
    counts = {s: sum(r.status == s for r in rows) for s in (PASSED, FAILED, NOT_ATTEMPTED, ERROR)}
    lines.append("total: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args, as_json, timeout = list(argv), False, float(CELL_TIMEOUT_S)
    if "--json" in args:
        args.remove("--json")
        as_json = True
    if "--timeout" in args:
        at = args.index("--timeout")
        try:
            timeout = float(args[at + 1])
        except (IndexError, ValueError):
            print("--timeout needs a number of seconds", file=sys.stderr)
            return 2
        del args[at:at + 2]
    try:
        paths = notebook_paths(args)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    rows: list[Row] = []
    for path in paths:
        print(f"grading {path} ...", file=sys.stderr, flush=True)
        rows += grade(path, timeout)
    print(json.dumps([asdict(r) for r in rows], indent=1, ensure_ascii=False) if as_json else table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
