"""Words are checked like code: every information-carrying number in a solution's prose comes from that notebook's
code or outputs, or is listed with its source in the notebook's metadata (tools/check_prose.py)."""

from __future__ import annotations

import pytest

from check_prose import unsupported
from notebook_io import SOLUTIONS, read


@pytest.mark.parametrize("path", sorted(SOLUTIONS.glob("*.ipynb")), ids=lambda p: p.name)
def test_every_number_of_the_prose_is_supported(path):
    findings = unsupported(read(path))
    assert not findings, "\n".join(f.describe(path.name) for f in findings)
