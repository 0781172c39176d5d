"""The rule for ``# NBVAL_CHECK_OUTPUT`` cells: they print nothing whose text depends on the machine or the versions.

nbval compares a checked cell's text with the stored text exactly, so another machine -- another CPU's SIMD loops,
BLAS kernels, oneDNN instruction set or thread count -- or another supported library version must print the same
characters. Round-off therefore never appears raw: a checked cell compares with a tolerance and prints the verdict,
or rounds a value well above the noise. :func:`problems` finds what breaks the rule in a cell's output.
"""

from __future__ import annotations

import re

import nbformat

MARKER = "# NBVAL_CHECK_OUTPUT"

RULES: list[tuple[str, re.Pattern]] = [
    ("round-off in scientific notation (compare with a tolerance and print the verdict)",
     # what Python prints for a computed small number (8.1e-07, 2.220446049250313e-16); a tolerance written
     # by hand in the code's own words ("< 1e-5") has neither decimals nor a zero-padded exponent
     re.compile(r"\b\d\.\d+[eE]-\d+\b|\b\d[eE]-0[1-9]\b")),
    ("a float printed to 7 or more decimals (round it well above the noise)", re.compile(r"\b\d+\.\d{7,}\b")),
    ("a library version (it differs across the supported range)",
     re.compile(r"\b(?:tensorflow|keras|numpy|matplotlib|tensorflow_hub|scikit-image|python)[ =:]+v?\d+\.\d+", re.I)),
    ("a Keras model summary (its layout differs across Keras versions)", re.compile("[┏┃┡━]")),
]


def output_text(cell: nbformat.NotebookNode) -> str:
    """Everything nbval compares in a code cell: stream text and plain-text results."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def problems(text: str) -> list[str]:
    """``'rule: offending text'`` for each violation of the rule in one checked cell's output."""
    return [f"{why}: {match.group(0)!r}" for why, pattern in RULES for match in pattern.finditer(text)]


def checked_cells(nb: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and MARKER in c.source]
