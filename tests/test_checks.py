"""utils.checks and utils.catalogue: right answers pass, wrong ones are explained -- and a wrong answer that is a
typical misconception is named as such, for every misconception of every exercise."""

from __future__ import annotations

import numpy as np
import pytest

from exercises import exercise_names, solution_blocks
from notebook_io import SOLUTIONS, read
from utils import checks
from utils.catalogue import EXERCISES

MISCONCEPTIONS = [(name, m) for name, ex in EXERCISES.items() for m in ex.misconceptions]


def square(x):
    return np.asarray(x) ** 2


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_reference_passes_its_own_checker(name, capsys):
    checks.check_exercise(EXERCISES[name].reference, name=name)
    assert capsys.readouterr().out.startswith(f"✓ {name}: correct")


@pytest.mark.parametrize("name, misconception", MISCONCEPTIONS, ids=[f"{n}: {m.name}" for n, m in MISCONCEPTIONS])
def test_each_misconception_is_named_and_only_it(name, misconception):
    with pytest.raises(checks.ExerciseError) as err:
        checks.check_exercise(misconception.wrong, name=name)
    message = str(err.value)
    assert type(err.value) is checks.ExerciseError and "wrong result for" in message
    assert f"This looks like {misconception.name}: {misconception.explanation}" in message
    others = [m.name for m in EXERCISES[name].misconceptions if m is not misconception and m.name in message]
    assert not others, f"also named: {others}"


def _catalogue_checked() -> set[str]:
    """The exercises of solutions/ whose checker cell calls checks.check_exercise."""
    names = set()
    for path in SOLUTIONS.glob("*.ipynb"):
        code = [c for c in read(path).cells if c.cell_type == "code"]
        exercise_cells = [k for k, c in enumerate(code) if solution_blocks(c.source)]
        for name, k in zip(exercise_names(read(path)), exercise_cells):
            if "checks.check_exercise(" in code[k + 1].source:
                names.add(name)
    return names


def test_the_catalogue_matches_the_exercises_checked_with_it():
    checked = _catalogue_checked()
    assert checked - set(EXERCISES) == set(), "exercises checked with check_exercise but without a catalogue entry"
    assert set(EXERCISES) - checked == set(), "catalogue entries that no notebook checks with check_exercise"
    assert all(ex.misconceptions for ex in EXERCISES.values())


def test_correct_function_passes_and_is_recorded(capsys):
    checks.check_function(lambda x: np.asarray(x) * np.asarray(x), square, [(3,), ([1, 2],), ((np.ones((3, 3)),), {})],
                          name="sq")
    assert capsys.readouterr().out == "✓ sq: correct on all 3 test cases\n"
    assert checks.results()["sq"] == (checks.PASSED, "correct on all 3 test cases")


def test_not_implemented_gets_a_friendly_message_and_counts_as_not_attempted():
    def todo(x):
        raise NotImplementedError()

    with pytest.raises(checks.NotAttempted, match="not implemented yet") as err:
        checks.check_function(todo, square, [(2,)], hint="square it")
    assert "Hint: square it" in str(err.value) and err.value.__cause__ is None
    assert checks.results()["todo"][0] == checks.NOT_ATTEMPTED


def test_a_crashing_answer_is_reported_with_its_case_and_counts_as_an_error():
    def crash(x, w):
        return x[100]

    with pytest.raises(checks.AnswerCrashed, match=r"cross_correlate_1d\(x=\[ ?1\. 2\. .*raised IndexError") as err:
        checks.check_exercise(crash, name="cross_correlate_1d")
    assert isinstance(err.value.__cause__, IndexError)  # the traceback still shows the line that failed
    assert checks.results()["cross_correlate_1d"][0] == checks.ERROR


def test_small_values_are_shown_in_full():
    with pytest.raises(checks.ExerciseError, match="expected 9, got 6"):
        checks.check_function(lambda x: x + x, square, [(3,)])
    shape = r"got \(shape \(2, 3\) instead of \(3, 2\)\)\n    \[\[1\. 1\. 1\.\]"
    with pytest.raises(checks.ExerciseError, match=shape):
        checks.check_value("map", np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(checks.ExerciseError, match=r"expected\n    \[\[1\. 0\. 0\. 0\.\]\n     \[0\. 1\."):
        checks.check_value("map", np.zeros((4, 4)), np.eye(4))
    with pytest.raises(checks.ExerciseError, match="expected 'same', got 'valid'"):
        checks.check_value("padding", "valid", "same")
    with pytest.raises(checks.ExerciseError, match=r"wrong result for f\(x=True, n=2\)"):
        checks.check_function(lambda x, n: n, lambda x, n: 1, [((True,), {"n": 2})], name="f")


def test_large_arrays_are_summarised_with_a_slice_around_the_first_difference():
    expected = np.arange(240.0).reshape(2, 3, 40)
    got = expected.copy()
    got[1, 2, 17] = -1.0
    got[1, 2, 30] = -2.0
    with pytest.raises(checks.ExerciseError) as err:
        checks.check_function(lambda x: got, lambda x: expected, [(expected,)], name="big")
    message = str(err.value)
    assert "big(x=array of shape (2, 3, 40) (float64, from 0 to 239))" in message
    assert "arrays of shape (2, 3, 40): 2 of 240 entries differ, the first at index (1, 2, 17) (expected 217, " \
           "got -1)" in message
    assert "Around it, [1, 1:3, 15:20]:" in message
    assert "expected [[175. 176. 177. 178. 179.]\n" in message and "got      [[175. 176. 177. 178. 179.]\n" in message
    assert "[215. 216.  -1. 218. 219.]]" in message
    with pytest.raises(checks.ExerciseError, match=r"expected shape \(2, 3, 40\), got shape \(3, 40\)"):
        checks.check_function(lambda x: x[0], lambda x: x, [(expected,)], name="big")


def test_tuple_answers_are_compared_part_by_part():
    with pytest.raises(checks.ExerciseError) as err:
        checks.check_exercise(lambda: (67, 8), name="alexnet_field")
    assert "stride: expected 16, got 8" in str(err.value) and "size:" not in str(err.value)
    with pytest.raises(checks.ExerciseError, match=r"expected a tuple of 2 values \(size, stride\), got 67"):
        checks.check_exercise(lambda: 67, name="alexnet_field")


def test_a_misconception_without_a_single_wrong_output_is_recognised_by_its_test():
    rot = np.rot90(np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]))  # Sobel y: horizontal edges
    with pytest.raises(checks.ExerciseError, match="a vertical or horizontal edge detector"):
        checks.check_exercise(lambda: rot, name="diagonal_kernel")
    with pytest.raises(checks.ExerciseError, match=r"the kernel must be 3x3, got shape \(2, 2\)"):
        checks.check_exercise(lambda: np.eye(2), name="diagonal_kernel")
    checks.check_exercise(lambda: -np.rot90(np.array([[-1, -1, 0], [-1, 0, 1], [0, 1, 1]]), 2), name="diagonal_kernel")


def test_progress_lists_every_exercise(capsys):
    checks.check_value("first", 1, 1)
    with pytest.raises(checks.ExerciseError):
        checks.check_value("second", 2, 1)
    capsys.readouterr()
    checks.progress(["first", "second", "never_run"])
    assert capsys.readouterr().out.splitlines() == [
        "Your progress: 1 of 3 exercises pass.",
        "  ✓ first      passed",
        "  ✗ second     failed -- wrong result for second():",
        "  ? never_run  not checked -- run its checker cell",
    ]


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match="cases"):
        checks.check_function(square, square, [])
    with pytest.raises(ValueError, match="name must be one of the catalogue's exercises"):
        checks.check_exercise(square)
    with pytest.raises(ValueError, match="exercises must be a list"):
        checks.progress("first")
