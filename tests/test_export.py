"""`make html` and `make slides` produce files: a static page per notebook with an index, and reveal.js slides."""

from __future__ import annotations

from export_site import export_html, export_slides
from notebook_io import SOLUTIONS

FIRST = sorted(SOLUTIONS.glob("*.ipynb"))[:2]


def test_html_site_has_index_and_pages(tmp_path):
    index = export_html(tmp_path, FIRST)
    text = index.read_text()
    for path in FIRST:
        page = tmp_path / f"{path.stem}.html"
        assert page.exists() and page.stat().st_size > 10_000
        assert f'href="{page.name}"' in text
    assert "<img" in (tmp_path / f"{FIRST[0].stem}.html").read_text(), "figures are embedded"


def test_slides_are_reveal_js(tmp_path):
    target = export_slides(FIRST[-1], tmp_path)
    text = target.read_text()
    assert target.name.endswith(".slides.html") and "reveal" in text.lower()
    assert text.count("<section") > 5, "each section heading starts a slide"
