"""`make gallery`: one offline page with every figure of the executed solutions, each labelled by notebook, cell
and the sentence before it."""

from __future__ import annotations

import base64
import re

import nbformat
from gallery import caption_before, figures, plain, shorten, write_gallery
from notebook_io import SOLUTIONS, read

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 20).decode()
REMOTE = re.compile(r"""<(?:img|script|link|iframe)\b[^>]*(?:src|href)=["'](?:https?:)?//""", re.I)


def notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    new, out = nbformat.v4, nbformat.v4.new_output
    nb.cells = [
        new.new_markdown_cell("# 99 · A test notebook\n\nIntro."),
        new.new_markdown_cell("## 1 · Edges\n\nFirst paragraph.\n\nThe **Laplacian** of a [photo](x.png): red > 0."),
        new.new_code_cell("plots.image_grid(...)", outputs=[
            out("display_data", {"image/png": PNG, "text/plain": "<Figure>"},
                metadata={"image/png": {"width": 300, "height": 120}})]),
        new.new_code_cell("print(1)", outputs=[out("stream", name="stdout", text="1\n")]),
        new.new_markdown_cell("The animation:"),
        new.new_code_cell("plots.sliding_window(...)", outputs=[out("display_data", {"text/html": (
            '<link rel="stylesheet" href="https://maxcdn.example/font-awesome.css"><div class="animation">'
            '<img id="_anim_img1"></div>')})]),
        new.new_code_cell("explorer.kernel_explorer()", outputs=[out("display_data", {
            "application/vnd.jupyter.widget-view+json": {"model_id": "m"}, "image/jpeg": PNG, "text/plain": "ui"})]),
        new.new_code_cell("model.summary()", outputs=[out("display_data", {"text/html": "<table></table>"})]),
    ]
    path = tmp_path / "99_test.ipynb"
    nbformat.write(nb, path)
    return path


def test_captions_are_the_shortened_text_just_before():
    assert plain("## The **Laplacian** of a [photo](x.png): `red` > 0") == "The Laplacian of a photo: red > 0"
    assert shorten("one two three four", 12) == "one two…" and shorten("short", 12) == "short"
    cells = [nbformat.v4.new_markdown_cell("Far.\n\nNear: the figure shows x."), nbformat.v4.new_code_cell("a"),
             nbformat.v4.new_code_cell("plot")]
    assert caption_before(cells, 2) == "Near: the figure shows x."
    assert caption_before(cells[1:], 1) == ""


def test_every_figure_of_a_notebook_is_found_and_labelled(tmp_path):
    path = notebook(tmp_path)
    found = figures(path)
    assert [(f.cell, f.caption) for f in found] == [(2, "The Laplacian of a photo: red > 0."),
                                                    (5, "The animation:"), (6, "The animation:")]
    assert 'width="300" height="120"' in found[0].html, "shown at its displayed size (stored at twice it)"
    assert "https://" not in found[1].html and 'class="animation"' in found[1].html
    assert found[2].html.startswith('<img src="data:image/jpeg') and "interactive widget" in found[2].html
    page = write_gallery(tmp_path / "out" / "gallery.html", [path]).read_text()
    assert "99_test · cell 2" in page and "A test notebook" in page and not REMOTE.search(page)


def test_gallery_of_the_solutions_as_they_are(tmp_path):
    page = write_gallery(tmp_path / "gallery.html").read_text()
    expected = 0
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        for cell in read(path).cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                expected += "image/png" in data or "image/jpeg" in data or 'class="animation"' in data.get(
                    "text/html", "")
    assert expected > 50 and page.count("<figure ") == expected
    assert len(re.findall(r'<span class="where">\d\d_\w+ · cell \d+</span>', page)) == expected
    assert not REMOTE.search(page), "the page works offline"
