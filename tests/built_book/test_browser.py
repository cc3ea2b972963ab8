"""The built book, opened in a real browser (headless Chromium, offline).

`make test` runs this after the build. It serves _build/html on a free
loopback port and opens every page of the book (each page of _toc.yml, any
other page the build holds, plus genindex and search) in Debian's headless
Chromium, driven by Selenium through the system chromedriver (one browser per
core, at most four, share the pages). The browser can reach nothing but
127.0.0.1, so a typeset equation proves MathJax runs from the book itself.
Each page is opened once; the tests below read what was seen:

* HTTP 200 from the server, and no SEVERE entry in the browser console
  (KNOWN_CONSOLE_ERRORS, the place to justify an exception, is empty);
* every equation typeset: once MathJax.startup.promise has resolved there is
  no raw `$$`, `\\(` or `\\[` left in the rendered text, no MathJax error, and
  at least as many mjx-container elements as Sphinx emitted math nodes;
* every image loaded; every image of the content has alt text that says
  something (not empty, not its file name: MyST-NB's default for a plot), and
  on a chapter every image is a figure with a numbered caption ("Figure 7.3",
  from the cell's metadata.mystnb: scripts/figure_metadata.py);
* every internal link points at a file of the build, and its #anchor is an
  id (or a name) on the target page;
* axe-core (bundled by the selenium-axe-python package) finds no
  accessibility violation of any impact (see RUN_AXE for what it skips, and why);
* search.html?q=dropout lists results, and index.html redirects to the root.

A summary table (tests/built_book/conftest.py) is printed at the end.

Without the browser (/usr/bin/chromium, /usr/bin/chromedriver) these tests
skip, saying how to install it; with CI=true they fail instead.
"""

from __future__ import annotations

import functools
import http.client
import importlib.resources
import os
import posixpath
import queue
import re
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import headless_chromium  # noqa: E402  (scripts/, on the path through tests/conftest.py)
from _book_layout import HTML, toc_files  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _built_elsewhere import built_elsewhere_and_absent  # noqa: E402


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


# --- the book, served on loopback -------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


# urllib without any proxy from the environment: the server is on loopback.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Response:
    status: int  # 0: no response at all
    content_type: str = ""
    body: bytes = b""


def http_get(url: str) -> Response:
    try:
        with _HTTP.open(url, timeout=30) as response:
            return Response(response.status, response.headers.get_content_type(), response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        return Response(0, body=str(error).encode())


class _StaticHTML(HTMLParser):
    """The ids (and a-names) of a page, its links, and the math nodes Sphinx emitted."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.math_nodes = 0
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag in {"a", "area"} and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag in {"span", "div"} and "math" in (attrs.get("class") or "").split():
            self.math_nodes += 1

    handle_startendtag = handle_starttag


def _pages() -> list[str]:
    """Every page to open, as paths relative to _build/html, in book order.

    Each page of _toc.yml, the general index and the search page, then any other
    page of the build that their links reach (say, sections nested deeper than
    _book_layout reads). Pages no link reaches are left out: old files of an
    earlier build stay in _build/ until `make clean`. index.html is only a
    redirect to the root page: test_index_redirects_to_the_root_page.
    """
    pages = list(
        dict.fromkeys([f"{entry}.html" for entry in toc_files()] + ["genindex.html", "search.html"])
    )
    todo = list(pages)
    while todo:
        page = todo.pop(0)
        if not (HTML / page).is_file():
            continue
        for href in _StaticHTML((HTML / page).read_text(encoding="utf-8", errors="replace")).hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(page), unquote(parts.path))
            )
            if (
                target.endswith(".html")
                and target not in pages
                and target != "index.html"
                and not target.startswith(("..", "_static/", "_sources/"))
                and (HTML / target).is_file()
            ):
                pages.append(target)
                todo.append(target)
    return pages


PAGES = _pages()


@pytest.fixture(scope="session")
def book_url():
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built book in {HTML}: run `make book` first", pytrace=False)
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="built-book-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- the browser --------------------------------------------------------------


# Pages are opened by this many browsers at once (axe-core on a long chapter
# keeps one CPU busy for seconds): one per core, at most four.
WORKERS = max(
    1,
    min(
        4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    ),
)


@pytest.fixture(scope="session")
def browsers():
    """WORKERS headless Chromiums, each with its own fresh profile."""
    reason = headless_chromium.missing()
    if reason:
        if _in_ci():
            pytest.fail(f"{reason}. CI=true, so this fails instead of skipping.", pytrace=False)
        pytest.skip(reason)
    drivers = []
    with tempfile.TemporaryDirectory(
        prefix="book-chromium-", ignore_cleanup_errors=True
    ) as profiles:
        try:
            for number in range(min(WORKERS, len(PAGES))):
                profile = Path(profiles) / f"profile-{number}"
                drivers.append(
                    headless_chromium.start(window=(1280, 1000), profile=profile, logs=("browser",))
                )
            yield drivers
        finally:
            for driver in drivers:
                driver.quit()


@pytest.fixture(scope="session")
def browser(browsers):
    return browsers[0]


def _axe_source() -> str:
    package = importlib.resources.files("selenium_axe_python")
    return (package / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
if (!window.MathJax || !MathJax.startup) { done({mathjax: false}); return; }
MathJax.startup.promise.then(
  () => done({mathjax: true}),
  (error) => done({mathjax: true, error: String(error)}));
"""

# Text inside pre/code is never typeset (MathJax skips those tags), so a `\\(`
# in a code listing is not an equation left raw: hide code while reading the text.
READ_MATH = """
const style = document.createElement('style');
style.textContent = 'pre, code, kbd, samp, textarea { display: none !important; }';
document.head.appendChild(style);
const text = document.body.innerText;
style.remove();
const raw = [];
for (const delim of ['$$', '\\\\(', '\\\\[']) {
  const at = text.indexOf(delim);
  if (at >= 0) raw.push(JSON.stringify(text.slice(Math.max(0, at - 40), at + 60)));
}
return {
  typeset: document.querySelectorAll('mjx-container').length,
  errors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 120)),
  raw: raw,
};
"""

LOAD_IMAGES = """
const done = arguments[arguments.length - 1];
const images = [...document.images];
images.forEach(img => { if (img.loading === 'lazy') img.loading = 'eager'; });
const loaded = images.map(img => img.complete ? null : new Promise(resolve => {
  img.addEventListener('load', resolve, {once: true});
  img.addEventListener('error', resolve, {once: true});
}));
Promise.race([Promise.all(loaded), new Promise(r => setTimeout(r, 10000))]).then(() => done(
  images.map(img => ({
    src: img.currentSrc || img.src,
    complete: img.complete,
    width: img.naturalWidth,
    alt: img.getAttribute('alt'),
    content: img.closest('article, .bd-article, [role=main]') !== null,
    // the caption of the figure the image is in: its number ("Figure 7.3") and text
    caption_number: (img.closest('figure')?.querySelector('figcaption .caption-number')?.textContent || '').trim(),
    caption: (img.closest('figure')?.querySelector('figcaption')?.textContent || '').trim(),
  }))));
"""

LINKS = "return [...document.querySelectorAll('a[href], area[href]')].map(a => a.href);"

# axe-core over the whole page, in two runs whose violations are merged: every
# rule but color-contrast; then color-contrast outside code blocks plus a sample
# of the code. Two things are left out, each because checking it costs seconds
# per chapter and can find nothing more (on every page of the book as it stands,
# the violations, their impact and node counts are those of one plain
# axe.run(document)):
# * MathJax's visual rendering of each equation is aria-hidden (no assistive
#   technology reads it), holds no text (its glyphs are CSS content) and nothing
#   focusable, so no rule can fail on it, yet it is most of a mathematical page.
#   It is set aside while axe runs and put back after; the math's accessible
#   form, MathJax's assistive MathML, stays and is checked.
# * The thousands of highlighted tokens of the code cells: their contrast
#   depends only on their colour, their background, size and weight, so the
#   colour-contrast check takes one visible element (the smallest) for each such
#   combination the page shows. The other code blocks, if made only of bare
#   <span>s (no role, name or focus: nothing any other rule looks at), are
#   plain text while axe runs, and get their tokens back after.
RUN_AXE = """
const done = arguments[arguments.length - 1];
const asideMath = [...document.querySelectorAll('mjx-container > mjx-math[aria-hidden="true"]')].map(math => {
  const mark = document.createComment('mjx-math set aside for axe-core');
  math.replaceWith(mark);
  return [mark, math];
});

const CODE = 'div.highlight pre';
const backgrounds = new Map();
const background = (el) => {  // the colour behind el's text: its own, or the nearest ancestor's
  if (!el || el === document.documentElement) return 'page';
  if (!backgrounds.has(el)) {
    const colour = getComputedStyle(el).backgroundColor;
    backgrounds.set(el, colour === 'rgba(0, 0, 0, 0)' || colour === 'transparent' ? background(el.parentElement) : colour);
  }
  return backgrounds.get(el);
};
const samples = new Map();
for (const el of document.querySelectorAll(`${CODE}, ${CODE} *`)) {
  if (![...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
  if (el.getClientRects().length === 0) continue;  // not rendered (e.g. a collapsed cell)
  const style = getComputedStyle(el);
  const key = [style.color, background(el), style.fontSize, style.fontWeight, style.opacity].join('|');
  const size = el.getElementsByTagName('*').length;
  const seen = samples.get(key);
  if (!seen || size < seen[1]) samples.set(key, [el, size]);
}
const sampled = [...samples.values()].map(([el]) => el);
// With the sample chosen, the other code blocks made only of bare token spans
// become plain text while axe runs: such a span has no role, name or focus, so
// no rule but the colour check (done on the sample) has anything to say about it.
const bareSpan = (el) => el.tagName === 'SPAN' && [...el.attributes].every(a => a.name === 'class' || a.name === 'style');
const plainCode = [...document.querySelectorAll(CODE)]
  .filter(pre => pre.children.length && !sampled.some(el => pre.contains(el))
                 && [...pre.querySelectorAll('*')].every(bareSpan))
  .map(pre => { const tokens = [...pre.childNodes]; pre.replaceChildren(pre.textContent); return [pre, tokens]; });

const runs = [
  () => axe.run(document, {resultTypes: ['violations'], rules: {'color-contrast': {enabled: false}}}),
  // axe honours an include nested in an exclude: the page but its code, plus the sample
  () => axe.run({include: [document.documentElement, ...sampled], exclude: [[CODE]]},
                {resultTypes: ['violations'], runOnly: ['color-contrast']}),
];
const restore = () => {
  plainCode.forEach(([pre, tokens]) => pre.replaceChildren(...tokens));
  asideMath.forEach(([mark, math]) => mark.replaceWith(math));
};
const IMPACT = ['minor', 'moderate', 'serious', 'critical'];
(async () => {
  const merged = new Map();
  for (const run of runs) {
    for (const v of (await run()).violations) {
      const nodes = v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160)}));
      const seen = merged.get(v.id);
      if (!seen) {
        merged.set(v.id, {id: v.id, impact: v.impact, help: v.help, count: nodes.length, nodes: nodes.slice(0, 5)});
      } else {
        if (IMPACT.indexOf(v.impact) > IMPACT.indexOf(seen.impact)) seen.impact = v.impact;
        seen.count += nodes.length;
        seen.nodes = seen.nodes.concat(nodes).slice(0, 5);
      }
    }
  }
  return {version: axe.version, sampled: sampled.length, violations: [...merged.values()]};
})().then(
  (result) => { restore(); done(result); },
  (error) => { restore(); done({error: String(error)}); });
"""


@dataclass
class PageReport:
    page: str
    url: str
    status: int
    math_nodes: int = 0
    mathjax: dict = field(default_factory=dict)
    math: dict = field(default_factory=dict)
    images: list = field(default_factory=list)
    links: int = 0
    anchors: int = 0
    link_problems: list = field(default_factory=list)
    axe: dict = field(default_factory=dict)
    console: list = field(default_factory=list)
    console_excluded: list = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    axe_seconds: float = 0.0


@pytest.fixture(scope="session")
def visit(request, browsers, book_url, browser_summary):
    """page -> PageReport. The first call opens every page the session's tests
    ask for (all of them, unless -k chose some), on all browsers at once."""
    reports: dict[str, PageReport] = {}
    static: dict[str, tuple[Response, _StaticHTML | None]] = {}
    axe_source = _axe_source()
    host = urlsplit(book_url).netloc

    def fetch(url: str) -> tuple[Response, _StaticHTML | None]:
        if url not in static:
            response = http_get(url)
            parsed = None
            if response.status == 200 and response.content_type == "text/html":
                parsed = _StaticHTML(response.body.decode("utf-8", errors="replace"))
            static[url] = (response, parsed)
        return static[url]

    def check_links(report: PageReport, hrefs: list[str]) -> None:
        for href in hrefs:
            parts = urlsplit(href)
            if parts.scheme not in {"http", "https"} or parts.netloc != host:
                continue  # external (none can load offline) or mailto:, javascript:, ...
            report.links += 1
            rel = unquote(parts.path).lstrip("/")
            file = HTML / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
            response, parsed = fetch(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
            if response.status == 404 and built_elsewhere_and_absent(rel):
                continue  # the PDF, built by another job and checked by its test (_built_elsewhere)
            if response.status != 200 or not file.is_file():
                report.link_problems.append(f"{href}: HTTP {response.status}, no file {rel}")
                continue
            if parts.fragment:
                report.anchors += 1
                anchor = unquote(parts.fragment)
                if parsed is None or anchor not in parsed.ids:
                    report.link_problems.append(
                        f"{href}: no id {anchor!r} on {rel or 'index.html'}"
                    )

    def open_page(browser, page: str) -> PageReport:
        url = book_url + page
        report = PageReport(page, url, 0)
        started = time.perf_counter()
        try:
            response, parsed = fetch(url)
            report.status, report.math_nodes = response.status, parsed.math_nodes if parsed else 0
            browser.get_log("browser")  # drop what earlier pages left
            browser.get(url)
            report.mathjax = browser.execute_async_script(WAIT_FOR_MATHJAX)
            report.math = browser.execute_script(READ_MATH)
            report.images = browser.execute_async_script(LOAD_IMAGES)
            check_links(report, browser.execute_script(LINKS))
            # The page's console, read before axe-core runs: axe fetches @import-ed
            # stylesheets itself, resolving them against the page rather than the
            # stylesheet (a /basic.css 404), which is the tool's doing, not the book's.
            report.console, report.console_excluded = _severe(browser.get_log("browser"), book_url)
            axe_started = time.perf_counter()
            browser.execute_script(axe_source)
            report.axe = browser.execute_async_script(RUN_AXE)
            report.axe_seconds = time.perf_counter() - axe_started
            browser.get_log("browser")
        except Exception as error:  # noqa: BLE001 - reported by every test of the page
            report.error = f"{type(error).__name__}: {error}".strip()
        report.seconds = time.perf_counter() - started
        return report

    def worker(browser, pages: queue.Queue) -> None:
        while True:
            try:
                page = pages.get_nowait()
            except queue.Empty:
                return
            try:
                reports[page] = open_page(browser, page)
            except Exception as error:  # noqa: BLE001 - a bug here must not hide the other pages
                reports[page] = PageReport(
                    page, book_url + page, 0, error=f"{type(error).__name__}: {error}"
                )

    def open_all() -> None:
        wanted = {
            item.callspec.params["page"]
            for item in request.session.items
            if item.module is sys.modules[__name__]
            and "page" in getattr(getattr(item, "callspec", None), "params", {})
        }
        pages: queue.Queue = queue.Queue()
        # longest pages first, so that no browser is left with a long one at the end
        for page in sorted(
            wanted, key=lambda page: -(HTML / page).stat().st_size if (HTML / page).is_file() else 0
        ):
            pages.put(page)
        threads = [threading.Thread(target=worker, args=(b, pages), daemon=True) for b in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for page in PAGES:  # the summary in book order
            if page in reports:
                browser_summary[page] = _summary_row(reports[page])

    def get(page: str) -> PageReport:
        if not reports:
            open_all()
        if page not in reports:
            reports[page] = open_page(browsers[0], page)
            browser_summary[page] = _summary_row(reports[page])
        report = reports[page]
        if report.error:
            pytest.fail(f"{page}: the browser could not check it: {report.error}", pytrace=False)
        return report

    return get


def _summary_row(report: PageReport) -> dict:
    impacts: dict[str, int] = {}
    for violation in report.axe.get("violations", []):
        impacts[violation["impact"]] = impacts.get(violation["impact"], 0) + 1
    return {
        "math_nodes": report.math_nodes,
        "typeset": report.math.get("typeset", 0),
        "images": len(report.images),
        "images_loaded": sum(1 for img in report.images if img["complete"] and img["width"] > 0),
        "alt_is_path": sum(1 for img in report.images if _alt_is_path(img)),
        "links": report.links,
        "anchors": report.anchors,
        "console_errors": len(report.console),
        "console_excluded": [reason for reason, _ in report.console_excluded],
        "axe": impacts,
        "axe_rules": [(v["id"], v["impact"]) for v in report.axe.get("violations", [])],
        "seconds": report.seconds,
        "axe_seconds": report.axe_seconds,
    }


# SEVERE console entries that are not the book's fault, each matched exactly
# and counted in the summary ("excluded console entries"), not hidden. There
# are none: the two there were have lost their causes. Chromium's request for
# /favicon.ico (a 404 from the server root) stopped once the book declared its
# own icon (_config.yml, html.favicon); sphinx-thebe's inline script, written
# twice by Sphinx 7.4 (so the second copy threw "Identifier 'THEBE_JS_URL' has
# already been declared"), went with sphinx_thebe itself, which _config.yml no
# longer loads. Add an entry here only with the reason it is not the book's fault.
KNOWN_CONSOLE_ERRORS: dict = {}


def _severe(entries: list[dict], root: str) -> tuple[list[dict], list[tuple[str, dict]]]:
    """Split the SEVERE console entries into (errors, [(reason, entry) excluded])."""
    errors, excluded = [], []
    for entry in entries:
        if entry["level"] != "SEVERE":
            continue
        reason = next(
            (why for why, match in KNOWN_CONSOLE_ERRORS.items() if match(entry["message"], root)),
            None,
        )
        if reason:
            excluded.append((reason, entry))
        else:
            errors.append(entry)
    return errors, excluded


def _alt_is_path(img: dict) -> bool:
    alt = (img.get("alt") or "").strip()
    return bool(alt) and (
        alt.rsplit("/", 1)[-1] == img["src"].rsplit("/", 1)[-1] or bool(IMAGE_FILE.search(alt))
    )


# an alt text that names an image file (MyST-NB's default is the output's path)
IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp)\b", re.IGNORECASE)
# a numbered figure caption, as numfig_format in _config.yml writes it (chapter.figure)
FIGURE_NUMBER = re.compile(r"^Figure \d+\.\d+$")


# --- the checks, one page at a time --------------------------------------------

by_page = pytest.mark.parametrize("page", PAGES)


@by_page
def test_page_is_served(visit, page):
    report = visit(page)
    assert report.status == 200, f"{report.url}: HTTP {report.status}"


@by_page
def test_page_logs_no_console_error(visit, page):
    # A failed request (404, or anything the offline browser could not fetch)
    # and an uncaught script error both land here. Only KNOWN_CONSOLE_ERRORS
    # (none at present) would be set aside, and the summary would count them.
    report = visit(page)
    assert not report.console, f"{page}: browser console errors:\n" + "\n".join(
        entry["message"] for entry in report.console
    )


@by_page
def test_page_math_is_typeset(visit, page):
    report = visit(page)
    if report.math_nodes == 0 and not report.mathjax.get("mathjax"):
        return  # a page with no math loads no MathJax (test_built_html checks that)
    assert report.mathjax.get("mathjax"), f"{page}: {report.math_nodes} math nodes but no MathJax"
    assert "error" not in report.mathjax, f"{page}: MathJax failed: {report.mathjax['error']}"
    assert not report.math["raw"], (
        f"{page}: raw TeX left in the rendered text: {report.math['raw']}"
    )
    assert not report.math["errors"], f"{page}: MathJax could not typeset: {report.math['errors']}"
    assert report.math["typeset"] >= report.math_nodes, (
        f"{page}: {report.math['typeset']} typeset equations (mjx-container) "
        f"for {report.math_nodes} math nodes Sphinx emitted"
    )


@by_page
def test_page_images_load(visit, page):
    report = visit(page)
    broken = [img["src"] for img in report.images if not (img["complete"] and img["width"] > 0)]
    assert not broken, f"{page}: images that did not load: {broken}"


@by_page
def test_page_figures_have_alt_text(visit, page):
    # Alt text says what the image shows: not empty, and not the image's file
    # name, which is what MyST-NB writes for a plot whose cell has no
    # metadata.mystnb.image.alt (chapters/figures.yml, scripts/figure_metadata.py)
    report = visit(page)
    missing = [
        img["src"] for img in report.images if img["content"] and not (img["alt"] or "").strip()
    ]
    assert not missing, f"{page}: images of the content without alt text: {missing}"
    paths = [
        f"{img['src']} (alt {img['alt']!r})"
        for img in report.images
        if img["content"] and _alt_is_path(img)
    ]
    assert not paths, (
        f"{page}: images whose alt text is a file name, not a description:\n  " + "\n  ".join(paths)
    )


@pytest.mark.parametrize(
    "page", [f"{entry}.html" for entry in toc_files()[1:] if "bibliography" not in entry]
)
def test_chapter_figures_have_numbered_captions(visit, page):
    # every image of a chapter is a figure a reader or a lecturer can cite:
    # inside a <figure> whose caption starts with its number, "Figure 7.3"
    report = visit(page)
    unnumbered = [
        f"{img['src'].rsplit('/', 1)[-1]} (caption number {img['caption_number']!r})"
        for img in report.images
        if img["content"] and not FIGURE_NUMBER.match(img["caption_number"])
    ]
    assert not unnumbered, (
        f"{page}: images without a numbered caption ('Figure N.M'):\n  " + "\n  ".join(unnumbered)
    )
    bare = [
        img["src"].rsplit("/", 1)[-1]
        for img in report.images
        if img["content"] and len(img["caption"]) <= len(img["caption_number"]) + 10
    ]
    assert not bare, (
        f"{page}: figures whose caption is only (or hardly more than) its number: {bare}"
    )


@by_page
def test_page_internal_links_resolve(visit, page):
    report = visit(page)
    assert not report.link_problems, f"{page}: broken internal links:\n" + "\n".join(
        report.link_problems
    )


@by_page
def test_page_has_no_accessibility_violation(visit, page):
    # Any impact, minor included: nothing is tolerated. The two rules the book
    # used to break lost their causes: "region" (the book title in the left
    # sidebar was outside every landmark: _static/accessibility.js) and
    # "empty-table-header" (the empty corner of pandas tables:
    # _ext/accessible_tables.py; markdown tables name their first column).
    report = visit(page)
    assert "error" not in report.axe, f"{page}: axe-core failed to run: {report.axe['error']}"
    violations = report.axe["violations"]
    assert not violations, (
        f"{page}: accessibility violations (axe-core {report.axe['version']}):\n"
        + "\n".join(
            f"  {v['id']} ({v['impact']}): {v['help']} ({v['count']} nodes), e.g. "
            + "; ".join(f"{n['target']} {n['html']}" for n in v["nodes"])
            for v in violations
        )
    )


# --- the book as a whole ------------------------------------------------------


def _search_dropout(browser, url: str, *, log_cleared: bool = False):
    """Search the book at ``url`` for 'dropout': (summary text, result links, console errors)."""
    from selenium.webdriver.support.ui import WebDriverWait

    if not log_cleared:
        browser.get_log("browser")
    browser.get(url + "search.html?q=dropout")
    summary = WebDriverWait(browser, 20).until(
        lambda d: d.execute_script(
            "const s = document.querySelector('#search-results .search-summary');"
            "return s && /finished|did not match/i.test(s.textContent) ? s.textContent : null;"
        )
    )
    results = browser.execute_script(
        "return [...document.querySelectorAll('#search-results ul.search li a')].map(a => a.getAttribute('href'));"
    )
    errors = [entry["message"] for entry in _severe(browser.get_log("browser"), url)[0]]
    return summary, results, errors


def test_search_finds_dropout(browser, book_url):
    summary, results, errors = _search_dropout(browser, book_url)
    assert not errors, f"search page console errors: {errors}"
    assert results, f"searching 'dropout' found nothing: {summary.strip()}"


def test_index_redirects_to_the_root_page(browser, book_url):
    from selenium.webdriver.support.ui import WebDriverWait

    assert http_get(book_url).status == 200
    root = f"{toc_files()[0]}.html"
    browser.get(book_url)
    WebDriverWait(browser, 10).until(lambda d: urlsplit(d.current_url).path == "/" + root)


def test_browser_reaches_no_network(browser, book_url):
    # The proof that pages render offline is only as good as this: a request
    # to any other host fails at once (dead loopback proxy, no name resolves).
    browser.get(book_url + "genindex.html")
    outcome = browser.execute_async_script("""
const done = arguments[arguments.length - 1];
fetch('http://example.com/', {mode: 'no-cors', cache: 'no-store'}).then(
  () => done('reached'), (error) => done('blocked: ' + error));
""")
    browser.get_log("browser")  # the refused request is logged; it is expected here
    assert outcome.startswith("blocked"), "the test browser can reach the network"


# --- printing a chapter ---------------------------------------------------------

# What a printed chapter shows, read under print media emulation (what the
# theme's print button, window.print(), lays out): _static/print.css hides the
# exercise solutions and the navigation sidebars; the exercises and the text stay.
PRINT_VIEW = """
const shown = (el) => getComputedStyle(el).display !== 'none' && getComputedStyle(el).visibility !== 'hidden'
                      && el.getClientRects().length > 0;
const describe = (el) => `${el.tagName.toLowerCase()}#${el.id || ''}.${[...el.classList].join('.')}`
                         + ` (display: ${getComputedStyle(el).display})`;
const solutions = [...document.querySelectorAll('.bd-content div.solution')];
const sidebars = [...document.querySelectorAll('.bd-sidebar-primary, .bd-sidebar-secondary, #pst-primary-sidebar, #pst-secondary-sidebar')];
const exercises = [...document.querySelectorAll('.bd-content div.exercise')];
return {
  print: matchMedia('print').matches,
  solutions: solutions.length,
  solutions_shown: solutions.filter(shown).map(describe),
  solutions_not_none: solutions.filter(el => getComputedStyle(el).display !== 'none').map(describe),
  sidebars: sidebars.length,
  sidebars_shown: sidebars.filter(el => getComputedStyle(el).display !== 'none' || shown(el)).map(describe),
  exercises: exercises.length,
  exercises_shown: exercises.filter(shown).length,
  article_shown: [...document.querySelectorAll('article.bd-article')].some(shown),
};
"""

CHAPTER_PAGES = [f"{entry}.html" for entry in toc_files()[1:] if "bibliography" not in entry]


@pytest.fixture(scope="session")
def print_views(browsers, book_url):
    """page -> (screen view, print view) for every chapter, read by one browser."""
    browser = browsers[0]
    views = {}
    try:
        for page in CHAPTER_PAGES:
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
            browser.get(book_url + page)
            screen = browser.execute_script(PRINT_VIEW)
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
            views[page] = (screen, browser.execute_script(PRINT_VIEW))
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        browser.get_log("browser")
    return views


def test_print_view_is_emulated(print_views):
    screen, printed = next(iter(print_views.values()))
    assert not screen["print"] and printed["print"], "print media emulation did not take effect"
    # on screen, the things printing hides are there
    assert screen["sidebars"] >= 2 and screen["sidebars_shown"], f"no sidebars on screen: {screen}"
    assert sum(view[0]["solutions"] for view in print_views.values()) > 0, (
        "no exercise solution in any chapter"
    )


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_printed_chapter_hides_solutions_and_sidebars(print_views, page):
    screen, printed = print_views[page]
    assert printed["article_shown"], f"{page}: the printed page shows no article"
    assert not printed["solutions_not_none"] and not printed["solutions_shown"], (
        f"{page}: exercise solutions print:\n  "
        + "\n  ".join(printed["solutions_not_none"] or printed["solutions_shown"])
    )
    assert not printed["sidebars_shown"], f"{page}: sidebars print:\n  " + "\n  ".join(
        printed["sidebars_shown"]
    )
    # the exercises themselves still print
    assert printed["exercises_shown"] == screen["exercises"], (
        f"{page}: {screen['exercises']} exercises on screen, {printed['exercises_shown']} printed"
    )


# --- under a sub-path -------------------------------------------------------------

# Pages opened with the book at http://127.0.0.1:PORT/course/ and nothing at
# the server root (tests/built_book/conftest.py): the scripts (search index,
# MathJax and its fonts, the theme) must find everything relative to the page.
SUB_PATH_PAGES = [
    f"{toc_files()[0]}.html",
    "chapters/03_scaling_train_versus_test.html",
    "chapters/bibliography.html",
]


@pytest.mark.parametrize("page", SUB_PATH_PAGES)
def test_page_works_under_a_sub_path(browser, sub_path_book_url, page):
    browser.get_log("browser")
    browser.get(sub_path_book_url + page)
    mathjax = browser.execute_async_script(WAIT_FOR_MATHJAX)
    math = browser.execute_script(READ_MATH)
    images = browser.execute_async_script(LOAD_IMAGES)
    errors = [
        entry["message"] for entry in _severe(browser.get_log("browser"), sub_path_book_url)[0]
    ]
    assert not errors, f"{page} under {sub_path_book_url}: console errors:\n" + "\n".join(errors)
    assert "error" not in mathjax and not math["raw"] and not math["errors"], (
        f"{page}: math {mathjax} {math}"
    )
    broken = [img["src"] for img in images if not (img["complete"] and img["width"] > 0)]
    assert not broken, f"{page} under {sub_path_book_url}: images that did not load: {broken}"


def test_search_and_root_redirect_work_under_a_sub_path(browser, sub_path_book_url):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")
    browser.get(sub_path_book_url)
    root = urlsplit(sub_path_book_url).path + f"{toc_files()[0]}.html"
    WebDriverWait(browser, 10).until(lambda d: urlsplit(d.current_url).path == root)
    _, results, errors = _search_dropout(browser, sub_path_book_url, log_cleared=True)
    assert not errors, f"search under {sub_path_book_url}: console errors: {errors}"
    assert results, "searching 'dropout' under the sub-path found nothing"
    assert not [href for href in results if href.startswith("/")], (
        f"root-absolute search results: {results}"
    )
