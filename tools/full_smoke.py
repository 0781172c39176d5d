"""``make test-full-smoke``: execute every solution notebook in a smoke run of ``full`` mode and report.

A smoke run (``utils.smoke``) uses full-mode sizes for models, batch sizes and input pipelines but trains a few
batches per ``fit``, asserts no claim, and uses the shipped data repeated to full size where the complete datasets
are not in the Keras cache. It proves that every full-mode code path runs; nothing it prints is a result.

Each notebook runs in a fresh kernel started by its own child process (so the peak memory reported is that
notebook's kernel alone), with ``COURSE_MODE=full COURSE_SMOKE=1 COURSE_OFFLINE=1`` (no network),
``COURSE_CACHE_DIR=build/full-smoke/cache`` and ``TFHUB_CACHE_DIR=build/full-smoke/tfhub``, where the stand-in for
TF-Hub's Inception V3 (random weights, ``utils.hub.install_inception_v3_standin``) answers notebook 11's online
branch. One cell is added in front of the notebook's own -- ``utils.smoke.install()`` -- and the executed copy is
written to ``build/full-smoke/`` (``solutions/`` is never touched). Cells after a failing one still run, so one
failure hides no later full-mode path. The report (a table here, JSON in ``build/full-smoke/report.json``) gives per
notebook: passed, or the first failing cell with its error (and how many later cells failed), the wall time and the
kernel's peak memory (RSS). ``build/full-smoke/work.jsonl`` records the work full mode asks for, per training call
(``utils.smoke``), for ``tools/full_mode_plan.py``. The exit status is 1 when a notebook failed.

Usage: python tools/full_smoke.py [--out FOLDER] [solutions/NN_x.ipynb ...]   (default: build/full-smoke, every
notebook of solutions/)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from notebook_io import ROOT, SOLUTIONS, read

OUT = ROOT / "build" / "full-smoke"
CELL_TIMEOUT_S = 1200
PREAMBLE = (f"# Added by tools/full_smoke.py: a smoke run of full mode (utils.smoke)\n"
            f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom utils import smoke\nassert smoke.install()")


def environment(out: Path = OUT) -> dict[str, str]:
    """The variables a smoke run's kernels get on top of this process's environment."""
    return {"COURSE_MODE": "full", "COURSE_SMOKE": "1", "COURSE_OFFLINE": "1", "MPLBACKEND": "Agg",
            "COURSE_CACHE_DIR": str(out / "cache"), "TFHUB_CACHE_DIR": str(out / "tfhub"),
            "COURSE_SMOKE_LOG": str(out / "work.jsonl")}


def run_one(path: Path, out: Path = OUT) -> dict:
    """Execute one notebook (preamble first) in a kernel of this process; the caller sets the environment.
    Every cell runs even after an error, so that one failure does not hide the full-mode paths after it; the
    result lists each failing cell (the notebook's own index) with its error, the first being the one to fix."""
    nb = read(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PREAMBLE))
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        died = []
    except (DeadKernelError, CellTimeoutError) as err:  # the cell that ran last is the one that killed the kernel
        last = max(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count"))
        died = [[last - 1, f"{type(err).__name__}: {str(err).splitlines()[0][:200]} (later cells did not run)"]]
    errors = [[index - 1, f"{o.ename}: {o.evalue}".splitlines()[0][:300]] for index, cell in enumerate(nb.cells)
              if cell.cell_type == "code" for o in cell.get("outputs", []) if o.output_type == "error"] + died
    result = {"notebook": path.name, "passed": not errors, "failed_cell": errors[0][0] if errors else None,
              "error": errors[0][1] if errors else None, "errors": errors}
    result["seconds"] = round(time.perf_counter() - start, 1)
    result["peak_memory_gb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2, 2)  # KiB
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out / path.name)
    return result


def run(paths: list[Path], out: Path = OUT) -> list[dict]:
    """Install the Inception V3 stand-in in ``out/tfhub``, then run each notebook in its own child process."""
    env = {**os.environ, **environment(out)}
    subprocess.run([sys.executable, "-c", "from utils import hub; print('Inception V3 stand-in (random weights):', "
                    "hub.install_inception_v3_standin())"], cwd=ROOT, env=env, check=True)
    (out / "work.jsonl").unlink(missing_ok=True)
    results = []
    for path in paths:
        child = subprocess.run([sys.executable, __file__, "--one", str(path), str(out)],
                               env={**env, "COURSE_NOTEBOOK": path.name}, capture_output=True, text=True)
        lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
        result = json.loads(lines[-1]) if lines else {
            "notebook": path.name, "passed": False, "failed_cell": None, "seconds": None, "peak_memory_gb": None,
            "error": f"runner crashed (exit {child.returncode}): {child.stderr.strip()[-300:]}"}
        results.append(result)
        print(row(result), flush=True)
    return results


def row(result: dict) -> str:
    later = len(result.get("errors", [])) - 1
    status = "passed" if result["passed"] else f"FAILED at cell {result['failed_cell']}: {result['error']}" + (
        f" (and {later} later cells)" if later > 0 else "")
    return (f"| {result['notebook']} | {result['seconds']} | {result['peak_memory_gb']} | {status} |")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(run_one(Path(argv[1]), Path(argv[2]))))
        return 0
    out = Path(argv[1]) if argv[:1] == ["--out"] else OUT
    paths = [Path(p) for p in argv[2 if argv[:1] == ["--out"] else 0:]] or sorted(SOLUTIONS.glob("*.ipynb"))
    print("SMOKE RUN of full mode (not results): notebook | seconds | kernel peak memory (GB) | status")
    start = time.perf_counter()
    results = run(paths, out)
    total = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps({"total_seconds": round(total, 1), "notebooks": results}, indent=1))
    failed = [r["notebook"] for r in results if not r["passed"]]
    print(f"{len(results) - len(failed)} of {len(results)} notebooks passed the full-mode smoke run in "
          f"{total / 60:.1f} min" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
