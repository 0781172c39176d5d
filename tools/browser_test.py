"""Real-browser test (`make test-browser`): a student opens notebooks 02 and 03 in JupyterLab and runs all cells.

Starts JupyterLab on a free local port, drives Debian's Chromium with Playwright, runs every cell of the student
versions of 02 (kernel explorer widget) and 03 (sliding-window animations), asserts that the widget and the
animation controls are in the page, and saves screenshots under build/browser/ (git-ignored).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from lab_server import TOKEN, jupyterlab
from notebook_io import ROOT
from playwright.sync_api import Page, sync_playwright

OUT = ROOT / "build" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUN_TIMEOUT_S = 420


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
    with tempfile.TemporaryDirectory() as config:
        labconfig = Path(config) / "labconfig"  # no "Jupyter news?" pop-up over the screenshots
        labconfig.mkdir()
        (labconfig / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        # Lay out every cell (no windowing), so that outputs scrolled out of view still have a size to screenshot.
        tracker = Path(config) / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
        tracker.parent.mkdir(parents=True)
        tracker.write_text(json.dumps({"windowingMode": "none"}))
        with jupyterlab("--LabApp.expose_app_in_browser=True", config=Path(config),
                        env={"COURSE_MODE": "fast", "COURSE_OFFLINE": "1",
                             "JUPYTERLAB_SETTINGS_DIR": str(Path(config) / "settings")}) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # One workspace per notebook, so JupyterLab does not restore the previous notebook as the current tab.
            base = f"{url}/lab/workspaces/{{}}/tree/notebooks"

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
            anim.screenshot(path=str(OUT / "03_animation.png"))
            slider = page.locator(".animation input.anim-slider").first
            before = int(slider.input_value())
            step = page.locator(".animation .anim-buttons button[title='Next frame']").first
            # The player's JavaScript must really run: the button's own click handler moves the slider one frame.
            # (A dispatched click: Playwright's pointer clicks miss inside JupyterLab's internally scrolled panel.)
            step.dispatch_event("click")
            page.wait_for_function(f"document.querySelector('.animation input.anim-slider').value > {before}",
                                   timeout=10_000)
            print(f"03: {page.locator('.animation').count()} animation; 'Next frame' stepped it to frame {slider.input_value()}")
            browser.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
