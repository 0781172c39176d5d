"""tools/check_prose.py: every number of a notebook's prose comes from its code or outputs, or is sourced."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from check_prose import Finding, main, prose_numbers, sentence_at, unsupported


def notebook(*markdown: str, code: str = "", output: str = "", sourced: dict | None = None) -> nbformat.NotebookNode:
    """Markdown cells, then one code cell with ``code`` and ``output`` printed; ``sourced`` is the allowlist."""
    cell = new_code_cell(code, execution_count=1, outputs=[new_output("stream", name="stdout", text=output)])
    nb = new_notebook(cells=[*(new_markdown_cell(m) for m in markdown), cell])
    if sourced is not None:
        nb.metadata["course"] = {"sourced_numbers": sourced}
    return nb


def numbers(findings: list[Finding]) -> list[str]:
    return [f.number for f in findings]


def test_a_number_no_output_has_is_reported_with_its_cell_and_sentence():
    nb = notebook("# Title", "Training is short. The CNN reaches **97.6 %** on the test set. It is good.",
                  output="test accuracy 0.951")
    [finding] = unsupported(nb)
    assert (finding.cell, finding.number) == (1, "97.6 %")
    assert finding.sentence == "The CNN reaches **97.6 %** on the test set."
    assert "97.6 %" in finding.describe("x.ipynb") and "x.ipynb, cell 1" in finding.describe("x.ipynb")


@pytest.mark.parametrize("prose, code, output", [
    ("reaches 97.6 % on the test set", "", "accuracy: 0.9763"),             # a fraction, rounded
    ("reaches 97.6% on the test set", "", "test accuracy 97.63%"),          # a percentage, rounded
    ("the loss is 0.45 after 300 updates", "", "0.4538"),                   # a decimal, rounded
    ("a fraction 0.976 of the digits", "", "97.6% correct"),                # a fraction printed as percentage
    ("it has 421,642 parameters", "", "421642"),                            # thousands separators
    ("on 5000 digits", "", "5,000 train"),
    ("the official 10 000 test images", "", "(10000, 28, 28)"),
    ("about 1.6 M parameters", "", "1,600,000"),                            # magnitude suffix
    ("0.46 M for ResNet-32", "", "ResNet-32: 0.46 M trainable"),
    ("8.46 million parameters", "", "8,459,242"),
    ("stop at 32k iterations", "boundaries = [32_000, 48_000]", ""),
    ("at least 45 % in fast mode", "claims.at_least('acc', acc, fast=0.45, full=0.85)", ""),  # threshold in code
    ("about 670,000 parameters", "", "669,706 parameters"),                 # marked approximate
    ("2.4x fewer multiply-adds", "", "(2.4x fewer)"),                       # units: ratio, time, size
    ("trained in 29 s", "", "trained in 28.7 s"),
    ("1.6 MB of gradient", "", "1.61 MB"),
    ("learning rate 2·10⁻³", "schedule = CosineDecay(2e-3, steps)", ""),   # scientific notation
    ("a tolerance of 10⁻¹²", "assert err < 1e-12", ""),
    ('the slide\'s "95,3 %"', "", "0.953"),                                 # the slides' decimal comma
    ("a 28×28×6 tensor", "", "(28, 28, 6)"),                                # shapes
    ("from 148×148 to 16×16", "", "(None, 148, 148, 32) (None, 16, 16, 64)"),
])
def test_the_same_number_in_code_or_outputs_supports_the_prose(prose, code, output):
    assert unsupported(notebook(prose, code=code, output=output)) == []


@pytest.mark.parametrize("prose, code, output", [
    ("reaches 97.6 % on the test set", "", "accuracy: 0.975"),              # rounds to 97.5
    ("the loss is 0.45", "", "0.4561"),
    ("on 5,000 digits", "", "5,001 digits"),                               # a plain count is exact
    ("it has 670,000 parameters", "", "669,706"),                           # ... unless marked approximate
    ("a 28×28×6 tensor", "", "(28, 6, 28)"),                                # sides in another order
    ("reaches 97.6 %", "x = 1  # 97.6 % on the slide", ""),                 # a comment is not code
    ("the figure is 244.8 wide", "", ""),                                   # only in a figure's repr (below)
])
def test_a_different_or_missing_number_is_still_reported(prose, code, output):
    nb = notebook(prose, code=code, output=output)
    nb.cells[-1].outputs.append(new_output("display_data", data={"text/plain": "<Figure size 720x244.8 with 2 Axes>"}))
    assert len(unsupported(nb)) == 1


def test_a_number_stated_only_in_another_markdown_cell_is_not_support():
    assert numbers(unsupported(notebook("Accuracy 88.1 %.", "Again: 88.1 %."))) == ["88.1 %", "88.1 %"]


@pytest.mark.parametrize("text, checked", [
    ("0.454 and 97.6 and 2e-3", ["0.454", "97.6", "2e-3"]),
    ("97 % or 97.6%", ["97 %", "97.6%"]),
    ("5,000 / 5000 / 10 000 / 421,642 / 45k / 1.6 M", ["5,000", "5000", "10 000", "421,642", "45k", "1.6 M"]),
    ("29 s, 1.6 MB, 2.4x and 3× as many", ["29 s", "1.6 MB", "2.4x", "3×"]),
    ("a 224×224 input, a 3×3 kernel, 1920 × 1080 pixels", ["224×224", "1920 × 1080"]),
])
def test_information_carrying_numbers_are_found(text, checked):
    assert [n.text for n in prose_numbers(text)] == checked


@pytest.mark.parametrize("text", [
    "## 3 · Results",                                     # section numbers
    "### 2.3 Pooling",
    "### Exercise 12 · More",
    "1. first\n2. second\n1000. long list",                # list enumerations
    "Set `learning_rate=0.003` and `epochs=5000`.",       # code spans
    "```python\nlr = 0.003  # 97.6 %\n```",                # fenced code
    "Keras uses $\\epsilon = 0.001$ and $$\\sigma = 0.5$$.",  # formulas
    "Published in 2016 (He et al. 2015); ILSVRC-2012.",    # years, names
    "Keras 3.15 and TensorFlow 2.17–2.19; the oldest supported Keras, 3.5, refuses it; tensorflow_hub < 0.8.",
    "ResNet-20, VGG19, top-5, float32, the 99th percentile, a 2D map, Inception-v4.",
    "Section 4.2, Table 1, Figure 3, deck 002, arXiv:1611.01779, keras-team/keras#18624.",
    '<img src="x.png" width="1200"> [link](https://example.org/v1.5/page) https://example.org/2.5',
    "250 layers, 512 units, 8 layers for 500 pixels.",     # small integers without unit or decimal
])
def test_what_carries_no_information_is_ignored(text):
    assert prose_numbers(text) == []


def test_numbers_of_the_closing_exercises_section_are_task_parameters():
    nb = notebook("## Summary\n\nIt reaches 97.6 %.\n\n## Exercises\n\n1. Try learning rates 0.3 and 1.0.",
                  "More tasks: batch 4096.", "## Appendix\n\nAgain 0.3.")
    assert numbers(unsupported(nb)) == ["97.6 %", "0.3"]


def test_an_allowlisted_number_with_its_source_is_accepted():
    nb = notebook("AlexNet is right 63 % of the time; 224×224×3 = 150,528 inputs.",
                  sourced={"63%": "deck 003, Krizhevsky et al. 2012", "150,528": "deck 000, AlexNet slide",
                           "224×224×3": "deck 000, AlexNet slide"})
    assert unsupported(nb) == []


@pytest.mark.parametrize("source", ["", "  ", None, 63, "??"])
def test_an_allowlisted_number_without_a_source_is_an_error(source):
    findings = unsupported(notebook("AlexNet is right 63 % of the time.", sourced={"63 %": source}))
    assert [(f.cell, f.number) for f in findings] == [(None, "63 %"), (0, "63 %")]
    assert "without a source" in findings[0].problem


def test_allowlist_keys_must_be_checked_numbers_that_the_prose_uses():
    findings = unsupported(notebook("AlexNet is right 63 % of the time.",
                                    sourced={"63 %": "deck 003", "12": "deck 001", "85 %": "deck 003"}))
    problems = {f.number: f.problem for f in findings}
    assert set(problems) == {"12", "85 %"}
    assert "not one number" in problems["12"] and "matches no number" in problems["85 %"]


def test_sentence_at_gives_the_list_item_or_sentence_around_a_number():
    text = "Intro line.\n\n- first item with 1.5 in it\n- second item\n\nA sentence. Another one with 2.5 here."
    assert sentence_at(text, text.index("1.5")) == "- first item with 1.5 in it"
    assert sentence_at(text, text.index("2.5")) == "Another one with 2.5 here."


def test_the_command_line_names_notebook_cell_and_number(tmp_path, capsys):
    bad, good = tmp_path / "bad.ipynb", tmp_path / "good.ipynb"
    nbformat.write(notebook("# T", "It reaches 97.6 %."), bad)
    nbformat.write(notebook("# T", "It reaches 97.6 %.", output="0.976"), good)
    assert main([str(good)]) == 0
    assert "every number" in capsys.readouterr().out
    assert main([str(bad), str(good)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}, cell 1: '97.6 %'" in out and "    It reaches 97.6 %." in out
    assert f"{good}," not in out and "1 unsupported number(s) in 1 of 2 notebook(s)" in out


def test_a_sentence_printed_as_markdown_output_supports_the_prose():
    nb = notebook("The CNN beats the dense network by 3.4 points.")
    nb.cells[-1].outputs = [new_output("display_data", data={
        "text/markdown": "The CNN beats the dense network by **3.4** points.",
        "text/plain": "<IPython.core.display.Markdown object>"})]
    assert unsupported(nb) == []
