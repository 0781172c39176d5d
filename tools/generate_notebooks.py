"""Build the student notebooks/ from solutions/ (``make notebooks``); ``--check`` only reports stale files.

Both folders get their Colab badges and setup cell from ``tools/colab.py`` first, so a fork that changes the
repository URL there regenerates every notebook with one command.
"""

from __future__ import annotations

import sys

import colab
from exercises import student_version
from notebook_io import NOTEBOOKS, SOLUTIONS, read, text


def expected() -> dict[str, str]:
    """Path relative to the course root -> the exact text the file must have."""
    wanted = {}
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        solution = colab.apply(read(path), path.name)
        wanted[f"solutions/{path.name}"] = text(solution)
        wanted[f"notebooks/{path.name}"] = text(student_version(solution, path.name))
    return wanted


def main(argv: list[str]) -> int:
    check = "--check" in argv
    wanted = expected()
    root = SOLUTIONS.parent
    orphans = {f"notebooks/{p.name}" for p in NOTEBOOKS.glob("*.ipynb") if f"solutions/{p.name}" not in wanted}
    stale = sorted(orphans | {n for n, body in wanted.items()
                              if not (root / n).exists() or (root / n).read_text("utf-8") != body})
    if check:
        for name in stale:
            print(f"stale: {name}")
        return 1 if stale else 0
    NOTEBOOKS.mkdir(exist_ok=True)
    for name in stale:
        if name in wanted:
            (root / name).write_text(wanted[name], encoding="utf-8")
            print(f"wrote {name}")
        else:
            (root / name).unlink()
            print(f"removed {name} (no solution of that name)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
