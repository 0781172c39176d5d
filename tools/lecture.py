"""A solution notebook laid out as a lecture deck (``make slides``), applied to a copy at export time: the notebooks
store no slide metadata.

The design, for a room whose back row must read the slides:

- plumbing is not shown: the setup cell, the exercise checkers (code cells calling ``checks.``), cells that only
  import or ``del``, the Colab badges, and the ``# NBVAL_...`` and solution markers inside code;
- ``#`` and ``##`` headings start a slide, ``###`` a sub-slide; a section longer than one slide goes on in
  sub-slides labelled "<section> (continued)", split between paragraphs, list items or cells, never inside one;
- an exercise's solution starts its own sub-slide, after the exercise's statement; a code cell too tall for one
  slide together with its output shows the output on the next sub-slide;
- a printed output longer than :data:`MAX_OUTPUT_LINES` keeps its first and last lines (training logs, tables);
- a figure fills the slide's width or ``figure_max_px`` of its height (enlarged up to :data:`MAX_UPSCALE`, so that
  its labels can be read);
- heights are estimated at the deck's type sizes (:data:`LAYOUT`, which the deck's CSS also uses) and every
  sub-slide records its estimate; the deck's script (tools/export_templates/static/slides.js) shrinks whatever
  still overflows, so nothing is cut off. ``tools/browser_test.py --review`` compares estimates with the browser.
"""

from __future__ import annotations

import ast
import base64
import copy
import math
import re
import struct
from dataclasses import dataclass

import nbformat

from exercises import BEGIN, END

#: Logical size of a slide (reveal.js scales it to the screen, 16:9) and the type sizes of the deck, in pixels.
LAYOUT = {
    "width": 1280,
    "height": 720,
    "text_px": 26,         # prose
    "code_px": 21,         # code and printed output
    "min_code_px": 17,     # wide code shrinks down to this (a 120-character line fits), then wraps
    "h1_px": 50,
    "h2_px": 42,
    "h3_px": 34,
    "figure_max_px": 480,  # a figure's height on a slide at most
}
#: Figures are enlarged up to this factor to fill the slide's width or figure_max_px (their text must be legible).
MAX_UPSCALE = 2.5
#: Height one sub-slide may fill (the rest is the section's padding and the estimate's margin of error), and how far
#: the end of a section may overflow it rather than go on to a sub-slide of its own (the deck shrinks it to fit).
BUDGET_PX, SHRINK_MAX = 640, 1.12
#: Printed outputs longer than this keep their first HEAD and last TAIL lines.
MAX_OUTPUT_LINES, HEAD, TAIL = 14, 6, 5

_WIDTH_PX = LAYOUT["width"] - 60           # a cell's content width
_PROSE_CHAR = 0.47                         # average width of a prose character, in em
_MONO_CHAR = 0.6                           # width of a monospace character, in em
_HEADING = re.compile(r"^(#{1,3}) +(.+?) *#*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_ITEM = re.compile(r"^(?:[-*+]|\d+[.)]) ")
_CHECKER = re.compile(r"\bchecks\.\w+\(")
_MARKER = re.compile(rf"^[ \t]*(?:# NBVAL_\w+|{re.escape(BEGIN)}|{re.escape(END)})[ \t]*\n?", re.M)
_BADGE_LINE = re.compile(r"^.*colab-badge\.svg.*\n?", re.M)
_RICH_RULE = re.compile(r"^[├─┼┤\s]+$")    # the row separators of a Keras summary table


@dataclass
class _Piece:
    """One indivisible unit of a slide: a markdown block or a whole code cell with its outputs."""

    cell: nbformat.NotebookNode
    height: float
    level: int = 0          # heading level (1-3), 0 when not a heading
    tight: bool = False     # a list item right after another: joined to it by one newline, not a blank line
    solution: bool = False  # an exercise's solution: starts its own sub-slide
    merge: bool = True      # a markdown piece that may join the markdown before it into one cell


# --- which cells are plumbing -------------------------------------------------------------------------------------

def is_plumbing(cell: nbformat.NotebookNode, setup: bool = False) -> bool:
    """Whether a code cell stays off the slides: the setup cell, a checker, or a cell that only imports or deletes."""
    if cell.cell_type != "code":
        return False
    if setup or _CHECKER.search(cell.source) or not cell.source.strip():
        return True
    try:
        body = ast.parse(_MARKER.sub("", cell.source)).body
    except SyntaxError:  # IPython magics: not plumbing by this rule
        return False
    return all(isinstance(node, (ast.Import, ast.ImportFrom, ast.Delete)) for node in body)


# --- outputs --------------------------------------------------------------------------------------------------------

def trim_text(text: str) -> str:
    """``text`` itself, or its first HEAD and last TAIL lines when it has more than MAX_OUTPUT_LINES."""
    lines = text.splitlines()
    if len(lines) <= MAX_OUTPUT_LINES:
        return text
    hidden = len(lines) - HEAD - TAIL
    return "\n".join([*lines[:HEAD], f"⋮  ({hidden} lines not shown: see the notebook)", *lines[-TAIL:]]) + "\n"


def _figure_scale(data: str) -> float:
    """How much a PNG figure is enlarged (or shrunk) on a slide: to the slide's width or figure_max_px."""
    width, height = _png_size(data)
    return min(_WIDTH_PX / width, LAYOUT["figure_max_px"] / height, MAX_UPSCALE)


def _lecture_outputs(outputs: list) -> list:
    """Long printed outputs trimmed; figures sized for the slide; a Keras summary table without its row separators
    (half the height)."""
    for out in outputs:
        if "image/png" in out.get("data", {}):
            width = _png_size(out.data["image/png"])[0]
            out.setdefault("metadata", {})["image/png"] = {"width": round(width * _figure_scale(out.data["image/png"]))}
        if out.output_type == "stream":
            out.text = trim_text(out.text)
        elif "data" in out:
            html = out.data.get("text/html", "")
            if html.startswith("<pre") and "┃" in html:
                out.data["text/html"] = "\n".join(line for line in html.split("\n") if not _RICH_RULE.match(line))
            elif set(out.data) == {"text/plain"}:
                out.data["text/plain"] = trim_text(out.data["text/plain"])
    return outputs


# --- heights --------------------------------------------------------------------------------------------------------

def _wrapped_lines(chars: int, px: float, char_em: float = _PROSE_CHAR, width: float = _WIDTH_PX) -> int:
    return max(1, math.ceil(chars / (width / (px * char_em))))


def _plain(markdown: str) -> str:
    """Roughly the visible text of a markdown fragment: no link targets, tags, emphasis marks or code ticks."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\$([^$]+)\$", lambda m: "x" * (len(m.group(1)) // 3 + 1), text)  # TeX source is longer
    return re.sub(r"[*_`]", "", text)


def _mono_height(lines: list[str], px: float, line_height: float = 1.3) -> float:
    """Code or printed text: the deck shrinks wide lines (down to min_code_px), then wraps what is still too wide."""
    if not lines:
        return 0.0
    longest = max(len(line) for line in lines)
    fit_px = _WIDTH_PX / (_MONO_CHAR * max(longest, 1))
    size = min(px, max(LAYOUT["min_code_px"], fit_px))
    rows = sum(_wrapped_lines(len(line), size, _MONO_CHAR) for line in lines)
    return rows * size * line_height + 16


def _markdown_height(block: str) -> float:
    heading = _HEADING.match(block)
    if heading:
        px = LAYOUT[f"h{len(heading.group(1))}_px"]
        return _wrapped_lines(len(_plain(heading.group(2))), px) * px * 1.2 + 24
    lines = block.splitlines()
    if _FENCE.match(lines[0]):
        return _mono_height(lines[1:-1], LAYOUT["code_px"]) + 8
    if lines[0].lstrip().startswith("|"):
        px = LAYOUT["text_px"] * 0.85
        rows = [line for line in lines if not re.match(r"^\s*\|[\s:|-]+\|\s*$", line)]
        return sum(_wrapped_lines(len(_plain(row)), px) * px * 1.4 + 12 for row in rows) + 16
    if block.lstrip().startswith("$$"):
        return 90.0
    px = LAYOUT["text_px"]
    item = bool(_ITEM.match(block))
    lines = _wrapped_lines(len(_plain(" ".join(lines))), px, width=_WIDTH_PX - 80 * item)
    return lines * px * 1.35 + (6 if item else 20)


def _png_size(data: str) -> tuple[int, int]:
    """Width and height of a base64-encoded PNG, from its header."""
    header = base64.b64decode("".join(data[:100].split())[:44])
    return struct.unpack(">II", header[16:24])


def _output_height(out: nbformat.NotebookNode) -> float:
    if out.output_type == "stream":
        return _mono_height(out.text.splitlines(), LAYOUT["code_px"])
    if out.output_type == "error":
        return _mono_height(out.traceback, LAYOUT["code_px"])
    data = out.get("data", {})
    if "image/png" in data:
        return _png_size(data["image/png"])[1] * _figure_scale(data["image/png"]) + 16
    if "text/html" in data:
        html = data["text/html"]
        if 'class="animation"' in html:
            return LAYOUT["figure_max_px"] + 30    # its frame (slides.css: figure_max_px - 100) and its controls
        return _mono_height(re.sub(r"<[^>]+>", "", html).splitlines(), LAYOUT["code_px"], 1.2)
    return _mono_height(data.get("text/plain", "").splitlines(), LAYOUT["code_px"])


def _code_height(cell: nbformat.NotebookNode) -> float:
    return _mono_height(cell.source.splitlines(), LAYOUT["code_px"]) + sum(map(_output_height, cell.outputs))


# --- cells into pieces ----------------------------------------------------------------------------------------------

def markdown_blocks(source: str) -> list[tuple[str, bool]]:
    """Split markdown at blank lines, before headings and between list items, never inside a fenced code block:
    ``(block, tight)`` pairs, ``tight`` for a list item that directly follows another one (no blank line)."""
    blocks: list[tuple[str, bool]] = []
    current: list[str] = []
    tight = fenced = False

    def close() -> None:
        nonlocal tight
        if current:
            blocks.append(("\n".join(current), tight))
            current.clear()
        tight = False

    for line in source.splitlines():
        if _FENCE.match(line) or fenced:
            if _FENCE.match(line) and not fenced:
                close()
            fenced ^= bool(_FENCE.match(line))
            current.append(line)
            if not fenced:
                close()
        elif not line.strip():
            close()
        elif _HEADING.match(line):
            close()
            current.append(line)
            close()
        elif _ITEM.match(line) and current and _ITEM.match(current[0]):
            close()
            tight = True
            current.append(line)
        else:
            current.append(line)
    close()
    return blocks


def _pieces(cell: nbformat.NotebookNode) -> list[_Piece]:
    if cell.cell_type == "markdown":
        source = _BADGE_LINE.sub("", cell.source)
        pieces = []
        for block, tight in markdown_blocks(source):
            heading = _HEADING.match(block)
            piece_cell = nbformat.v4.new_markdown_cell(block)
            pieces.append(_Piece(piece_cell, _markdown_height(block), len(heading.group(1)) if heading else 0, tight))
        return pieces
    solution = BEGIN in cell.source
    cell.source = _MARKER.sub("", cell.source).strip("\n")
    cell.outputs = _lecture_outputs(cell.outputs)
    whole = _Piece(cell, _code_height(cell), solution=solution)
    if whole.height <= BUDGET_PX or not cell.outputs:
        return [whole]
    # Too tall for one slide: the code, then its outputs (the cell again, its source hidden) on the next.
    outputs = copy.deepcopy(cell)
    outputs.metadata["transient"] = {"remove_source": True}
    cell.outputs = []
    return [_Piece(cell, _code_height(cell), solution=solution),
            _Piece(outputs, sum(map(_output_height, outputs.outputs)))]


# --- pieces into slides ---------------------------------------------------------------------------------------------

def _label(text: str) -> _Piece:
    """The small grey line that opens a continued sub-slide (its section's title: inline code kept, markup not)."""
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", re.sub(r"[*_]{1,2}(\S[^*_]*)[*_]{1,2}", r"\1", text))
    return _Piece(nbformat.v4.new_markdown_cell(f'<p class="slide-continued">{text}</p>'), 40.0, merge=False)


def _opens(piece: _Piece) -> bool:
    """Whether ``piece`` always opens a (sub-)slide."""
    return bool(piece.level) or piece.solution


def _leads_in(piece: _Piece) -> bool:
    """A sentence that announces what follows ("... here is the detail:") stays with it."""
    return piece.cell.cell_type == "markdown" and piece.merge and piece.cell.source.rstrip().endswith(":")


def paginate(pieces: list[_Piece]) -> list[tuple[str, list[_Piece]]]:
    """Group pieces into ``(slide_type, pieces)`` sub-slides: headings open slides (``#``, ``##``) or sub-slides
    (``###``), a solution opens a sub-slide, and a piece that would overflow the current sub-slide opens the next
    one -- unless the rest of the section overflows by less than SHRINK_MAX (the deck then shrinks the slide a
    little rather than leave one line on a slide of its own). A lead-in sentence moves along with what it announces."""
    slides: list[tuple[str, list[_Piece]]] = []
    used = 0.0
    section = ""

    def open_slide(kind: str, first: list[_Piece]) -> None:
        nonlocal used
        slides.append((kind, list(first)))
        used = sum(p.height for p in first)

    for k, piece in enumerate(pieces):
        if piece.level in (1, 2) or not slides:
            section = _HEADING.match(piece.cell.source).group(2) if piece.level else section
            open_slide("slide", [piece])
        elif piece.level == 3:
            section = _HEADING.match(piece.cell.source).group(2)
            open_slide("subslide", [piece])
        elif piece.solution:
            open_slide("subslide", [_label(f"{section}: solution" if section else "Solution"), piece])
        elif used + piece.height > BUDGET_PX and used > 0:
            rest = next((j for j in range(k, len(pieces)) if _opens(pieces[j])), len(pieces))
            if used + sum(p.height for p in pieces[k:rest]) <= BUDGET_PX * SHRINK_MAX:
                slides[-1][1].append(piece)
                used += piece.height
                continue
            current = slides[-1][1]
            fits = len(current) > 1 and current[-1].height + piece.height + 40 <= BUDGET_PX
            carried = [current.pop()] if fits and _leads_in(current[-1]) else []
            open_slide("subslide", [_label(f"{section} (continued)"), *carried, piece])
        else:
            slides[-1][1].append(piece)
            used += piece.height
    return slides


def _merged(pieces: list[_Piece]) -> list[nbformat.NotebookNode]:
    """Consecutive markdown pieces of one sub-slide back in one cell (one cell, one spacing, lists stay lists)."""
    cells: list[nbformat.NotebookNode] = []
    joinable = False  # whether cells[-1] is markdown that the next markdown piece may join
    for piece in pieces:
        markdown = piece.cell.cell_type == "markdown"
        if markdown and piece.merge and joinable:
            cells[-1].source += ("\n" if piece.tight else "\n\n") + piece.cell.source
        else:
            cells.append(copy.deepcopy(piece.cell))
        joinable = markdown and piece.merge
    return cells


def lecture_deck(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` laid out as a lecture: plumbing dropped, outputs trimmed, every cell's slide type set."""
    deck = copy.deepcopy(nb)
    first_code = next((i for i, c in enumerate(deck.cells) if c.cell_type == "code"), None)
    kept = [c for i, c in enumerate(deck.cells) if not is_plumbing(c, setup=i == first_code)]
    cells = []
    for kind, pieces in paginate([p for cell in kept for p in _pieces(cell)]):
        group = _merged(pieces)
        for cell in group:
            cell.metadata["slideshow"] = {"slide_type": "-"}
        # The estimate travels with the slide (data-estimated-height), so that a browser can compare it with the
        # real height (tools/browser_test.py --review).
        group[0].metadata["slideshow"] = {"slide_type": kind,
                                          "data": {"estimated_height": round(sum(p.height for p in pieces))}}
        cells.extend(group)
    for k, cell in enumerate(cells):
        cell["id"] = f"lecture-{k}"  # pieces of one cell (a split code cell) must not share its id
    deck.cells = cells
    return deck
