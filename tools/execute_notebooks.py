"""Execute notebooks in place with nbclient and store their outputs, normalised (``make solutions``).

Prints the wall time of each notebook and the peak memory (RSS) of its kernel -- the numbers the README's timing
table reports. The peak is the largest of all kernels this process has started, so run one notebook per process
(as `make solutions` does) for per-notebook figures.
Usage: python tools/execute_notebooks.py solutions/01_convolution_arithmetic.ipynb [...]
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from nbclient import NotebookClient
from notebook_io import read, write

CELL_TIMEOUT_S = 600


def execute(path: Path) -> float:
    """Run every cell of ``path`` top to bottom in its own folder, write the outputs back, return seconds."""
    nb = read(path)
    start = time.perf_counter()
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    write(nb, path)
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
