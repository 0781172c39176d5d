"""Exercise checkers: run a student's function on test cases and give friendly feedback.

Each checker prints one line starting with a check mark when the answer is right, and raises
:class:`ExerciseError` -- with what was expected, what was got and a hint -- when it is not. A function that still
raises ``NotImplementedError`` gets a message saying which cell to fill in, not a traceback into the course code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np


class ExerciseError(AssertionError):
    """Raised by a checker when an exercise is not done yet or gives a wrong answer."""


def _fail(name: str, message: str, hint: str | None) -> ExerciseError:
    text = f"✗ {name}: {message}"
    if hint:
        text += f"\n  Hint: {hint}"
    return ExerciseError(text)


def _call(name: str, func: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], hint: str | None) -> Any:
    try:
        return func(*args, **kwargs)
    except NotImplementedError:
        raise _fail(name, "not implemented yet -- replace `raise NotImplementedError()` in the cell above "
                    "with your code, run that cell, then run this one again.", hint) from None


def _describe(value: Any) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return f"{arr.item():.6g}" if arr.dtype.kind in "fiub" else repr(arr.item())
    if arr.size <= 12:
        return np.array2string(arr, precision=4, suppress_small=True)
    return f"array of shape {arr.shape}"


def compare(name: str, got: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-6, hint: str | None = None) -> None:
    """Raise :class:`ExerciseError` unless ``got`` equals ``expected`` (shapes equal, values within tolerance)."""
    if isinstance(expected, (str, bool)) or expected is None:
        if got != expected:
            raise _fail(name, f"expected {expected!r}, got {got!r}", hint)
        return
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise _fail(name, f"expected a number or array like {_describe(expected)}, got {got!r}", hint) from None
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        raise _fail(name, f"expected shape {e.shape}, got shape {g.shape}", hint)
    if not np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
        where = np.unravel_index(np.argmax(np.abs(g - e)), e.shape) if e.ndim else ()
        detail = f" (largest difference at index {tuple(int(i) for i in where)})" if e.ndim else ""
        raise _fail(name, f"expected {_describe(e)}, got {_describe(g)}{detail}", hint)


def check_function(
    func: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Iterable[Sequence[Any] | tuple[Sequence[Any], dict[str, Any]]],
    name: str | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    hint: str | None = None,
) -> None:
    """Compare ``func`` with ``reference`` on every case; print a check mark or raise :class:`ExerciseError`.

    A case is a tuple of positional arguments, or ``(args, kwargs)`` when it is a pair whose second item is a dict.
    """
    name = name or getattr(func, "__name__", "your function")
    count = 0
    for case in cases:
        args, kwargs = (case[0], case[1]) if len(case) == 2 and isinstance(case[1], dict) else (case, {})
        got = _call(name, func, args, kwargs, hint)
        shown = ", ".join([_describe(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
        try:
            compare(name, got, reference(*args, **kwargs), rtol=rtol, atol=atol)
        except ExerciseError as err:
            raise _fail(name, f"wrong result for ({shown}):\n  {str(err).split(': ', 1)[1]}", hint) from None
        count += 1
    if count == 0:
        raise ValueError("cases must contain at least one test case")
    print(f"✓ {name}: correct on all {count} test cases")


def check_value(name: str, got: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-6, hint: str | None = None) -> None:
    """Check one answer (a number, array or string); print a check mark or raise :class:`ExerciseError`."""
    compare(name, got, expected, rtol=rtol, atol=atol, hint=hint)
    print(f"✓ {name}: correct")
