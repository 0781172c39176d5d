"""Export the executed solutions as a static site (`make html`) or one notebook as reveal.js slides (`make slides`).

    python tools/export_site.py html [OUT_DIR]            # build/html/index.html + one page per notebook
    python tools/export_site.py slides NOTEBOOK [OUT_DIR]  # build/slides/<name>.slides.html

The index lists every notebook with its title and first paragraph, linking the exported pages.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from nbconvert import HTMLExporter, SlidesExporter
from notebook_io import ROOT, SOLUTIONS, read


def _title_and_intro(nb) -> tuple[str, str]:
    lines = nb.cells[0].source.splitlines()
    title = lines[0].lstrip("# ").strip()
    paragraphs = [p.strip() for p in "\n".join(lines[1:]).split("\n\n") if p.strip()]
    intro = next((p for p in paragraphs if not p.startswith("<a ")), "")
    return title, intro


def export_html(out: Path, notebooks: list[Path] | None = None) -> Path:
    """Write one HTML page per notebook and an index page with the course map; return the index path."""
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    rows = []
    for path in notebooks or sorted(SOLUTIONS.glob("*.ipynb")):
        nb = read(path)
        body, _ = exporter.from_notebook_node(nb)
        page = out / f"{path.stem}.html"
        page.write_text(body, encoding="utf-8")
        title, intro = _title_and_intro(nb)
        rows.append(f'<tr><td><a href="{page.name}">{html.escape(title)}</a></td><td>{html.escape(intro)}</td></tr>')
    index = out / "index.html"
    index.write_text(
        "<!doctype html><meta charset='utf-8'><title>CNN course</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td{padding:.4em;vertical-align:top}</style>"
        "<h1>Convolutional neural networks with TensorFlow and Keras</h1>"
        "<p>Executed solution notebooks (fast mode). Source: the course repository.</p>"
        f"<table>{''.join(rows)}</table>",
        encoding="utf-8",
    )
    return index


def export_slides(notebook: Path, out: Path) -> Path:
    """Render one notebook as a reveal.js slideshow (each markdown section heading starts a slide)."""
    nb = read(notebook)
    for cell in nb.cells:
        is_section = cell.cell_type == "markdown" and cell.source.lstrip().startswith(("# ", "## "))
        cell.metadata["slideshow"] = {"slide_type": "slide" if is_section else "-"}
    body, _ = SlidesExporter().from_notebook_node(nb)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{notebook.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    if argv[:1] == ["html"]:
        print(export_html(Path(argv[1]) if len(argv) > 1 else ROOT / "build" / "html"))
        return 0
    if argv[:1] == ["slides"] and len(argv) >= 2:
        print(export_slides(Path(argv[1]), Path(argv[2]) if len(argv) > 2 else ROOT / "build" / "slides"))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
