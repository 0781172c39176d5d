"""Words are checked like code: every number a notebook's prose states must come from its own code or outputs.

For each markdown cell, every number that carries information must appear in the same notebook's code (comments
excluded) or stored outputs, or be listed with its source in the notebook's metadata.

**Checked** (an information-carrying number):

- a decimal: ``0.454``, ``97.6``, ``1.41``, the slides' decimal comma ``95,3``, ``2e-3``, ``2·10⁻³``, ``10⁻¹²``;
- a percentage: ``97 %``, ``97.6%``;
- a count of four or more digits: ``5,000``, ``5000``, ``10 000``, ``421,642``, ``32k``, ``1.6 M``, ``8.46 million``;
- a number with a unit of time, size or ratio: ``29 s``, ``90 MB``, ``2.4x``, ``3×``;
- a shape with a side of 10 or more: ``224×224``, ``28 × 28 × 6`` (``3×3`` and ``5×5`` are small numbers).

**Not checked** (not information, or not prose):

- inline code spans and fenced code blocks (they are code), LaTeX ``$...$`` / ``$$...$$`` (formula constants),
  HTML tags, link targets and URLs;
- section numbers of headings (``## 3 ·``, ``### Exercise 2 ·``) and list enumerations (``1.``);
- years (a bare four-digit integer from 1900 to 2030), library versions (``Keras 3.15``, ``TensorFlow 2.17–2.19``),
  references to parts of a text (``Section 4.2``, ``Table 6``, ``deck 002``, ``arXiv:1611.01779``);
- digits that are part of a name or word: ``ResNet-20``, ``VGG19``, ``top-5``, ``float32``, ``99th``, ``2D``;
- integers below 1000 without decimals, percent sign, magnitude or unit;
- the closing ``## Exercises`` section: its numbers are parameters of tasks to try, not statements.

**Supported** when a number of the notebook's code or outputs rounds to it at the precision the prose shows:
``97.6 %`` by an output ``0.976``, ``0.9763`` or ``97.63%``; ``0.45`` by ``0.4538``; ``45 %`` by ``0.45`` in the code;
``1.6 M`` by ``1,600,000``; ``5,000`` by ``5000`` or ``5_000``. A plain count must match exactly, unless the prose
marks it approximate (``about 670,000`` is supported by ``669,706``). A shape is supported by the same sides in a row
in the code or outputs (``28×28×6`` by ``(28, 28, 6)``; ``148×148`` by ``(None, 148, 148, 32)``).

**Allowlist** (a slide's or a paper's number that cannot be computed here): notebook metadata

    {"course": {"sourced_numbers": {"63 %": "deck 004, AlexNet slide; Krizhevsky et al. 2012: top-1 error 37.5 %"}}}

A key is written like the prose writes the number (``"63%"`` and ``"63 %"`` are the same key); its value says where
the number comes from. A key without a source, a key that is not a checked number, and a key that matches no number
of the prose are errors too.

**Limits.** The check is necessary, not sufficient: any equal number of the notebook supports the prose, also by
coincidence (an integer percentage is matched by any fraction that rounds to it), and what a number means, or a
word such as "beats", is left to the reader.

Usage: python tools/check_prose.py [NOTEBOOK ...]   (default: every notebook of solutions/). Exits 1 and names each
unsupported number, its notebook, its cell and the sentence around it.
"""

from __future__ import annotations

import bisect
import io
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
from notebook_io import SOLUTIONS, read

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUP = "[⁰¹²³⁴⁵⁶⁷⁸⁹]"
_SPACE = "[ \u00a0\u2009\u202f]"

# What prose never states as a claim: code, formulas, markup, addresses. Replaced by spaces (offsets are kept).
_MASKED = [re.compile(p, re.S) for p in (
    r"```.*?```", r"~~~.*?~~~",                 # fenced code blocks
    r"(`+).+?\1",                               # inline code spans
    r"\$\$.+?\$\$", r"\$[^$]+?\$",              # LaTeX
    r"\\\(.+?\\\)", r"\\\[.+?\\\]",
    r"<!--.*?-->", r"</?[A-Za-z][^>\n]*>",      # HTML comments and tags
    r"<https?://[^>\s]+>", r"\]\([^)\s]*\)",    # autolinks, link and image targets
    r"https?://[^\s)>\]]+",                     # bare URLs
)]
_HEADING_NUMBER = re.compile(r"^(#{1,6}[ \t]+(?:Exercise[ \t]+|Part[ \t]+)?)(\d+(?:\.\d+)*)", re.M)
_LIST_NUMBER = re.compile(r"^([ \t]*)(\d+)(?=[.)][ \t])", re.M)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$", re.M)
_EXERCISES = re.compile(r"(?:More[ \t]+)?Exercises\b", re.I)

_TOKEN = re.compile(
    r"(?<![A-Za-z0-9.,])(?<![A-Za-z]-)(?:"
    rf"(?P<supsci>(?:\d+(?:\.\d+)?{_SPACE}?[·×x]{_SPACE}?)?10[⁻⁺]?{_SUP}+)"
    r"|(?P<shape>\d+(?:[ \t]*[×x][ \t]*\d+)+)(?![\d.])"
    r"|(?P<sci>\d+(?:\.\d+)?[eE][-+]?\d+)"
    rf"|(?P<thousands>\d{{1,3}}(?:(?:,|{_SPACE})\d{{3}})+(?:\.\d+)?)(?![\d,])"
    r"|(?P<decimal>\d+\.\d+)"
    r"|(?P<comma>\d+,\d{1,2})(?![\d,])"
    r"|(?P<int>\d+)"
    r")"
)
_UNITS = [  # (pattern right after the number, kind, multiplier)
    (re.compile(rf"{_SPACE}?%"), "percent", 1.0),
    (re.compile(rf"{_SPACE}?percent\b"), "percent", 1.0),
    (re.compile(r"[kK](?![A-Za-z0-9])"), "unit", 1e3),
    (re.compile(rf"{_SPACE}?(?:M|million)(?![A-Za-z0-9])"), "unit", 1e6),
    (re.compile(rf"{_SPACE}?(?:billion)(?![A-Za-z0-9])"), "unit", 1e9),
    (re.compile(rf"{_SPACE}?(?:thousand)(?![A-Za-z0-9])"), "unit", 1e3),
    (re.compile(rf"{_SPACE}?(?:[kKMGT]i?B|B)(?![A-Za-z0-9])"), "unit", 1.0),
    (re.compile(rf"{_SPACE}(?:s|ms|µs|min|h|sec|seconds?|minutes?|hours?)(?![A-Za-z0-9])"), "unit", 1.0),
    (re.compile(rf"{_SPACE}?×(?!{_SPACE}?\d)|x(?![A-Za-z0-9])"), "unit", 1.0),
    (re.compile(rf"{_SPACE}times\b"), "unit", 1.0),
]
_LIBRARY = (r"(?:TensorFlow|TF|Keras|Python|NumPy|Matplotlib|tensorflow[-_]hub|TF-Hub|scikit-image|PyTorch|IPython|"
            r"JupyterLab|Jupyter|CUDA|cuDNN|pip|nbval|pytest|Colab|version|versions|release|v)")
_VERSION_BEFORE = re.compile(rf"\b{_LIBRARY}[\s,]*(?:[<>=≤≥]=?\s*)?(?:\d+(?:\.\d+)*\s*[–-]\s*)?$", re.I)
_REFERENCE_BEFORE = re.compile(
    r"(?:Section|Sections|Sec\.|§|Table|Tables|Figure|Figures|Fig\.|Algorithm|Eq\.|Equation|Chapter|Appendix|"
    r"deck|decks|notebook|notebooks|issue|arXiv:|#)[ \t]*$", re.I)
_APPROXIMATE_BEFORE = re.compile(r"(?:about|around|roughly|approximately|nearly|almost|some|circa|~|≈)[ \t]*$", re.I)
_SENTENCE_END = re.compile(  # a sentence ends at . ! ? before a capital, a blank line, or a new list item/row/heading
    r"(?<=[.!?])[ \t]+(?=[A-Z*_`\"“(\[])|\n[ \t]*\n|\n(?=[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|\||#))")

# Numbers in code and outputs: plain, with separators, decimals, exponents; then '%' (a percentage) or a magnitude.
_EVIDENCE = re.compile(r"(?<![A-Za-z0-9.])(\d+(?:[,_]\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\d])"
                       r"(\s?%|\s?(?:M|million)(?![A-Za-z])|[kK](?![A-Za-z]))?")
_EVIDENCE_MULTIPLIER = {"M": 1e6, "million": 1e6, "k": 1e3, "K": 1e3}
_RUN = re.compile(r"(?<![A-Za-z0-9.])\d+(?:[ \t]*[,×x*·][ \t]*\d+)+(?![\d.])")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NOT_EVIDENCE = re.compile(r"^<(?:Figure size|IPython\.|[\w.]+ object)")


@dataclass(frozen=True)
class ProseNumber:
    """A checked number of a markdown cell: as written, where, its kind, its value and the rounding it shows."""

    text: str
    start: int
    kind: str
    value: float | tuple[int, ...]   # a shape's sides, else the number (a percentage in percent: 97.6)
    tolerance: float                 # half a unit of the last digit shown; 0 for an exact count


@dataclass(frozen=True)
class Finding:
    """A number of the prose that is not supported, or a faulty entry of the notebook's ``sourced_numbers``."""

    cell: int | None   # index in nb.cells; None for the notebook's metadata
    number: str
    sentence: str
    problem: str

    def describe(self, notebook: str) -> str:
        where = f"cell {self.cell}" if self.cell is not None else "metadata course.sourced_numbers"
        context = f"\n    {self.sentence}" if self.sentence else ""
        return f"{notebook}, {where}: {self.number!r} {self.problem}{context}"


def _mask(text: str, spans: Iterator[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = [c if c == "\n" else " " for c in chars[start:end]]
    return "".join(chars)


def masked_prose(source: str) -> str:
    """The markdown with everything that is not prose blanked out (same length, same offsets)."""
    for pattern in _MASKED:
        source = _mask(source, (m.span() for m in pattern.finditer(source)))
    source = _mask(source, (m.span(2) for m in _HEADING_NUMBER.finditer(source)))
    return _mask(source, (m.span(2) for m in _LIST_NUMBER.finditer(source)))


def _decimals(digits: str) -> int:
    return len(digits.split(".")[1]) if "." in digits else 0


def _unit_after(text: str, end: int) -> tuple[str, str, float] | None:
    for pattern, kind, multiplier in _UNITS:
        m = pattern.match(text, end)
        if m:
            return m.group(0), kind, multiplier
    return None


def _number(m: re.Match, text: str) -> ProseNumber | None:
    """The checked number a token stands for, or None when the rules ignore it."""
    kind_of_token = m.lastgroup
    token, start, end = m.group(0), m.start(), m.end()
    before = text[max(0, start - 40):start]
    if _REFERENCE_BEFORE.search(before) or (kind_of_token in ("decimal", "int") and (
            _VERSION_BEFORE.search(before) or re.match(r"\.\d", text[end:end + 2]))):
        return None
    if kind_of_token == "shape":
        sides = tuple(int(s) for s in re.split(r"[ \t]*[×x][ \t]*", token))
        return ProseNumber(token, start, "shape", sides, 0.0) if max(sides) >= 10 else None
    if kind_of_token == "supsci":
        mantissa, power = re.fullmatch(rf"(?:([\d.]+){_SPACE}?[·×x]{_SPACE}?)?10(.+)", token).groups()
        value = float(mantissa or 1) * 10.0 ** int(power.translate(_SUPERSCRIPT))
        return ProseNumber(token, start, "decimal", value, abs(value) * 1e-6)
    if kind_of_token == "sci":
        mantissa, exponent = token.lower().split("e")
        return ProseNumber(token, start, "decimal", float(token), 0.5 * 10.0 ** (int(exponent) - _decimals(mantissa)))
    digits = token.replace(",", ".") if kind_of_token == "comma" else re.sub(rf"(?:,|{_SPACE})", "", token)
    value, decimals = float(digits), _decimals(digits)
    unit = _unit_after(text, end)
    if unit is None and re.match(r"[A-Za-z0-9]", text[end:end + 1]) and not decimals:
        return None   # part of a word: 99th, 2D, 6n
    if unit is not None:
        written, kind, multiplier = unit
        return ProseNumber(token + written, start, kind, value * multiplier, 0.5 * 10.0 ** -decimals * multiplier)
    if decimals:
        return ProseNumber(token, start, "decimal", value, 0.5 * 10.0 ** -decimals)
    if value < 1000 or (kind_of_token == "int" and len(token) == 4 and 1900 <= value <= 2030):
        return None   # a small integer, or a year
    approximate = _APPROXIMATE_BEFORE.search(before)
    zeros = len(digits) - len(digits.rstrip("0"))
    return ProseNumber(token, start, "count", value, 0.5 * 10.0 ** zeros if approximate and zeros else 0.0)


def prose_numbers(source: str) -> list[ProseNumber]:
    """The checked numbers of one markdown cell, closing Exercises section included (see :func:`unsupported`)."""
    text = masked_prose(source)
    found = (_number(m, text) for m in _TOKEN.finditer(text))
    return [n for n in found if n is not None]


def _code_text(source: str) -> str:
    """A code cell's source without its comments (a number in a comment is prose, not code)."""
    try:
        return " ".join(t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
                        if t.type != tokenize.COMMENT)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source


def _output_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            data = out.get("data", {})
            parts.append(data.get("text/markdown", ""))   # a sentence printed with IPython's Markdown
            if not _NOT_EVIDENCE.match(data.get("text/plain", "")):
                parts.append(data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(out.get("evalue", ""))
    return _ANSI.sub("", "\n".join(parts))


class Evidence:
    """Every number of a notebook's code (comments excluded) and stored outputs."""

    def __init__(self, nb: nbformat.NotebookNode):
        text = "\n".join(_code_text(c.source) + "\n" + _output_text(c) for c in nb.cells if c.cell_type == "code")
        plain, percents = [], []
        for m in _EVIDENCE.finditer(text):
            value = abs(float(m.group(1).replace(",", "").replace("_", "")))
            plain.append(value)
            suffix = (m.group(2) or "").strip()
            if suffix == "%":
                percents.append(value)
            elif suffix:
                plain.append(value * _EVIDENCE_MULTIPLIER[suffix])
        self.plain, self.percents = sorted(plain), sorted(percents)
        self.runs = [tuple(int(s) for s in re.split(r"[ \t]*[,×x*·][ \t]*", m.group(0))) for m in _RUN.finditer(text)]

    @staticmethod
    def _near(values: list[float], target: float, tolerance: float) -> bool:
        slack = tolerance * (1 + 1e-9) + 1e-12 * max(1.0, abs(target))
        k = bisect.bisect_left(values, target - slack)
        return k < len(values) and values[k] <= target + slack

    def supports(self, number: ProseNumber) -> bool:
        if number.kind == "shape":
            n = len(number.value)
            return any(run[k:k + n] == number.value for run in self.runs for k in range(len(run) - n + 1))
        value, tol = abs(number.value), number.tolerance
        if number.kind == "percent":   # printed as a percentage, or a fraction in the code or outputs
            return self._near(self.percents, value, tol) or self._near(self.plain, value / 100, tol / 100)
        if number.kind == "decimal":   # also a percentage printed for it: 0.976 by 97.6%
            return self._near(self.plain, value, tol) or self._near(self.percents, value * 100, tol * 100)
        return self._near(self.plain, value, tol)


def sentence_at(source: str, offset: int, width: int = 240) -> str:
    """The sentence (or list item, table row, heading) of a markdown cell around ``offset``, on one line."""
    bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(source)] + [len(source)]
    k = bisect.bisect_right(bounds, offset) - 1
    start, end = bounds[k], bounds[min(k + 1, len(bounds) - 1)]
    sentence = source[start:end]
    at = offset - start
    if len(sentence) > width:
        left = max(0, min(at - width // 2, len(sentence) - width))
        tail = "…" if left + width < len(sentence) else ""
        sentence = ("…" if left else "") + sentence[left:left + width] + tail
    return " ".join(sentence.split())


def _exercise_spans(nb: nbformat.NotebookNode) -> dict[int, list[tuple[int, int]]]:
    """Per markdown cell, the spans of its source inside a closing ``## Exercises`` section."""
    spans: dict[int, list[tuple[int, int]]] = {}
    inside = False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        start = 0 if inside else None
        for m in _HEADING.finditer(cell.source):
            if len(m.group(1)) > 2:
                continue
            if inside and start is not None:
                spans.setdefault(i, []).append((start, m.start()))
            inside = bool(_EXERCISES.match(m.group(2)))
            start = m.start() if inside else None
        if inside and start is not None:
            spans.setdefault(i, []).append((start, len(cell.source)))
    return spans


def _key(number: ProseNumber) -> tuple[str, object]:
    value = number.value if number.kind == "shape" else round(float(number.value), 9)
    return number.kind, value


def sourced_numbers(nb: nbformat.NotebookNode) -> tuple[dict[tuple[str, object], str], list[Finding]]:
    """The notebook's allowlist as {(kind, value): key as written}, and the findings about faulty entries."""
    entries = nb.metadata.get("course", {}).get("sourced_numbers", {})
    if not isinstance(entries, dict):
        return {}, [Finding(None, "sourced_numbers", "", "must be a mapping {number as written: its source}")]
    allowed, findings = {}, []
    for written, source in entries.items():
        parsed = prose_numbers(str(written))
        if len(parsed) != 1 or parsed[0].text.strip() != str(written).strip():
            findings.append(Finding(None, written, "", "is not one number the rules check (decimal, percentage, "
                                                       "count of 4+ digits, number with a unit, shape)"))
        elif not isinstance(source, str) or len(source.strip()) < 3 or not re.search(r"[A-Za-z]", source):
            findings.append(Finding(None, written, f"source: {source!r}",
                                    "is listed without a source (say which deck, paper and table it comes from)"))
        else:
            allowed[_key(parsed[0])] = written
    return allowed, findings


def unsupported(nb: nbformat.NotebookNode) -> list[Finding]:
    """Every number of the notebook's prose that neither its code, its outputs nor its allowlist supports, and
    every faulty allowlist entry (no source, not a checked number, matching nothing)."""
    evidence = Evidence(nb)
    allowed, findings = sourced_numbers(nb)
    used = set()
    exercises = _exercise_spans(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for number in prose_numbers(cell.source):
            if any(a <= number.start < b for a, b in exercises.get(i, [])):
                continue
            key = _key(number)
            if key in allowed:
                used.add(key)
            elif not evidence.supports(number):
                findings.append(Finding(i, number.text, sentence_at(cell.source, number.start),
                                        "is not in this notebook's code or outputs, nor in its sourced_numbers"))
    findings += [Finding(None, written, "", "matches no number of the prose (remove it)")
                 for key, written in allowed.items() if key not in used]
    return findings


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(SOLUTIONS.glob("*.ipynb"))
    total, notebooks = 0, 0
    for path in paths:
        findings = unsupported(read(path))
        for finding in findings:
            print(finding.describe(str(path)))
        total, notebooks = total + len(findings), notebooks + bool(findings)
    if total:
        print(f"\n{total} unsupported number(s) in {notebooks} of {len(paths)} notebook(s): print them from the "
              "notebook's code, or list them with their source in the notebook's metadata course.sourced_numbers "
              "(tools/check_prose.py says how)")
        return 1
    print(f"every number of the prose of {len(paths)} notebook(s) is supported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
