"""Colab: the badges and the setup cell come from one setting (tools/colab.py), and the setup cell clones the course
once, imports utils from the clone, and explains a failed clone in one message.

Colab cannot run here (no network, no Colab), so the test runs the real setup-cell code in a fresh Python with a
stand-in `google.colab` module and with `git clone` replaced by a copy of this checkout's utils/ (or by a failure) --
everything else (the path search, the import, runtime.setup) is the code students run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import nbformat
import pytest

import colab
from conftest import ROOT


def run_setup_cell_on_fake_colab(tmp_path, clone_succeeds: bool) -> subprocess.CompletedProcess:
    clone = tmp_path / "content" / "cnn-course"
    cell = colab.setup_bootstrap()
    assert 'pathlib.Path("/content/cnn-course")' in cell, "the setup cell no longer names /content/cnn-course"
    cell = cell.replace('pathlib.Path("/content/cnn-course")', f"pathlib.Path({str(clone)!r})")
    script = textwrap.dedent(f"""
        import shutil, subprocess, sys, types
        sys.modules["google.colab"] = types.ModuleType("google.colab")  # what Colab's kernel has imported
        calls, real_run = [], subprocess.run
        def fake_run(cmd, **kwargs):
            if cmd[0] != "git":
                return real_run(cmd, **kwargs)
            calls.append(cmd)
            if not {clone_succeeds!r}:
                return subprocess.CompletedProcess(cmd, 128, "", "fatal: could not resolve host: github.com")
            shutil.copytree({str(ROOT / 'utils')!r}, cmd[-1] + "/utils")
            shutil.copytree({str(ROOT / 'data')!r}, cmd[-1] + "/data")
            return subprocess.CompletedProcess(cmd, 0, "", "")
        subprocess.run = fake_run
    """) + cell + textwrap.dedent("""
        import utils
        print("CALLS", calls)
        print("UTILS", utils.__file__)
        print("COLAB", runtime.IS_COLAB)
    """)
    env = {**os.environ, "COURSE_MODE": "fast", "PYTHONPATH": ""}
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)


def test_setup_cell_clones_on_colab_and_imports_the_clone(tmp_path):
    out = run_setup_cell_on_fake_colab(tmp_path, clone_succeeds=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"'{colab.REPOSITORY_URL}'" in out.stdout and "'clone'" in out.stdout
    assert f"UTILS {tmp_path / 'content' / 'cnn-course' / 'utils' / '__init__.py'}" in out.stdout
    assert "COLAB True" in out.stdout and "mode: fast" in out.stdout and "| Colab" in out.stdout


def test_a_failed_clone_says_what_happened_and_what_to_set(tmp_path):
    out = run_setup_cell_on_fake_colab(tmp_path, clone_succeeds=False)
    assert out.returncode != 0
    message = out.stderr.strip().splitlines()[-1]
    assert message.startswith(f"RuntimeError: Could not clone the course from {colab.REPOSITORY_URL}: fatal: could")
    assert "set REPOSITORY above" in message


def test_badges_and_setup_cell_follow_the_one_setting():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title\n\n" + colab.badges("01_x.ipynb") + "\n\nIntro."),
        nbformat.v4.new_code_cell(colab.setup_bootstrap() + "\nimport numpy as np"),
    ])
    fork = "https://github.com/someone/my-cnn-course"
    old = colab.REPOSITORY_URL
    try:
        colab.REPOSITORY_URL = fork
        colab.apply(nb, "01_x.ipynb")
    finally:
        colab.REPOSITORY_URL = old
    assert "github/someone/my-cnn-course/blob/main/notebooks/01_x.ipynb" in nb.cells[0].source
    assert "github/someone/my-cnn-course/blob/main/solutions/01_x.ipynb" in nb.cells[0].source
    assert nb.cells[0].source.endswith("\n\nIntro.") and old not in nb.cells[0].source
    assert f'REPOSITORY = "{fork}"' in nb.cells[1].source and nb.cells[1].source.endswith("\nimport numpy as np")


@pytest.mark.parametrize("url", ["https://gitlab.com/a/b", "github.com/a/b", "https://github.com/a"])
def test_a_repository_colab_cannot_open_is_refused(url):
    with pytest.raises(ValueError, match="REPOSITORY_URL"):
        colab.github_slug(url)
