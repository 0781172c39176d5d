"""Start a private JupyterLab on a free local port for a test, and stop it afterwards.

Used by the `/lab` test (tests/test_jupyterlab.py) and the real-browser test (tools/browser_test.py).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from notebook_io import ROOT

TOKEN = "course-test"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(*extra_args: str, env: dict[str, str] | None = None,
               config: Path | None = None, timeout_s: float = 90) -> Iterator[str]:
    """Run JupyterLab on the course folder with private config/runtime folders; yield its base URL.

    ``extra_args`` are added to the command line, ``env`` to the environment; ``config`` (if given) is used as
    ``JUPYTER_CONFIG_DIR`` so that a caller can put settings there first. Raises RuntimeError with the server's last
    log lines if it exits or does not answer within ``timeout_s``.
    """
    with tempfile.TemporaryDirectory() as home:
        port = free_port()
        full_env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(Path(home) / "runtime"),
                    "JUPYTER_CONFIG_DIR": str(config or Path(home) / "config"),
                    "JUPYTERLAB_WORKSPACES_DIR": str(Path(home) / "workspaces"), **(env or {})}
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={ROOT}",
               *(["--allow-root"] if os.geteuid() == 0 else []), *extra_args]
        log = open(Path(home) / "server.log", "w+b")
        proc = subprocess.Popen(cmd, env=full_env, stdout=subprocess.DEVNULL, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=5):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"JupyterLab did not start:\n{log.read().decode()[-2000:]}") from None
                    time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
