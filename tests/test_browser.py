"""A learner's JupyterLab in a real browser: every chapter opened, run top to bottom, and looked at.

Drives Debian's ``chromium`` with Playwright's Python package (Playwright cannot download its own browsers
here). For each chapter: no "Select Kernel" dialog, the kernel is "MLNote (Python 3)", Run All finishes with
no error output, every widget cell renders as controls (never as a text repr), MathJax typeset the formulas,
and — where the chapter has a slider — moving it with the keyboard redraws the figure. A screenshot of each
chapter goes to ``build/browser/``.

Run with ``make browser`` (part of ``make test``). Without Chromium or Playwright the tests are skipped with
a message saying how to enable them; in CI (``CI=true``) a missing browser is a failure, never a skip.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "browser"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KERNEL_DISPLAY_NAME = "MLNote (Python 3)"
RUN_ALL_TIMEOUT_S = 400

pytestmark = pytest.mark.browser


def _chromium() -> str | None:
    return os.environ.get("MLNOTE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable() -> str | None:
    if _chromium() is None:
        return "no Chromium found (Debian/Ubuntu: `sudo apt-get install -y chromium fonts-noto-cjk`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is missing (`make setup` installs the dev extra that has it)"
    return None


@pytest.fixture(scope="module")
def page():
    why = _unavailable()
    if why:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser test cannot run in CI: {why}")
        pytest.skip(f"browser test skipped: {why}")
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    tmp = Path(tempfile.mkdtemp(prefix="mlnote-browser-"))
    # Serve a copy: JupyterLab (with jupytext) writes back a notebook it ran, and the repository must not change.
    shutil.copytree(
        ROOT / "notebooks", tmp / "notebooks", ignore=shutil.ignore_patterns("*.py", ".ipynb_checkpoints")
    )
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp / 'notebooks'}",
        "--ServerApp.port_retries=0",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "MLNOTE_CACHE_DIR": str(tmp / "cache"),  # train from scratch, as a learner's first run does
    }
    settings = tmp / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(
        parents=True
    )  # no "Would you like to get notified about Jupyter news?" toast over the page
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp / "settings")
    log = open(tmp / "lab.log", "w")  # noqa: SIM115 - closed below
    lab = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5).read()
            break
        except OSError:
            assert lab.poll() is None, f"JupyterLab exited early; see {tmp / 'lab.log'}"
            assert time.monotonic() < deadline, "JupyterLab did not answer within 90 s"
            time.sleep(0.5)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.mlnote_base, pg.mlnote_token = base, token
            yield pg
            browser.close()
    finally:
        lab.terminate()
        lab.wait(timeout=30)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _figure_sources(widget) -> list[str]:
    return [img.get_attribute("src") or "" for img in widget.locator("img").all()]


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_runs_and_renders_in_jupyterlab(page, ipynb):
    t0 = time.monotonic()
    page.goto(
        f"{page.mlnote_base}/lab/workspaces/{ipynb.stem[:2]}/tree/{ipynb.name}?reset&token={page.mlnote_token}"
    )
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first
    panel.wait_for(timeout=60_000)
    kernel_name = panel.locator(".jp-Toolbar-kernelName")
    kernel_name.filter(has_text=KERNEL_DISPLAY_NAME).wait_for(timeout=60_000)
    assert page.locator(".jp-Dialog").count() == 0, "a dialog (e.g. 'Select Kernel') opened with the notebook"

    panel.locator(".jp-Notebook").click()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).first.click()
    time.sleep(3)
    while panel.locator(".jp-InputArea-prompt:has-text('[*]')").count():
        assert time.monotonic() - t0 < RUN_ALL_TIMEOUT_S, f"{ipynb.name}: Run All did not finish in time"
        time.sleep(1)
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=30_000)

    errors = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, f"{ipynb.name}: an error output:\n{errors.first.inner_text()[:2000]}"
    stderr = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    stderr_text = "\n".join(stderr.all_inner_texts())
    assert "Traceback" not in stderr_text and "Warning" not in stderr_text, (
        f"{ipynb.name}: {stderr_text[:2000]}"
    )

    n_widget_cells = ipynb.read_text(encoding="utf-8").count("mu.interactive_figure(")
    widgets = panel.locator(".widget-interact")
    assert widgets.count() >= n_widget_cells, (
        f"{ipynb.name}: {n_widget_cells} widget cells, {widgets.count()} rendered"
    )
    reprs = panel.locator(".jp-OutputArea-output pre").filter(has_text="interactive(children=")
    assert reprs.count() == 0, f"{ipynb.name}: a widget is shown as its Python repr"
    assert panel.locator("mjx-container").count() > 0, f"{ipynb.name}: MathJax rendered no formula"
    assert panel.locator(".jp-OutputArea-output img").count() > 0, f"{ipynb.name}: no figure rendered"

    sliders = panel.locator(".widget-interact .widget-slider")
    if sliders.count():  # move the first slider with the keyboard; its figure must be redrawn
        widget = panel.locator(".widget-interact").filter(has=page.locator(".widget-slider")).first
        widget.scroll_into_view_if_needed()
        before = _figure_sources(widget)
        handle = widget.locator(".widget-slider .noUi-handle, .widget-slider [role='slider']").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        deadline = time.monotonic() + 60
        while _figure_sources(widget) == before:
            assert time.monotonic() < deadline, f"{ipynb.name}: moving the slider did not redraw the figure"
            time.sleep(0.5)
        widget.screenshot(path=str(SHOTS / f"{ipynb.stem}_widget.png"))

    page.screenshot(path=str(SHOTS / f"{ipynb.stem}.png"), full_page=False)
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_text("Close and Shut Down Notebook", exact=False).first.click()
    for _ in range(
        3
    ):  # "shut down the kernel?" and maybe "save?": the served copy may be saved, never the repo
        time.sleep(1)
        if page.locator(".jp-Dialog").count() == 0:
            break
        page.locator(".jp-Dialog button.jp-mod-accept").first.click()
    print(f"{ipynb.name}: ran in the browser in {time.monotonic() - t0:.0f} s")


def test_a_slide_deck_and_the_site_render_with_the_network_cut(page, tmp_path):
    """One chapter's deck and the site's chapter page, opened from disk with every http(s) request refused."""
    from tests.tools import site

    first = NOTEBOOKS[:1]
    deck = site.build_slides(first, tmp_path / "slides")[0]
    pages = site.build_book(first, tmp_path / "book")
    requested = []

    def refuse_the_web(route):
        if route.request.url.startswith(("http://", "https://")):
            requested.append(route.request.url)
            return route.abort()
        return route.continue_()

    missing = []  # a local script, style or font that is not there (e.g. a theme that was never vendored)
    page.on("requestfailed", lambda req: missing.append(req.url) if req.url.startswith("file:") else None)
    page.route("**/*", refuse_the_web)
    try:
        for html_file in (deck, pages[1], pages[0]):
            page.goto(html_file.as_uri())
            page.wait_for_load_state("load")
            if html_file is not pages[0]:  # the index has neither math nor figures
                page.locator("mjx-container").first.wait_for(timeout=30_000)
                assert page.locator("img").count() > 0, f"{html_file.name}: no figure"
            page.screenshot(path=str(SHOTS / f"offline_{html_file.name}.png"))
    finally:
        page.unroute("**/*")
    assert requested == [], f"pages tried to fetch from the web: {requested[:5]}"
    assert missing == [], f"pages asked for local files that do not exist: {missing[:5]}"
