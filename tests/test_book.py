"""The built book as a reader sees it: pages opened in headless Chromium over localhost.

Needs `make book` first (``make test`` does it) and Debian's ``chromium``. Outside CI a
missing build or browser skips these tests with the reason; in CI (``CI=true``) it fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.browser


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _chapter_pages() -> list[str]:
    toc = (ROOT / "_toc.yml").read_text()
    return ["intro.html"] + [f"{m}.html" for m in re.findall(r"file:\s*(\S+)", toc)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    if not (HTML / "intro.html").exists():
        _missing("the book is not built: run `make book`")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        _missing("chromium is not installed (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    external, console_errors = [], []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(url, wait_until="load")
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20_000)
    page.evaluate("MathJax.startup.promise")
    return page, external, console_errors


@pytest.mark.parametrize("name", _chapter_pages())
def test_page_typesets_math_loads_images_and_stays_local(server, browser, name):
    page, external, console_errors = _open(browser, f"{server}/{name}")
    try:
        n_math = page.locator("article .math").count()
        n_typeset = page.locator("article mjx-container").count()
        assert n_typeset >= n_math, f"{n_math} formulas in the HTML, only {n_typeset} typeset"
        # What the reader sees outside code blocks must hold no raw TeX delimiters.
        prose = page.evaluate(
            """() => { const a = document.querySelector('article').cloneNode(true);
                       a.querySelectorAll('pre, code, mjx-container, script').forEach(e => e.remove());
                       return a.innerText; }"""
        )
        for raw in ("$$", "\\(", "\\[", "\\begin{"):
            assert raw not in prose, f"raw TeX {raw!r} on {name}"
        broken = page.evaluate(
            "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert broken == []
        assert external == [], f"requests left localhost: {external}"
        assert console_errors == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{Path(name).stem}.png"), full_page=False)
    finally:
        page.close()


def test_calculus_chapter_shows_its_formulas_and_figures(server, browser):
    page, _, _ = _open(browser, f"{server}/chapters/02_calculus.html")
    try:
        assert page.locator("article mjx-container").count() >= 40
        assert page.locator("article img").count() >= 3
        assert "saddle" in page.locator("article").inner_text()
    finally:
        page.close()
