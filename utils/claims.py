"""A notebook's promises about its results, asserted with a threshold per mode, printed, and recorded.

    claims.at_least("CNN test accuracy", cnn_acc, fast=0.97, full=0.993)
    claims.beats("CNN vs dense network", cnn_acc, dense_acc, by=0.01)

Each call raises :class:`ClaimFailed` (an ``AssertionError``) when the result misses its threshold, prints one line
with the value, the threshold and the margin otherwise, and -- when the ``COURSE_RESULTS`` environment variable
names a file -- appends the claim to it as one JSON line (``make test-numerics`` tabulates them per numeric set-up;
the notebook's name comes from ``COURSE_NOTEBOOK``, which the test run sets).
"""

from __future__ import annotations

import json
import math
import os

from . import runtime


class ClaimFailed(AssertionError):
    """A result the notebook promises was not reached."""


def _record(kind: str, claim: str, value: float, threshold: float) -> None:
    path = os.environ.get("COURSE_RESULTS")
    if not path:
        return
    row = {"notebook": os.environ.get("COURSE_NOTEBOOK", ""), "claim": claim, "kind": kind, "mode": runtime.MODE,
           "value": value, "threshold": threshold}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")


def _number(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(number):
        raise ValueError(f"{name} must be a number, got NaN")
    return number


def _check(kind: str, claim: str, value: float, threshold: float, what: str, fmt: str) -> None:
    if not isinstance(claim, str) or not claim.strip():
        raise ValueError(f"claim must be a non-empty description, got {claim!r}")
    _record(kind, claim, value, threshold)
    shown = f"{claim}: {fmt.format(value)} vs {what} {fmt.format(threshold)}"
    if value < threshold:
        raise ClaimFailed(f"✗ {shown} -- the notebook's claim does not hold")
    print(f"✓ {shown} (margin {fmt.format(value - threshold)})")


def at_least(claim: str, value: float, *, fast: float, full: float, fmt: str = "{:.1%}") -> None:
    """Assert ``value >= threshold`` of the current mode (``fast`` or ``full``); print and record it."""
    value, fast, full = _number("value", value), _number("fast", fast), _number("full", full)
    _check("at_least", claim, value, runtime.pick(fast=fast, full=full), f"{runtime.MODE}-mode threshold", fmt)


def beats(claim: str, value: float, baseline: float, *, by: float = 0.0, fmt: str = "{:.1%}") -> None:
    """Assert ``value >= baseline + by`` (a comparison that holds in both modes); print and record it."""
    value, baseline, by = _number("value", value), _number("baseline", baseline), _number("by", by)
    if by < 0:
        raise ValueError(f"by must be >= 0, got {by!r}")
    what = "baseline" if by == 0 else f"baseline + {fmt.format(by)} ="
    _check("beats", claim, value, baseline + by, what, fmt)
