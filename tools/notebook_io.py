"""Reading, normalising and writing course notebooks (the one place that knows the course's notebook folders)."""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"

_CELL_METADATA_DROPPED = ("execution", "collapsed", "scrolled", "ExecuteTime")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop volatile metadata (timings, scroll state) so that diffs show only content.

    The widget state (``metadata.widgets``, stored by ``make solutions``) is kept while an output displays a widget:
    it is what a reopened notebook and its HTML export show without a kernel. Without such an output (e.g. the
    student notebooks, whose outputs are cleared) it is dropped."""
    for key in ("toc", "varInspector"):
        nb.metadata.pop(key, None)
    shows_widget = any(WIDGET_VIEW in out.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
                       for out in cell.get("outputs", []))
    if not shows_widget:
        nb.metadata.pop("widgets", None)
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


def text(nb: nbformat.NotebookNode) -> str:
    """The exact file text of a normalised notebook."""
    return nbformat.writes(normalise(nb)) + "\n"


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.write_text(text(nb), encoding="utf-8")
