"""`make html` and `make slides`: pages that load nothing remote, the course map as the site's index, and lecture
decks laid out for a room (tools/export_site.py, tools/lecture.py).

The exports copy their browser assets from web/node_modules, which `make html` installs with npm; these tests use a
stand-in folder of stub files instead, so they need no npm. tools/browser_test.py (`make test-browser`) opens real
exports in Chromium with the network off."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

import lecture
from export_site import (DECK_ASSETS, FONT_AWESOME, FONT_AWESOME_CSS, FONT_AWESOME_WOFF2, SITE_ASSETS, export_html,
                         export_slides, offline_copy, remote_resources)
from notebook_io import NOTEBOOKS, SOLUTIONS, read

SOLUTION_FILES = sorted(SOLUTIONS.glob("*.ipynb"))
FIRST = SOLUTION_FILES[:2]


@pytest.fixture(scope="module")
def web(tmp_path_factory) -> Path:
    """A stand-in for web/node_modules: every file the exports copy, as a stub."""
    root = tmp_path_factory.mktemp("node_modules")
    for name in {*SITE_ASSETS, *DECK_ASSETS, FONT_AWESOME_WOFF2}:
        path = root / name / "stub.woff" if name.endswith("/") else root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("/* stub */")
    (root / FONT_AWESOME_CSS).parent.mkdir(parents=True)
    (root / FONT_AWESOME_CSS).write_text("@font-face{font-family:'FontAwesome';src:url('../fonts/a.eot?v=4.7.0');"
                                         "src:url('../fonts/a.woff2?v=4.7.0') format('woff2');font-weight:normal}")
    return root


class _Loads(HTMLParser):
    """The ``src`` of scripts and images and the ``href`` of stylesheets of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "img") and values.get("src"):
            self.urls.append(values["src"])
        if tag == "link" and values.get("rel") == "stylesheet":
            self.urls.append(values["href"])


def local_files_loaded(page: Path) -> list[str]:
    parser = _Loads()
    parser.feed(page.read_text(encoding="utf-8"))
    return [url for url in parser.urls if not url.startswith("data:")]


def assert_offline(folder: Path) -> None:
    """Every page of ``folder`` loads only files that exist next to it."""
    pages = sorted(folder.glob("*.html"))
    assert pages
    for page in pages:
        assert remote_resources(page.read_text(encoding="utf-8")) == [], page.name
        for url in local_files_loaded(page):
            assert (folder / url).is_file(), f"{page.name} loads {url}, which the export did not write"


@pytest.fixture(scope="module")
def site(tmp_path_factory, web) -> Path:
    out = tmp_path_factory.mktemp("html")
    export_html(out, FIRST, web=web)
    return out


def test_site_pages_load_only_local_files(site):
    assert_offline(site)
    page = (site / f"{FIRST[0].stem}.html").read_text(encoding="utf-8")
    assert "_static/mathjax/es5/tex-svg-full.js" in page and "<img" in page, "MathJax local, figures embedded"
    assert "colab-badge.svg" not in page, "the badge images are remote: the page shows their text instead"


def test_index_is_the_course_map_with_pages_and_downloads(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Course map" in index and 'href="gallery.html"' in index
    for path in FIRST:
        assert f'href="{path.stem}.html"' in index, f"no link to the {path.stem} page"
        assert f'href="notebooks/{path.name}" class="download" download' in index
        assert (site / "notebooks" / path.name).read_bytes() == (NOTEBOOKS / path.name).read_bytes()
    assert 'href="solutions/' not in index, "solution links point to the exported pages"
    gallery = (site / "gallery.html").read_text(encoding="utf-8")
    assert "<img" in gallery and all(path.stem in gallery for path in FIRST), "the gallery shows the pages' figures"


def test_export_fails_without_the_installed_assets(tmp_path):
    with pytest.raises(FileNotFoundError, match="npm ci in web/"):
        export_html(tmp_path / "html", FIRST[:1], web=tmp_path / "empty")


def test_remote_resources_are_what_a_page_would_fetch():
    page = """<script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="//cdn.example/a.css">
    <img src="http://example.org/a.png"><style>@import url(https://fonts.example/f.css);</style>
    <a href="https://colab.research.google.com/x">a link to click</a><script src="_static/local.js"></script>"""
    assert remote_resources(page) == ["https://cdn.example/x.js", "//cdn.example/a.css", "http://example.org/a.png",
                                      "https://fonts.example/f.css"]


def test_offline_copy_drops_remote_images_and_shows_widgets_as_pictures():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell('# T\n\n<a href="https://c"><img src="https://c/badge.svg" alt="Open in Colab">'
                                      '</a> ![logo](https://x/logo.png)'),
        nbformat.v4.new_code_cell("w", outputs=[nbformat.v4.new_output("display_data", {
            "application/vnd.jupyter.widget-view+json": {"model_id": "m"}, "image/png": "iVBOR", "text/plain": "W"})]),
        nbformat.v4.new_code_cell("a", outputs=[nbformat.v4.new_output("display_data", {"text/html": (
            '<link rel="stylesheet"\nhref="https://maxcdn.example/font-awesome/4.4.0/css/font-awesome.min.css">')})]),
    ])
    copy = offline_copy(nb)
    assert copy.metadata["title"] == "T"
    assert "https://c/badge.svg" not in copy.cells[0].source and "Open in Colab" in copy.cells[0].source
    assert "logo.png" not in copy.cells[0].source
    widget, note = copy.cells[1].outputs
    assert set(widget.data) == {"image/png", "text/plain"} and "run the notebook" in note.data["text/html"]
    assert FONT_AWESOME in copy.cells[2].outputs[0].data["text/html"]
    assert "widget-view" in str(nb.cells[1].outputs[0].data), "the notebook itself is untouched"


def test_slides_are_reveal_decks_that_load_only_local_files(tmp_path, web):
    decks = export_slides(FIRST, tmp_path, web=web)
    assert [d.name for d in decks] == [f"{p.stem}.slides.html" for p in FIRST]
    assert_offline(tmp_path)
    text = decks[-1].read_text(encoding="utf-8")
    assert "_static/reveal.js/dist/reveal.js" in text and "Reveal.initialize" in text
    assert text.count("<section") > 5
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{d.name}"' in index for d in decks)


# --- the lecture layout (tools/lecture.py), on every solution notebook ---------------------------------------------

@pytest.fixture(scope="module", params=SOLUTION_FILES, ids=lambda p: p.stem)
def deck(request) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    nb = read(request.param)
    return nb, lecture.lecture_deck(nb)


def test_plumbing_is_not_on_the_slides(deck):
    _, slides = deck
    code = "\n".join(c.source for c in slides.cells if c.cell_type == "code")
    assert "Setup -- run this cell first" not in code
    assert not re.search(r"\bchecks\.\w+\(", code), "a checker cell is on a slide"
    assert "NBVAL_" not in code and "### BEGIN SOLUTION" not in code and "### END SOLUTION" not in code
    assert "colab-badge.svg" not in "\n".join(c.source for c in slides.cells)


def test_every_section_starts_a_slide(deck):
    nb, slides = deck
    sections = [line for c in nb.cells if c.cell_type == "markdown"
                for line, _ in lecture.markdown_blocks(c.source) if re.match(r"#{1,2} ", line)]
    starts = [c.source.splitlines()[0] for c in slides.cells
              if c.metadata["slideshow"]["slide_type"] == "slide"]
    assert starts == sections


def test_every_sub_slide_fits(deck):
    """Estimated at the deck's type sizes: no sub-slide is taller than the budget (by more than the little the deck
    may shrink), unless it holds a single piece that cannot be split (a long code cell)."""
    _, slides = deck
    sub_slides: list[list[nbformat.NotebookNode]] = []
    for cell in slides.cells:
        if cell.metadata["slideshow"]["slide_type"] in ("slide", "subslide"):
            sub_slides.append([])
        sub_slides[-1].append(cell)
    for cells in sub_slides:
        height = cells[0].metadata["slideshow"]["data"]["estimated_height"]
        content = [c for c in cells if "slide-continued" not in c.source]
        assert height <= lecture.BUDGET_PX * lecture.SHRINK_MAX or len(content) == 1, \
            f"a sub-slide of {height} px starting with {cells[0].source[:60]!r}"


def test_long_outputs_are_trimmed():
    text = "\n".join(f"Epoch {k}/30" for k in range(1, 31)) + "\n"
    trimmed = lecture.trim_text(text).splitlines()
    assert trimmed[:lecture.HEAD] == text.splitlines()[:lecture.HEAD]
    assert trimmed[-lecture.TAIL:] == text.splitlines()[-lecture.TAIL:]
    assert "19 lines not shown" in trimmed[lecture.HEAD]
    assert lecture.trim_text("a\nb\n") == "a\nb\n"


def test_markdown_blocks_split_between_paragraphs_and_items_never_inside_code():
    source = "# T\n\npara\nstill para\n\n- a\n  more a\n- b\n\n```python\n# not a heading\n\nx = 1\n```\n## H"
    assert lecture.markdown_blocks(source) == [
        ("# T", False), ("para\nstill para", False), ("- a\n  more a", False), ("- b", True),
        ("```python\n# not a heading\n\nx = 1\n```", False), ("## H", False)]


def test_plumbing_cells():
    code = nbformat.v4.new_code_cell
    assert lecture.is_plumbing(code("x = 1"), setup=True)
    assert lecture.is_plumbing(code("rng = 1\nchecks.check_function(f, reference=g)"))
    assert lecture.is_plumbing(code("import numpy as np\ndel big"))
    assert not lecture.is_plumbing(code("print(conv.output_size(5, 3))"))
    assert not lecture.is_plumbing(nbformat.v4.new_markdown_cell("checks.x()"))
