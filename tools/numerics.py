"""``make test-numerics``: nbval over solutions/ under numeric set-ups that imitate other machines on this one.

Floating-point round-off depends on NumPy's SIMD loops, the BLAS kernels picked for the CPU, oneDNN's instruction
set and thread counts. Each set-up below changes one of them (only set-ups below this machine's own instruction set
change anything); every checked output must still match and every claim of the notebooks (``utils.claims``) must
still hold. The claims' values per set-up are written to build/numerics/ and printed as one Markdown table.

Usage: python tools/numerics.py [SETUP ...]      (default: all set-ups)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "numerics"

#: name -> (what it imitates, environment variables)
SETUPS: dict[str, tuple[str, dict[str, str]]] = {
    "reference": ("this machine as it is", {}),
    "numpy-sse": ("NumPy at its SSE4.2 baseline, OpenBLAS for a Sandy Bridge CPU (no AVX2/AVX-512)",
                  {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL", "OPENBLAS_CORETYPE": "Sandybridge"}),
    "onednn-avx2": ("oneDNN capped at AVX2 (a laptop CPU without AVX-512)", {"ONEDNN_MAX_CPU_ISA": "AVX2"}),
    "onednn-off": ("TensorFlow's own kernels instead of oneDNN", {"TF_ENABLE_ONEDNN_OPTS": "0"}),
    "one-thread": ("one thread everywhere (OpenMP, OpenBLAS, TensorFlow intra- and inter-op)",
                   {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1",
                    "TF_NUM_INTEROP_THREADS": "1"}),
}


def run(name: str) -> tuple[bool, float]:
    """nbval over solutions/ under one set-up; returns (passed, seconds). Claims go to build/numerics/NAME.jsonl."""
    results = OUT / f"{name}.jsonl"
    results.unlink(missing_ok=True)
    env = {**os.environ, **SETUPS[name][1], "COURSE_RESULTS": str(results), "COURSE_MODE": "fast"}
    start = time.perf_counter()
    with open(OUT / f"{name}.log", "w") as log:
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "solutions"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    return done.returncode == 0, time.perf_counter() - start


def table(names: list[str], outcomes: dict[str, tuple[bool, float]]) -> str:
    """Markdown: one row per claim, one column per set-up (value and margin over its threshold)."""
    rows: dict[tuple[str, str], dict[str, dict]] = {}
    for name in names:
        path = OUT / f"{name}.jsonl"
        for line in path.read_text().splitlines() if path.exists() else []:
            claim = json.loads(line)
            rows.setdefault((claim["notebook"], claim["claim"]), {})[name] = claim
    head = "| notebook | claim | " + " | ".join(names) + " |\n|---|---|" + "---|" * len(names) + "\n"
    body = ""
    for (notebook, claim), by_setup in sorted(rows.items()):
        cells = []
        for name in names:
            c = by_setup.get(name)
            cells.append("–" if c is None else
                         f"{c['value']:.3g} (≥ {c['threshold']:.3g}{'' if c['value'] >= c['threshold'] else ' ✗'})")
        body += f"| {notebook.split('_')[0]} | {claim} | " + " | ".join(cells) + " |\n"
    verdicts = " | ".join(("passed" if ok else "FAILED") + f", {seconds / 60:.1f} min" for ok, seconds in
                          (outcomes[n] for n in names))
    return head + body + "| | **nbval over solutions/** | " + verdicts + " |\n"


def main(argv: list[str]) -> int:
    names = argv or list(SETUPS)
    unknown = [n for n in names if n not in SETUPS]
    if unknown:
        print(f"unknown set-up(s) {unknown}; choose from {list(SETUPS)}")
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    outcomes = {}
    for name in names:
        print(f"== {name}: {SETUPS[name][0]} {SETUPS[name][1] or ''}", flush=True)
        outcomes[name] = run(name)
        print(f"   {'passed' if outcomes[name][0] else 'FAILED (see build/numerics/' + name + '.log)'} in "
              f"{outcomes[name][1]:.0f} s", flush=True)
    report = f"Measured {date.today().isoformat()}, fast mode.\n\n" + table(names, outcomes)
    (OUT / "summary.md").write_text(report)
    print(report)
    return 0 if all(ok for ok, _ in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
