"""Real-browser test (`make test-browser`): a student opens notebooks 02 and 03 in JupyterLab and runs all cells.

Starts JupyterLab on a free local port, drives Debian's Chromium with Playwright, runs every cell of the student
versions of 02 (kernel explorer widget) and 03 (sliding-window animations), asserts that the widget and the
animation controls are in the page, and saves screenshots under build/browser/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from notebook_io import ROOT
from playwright.sync_api import Page, sync_playwright

OUT = ROOT / "build" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "course-browser-test"
RUN_TIMEOUT_S = 420


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(port: int, home: Path) -> subprocess.Popen:
    env = {**os.environ, "COURSE_MODE": "fast", "COURSE_OFFLINE": "1", "JUPYTER_RUNTIME_DIR": str(home / "rt"),
           "JUPYTER_CONFIG_DIR": str(home / "cfg"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws")}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={ROOT}", "--ServerApp.port_retries=0",
           "--LabApp.expose_app_in_browser=True", *(["--allow-root"] if os.geteuid() == 0 else [])]
    labconfig = home / "cfg" / "labconfig"  # no "Jupyter news?" pop-up over the screenshots
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", timeout=5):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("JupyterLab did not start within 90 s")


def run_all_cells(page: Page, url: str) -> None:
    """Open a notebook, wait for its kernel, run every cell, wait until no cell is queued or running."""
    page.goto(url)
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(2000)
    page.wait_for_function(
        "(() => { const w = window.jupyterapp.shell.currentWidget;"
        " const busy = w.sessionContext.session.kernel.status !== 'idle';"
        " const prompts = [...document.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent);"
        " return !busy && prompts.length > 0 && !prompts.some(t => t.includes('*')) })()",
        timeout=RUN_TIMEOUT_S * 1000, polling=1000)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        lab = start_lab(port, Path(home))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                # One workspace per notebook, so JupyterLab does not restore the previous notebook as the current tab.
                base = f"http://127.0.0.1:{port}/lab/workspaces/{{}}/tree/notebooks"

                run_all_cells(page, f"{base.format('nb02')}/02_edge_and_blur_filters.ipynb?token={TOKEN}")
                widget = page.locator(".jp-OutputArea-output .widget-dropdown").first
                widget.wait_for(timeout=30_000)
                assert page.locator(".widget-dropdown select").count() >= 2, "kernel and photo menus missing"
                assert page.locator(".widget-text input, .widget-hbox input").count() >= 9, "3x3 weight boxes missing"
                assert page.locator(".widget-image").count() >= 1, "the explorer's image is missing"
                box = page.locator(".jp-OutputArea-output:has(.widget-dropdown)").first
                box.scroll_into_view_if_needed()
                box.screenshot(path=str(OUT / "02_kernel_explorer.png"))
                errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
                print(f"02: widget present; {errors.count()} error outputs (the unsolved exercises and checkers)")

                run_all_cells(page, f"{base.format('nb03')}/03_padding_strides_dilation.ipynb?token={TOKEN}")
                anim = page.locator(".animation").first
                anim.wait_for(state="attached", timeout=30_000)
                assert page.locator(".animation .anim-buttons button").count() >= 5, "animation buttons missing"
                assert page.locator(".animation input.anim-slider").count() >= 1, "animation slider missing"
                anim.scroll_into_view_if_needed()
                page.locator(".animation .anim-buttons button").nth(6).click()  # the "step forward" button
                anim.screenshot(path=str(OUT / "03_animation.png"))
                print(f"03: {page.locator('.animation').count()} animations with play controls")
                browser.close()
        finally:
            lab.terminate()
            lab.wait(timeout=30)
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
