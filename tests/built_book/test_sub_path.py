"""The book works wherever it is published, at a host's root or under a
sub-path (GitHub Pages serves a project at https://USER.github.io/REPO/).

Sphinx writes relative links, so the built folder can be copied anywhere;
these checks keep it so. No page may point at a root-absolute path
("/_static/...", "/chapters/..."): under a sub-path that leaves the book. And
the book, served under http://127.0.0.1:PORT/course/ with nothing at the server
root, must resolve every asset and page each page links to. (test_browser.py
also opens pages under the sub-path in Chromium, where scripts load the search
index, MathJax's fonts and the rest.)
"""

from __future__ import annotations

import re
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _book_layout import HTML  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _built_elsewhere import built_elsewhere_and_absent  # noqa: E402

PAGES = sorted(p for p in HTML.rglob("*.html") if "_static" not in p.relative_to(HTML).parts)

# Every attribute whose value is a URL the browser loads or navigates to.
URL_ATTRIBUTES = {
    "href",
    "src",
    "srcset",
    "poster",
    "data",
    "action",
    "formaction",
    "xlink:href",
    "background",
}


class _Refs(HTMLParser):
    """(what, url) of every URL a page points at."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []
        self._style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in URL_ATTRIBUTES & attrs.keys():
            value = (attrs[name] or "").strip()
            urls = (
                [part.split()[0] for part in value.split(",") if part.strip()]
                if name == "srcset"
                else [value]
            )
            self.refs.extend((f"<{tag} {name}>", url) for url in urls if url)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            self.refs.append(
                ("<meta refresh>", (attrs.get("content") or "").partition("url=")[2].strip())
            )
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs.get("style") or ""):
            self.refs.append((f"<{tag} style>", url))
        self._style = tag == "style"

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if self._style:
            self.refs.extend(
                ("inline <style>", url) for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", data)
            )


def _root_absolute(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def test_pages_are_found():
    assert (HTML / "index.html").is_file(), f"no built book in {HTML}: run `make book` first"
    assert len(PAGES) > 10


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(HTML).as_posix())
def test_page_has_no_root_absolute_link(page):
    refs = _Refs(page.read_text(encoding="utf-8", errors="replace")).refs
    absolute = [f"{what}: {url}" for what, url in refs if _root_absolute(url)]
    assert not absolute, (
        f"{page.relative_to(HTML)} points at root-absolute paths, which leave the book "
        "when it is published under a sub-path:\n  " + "\n  ".join(absolute)
    )


# urllib without any proxy from the environment, and without following
# redirects silently (a redirect out of the sub-path must show).
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def _status(url: str) -> int:
    try:
        with _HTTP.open(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_every_page_resolves_under_a_sub_path(sub_path_book_url):
    base = urlsplit(sub_path_book_url)
    assert _status(base.scheme + "://" + base.netloc + "/index.html") == 404, (
        "the test server serves the root"
    )
    seen: dict[str, int] = {}
    problems: list[str] = []
    checked = 0
    for page in PAGES:
        rel = page.relative_to(HTML).as_posix()
        page_url = sub_path_book_url + rel
        if _status(page_url) != 200:
            problems.append(f"{rel}: HTTP {_status(page_url)} at {page_url}")
            continue
        for what, ref in _Refs(page.read_text(encoding="utf-8", errors="replace")).refs:
            target = urlsplit(urljoin(page_url, ref))
            if target.scheme not in {"http", "https"} or target.netloc != base.netloc:
                continue  # another host (a paper), mailto:, javascript:, data:
            if not target.path.startswith(base.path):
                problems.append(f"{rel}: {what} {ref!r} leaves {base.path} (-> {target.path})")
                continue
            url = f"{target.scheme}://{target.netloc}{target.path}"
            if url not in seen:
                seen[url] = _status(url)
            checked += 1
            if seen[url] == 404 and built_elsewhere_and_absent(target.path[len(base.path) :]):
                continue  # the PDF, built by another job and checked by its test (_built_elsewhere)
            if seen[url] != 200:
                problems.append(f"{rel}: {what} {ref!r} -> HTTP {seen[url]} at {target.path}")
    assert checked > 100, f"only {checked} links checked"
    assert not problems, "under a sub-path:\n  " + "\n  ".join(problems)
