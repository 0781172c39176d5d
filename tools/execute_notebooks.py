"""Execute notebooks in place with nbclient and store their outputs, normalised (``make solutions``).

Prints the wall time of each notebook and the peak memory (RSS) of its kernel -- the numbers the README's timing
table reports -- and every cell that took longer than ``SLOW_CELL_S`` (where a notebook's time goes). The peak is
the largest of all kernels this process has started, so run one notebook per process (as `make solutions` does) for
per-notebook figures.
Usage: python tools/execute_notebooks.py solutions/01_convolution_arithmetic.ipynb [...]
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import datetime
from pathlib import Path

from nbclient import NotebookClient
from notebook_io import read, write

CELL_TIMEOUT_S = 600
SLOW_CELL_S = 5.0


def execute(path: Path) -> float:
    """Run every cell of ``path`` top to bottom in its own folder, write the outputs back, return seconds."""
    nb = read(path)
    start = time.perf_counter()
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()  # widgets work without a kernel
    seconds = time.perf_counter() - start
    for index, cell in enumerate(nb.cells):
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            took = (datetime.fromisoformat(timing["shell.execute_reply"])
                    - datetime.fromisoformat(timing["iopub.execute_input"])).total_seconds()
            if took > SLOW_CELL_S:
                print(f"  cell {index}: {took:5.1f} s  {cell.source.splitlines()[0][:70]}")
    write(nb, path)  # normalise() drops the timing metadata
    return seconds


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for p in paths:
        seconds = execute(Path(p))
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB
        print(f"{p}: {seconds:.1f} s, kernel peak memory {peak_mb:.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
