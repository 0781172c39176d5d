"""The full-mode plan on paper: per notebook, the work ``full`` mode asks for and ESTIMATES of its time and memory.

Input: what ``make test-full-smoke`` recorded (``build/full-smoke/work.jsonl``: one line per ``fit``, ``evaluate``
and ``train_trace`` call, with the model's multiply-adds and activations per image, the batch size, the examples
per epoch and the epochs full mode requests, and the CPU seconds per step measured on this machine; and
``report.json``: the smoke run's peak memory). Output: a Markdown table.

How the estimates are made (all of them estimates until a GPU run replaces them):

* training work = 3 x forward multiply-adds per example (forward + backward), summed over epochs -- 1 x when less
  than half of the model's parameters train (a frozen backbone needs no backward pass; fine-tuning the top blocks
  of Inception V3 adds little); validation and evaluation passes count 1 x;
* CPU time = the steps full mode asks for x the CPU seconds per step measured in the smoke run (same model, same
  batch size, this 2-core machine) for ``fit``; for ``evaluate`` and ``train_trace``, whose few timed steps include
  tracing, their work divided by the multiply-adds per second the notebook's ``fit`` steps reached;
* GPU time per step = max(2 x multiply-adds of the step / (EFFICIENCY x peak), OVERHEAD_S), the peak being the
  vendor's dense TF32 tensor-core rate where TensorFlow uses it by default for float32 (Ampere and later: L4, A100)
  and the FP32 rate otherwise (T4); EFFICIENCY and OVERHEAD_S are assumptions (small CNNs in Keras rarely reach half
  of a GPU's peak, and a step costs a few milliseconds of launch and input overhead however small it is);
* GPU memory = 4 bytes x (4 x parameters -- weights, gradients, two optimizer slots -- + 2 x activations per
  example x batch size), the largest over the notebook's calls, without TensorFlow's own reservation.

Usage: python tools/full_mode_plan.py [build/full-smoke]
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path

from notebook_io import ROOT

#: Published peak rates (dense, no sparsity) in TFLOPS and memory in GB of Colab's common GPUs; sources: NVIDIA's
#: data sheets -- T4 (nvidia.com/en-us/data-center/tesla-t4: FP32 8.1, mixed-precision FP16 65, 16 GB GDDR6),
#: L4 (nvidia.com/en-us/data-center/l4: FP32 30.3, TF32 tensor 120 with sparsity = 60 dense, 24 GB GDDR6),
#: A100 40 GB (nvidia-a100-datasheet: FP32 19.5, TF32 tensor 156, 40 GB HBM2).
GPUS = {"T4": {"tflops": 8.1, "memory_gb": 16}, "L4": {"tflops": 60.0, "memory_gb": 24},
        "A100": {"tflops": 156.0, "memory_gb": 40}}
EFFICIENCY = 0.3  # assumed fraction of the peak a Keras CNN step reaches
OVERHEAD_S = 0.003  # assumed floor of one training step on a GPU (kernel launches, input pipeline)


def steps(row: dict) -> int:
    """Training (or evaluation) steps a call asks for: ceil(examples / batch) per epoch, times the epochs."""
    return math.ceil((row["examples_per_epoch"] or 0) / (row["batch_size"] or 32)) * row["epochs"]


def _work(row: dict) -> tuple[float, int]:
    """(multiply-adds, steps) a recorded call asks for, validation passes included."""
    macs = row.get("multiply_adds") or 0
    trains_most = row.get("trainable_params", row["params"]) >= row["params"] / 2
    factor = 3 if row["kind"] != "evaluate" and trains_most else 1
    validation = row.get("validation_examples_per_epoch", 0) * row["epochs"]
    work = factor * macs * (row["examples_per_epoch"] or 0) * row["epochs"] + macs * validation
    return work, steps(row) + math.ceil(validation / (row["batch_size"] or 32))


def estimate(rows: list[dict]) -> dict:
    """The plan of one notebook from its recorded calls (see the module docstring for the formulas)."""
    plan = {"images_x_epochs": 0, "multiply_adds": 0.0, "cpu_seconds": 0.0, "gpu_memory_gb": 0.0,
            "models": {}, "main": None, "main_work": 0.0, **{f"{gpu}_seconds": 0.0 for gpu in GPUS}}
    timed = [(_work(r)[0] / _work(r)[1], r["cpu_seconds_per_step"]) for r in rows
             if r["kind"] == "fit" and r["cpu_seconds_per_step"] and _work(r)[1]]
    rate = sum(w for w, _ in timed) / sum(t for _, t in timed) if timed else None  # multiply-adds per CPU second
    for row in rows:
        macs = row.get("multiply_adds") or 0
        work, n_steps = _work(row)
        if row["kind"] != "evaluate":
            plan["images_x_epochs"] += (row["examples_per_epoch"] or 0) * row["epochs"]
        plan["multiply_adds"] += work
        if work > plan["main_work"]:  # the call with the most work: its model and measured step
            plan["main_work"], plan["main"] = work, (row["model"], macs, row["cpu_seconds_per_step"]
                                                     if row["kind"] == "fit" else None, row["batch_size"])
        plan["models"][row["model"]] = macs
        if row["kind"] == "fit" and row["cpu_seconds_per_step"]:
            plan["cpu_seconds"] += n_steps * row["cpu_seconds_per_step"]
        elif rate:
            plan["cpu_seconds"] += work / rate
        for gpu, spec in GPUS.items():
            per_step = 2 * work / max(n_steps, 1) / (EFFICIENCY * spec["tflops"] * 1e12)
            plan[f"{gpu}_seconds"] += n_steps * max(per_step, OVERHEAD_S)
        if row["kind"] != "evaluate" and row.get("activations") is not None:
            memory = 4 * (4 * row["params"] + 2 * row["activations"] * (row["batch_size"] or 32)) / 1024**3
            plan["gpu_memory_gb"] = max(plan["gpu_memory_gb"], memory)
    return plan


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.0f} min" if seconds >= 90 else \
        f"{seconds:.0f} s"


def table(folder: Path) -> str:
    rows = [json.loads(line) for line in (folder / "work.jsonl").read_text().splitlines()]
    peaks = {r["notebook"]: r["peak_memory_gb"] for r in json.loads((folder / "report.json").read_text())["notebooks"]}
    by_notebook: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_notebook[row["notebook"]].append(row)
    lines = ["| notebook | training images x epochs | main model: multiply-adds per image | its CPU step "
             "(measured) | total multiply-adds | CPU (this machine) | T4 | L4 | A100 | GPU memory | smoke-run host RAM |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for notebook in sorted(peaks):
        plan = estimate(by_notebook.get(notebook, []))
        if not plan["main"]:
            lines.append(f"| {notebook} | no training | – | – | – | – | – | – | – | – | {peaks[notebook]} GB |")
            continue
        model, macs, seconds, batch = plan["main"]
        step = f"{seconds:.3g} s (batch {batch})" if seconds else "–"
        lines.append(
            f"| {notebook} | {plan['images_x_epochs']:,} | {model}: {macs / 1e6:,.1f} M | {step} | "
            f"{plan['multiply_adds'] / 1e12:,.2f} T | {_duration(plan['cpu_seconds'])} | "
            + " | ".join(_duration(plan[f"{gpu}_seconds"]) for gpu in GPUS)
            + f" | {plan['gpu_memory_gb']:.1f} GB | {peaks[notebook]} GB |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "full-smoke"))
