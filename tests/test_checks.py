"""utils.checks: right answers pass with a check mark, wrong or missing ones fail with a friendly message."""

from __future__ import annotations

import numpy as np
import pytest

from utils import checks


def square(x):
    return np.asarray(x) ** 2


def test_correct_function_passes(capsys):
    checks.check_function(lambda x: np.asarray(x) * np.asarray(x), square, [(3,), ([1, 2],), ((np.ones((3, 3)),), {})])
    assert "✓" in capsys.readouterr().out


def test_not_implemented_gets_a_friendly_message():
    def todo(x):
        raise NotImplementedError()

    with pytest.raises(checks.ExerciseError, match="not implemented yet") as err:
        checks.check_function(todo, square, [(2,)], hint="square it")
    assert "Hint: square it" in str(err.value)


def test_wrong_value_and_wrong_shape_are_explained():
    with pytest.raises(checks.ExerciseError, match="expected 9"):
        checks.check_function(lambda x: x + x, square, [(3,)])
    with pytest.raises(checks.ExerciseError, match="expected shape"):
        checks.check_value("map", np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(checks.ExerciseError, match="largest difference at index"):
        checks.check_value("map", np.zeros((4, 4)), np.eye(4))
    with pytest.raises(checks.ExerciseError, match="expected 'same'"):
        checks.check_value("padding", "valid", "same")


def test_check_value_passes(capsys):
    checks.check_value("answer", 2700, 2700)
    assert "✓ answer: correct" in capsys.readouterr().out


def test_no_cases_is_a_value_error():
    with pytest.raises(ValueError, match="cases"):
        checks.check_function(square, square, [])
