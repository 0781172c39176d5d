"""Real-browser tests (`make test-browser`) in Debian's headless Chromium, driven by Playwright.

1. JupyterLab: a student opens notebooks 02 and 03 and runs all cells; the kernel-explorer widget and the animation
   controls must be in the page, and the animation player's JavaScript must step a frame.
2. Exports, offline: one page of the course site (10, formulas in a table) and one lecture deck (03, a formula and
   the animation) are exported and opened from disk in a browser context with the network off; every request must
   be a local file. The formulas must be typeset by MathJax (no raw ``$...$`` left), reveal.js must have made more
   than one slide and move to the next one on the arrow key, and the deck's animation must step a frame.

Screenshots go to build/browser/ (git-ignored). Options: ``--exports`` runs part 2 only; ``--review [DECK ...]``
screenshots every sub-slide of the decks in build/slides (``make slides`` first; all decks by default) into
build/browser/review/, lists the slides the deck's script had to scale down to fit, and compares the heights
tools/lecture.py estimated with the measured ones.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from export_site import export_html, export_slides
from lab_server import TOKEN, jupyterlab
from notebook_io import ROOT, SOLUTIONS
from playwright.sync_api import Browser, Page, sync_playwright

OUT = ROOT / "build" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUN_TIMEOUT_S = 420
PAGE = SOLUTIONS / "10_resnet.ipynb"                    # formulas in its first table
DECK = SOLUTIONS / "03_padding_strides_dilation.ipynb"  # a formula and the sliding-window animation
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
RAW_MATH = re.compile(r"\$[^$\s][^$]*\$")


# --- 1. JupyterLab --------------------------------------------------------------------------------------------------

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


def jupyterlab_test(browser: Browser) -> None:
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
                             "JUPYTERLAB_SETTINGS_DIR": str(Path(config) / "settings")}) as url:
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
            print(f"03: {page.locator('.animation').count()} animation; 'Next frame' stepped it to frame "
                  f"{slider.input_value()}")
            page.close()


# --- 2. exports, offline --------------------------------------------------------------------------------------------

class OfflinePage:
    """A page in a browser context with the network off that records every request and every script error."""

    def __init__(self, browser: Browser, width: int = 1280, height: int = 720) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": width, "height": height})
        self.context.route("**/*", lambda route: route.abort() if not route.request.url.startswith(LOCAL_SCHEMES)
                           else route.continue_())
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def open(self, path: Path, math: bool = True) -> Page:
        """Load ``path``; with ``math``, wait until MathJax has typeset the page."""
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        if not math:
            return self.page
        self.page.wait_for_function("!!(window.MathJax && MathJax.startup && MathJax.startup.promise)", timeout=30_000)
        self.page.evaluate("MathJax.startup.promise.then(() => true)")
        return self.page

    def check(self, name: str) -> None:
        remote = [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]
        assert not remote, f"{name} requested {remote[:3]} (must work offline)"
        assert not self.problems, f"{name}: {self.problems[:3]}"

    def close(self) -> None:
        self.context.close()


def math_typeset(page: Page, scope: str, name: str) -> int:
    """The number of typeset formulas in ``scope`` (a CSS selector); asserts no raw ``$...$`` is left in its text."""
    formulas = page.locator(f"{scope} mjx-container").count()
    assert formulas > 0, f"{name}: no MathJax output"
    texts = page.eval_on_selector_all(f"{scope} .jp-RenderedMarkdown", "els => els.map(e => e.textContent)")
    raw = [m.group(0) for text in texts for m in RAW_MATH.finditer(text)]
    assert not raw, f"{name}: formulas left as TeX source: {raw[:3]}"
    return formulas


def wait_for_slide(page: Page) -> None:
    page.wait_for_function("document.documentElement.dataset.deckReady === 'true' "
                           "&& Reveal.getCurrentSlide().dataset.fitted === 'true'", timeout=30_000)


def show_slide_of(page: Page, selector: str) -> None:
    """Go to the slide that holds the first ``selector`` element and wait until it is laid out."""
    where = page.evaluate(f"Reveal.getIndices(document.querySelector('.reveal .slides {selector}').closest('section'))")
    page.evaluate(f"Reveal.slide({where['h']}, {where.get('v') or 0})")
    wait_for_slide(page)


def exports_test(browser: Browser) -> None:
    site, slides = OUT / "site", OUT / "slides"
    export_html(site, [PAGE])
    deck_path = export_slides([DECK], slides)[0]

    offline = OfflinePage(browser)
    page = offline.open(site / f"{PAGE.stem}.html")
    formulas = math_typeset(page, "body", PAGE.stem)
    page.locator("mjx-container").first.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / f"{PAGE.stem}_page_math.png"))
    offline.open(site / "index.html", math=False)
    page.screenshot(path=str(OUT / "site_index.png"), full_page=True)
    offline.check("the course site")
    offline.close()
    print(f"site: {PAGE.stem}.html opened offline, {formulas} formulas typeset, no remote request")

    offline = OfflinePage(browser)
    page = offline.open(deck_path)
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
    wait_for_slide(page)
    total = page.evaluate("Reveal.getTotalSlides()")
    assert total > 1, f"{deck_path.name}: reveal.js made {total} slide"
    page.screenshot(path=str(OUT / f"{DECK.stem}_slide_title.png"))
    before = page.evaluate("Reveal.getIndices()")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"Reveal.getIndices().h === {before['h'] + 1}", timeout=10_000)
    wait_for_slide(page)
    page.screenshot(path=str(OUT / f"{DECK.stem}_slide_next.png"))
    formulas = math_typeset(page, ".reveal .slides", deck_path.name)
    show_slide_of(page, "mjx-container")
    page.screenshot(path=str(OUT / f"{DECK.stem}_slide_math.png"))
    show_slide_of(page, ".animation")
    slider = page.locator(".present .animation input.anim-slider").first
    before_frame = int(slider.input_value())
    page.locator(".present .animation button[title='Next frame']").first.click()
    page.wait_for_function(f"document.querySelector('.present .animation input.anim-slider').value > {before_frame}",
                           timeout=10_000)
    page.screenshot(path=str(OUT / f"{DECK.stem}_slide_animation.png"))
    offline.check(deck_path.name)
    offline.close()
    print(f"slides: {deck_path.name} opened offline, {total} slides, arrow key moved to slide {before['h'] + 2}, "
          f"{formulas} formulas typeset, the animation steps a frame, no remote request")


# --- review: every slide of every deck ------------------------------------------------------------------------------

def review(browser: Browser, decks: list[Path]) -> None:
    """Screenshot every sub-slide of ``decks`` and list those the deck's script had to scale down."""
    scaled, estimates = [], []
    for deck in decks:
        target = OUT / "review" / deck.name.removesuffix(".slides.html")
        target.mkdir(parents=True, exist_ok=True)
        offline = OfflinePage(browser)
        page = offline.open(deck)
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
        slides = page.evaluate("Reveal.getSlides().map(s => Reveal.getIndices(s))")
        for k, where in enumerate(slides):
            page.evaluate(f"Reveal.slide({where['h']}, {where.get('v') or 0})")
            wait_for_slide(page)
            page.screenshot(path=str(target / f"{k + 1:02d}_{where['h']}_{where.get('v') or 0}.png"))
            scale, estimated, measured = page.evaluate(
                "(() => { const s = Reveal.getCurrentSlide(); return [s.dataset.scaled || '', "
                "+s.dataset.estimatedHeight, s.querySelector('.slide-body').scrollHeight] })()")
            estimates.append((estimated, measured))
            if scale:
                scaled.append(f"{deck.name} slide {k + 1} ({where['h']}/{where.get('v') or 0}): scaled to {scale} "
                              f"(estimated {estimated} px, measured {measured} px)")
        offline.check(deck.name)
        offline.close()
        print(f"{deck.name}: {len(slides)} slides -> {target}")
    print("\n".join(scaled) if scaled else "no slide needed scaling")
    ratios = sorted(measured / estimated for estimated, measured in estimates if estimated)
    print(f"{len(estimates)} slides; measured / estimated height: median {ratios[len(ratios) // 2]:.2f}, "
          f"10th percentile {ratios[len(ratios) // 10]:.2f}, 90th {ratios[9 * len(ratios) // 10]:.2f}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", action="store_true", help="only the offline exports test")
    parser.add_argument("--review", nargs="*", type=Path, metavar="DECK",
                        help="screenshot every slide of these decks (default: all of build/slides)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if args.review is not None:
            review(browser, args.review or sorted((ROOT / "build" / "slides").glob("*.slides.html")))
        else:
            if not args.exports:
                jupyterlab_test(browser)
            exports_test(browser)
        browser.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
