"""Requirement files for the ends of the supported version range (``make test-oldest`` / ``make test-latest``).

The range itself lives in ``utils/runtime.py`` (``SUPPORTED``), where the setup cell checks it on every machine,
Colab included. This script reads it without importing TensorFlow (it runs with the system Python, before a venv
exists) and prints requirements.txt with the supported packages replaced:

    python tools/versions.py oldest   # each supported package at its oldest tested version (==)
    python tools/versions.py latest   # each at the newest release below its first untested version (>=,<)

Every other line of requirements.txt is kept, so only the declared packages move.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENDS = ("oldest", "latest")
#: tf-keras (which tensorflow-hub imports) is released in lockstep with TensorFlow and must match its minor version.
LOCKSTEP = {"tf-keras": "tensorflow"}


def supported(path: Path = ROOT / "utils" / "runtime.py") -> dict[str, tuple[str, str]]:
    """``SUPPORTED`` from utils/runtime.py, read as a literal."""
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "SUPPORTED":
            return ast.literal_eval(node.value)
    raise ValueError(f"{path} defines no SUPPORTED table")


def requirements(end: str, pinned: str, table: dict[str, tuple[str, str]]) -> str:
    """``pinned`` (requirements.txt's text) with the packages of ``table`` at the ``end`` of their range."""
    if end not in ENDS:
        raise ValueError(f"end must be one of {ENDS}, got {end!r}")

    def spec(package: str) -> str:
        if package in LOCKSTEP:
            oldest, untested = table[LOCKSTEP[package]]
            oldest = ".".join(oldest.split(".")[:2]) + ".0"   # tf-keras x.y.0 goes with tensorflow x.y.*
        else:
            oldest, untested = table[package]
        return f"{package}=={oldest}" if end == "oldest" else f"{package}>={oldest},<{untested}"

    out, seen = [], set()
    for line in pinned.splitlines():
        name = re.match(r"^([A-Za-z0-9_.-]+)\s*==", line)
        package = name.group(1).lower() if name else None
        if package in table or package in LOCKSTEP:
            out.append(spec(package))
            seen.add(package)
        else:
            out.append(line)
    missing = set(table) - seen
    if missing:
        raise ValueError(f"requirements.txt does not pin {sorted(missing)}")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ENDS:
        print(__doc__)
        return 2
    sys.stdout.write(requirements(argv[0], (ROOT / "requirements.txt").read_text("utf-8"), supported()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
