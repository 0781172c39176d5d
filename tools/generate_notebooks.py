"""Build the student notebooks/ from solutions/ (``make notebooks``); ``--check`` only reports stale files."""

from __future__ import annotations

import sys

import nbformat
from notebook_io import NOTEBOOKS, SOLUTIONS, read, student_version


def expected() -> dict[str, str]:
    """File name -> the exact text the student notebook must have."""
    return {p.name: nbformat.writes(student_version(read(p), p.name)) + "\n" for p in sorted(SOLUTIONS.glob("*.ipynb"))}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    wanted = expected()
    stale = sorted(
        {p.name for p in NOTEBOOKS.glob("*.ipynb") if p.name not in wanted}
        | {n for n, text in wanted.items() if not (NOTEBOOKS / n).exists() or (NOTEBOOKS / n).read_text("utf-8") != text}
    )
    if check:
        for name in stale:
            print(f"stale: notebooks/{name}")
        return 1 if stale else 0
    NOTEBOOKS.mkdir(exist_ok=True)
    for name in stale:
        if name in wanted:
            (NOTEBOOKS / name).write_text(wanted[name], encoding="utf-8")
            print(f"wrote notebooks/{name}")
        else:
            (NOTEBOOKS / name).unlink()
            print(f"removed notebooks/{name} (no solution of that name)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
