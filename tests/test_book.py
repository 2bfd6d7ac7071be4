"""The built book as a reader sees it: every page opened in headless Chromium over localhost.

Needs `make book` first (``make test`` does it) and Debian's ``chromium``. Outside CI a
missing build or browser skips these tests with the reason; in CI (``CI=true``) it fails.
Each page must have every formula typeset by MathJax (no raw TeX left in the text), every
image loaded, no console error, no request leaving localhost; every internal link and
anchor of the whole site must resolve. A screenshot of each page lands in
``_build/screenshots/`` and the counts in ``_build/browser-report.json``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
REPORT: dict[str, dict[str, int]] = {}
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.browser


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _pages() -> list[str]:
    """The root page and every page of the table of contents, as built HTML paths."""
    toc = (ROOT / "_toc.yml").read_text()
    root = re.search(r"^root:\s*(\S+)", toc, re.M)
    files = [root[1]] if root else []
    return [f"{f}.html" for f in files + re.findall(r"file:\s*(\S+)", toc)]


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
    if REPORT:
        totals = {k: sum(r[k] for r in REPORT.values()) for k in next(iter(REPORT.values()))}
        (ROOT / "_build" / "browser-report.json").write_text(
            json.dumps({"pages": REPORT, "totals": totals, "n_pages": len(REPORT)}, indent=1))


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
    external: list[str] = []
    console_errors: list[str] = []

    def route(r):
        if r.request.url.startswith(("data:", "blob:")) or urlparse(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.goto(url, wait_until="load")
    if page.locator("script[src*='mathjax']").count() == 0:  # Sphinx loads MathJax only where there is math
        return page, external, console_errors
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
    page.evaluate("MathJax.startup.promise")
    return page, external, console_errors


@pytest.mark.parametrize("name", _pages())
def test_page_typesets_math_loads_images_and_stays_local(server, browser, name):
    page, external, console_errors = _open(browser, f"{server}/{name}")
    try:
        n_math = page.locator("article .math").count()
        n_typeset = page.locator("article mjx-container").count()
        assert n_typeset >= n_math, f"{n_math} formulas in the HTML, only {n_typeset} typeset"
        assert page.locator("article mjx-merror").count() == 0, "MathJax reported a TeX error"
        # What the reader sees outside code blocks must hold no raw TeX delimiters.
        prose = page.evaluate(
            """() => { const a = document.querySelector('article').cloneNode(true);
                       a.querySelectorAll('pre, code, mjx-container, script, style').forEach(e => e.remove());
                       return a.innerText; }"""
        )
        for raw in ("$$", "\\(", "\\[", "\\begin{", "\\frac"):
            assert raw not in prose, f"raw TeX {raw!r} on {name}"
        images = page.evaluate("() => [...document.querySelectorAll('article img')].map(i => [i.src, i.complete && i.naturalWidth > 0])")
        assert [src for src, ok in images if not ok] == []
        assert external == [], f"requests left localhost: {external}"
        assert console_errors == []
        REPORT[name] = {"formulas": n_typeset, "images": len(images),
                        "links": page.locator("article a[href]").count()}
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (name.replace("/", "__")[:-5] + ".png")))
    finally:
        page.close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")


def test_every_internal_link_and_anchor_resolves():
    if not (HTML / "intro.html").exists():
        _missing("the book is not built: run `make book`")
    parsed: dict[Path, _Links] = {}
    for path in HTML.rglob("*.html"):
        if "_static" not in path.parts:
            parsed[path] = _Links()
            parsed[path].feed(path.read_text(encoding="utf-8"))
    broken, checked = [], 0
    for path, links in parsed.items():
        base = "file://" + str(path)
        for href in links.hrefs:
            if urlparse(href).scheme in ("http", "https", "mailto", "javascript"):
                continue
            target = urlparse(urljoin(base, href))
            file = Path(unquote(target.path))
            checked += 1
            if not file.exists():
                broken.append(f"{path.relative_to(HTML)} → {href}")
            elif target.fragment and file.suffix == ".html":
                ids = parsed[file].ids if file in parsed else set()
                if unquote(target.fragment) not in ids:
                    broken.append(f"{path.relative_to(HTML)} → {href} (no such anchor)")
    assert checked > 50
    assert broken == []


def _chapters_with_exercises() -> list[tuple[str, str]]:
    """(chapter page, exercise notebook): a chapter NN_… has the exercise NN_*.ipynb."""
    pairs = []
    for chapter in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")):
        found = sorted((ROOT / "exercises").glob(f"{chapter.name[:2]}_*.ipynb"))
        if found:
            pairs.append((chapter.stem, found[0].name))
    return pairs


@pytest.mark.parametrize("chapter, notebook", _chapters_with_exercises())
def test_each_chapter_links_a_download_of_its_exercise(chapter, notebook):
    page = HTML / "chapters" / f"{chapter}.html"
    if not page.exists():
        _missing("the book is not built: run `make book`")
    text = page.read_text(encoding="utf-8")
    links = _Links()
    links.feed(text)
    targets = {Path(unquote(urlparse(urljoin("file://" + str(page), h)).path))
               for h in links.hrefs if urlparse(h).scheme == ""}
    download = HTML / "exercises" / notebook
    assert download in targets, f"{chapter}.html does not link exercises/{notebook}"
    assert download.read_bytes() == (ROOT / "exercises" / notebook).read_bytes()
    assert f'download="{notebook}"' in text
    n = int(notebook[:2])
    assert f"dlcourse exercises --chapter {n}" in re.sub(r"<[^>]+>", "", text)
