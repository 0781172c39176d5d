"""The setup cell on Colab: it clones the course once, then imports utils from the clone.

Colab cannot run here (no network, no Colab), so the test runs the real setup-cell code in a fresh Python with a
stand-in `google.colab` module and with `git clone` replaced by a copy of this checkout's utils/ -- everything else
(the path search, the import, runtime.setup) is the code students run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from conftest import ROOT
from notebook_io import REPO, SETUP_BOOTSTRAP


def test_setup_cell_clones_on_colab_and_imports_the_clone(tmp_path):
    clone = tmp_path / "content" / "cnn-course"
    cell = SETUP_BOOTSTRAP.replace('pathlib.Path("/content/cnn-course")', f"pathlib.Path({str(clone)!r})")
    assert cell != SETUP_BOOTSTRAP, "the setup cell no longer names /content/cnn-course"
    script = textwrap.dedent(f"""
        import shutil, subprocess, sys, types
        sys.modules["google.colab"] = types.ModuleType("google.colab")  # what Colab's kernel has imported
        calls, real_run = [], subprocess.run
        def fake_run(cmd, **kwargs):
            if cmd[0] != "git":
                return real_run(cmd, **kwargs)
            calls.append(cmd)
            shutil.copytree({str(ROOT / 'utils')!r}, cmd[-1] + "/utils")
            shutil.copytree({str(ROOT / 'data')!r}, cmd[-1] + "/data")
        subprocess.run = fake_run
    """) + cell + textwrap.dedent("""
        import utils
        print("CALLS", calls)
        print("UTILS", utils.__file__)
        print("COLAB", runtime.IS_COLAB)
    """)
    env = {**os.environ, "COURSE_MODE": "fast", "PYTHONPATH": ""}
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"https://github.com/{REPO}" in out.stdout and "'clone'" in out.stdout
    assert f"UTILS {clone / 'utils' / '__init__.py'}" in out.stdout
    assert "COLAB True" in out.stdout and "mode: fast" in out.stdout and "| Colab" in out.stdout
