"""Export the executed solutions for teaching without internet: a course site (`make html`) and lecture decks
(`make slides`).

    python tools/export_site.py html [--out DIR]                  # build/html: course map + one page per notebook
    python tools/export_site.py slides [NOTEBOOK ...] [--out DIR]  # build/slides: one reveal.js deck per notebook

Every page works opened from disk with the network off. What pages load -- MathJax, reveal.js, require.js and the
animation player's icon font -- is copied next to them into ``_static/`` from the pinned npm packages of
``web/package-lock.json``, which ``make html`` / ``make slides`` install into ``web/node_modules`` (``npm ci``).
A page that would still load anything remote is refused (:func:`remote_resources`). The lecture layout of the decks
(which cells are slides, what is plumbing, trimmed outputs) is tools/lecture.py's, applied to a copy.
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from gallery import write_gallery
from lecture import LAYOUT, lecture_deck
from nbconvert import HTMLExporter, SlidesExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from notebook_io import NOTEBOOKS, ROOT, SOLUTIONS, read

WEB = ROOT / "web" / "node_modules"
TEMPLATES = Path(__file__).resolve().parent / "export_templates"
STATIC = "_static"
README = ROOT / "README.md"

MATHJAX = "mathjax/es5/tex-svg-full.js"  # MathJax 3 with SVG output: one script, no font files to fetch
#: What the pages load, copied from ``web/node_modules/<path>`` to ``<out>/_static/<path>`` (``/`` ends a folder).
SITE_ASSETS = (MATHJAX, "mathjax/LICENSE", "requirejs/require.js")
DECK_ASSETS = (MATHJAX, "mathjax/LICENSE", "reveal.js/dist/reveal.js", "reveal.js/dist/reveal.css",
               "reveal.js/dist/theme/white.css", "reveal.js/dist/theme/fonts/source-sans-pro/", "reveal.js/LICENSE")
#: matplotlib's animation player links Font Awesome 4 from a CDN; pages get this local copy, its font inlined.
FONT_AWESOME_CSS, FONT_AWESOME_WOFF2 = "font-awesome/css/font-awesome.min.css", "font-awesome/fonts/fontawesome-webfont.woff2"
FONT_AWESOME = f"{STATIC}/font-awesome.css"
_FONT_FACE_SRC = re.compile(r"src:url\([^)]*\.eot[^)]*\);src:[^;}]*")
_REMOTE_STYLESHEET = re.compile(r"""<link\b[^>]*href=["'](?:https?:)?//[^"']*font-awesome[^"']*["'][^>]*>""", re.I)
_REMOTE_IMG = re.compile(r"""<img\b[^>]*src=["'](?:https?:)?//[^>]*>""", re.I)
_REMOTE_MD_IMG = re.compile(r"!\[([^\]]*)\]\((?:https?:)?//[^)]*\)")
_ALT = re.compile(r"""alt=["']([^"']*)["']""", re.I)
_WIDGET = "application/vnd.jupyter.widget-view+json"
#: The course's templates (course_html/, course_slides/) and the parts they share (TEMPLATES itself).
_TEMPLATE_DIRS = {"extra_template_basedirs": [str(TEMPLATES)], "extra_template_paths": [str(TEMPLATES)]}


# --- assets ---------------------------------------------------------------------------------------------------------

def copy_assets(out: Path, assets: tuple[str, ...], web: Path = WEB) -> None:
    """Copy ``assets`` from ``web`` and the course's own CSS/JS (export_templates/static) into ``out/_static``; the
    Font Awesome CSS gets its font inlined (a font file next to a page opened from disk is not loaded everywhere)."""
    missing = [name for name in (*assets, FONT_AWESOME_CSS, FONT_AWESOME_WOFF2) if not (web / name).exists()]
    if missing:
        raise FileNotFoundError(f"{web / missing[0]} is missing: `make html` / `make slides` install the pinned "
                                "browser assets of web/package-lock.json (npm ci in web/)")
    static = out / STATIC
    for name in assets:
        target = static / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("/"):
            shutil.copytree(web / name, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(web / name, target)
    shutil.copytree(TEMPLATES / "static", static, dirs_exist_ok=True)
    css = (web / FONT_AWESOME_CSS).read_text(encoding="utf-8")
    font = base64.b64encode((web / FONT_AWESOME_WOFF2).read_bytes()).decode()
    inlined, count = _FONT_FACE_SRC.subn(f"src:url(data:font/woff2;base64,{font}) format('woff2')", css)
    if count != 1:
        raise ValueError(f"{FONT_AWESOME_CSS}: expected one @font-face src to inline, found {count}")
    (out / FONT_AWESOME).write_text(inlined, encoding="utf-8")


class _Resources(HTMLParser):
    """Collects the URLs a page loads by itself: scripts, stylesheets, images, frames, media and CSS imports."""

    LOADING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src", "audio": "src",
               "embed": "src", "link": "href"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = self.LOADING.get(tag)
        values = dict(attrs)
        if wanted and values.get(wanted) and not (tag == "link" and values.get("rel") in ("canonical", "alternate")):
            self.urls.append(values[wanted])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += re.findall(r"""url\(\s*["']?([^"')]+)""", data)


def remote_resources(page: str) -> list[str]:
    """The URLs ``page`` would fetch from a network (``http:``, ``https:``, ``//host``); links to click are not."""
    parser = _Resources()
    parser.feed(page)
    return [url for url in parser.urls if re.match(r"(?:https?:)?//", url.strip(), re.I)]


def _write_page(page: str, target: Path) -> Path:
    remote = remote_resources(page)
    if remote:
        raise ValueError(f"{target.name} would load {remote[0]} from the network: pages must work offline")
    target.write_text(page, encoding="utf-8")
    return target


# --- notebooks, made offline ----------------------------------------------------------------------------------------

def title_of(nb: nbformat.NotebookNode) -> str:
    """The notebook's title: its first line, without the ``#``."""
    return nb.cells[0].source.splitlines()[0].lstrip("# ").strip()


def _alt_text(img_tag: str) -> str:
    alt = _ALT.search(img_tag)
    return alt.group(1) if alt else "image"


def offline_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` that loads nothing remote: badge images become their alt text, the animation player's icon
    font is the local copy, and a widget (no kernel in a static page) shows its picture and a note."""
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title_of(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _REMOTE_MD_IMG.sub(r"\1", cell.source)
            cell.source = _REMOTE_IMG.sub(lambda m: f'<span class="course-badge">{_alt_text(m.group(0))}</span>',
                                          cell.source)
            continue
        outputs = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                data["text/html"] = _REMOTE_STYLESHEET.sub(f'<link rel="stylesheet" href="{FONT_AWESOME}">',
                                                           data["text/html"])
            outputs.append(out)
            if _WIDGET in data:
                del data[_WIDGET]
                outputs.append(nbformat.v4.new_output("display_data", {"text/html": (
                    '<p class="course-note">An interactive widget: run the notebook (JupyterLab or Colab) to use it; '
                    "above, its first view.</p>")}))
        if cell.cell_type == "code":
            cell.outputs = outputs
    return nb


# --- the course site --------------------------------------------------------------------------------------------

def _html_exporter() -> HTMLExporter:
    return HTMLExporter(template_name="course_html", **_TEMPLATE_DIRS,
                        mathjax_url=f"{STATIC}/{MATHJAX}", require_js_url=f"{STATIC}/requirejs/require.js")


def course_map(readme: Path = README) -> str:
    """The README's course map as HTML: solution links point to the exported pages, student notebooks download."""
    text = readme.read_text(encoding="utf-8")
    match = re.search(r"^## Course map\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not match:
        raise ValueError(f"{readme} has no '## Course map' section: the site's index page shows it")
    body = markdown2html_mistune(match.group(1))
    body = re.sub(r'href="solutions/([\w.-]+)\.ipynb"', r'href="\1.html"', body)
    return re.sub(r'href="(notebooks/[\w.-]+\.ipynb)"', r'href="\1" class="download" download', body)


def _index(title: str, body: str) -> str:
    return ("<!doctype html><html lang='en'><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><link rel='stylesheet' href='{STATIC}/course.css'>"
            f"<body class='course-index'>{body}</body></html>")


def export_html(out: Path, notebooks: list[Path] | None = None, web: Path = WEB, readme: Path = README) -> Path:
    """Write the course site into ``out``: one page per solution notebook, the student notebooks to download, and
    ``index.html`` (the README's course map, with a link to the figure gallery). Returns the index path."""
    paths = notebooks or sorted(SOLUTIONS.glob("*.ipynb"))
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out, SITE_ASSETS, web)
    (out / "notebooks").mkdir(exist_ok=True)
    exporter = _html_exporter()
    for path in paths:
        body, _ = exporter.from_notebook_node(offline_copy(read(path)), resources={"metadata": {"name": path.stem}})
        _write_page(body, out / f"{path.stem}.html")
        student = NOTEBOOKS / path.name
        if not student.exists():
            raise FileNotFoundError(f"{student} is missing: `make notebooks` generates it from {path}")
        shutil.copyfile(student, out / "notebooks" / path.name)
    listed = course_map(readme)
    unlisted = [p for p in paths if f'href="{p.stem}.html"' not in listed]
    more = "".join(f'<li><a href="{p.stem}.html">{html.escape(title_of(read(p)))}</a> · '
                   f'<a href="notebooks/{p.name}" class="download" download>student notebook</a></li>'
                   for p in unlisted)
    write_gallery(out / "gallery.html", paths)
    index = _index("CNN course", (
        "<h1>Convolutional neural networks with TensorFlow and Keras</h1>"
        "<p>The executed solution notebooks (fast mode), to read or to teach from, and the student notebooks to "
        "download. A student notebook runs in Colab (the badge at its top) or inside a copy of the course repository "
        "(it imports <code>utils/</code> and reads <code>data/</code>). In the course map below, a notebook's name "
        "downloads its student version (⤓) and <i>solution</i> opens the executed solution. This site works offline.</p>"
        '<p><a href="gallery.html">Figure gallery</a>: every figure of the course on one page.</p>'
        f"<h2>Course map</h2>{listed}" + (f"<h2>Also exported</h2><ul>{more}</ul>" if more else "")))
    return _write_page(index, out / "index.html")


# --- lecture decks ------------------------------------------------------------------------------------------------

def _slides_exporter() -> SlidesExporter:
    return SlidesExporter(template_name="course_slides", **_TEMPLATE_DIRS,
                          mathjax_url=f"{STATIC}/{MATHJAX}", reveal_url_prefix=f"{STATIC}/reveal.js",
                          reveal_theme="white", exclude_input_prompt=True, exclude_output_prompt=True)


def export_slides(notebooks: list[Path], out: Path, web: Path = WEB) -> list[Path]:
    """Write one lecture deck per notebook into ``out`` (``<name>.slides.html``) and an index of the decks."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out, DECK_ASSETS, web)
    exporter = _slides_exporter()
    decks, rows = [], []
    for path in notebooks:
        nb = offline_copy(lecture_deck(read(path)))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}, "lecture": LAYOUT})
        decks.append(_write_page(body, out / f"{path.stem}.slides.html"))
        rows.append(f'<li><a href="{decks[-1].name}">{html.escape(nb.metadata["title"])}</a></li>')
    _write_page(_index("CNN course: slides", "<h1>Lecture slides</h1><p>Arrow keys or space to move, Esc for an "
                       f"overview of a deck, F for full screen.</p><ul>{''.join(rows)}</ul>"), out / "index.html")
    return decks


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["html", "slides"])
    parser.add_argument("notebooks", nargs="*", type=Path, help="solution notebooks (default: all)")
    parser.add_argument("--out", type=Path, help="output folder (default: build/html or build/slides)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(SOLUTIONS.glob("*.ipynb"))
    out = args.out or ROOT / "build" / args.what
    if args.what == "html":
        print(export_html(out, notebooks))
    else:
        for deck in export_slides(notebooks, out):
            print(deck)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
