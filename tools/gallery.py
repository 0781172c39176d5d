"""Every figure of the executed solutions on one offline HTML page (`make gallery`): the page to skim before class.

    python tools/gallery.py [OUT]      # default build/html/gallery.html, next to `make html`'s pages

Each figure (stored images, the static view of a widget, the sliding-window animations) is labelled with its
notebook, its cell index and the sentence it illustrates: the markdown text just before it, shortened. Images are
embedded as ``data:`` URIs at their displayed size, so the page works from disk without a network.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from notebook_io import ROOT, SOLUTIONS, read

DEFAULT_OUT = ROOT / "build" / "html" / "gallery.html"
IMAGE_TYPES = ("image/png", "image/jpeg")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CAPTION_CHARS = 280
_ANIMATION = re.compile(r'class="animation"')
_REMOTE_LINK = re.compile(r"<link\b[^>]*href=[\"'](?:https?:)?//[^>]*>", re.I)


@dataclass(frozen=True)
class Figure:
    """One figure of a notebook: where it is, the sentence before it, and its HTML (an image or a player)."""

    notebook: str
    cell: int
    caption: str
    html: str


def plain(markdown: str) -> str:
    """Markdown as one line of plain text: no headings, emphasis, code ticks, HTML tags or link targets."""
    text = re.sub(r"<[^>]+>", " ", markdown)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}(#+|[-*]|\d+\.)\s+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return " ".join(text.split())


def shorten(text: str, limit: int = CAPTION_CHARS) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def caption_before(cells: list, index: int) -> str:
    """The sentence a figure in cell ``index`` illustrates: the last paragraph of the nearest markdown cell above
    it (the text right before the figure), as shortened plain text."""
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown" and cell.source.strip():
            paragraphs = [p for p in re.split(r"\n\s*\n", cell.source.strip()) if plain(p)]
            return shorten(plain(paragraphs[-1])) if paragraphs else ""
    return ""


def _image(mime: str, data: str, metadata: dict) -> str:
    size = metadata.get(mime, {}) if isinstance(metadata.get(mime), dict) else {}
    attrs = "".join(f' {k}="{int(size[k])}"' for k in ("width", "height") if k in size)
    return f'<img src="data:{mime};base64,{"".join(data.split())}"{attrs} alt="">'


def figures(path: Path) -> list[Figure]:
    """Every figure stored in the notebook at ``path``, in order."""
    nb = read(path)
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data, metadata = out.get("data", {}), out.get("metadata", {})
            mime = next((m for m in IMAGE_TYPES if m in data), None)
            if mime is not None:
                note = '<p class="note">static view of an interactive widget</p>' if WIDGET_VIEW in data else ""
                body = _image(mime, data[mime], metadata) + note
            elif _ANIMATION.search(data.get("text/html", "")):
                body = _REMOTE_LINK.sub("", data["text/html"])  # the page must not fetch anything
            else:
                continue
            found.append(Figure(path.stem, index, caption_before(nb.cells, index), body))
    return found


def _title(path: Path) -> str:
    return read(path).cells[0].source.splitlines()[0].lstrip("# ").strip()


STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:75em;padding:0 1em;color:#222}
nav a{margin-right:1em} h2{margin-top:2em;border-bottom:1px solid #ccc}
figure{margin:1.2em 0 2em;padding:.8em;border:1px solid #e3e3e3;border-radius:6px;overflow-x:auto}
figure img{max-width:100%;height:auto} figcaption{margin-top:.6em;font-size:15px;line-height:1.4}
.where{font-weight:600;margin-right:.6em} .note{color:#666;font-size:13px;margin:.2em 0}
"""


def write_gallery(out_path: Path = DEFAULT_OUT, notebooks: list[Path] | None = None) -> Path:
    """Write the gallery of every figure in ``notebooks`` (default: all solutions) to ``out_path``; return it."""
    paths = sorted(SOLUTIONS.glob("*.ipynb")) if notebooks is None else list(notebooks)
    sections, nav, total = [], [], 0
    for path in paths:
        found = figures(path)
        total += len(found)
        anchor = f"nb-{path.stem}"
        nav.append(f'<a href="#{anchor}">{html.escape(path.stem[:2])}</a>')
        cards = "".join(
            f'<figure id="{anchor}-cell{f.cell}">{f.html}<figcaption><span class="where">{html.escape(path.stem)} · '
            f'cell {f.cell}</span>{html.escape(f.caption)}</figcaption></figure>' for f in found)
        sections.append(f'<section><h2 id="{anchor}">{html.escape(_title(path))} '
                        f'<small>({len(found)} figures, <a href="{path.stem}.html">page</a>)</small></h2>'
                        f'{cards or "<p>No figures.</p>"}</section>')
    page = ("<!doctype html><html lang='en'><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>CNN course: figure gallery</title><style>{STYLE}</style><body>"
            "<h1>Figure gallery</h1><p>Every figure of the executed solution notebooks, with the sentence it "
            f"illustrates (the text just before it). {total} figures from {len(paths)} notebooks. Images are "
            f"stored at twice their displayed resolution; this page works offline.</p><nav>{''.join(nav)}</nav>"
            f"{''.join(sections)}</body></html>")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(page, encoding="utf-8")
    return out_path


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    print(write_gallery(Path(argv[0]) if argv else DEFAULT_OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
