"""tools/full_mode_plan.py: the estimates of the README's full-mode plan, from planted smoke-run records."""

from __future__ import annotations

import json

import pytest

import full_mode_plan as plan

FIT = {"notebook": "nb.ipynb", "kind": "fit", "model": "cnn", "params": 1_000, "multiply_adds": 1_000_000,
       "activations": 10_000, "batch_size": 100, "examples_per_epoch": 1_000, "validation_examples_per_epoch": 0,
       "epochs": 2, "cpu_seconds_per_step": 0.01}
EVALUATE = {**FIT, "kind": "evaluate", "examples_per_epoch": 500, "epochs": 1, "cpu_seconds_per_step": 0.004}


def test_training_work_time_and_memory():
    result = plan.estimate([FIT])
    assert result["images_x_epochs"] == 2_000
    assert result["multiply_adds"] == 3 * 1_000_000 * 2_000  # forward + backward = 3 forward passes
    assert result["cpu_seconds"] == pytest.approx(20 * 0.01)  # 10 steps per epoch, 2 epochs, measured step time
    assert result["T4_seconds"] == pytest.approx(20 * plan.OVERHEAD_S)  # a tiny step costs the overhead floor
    assert result["gpu_memory_gb"] == pytest.approx(4 * (4 * 1_000 + 2 * 10_000 * 100) / 1024**3)


def test_large_steps_are_limited_by_the_gpu_peak():
    big = {**FIT, "multiply_adds": 5_700_000_000, "batch_size": 16, "examples_per_epoch": 160, "epochs": 1}
    result = plan.estimate([big])
    flops_per_step = 2 * 3 * 5_700_000_000 * 16
    for gpu, spec in plan.GPUS.items():
        assert result[f"{gpu}_seconds"] == pytest.approx(10 * flops_per_step / (plan.EFFICIENCY * spec["tflops"] * 1e12))


def test_evaluation_counts_one_forward_pass_and_no_training_images():
    result = plan.estimate([FIT, EVALUATE])
    assert result["images_x_epochs"] == 2_000
    assert result["multiply_adds"] == 3 * 1_000_000 * 2_000 + 1_000_000 * 500
    rate = 3 * 1_000_000 * 2_000 / (20 * 0.01)  # multiply-adds per CPU second of the measured fit steps
    assert result["cpu_seconds"] == pytest.approx(20 * 0.01 + 1_000_000 * 500 / rate)


def test_a_frozen_backbone_trains_with_forward_passes_only():
    frozen = {**FIT, "trainable_params": 100}
    assert plan.estimate([frozen])["multiply_adds"] == 1_000_000 * 2_000


def test_table_from_a_smoke_run_folder(tmp_path):
    (tmp_path / "work.jsonl").write_text(json.dumps(FIT) + "\n")
    (tmp_path / "report.json").write_text(json.dumps({"notebooks": [
        {"notebook": "nb.ipynb", "peak_memory_gb": 1.5}, {"notebook": "other.ipynb", "peak_memory_gb": 0.7}]}))
    lines = plan.table(tmp_path).splitlines()
    assert lines[2].startswith("| nb.ipynb | 2,000 | cnn: 1.0 M | 0.01 s (batch 100) | 0.01 T | 0 s |")
    assert lines[2].endswith("1.5 GB |")
    assert lines[3].startswith("| other.ipynb | no training |")
