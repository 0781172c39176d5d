"""utils.claims: a result's promise is asserted per mode, printed with its margin and recorded for test-numerics."""

from __future__ import annotations

import json

import pytest

from utils import claims, runtime


def test_at_least_uses_the_threshold_of_the_mode(capsys, monkeypatch):
    monkeypatch.setattr(runtime, "MODE", "fast")
    claims.at_least("test accuracy", 0.976, fast=0.97, full=0.993)
    assert capsys.readouterr().out == "✓ test accuracy: 97.6% vs fast-mode threshold 97.0% (margin 0.6%)\n"
    monkeypatch.setattr(runtime, "MODE", "full")
    with pytest.raises(claims.ClaimFailed, match=r"test accuracy: 97.6% vs full-mode threshold 99.3%"):
        claims.at_least("test accuracy", 0.976, fast=0.97, full=0.993)


def test_beats_compares_with_a_baseline_and_a_margin(capsys):
    claims.beats("CNN vs dense", 0.976, 0.942, by=0.01)
    assert "CNN vs dense: 97.6% vs baseline + 1.0% = 95.2% (margin 2.4%)" in capsys.readouterr().out
    with pytest.raises(claims.ClaimFailed, match="does not hold"):
        claims.beats("CNN vs dense", 0.945, 0.942, by=0.01)
    claims.beats("loss ratio", 2.0, 1.0, fmt="{:.2f}")
    assert "loss ratio: 2.00 vs baseline 1.00 (margin 1.00)" in capsys.readouterr().out


def test_claims_are_recorded_when_asked(tmp_path, monkeypatch):
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("COURSE_RESULTS", str(results))
    monkeypatch.setenv("COURSE_NOTEBOOK", "05_mnist_cnn.ipynb")
    monkeypatch.setattr(runtime, "MODE", "fast")
    claims.at_least("acc", 0.5, fast=0.4, full=0.9)
    with pytest.raises(claims.ClaimFailed):
        claims.beats("gap", 0.1, 0.2)
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert rows == [
        {"notebook": "05_mnist_cnn.ipynb", "claim": "acc", "kind": "at_least", "mode": "fast", "value": 0.5,
         "threshold": 0.4},
        {"notebook": "05_mnist_cnn.ipynb", "claim": "gap", "kind": "beats", "mode": "fast", "value": 0.1,
         "threshold": 0.2},
    ]


@pytest.mark.parametrize("call, argument", [
    (lambda: claims.at_least("", 0.5, fast=0.1, full=0.2), "claim"),
    (lambda: claims.at_least("x", "high", fast=0.1, full=0.2), "value"),
    (lambda: claims.at_least("x", float("nan"), fast=0.1, full=0.2), "value"),
    (lambda: claims.beats("x", 0.5, None), "baseline"),
    (lambda: claims.beats("x", 0.5, 0.4, by=-0.1), "by"),
])
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
