"""Exercise checkers: run a student's function on test cases and give feedback that teaches.

A checker prints one line starting with a check mark when the answer is right. When it is not, it raises
:class:`ExerciseError` with the failing case (in full when it is small, summarised when it is large: shape, how many
entries differ and where, one slice around the first difference), what was expected and what was got, and -- when
the wrong output is exactly what a typical mistake produces -- the name of that misconception and why it is wrong,
then a hint. The subclasses tell a grader why a check did not pass: :class:`NotAttempted` (the stub still raises
``NotImplementedError``) and :class:`AnswerCrashed` (the student's function raised an exception).

Each exercise of the course has an entry in :mod:`utils.catalogue` (reference, small cases, hint, misconceptions);
:func:`check_exercise` checks a student's function against it. Every check records its outcome in this kernel, and
:func:`progress` prints them (the last cell of every student notebook calls it).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PASSED, FAILED, NOT_ATTEMPTED, ERROR = "passed", "failed", "not attempted", "error"
_SMALL = 25  # arrays with at most this many entries are shown in full

Case = Sequence[Any] | tuple[Sequence[Any], dict[str, Any]]


class ExerciseError(AssertionError):
    """Raised by a checker when an exercise gives a wrong answer (``status`` says how a grader counts it)."""

    status = FAILED


class NotAttempted(ExerciseError):
    """The exercise's function still raises ``NotImplementedError``."""

    status = NOT_ATTEMPTED


class AnswerCrashed(ExerciseError):
    """The exercise's function raised an exception on one of the test cases."""

    status = ERROR


@dataclass(frozen=True)
class Misconception:
    """A typical wrong answer: its ``name``, an ``explanation`` of what went wrong, and a ``wrong`` implementation
    that makes exactly that mistake (same arguments as the exercise's function).

    A student's output that equals ``wrong``'s on a failing case is attributed to this misconception. ``matches``,
    when given, replaces that comparison by a predicate ``matches(got, *args, **kwargs)`` on the student's output --
    for exercises where many answers are right, so no single wrong output stands for the mistake.
    """

    name: str
    explanation: str
    wrong: Callable[..., Any]
    matches: Callable[..., bool] | None = None


@dataclass(frozen=True)
class Exercise:
    """One exercise: the function's ``name``, its ``reference`` solution, small ``cases`` that tell the
    misconceptions apart, a ``hint`` and the typical ``misconceptions``.

    ``outputs`` names the parts of an answer that is a tuple (each part is compared and reported by its name).
    ``verdict``, for exercises with many right answers, replaces the comparison with the reference: it returns
    what is wrong with an answer (a sentence) or ``None`` when the answer is acceptable.
    """

    name: str
    reference: Callable[..., Any]
    cases: tuple[Case, ...]
    hint: str
    misconceptions: tuple[Misconception, ...]
    outputs: tuple[str, ...] = ()
    verdict: Callable[[Any], str | None] | None = None
    rtol: float = 1e-5
    atol: float = 1e-6


_RESULTS: dict[str, tuple[str, str]] = {}


def results() -> dict[str, tuple[str, str]]:
    """The latest outcome of every check run in this kernel: ``{exercise: (status, message)}``."""
    return dict(_RESULTS)


def progress(exercises: Sequence[str]) -> None:
    """Print which of ``exercises`` pass, from the checks run so far in this kernel (run the checker cells first)."""
    if isinstance(exercises, str) or not all(isinstance(e, str) for e in exercises):
        raise ValueError(f"exercises must be a list of exercise names, got {exercises!r}")
    marks = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "·", ERROR: "!"}
    done = sum(_RESULTS.get(e, ("",))[0] == PASSED for e in exercises)
    print(f"Your progress: {done} of {len(exercises)} exercise{'s' * (len(exercises) != 1)} pass.")
    width = max((len(e) for e in exercises), default=0)
    for exercise in exercises:
        status, message = _RESULTS.get(exercise, ("not checked", "run its checker cell"))
        first = message.splitlines()[0].split(": ", 1)[-1] if message and status != PASSED else ""
        print(f"  {marks.get(status, '?')} {exercise:<{width}}  {status}" + (f" -- {first}" if first else ""))


def _text(name: str, message: str, hint: str | None) -> str:
    text = f"✗ {name}: {message}"
    return text + (f"\n  Hint: {hint}" if hint else "")


def _split(case: Case) -> tuple[Sequence[Any], dict[str, Any]]:
    if len(case) == 2 and isinstance(case[1], dict) and isinstance(case[0], (tuple, list)):
        return case[0], case[1]
    return case, {}


def _call(func: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """``func`` on copies of the arguments (an answer that changes its input in place cannot spoil the next call)."""
    return func(*copy.deepcopy(list(args)), **copy.deepcopy(kwargs))


def _describe(value: Any) -> str:
    """A value as a failure message shows it: in full when small, else its shape, type and range."""
    if isinstance(value, (str, bool, np.bool_)) or value is None:
        return repr(value)
    if isinstance(value, (list, tuple)) and len(repr(value)) <= 80:
        return repr(value)
    try:
        arr = np.asarray(value)
    except ValueError:  # ragged
        return f"{type(value).__name__} of {len(value)} items"
    if arr.dtype == object:
        return repr(value) if len(repr(value)) <= 80 else type(value).__name__
    if arr.ndim == 0:
        return f"{arr.item():.6g}" if arr.dtype.kind in "fiu" else repr(arr.item())
    if arr.size <= _SMALL:
        return " ".join(_show(arr).split())
    if arr.dtype.kind in "fiu" and arr.size:
        return f"array of shape {arr.shape} ({arr.dtype}, from {arr.min():.4g} to {arr.max():.4g})"
    return f"array of shape {arr.shape} ({arr.dtype})"


def _call_text(name: str, func: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any],
               reference: Callable[..., Any] | None = None) -> str:
    """``name(x=..., w=...)`` with the argument names of ``func`` (or of the reference, when ``func`` takes
    ``*args``), positional where neither binds."""
    for f in (func, reference):
        try:
            signature = inspect.signature(f)
            if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()):
                continue
            parts = [f"{k}={_describe(v)}" for k, v in signature.bind(*args, **kwargs).arguments.items()]
            break
        except (TypeError, ValueError):
            continue
    else:
        parts = [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _window(index: tuple[int, ...], shape: tuple[int, ...]) -> tuple[slice | int, ...]:
    """A small slice around ``index``: up to 3 rows and 5 columns of the last two axes, the other axes fixed."""
    spans = {len(shape) - 1: 2, len(shape) - 2: 1}
    return tuple(slice(max(i - spans[a], 0), min(i + spans[a] + 1, n)) if a in spans else i
                 for a, (i, n) in enumerate(zip(index, shape)))


def _slice_text(window: tuple[slice | int, ...]) -> str:
    return "[" + ", ".join(f"{w.start}:{w.stop}" if isinstance(w, slice) else str(w) for w in window) + "]"


def _show(arr: np.ndarray, indent: str = "") -> str:
    """An array as NumPy prints it (4 decimals), continuation lines indented by ``indent``."""
    return np.array2string(arr, precision=4, suppress_small=True, separator=" ").replace("\n", "\n" + indent)


def _expected_got(expected: np.ndarray, got: np.ndarray, note: str = "") -> str:
    """Both arrays in full: on one line when they are vectors, one above the other when they are matrices."""
    if expected.ndim <= 1 and got.ndim <= 1:
        return f"expected {_describe(expected)}, got {_describe(got)}{note}"
    pad = " " * 4
    return f"expected\n{pad}{_show(expected, pad)}\n  got{note}\n{pad}{_show(got, pad)}"


def _array_difference(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str | None:
    if got.shape != expected.shape:
        if expected.size <= _SMALL and got.size <= _SMALL:
            return _expected_got(expected, got, f" (shape {got.shape} instead of {expected.shape})")
        return f"expected shape {expected.shape}, got shape {got.shape}"
    close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    if expected.size <= _SMALL:
        return _expected_got(expected, got)
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    window = _window(first, expected.shape)
    pad = " " * 13
    return (f"arrays of shape {expected.shape}: {len(wrong)} of {expected.size} entries differ, the first at index "
            f"{first} (expected {expected[first]:.6g}, got {got[first]:.6g}).\n  Around it, {_slice_text(window)}:"
            f"\n    expected {_show(expected[window], pad)}\n    got      {_show(got[window], pad)}")


def difference(got: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-6,
               outputs: Sequence[str] = ()) -> str | None:
    """What differs between an answer and the expected value (a sentence), or ``None`` when they agree.

    Strings, booleans and ``None`` must be equal; numbers and arrays must have the same shape and agree within
    ``rtol``/``atol``; a tuple answer whose parts are named in ``outputs`` is compared part by part.
    """
    if outputs:
        if not isinstance(got, (tuple, list)) or len(got) != len(outputs):
            return f"expected a tuple of {len(outputs)} values ({', '.join(outputs)}), got {_describe(got)}"
        parts = [(n, difference(g, e, rtol, atol)) for n, g, e in zip(outputs, got, expected)]
        return "\n  ".join(f"{n}: {d}" for n, d in parts if d) or None
    if isinstance(expected, (str, bool)) or expected is None:
        return None if got == expected else f"expected {expected!r}, got {got!r}"
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected a number or array like {_describe(expected)}, got {_describe(got)}"
    return _array_difference(g, np.asarray(expected, dtype=float), rtol, atol)


def _reproduces(m: Misconception, got: Any, args: Sequence[Any], kwargs: dict[str, Any], exercise: Exercise) -> bool:
    """Whether the misconception explains the student's output on this case."""
    try:
        if m.matches is not None:
            return bool(m.matches(got, *args, **kwargs))
        wrong = _call(m.wrong, args, kwargs)
    except Exception:  # a misconception that cannot even run on this case does not explain it
        return False
    return difference(got, wrong, exercise.rtol, exercise.atol, exercise.outputs) is None


def _diagnosis(named: list[Misconception]) -> str:
    if not named:
        return ""
    if len(named) == 1:
        return f"\n  This looks like {named[0].name}: {named[0].explanation}"
    return "\n  This looks like one of: " + "; ".join(f"{m.name} ({m.explanation})" for m in named)


def _run(func: Callable[..., Any], exercise: Exercise, cases: Iterable[Case]) -> int:
    """Check every case; raise the first failure with its diagnosis; return the number of cases checked."""
    name, count = exercise.name, 0
    for case in cases:
        args, kwargs = _split(case)
        shown = _call_text(name, func, args, kwargs, exercise.reference)
        try:
            got = _call(func, args, kwargs)
        except NotImplementedError:
            raise NotAttempted(_text(name, "not implemented yet -- replace `raise NotImplementedError()` in the "
                                     "cell above with your code, run that cell, then run this one again.",
                                     exercise.hint)) from None
        except Exception as exc:
            raise AnswerCrashed(_text(name, f"{shown} raised {type(exc).__name__}: {exc}", exercise.hint)) from exc
        if exercise.verdict is not None:
            problem = exercise.verdict(got)
        else:
            expected = _call(exercise.reference, args, kwargs)
            problem = difference(got, expected, exercise.rtol, exercise.atol, exercise.outputs)
        if problem:
            named = [m for m in exercise.misconceptions if _reproduces(m, got, args, kwargs, exercise)]
            raise ExerciseError(_text(name, f"wrong result for {shown}:\n  {problem}{_diagnosis(named)}",
                                      exercise.hint))
        count += 1
    if count == 0:
        raise ValueError("cases must contain at least one test case")
    return count


def _checked(func: Callable[..., Any], exercise: Exercise, cases: Iterable[Case]) -> None:
    """Run the check, record its outcome for :func:`progress`, print the check mark or re-raise."""
    try:
        count = _run(func, exercise, cases)
    except ExerciseError as err:
        _RESULTS[exercise.name] = (err.status, str(err))
        raise
    message = f"correct on all {count} test cases" if count > 1 else "correct"
    _RESULTS[exercise.name] = (PASSED, message)
    print(f"✓ {exercise.name}: {message}")


def check_exercise(func: Callable[..., Any], cases: Iterable[Case] = (), name: str | None = None) -> None:
    """Check a student's function against its entry in :mod:`utils.catalogue` (looked up by ``name``, by default
    the function's name): first the catalogue's small cases, then ``cases`` (e.g. on the notebook's data).

    A case is a tuple of positional arguments, or ``(args, kwargs)`` when it is a pair whose second item is a dict.
    """
    from utils.catalogue import EXERCISES  # the catalogue builds its entries with this module's classes

    name = name or getattr(func, "__name__", "")
    if name not in EXERCISES:
        raise ValueError(f"name must be one of the catalogue's exercises {sorted(EXERCISES)}, got {name!r}")
    exercise = EXERCISES[name]
    _checked(func, exercise, [*exercise.cases, *cases])


def check_function(
    func: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Iterable[Case],
    name: str | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    hint: str | None = None,
    misconceptions: Sequence[Misconception] = (),
) -> None:
    """Compare ``func`` with ``reference`` on every case; print a check mark or raise :class:`ExerciseError`
    (naming any of ``misconceptions`` that reproduces the wrong output). For exercises outside the catalogue."""
    name = name or getattr(func, "__name__", "your function")
    _checked(func, Exercise(name, reference, (), hint or "", tuple(misconceptions), rtol=rtol, atol=atol), cases)


def check_value(name: str, got: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-6,
                hint: str | None = None) -> None:
    """Check one answer (a number, array or string); print a check mark or raise :class:`ExerciseError`."""
    _checked(lambda: got, Exercise(name, lambda: expected, (), hint or "", (), rtol=rtol, atol=atol), [()])
