"""Checks of the built HTML book (run by `make test` after the build)."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _book_layout import HTML, toc_files  # noqa: E402

PAGES = [HTML / f"{entry}.html" for entry in toc_files()]
EXTERNAL_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(?:https?:)?//[^\"]+\"", re.I)


def test_book_was_built():
    assert (HTML / "index.html").is_file(), "run `make book` first"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_page_exists(page):
    assert page.is_file(), f"{page} missing from the build"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_page_loads_no_script_or_style_from_the_network(page):
    found = EXTERNAL_ASSET.findall(page.read_text())
    assert not found, f"{page.name} loads assets from the network: {found}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_page_with_math_uses_the_bundled_mathjax(page):
    html = page.read_text()
    match = re.search(r'<script[^>]*src="([^"]*mathjax[^"]*)"', html)
    if 'class="math' not in html:
        assert match is None, f"{page.name} loads MathJax without any math"
        return
    assert match, f"{page.name} has math but no MathJax script"
    # Sphinx appends ?v=<checksum> once the file exists from an earlier build
    script = (page.parent / match.group(1).split("?", 1)[0]).resolve()
    assert script.is_file(), f"{page.name} points at {match.group(1)}, which is not in the build"


def test_intro_page_has_math():
    # the notation section typesets p and rate; without math this suite tests nothing
    assert 'class="math' in (HTML / "chapters" / "intro.html").read_text()


def test_mathjax_fonts_are_bundled():
    fonts = list(
        (HTML / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")
    )
    assert len(fonts) > 10, "MathJax's CHTML fonts are missing from _static/"


# --- no asset from another host, on any page of the build ---------------------

# Every HTML page the build wrote (_static/ holds the theme's template
# fragments, not pages).
ALL_PAGES = sorted(p for p in HTML.rglob("*.html") if "_static" not in p.relative_to(HTML).parts)

# Content delivery networks, named anywhere in a page (a URL in an inline
# script is as much a request waiting to happen as a <script src>).
CDN_HOSTS = re.compile(
    r"\b(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|[a-z0-9-]+\.googleapis\.com|"
    r"fonts\.gstatic\.com|code\.jquery\.com|[a-z0-9.-]*bootstrapcdn\.com|[a-z0-9.-]*fontawesome\.com|"
    r"cdn\.plot\.ly|cdn\.datatables\.net|mybinder\.org|cdn\.skypack\.dev|esm\.sh|[a-z0-9.-]*cloudfront\.net)\b",
    re.I,
)
OUTSIDE_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*""", re.I)
# Names, not requests: XML namespaces in inline SVG/MathML and the like.
NAMESPACE_HOSTS = ("//www.w3.org/",)
# Attributes that make the browser fetch something, by tag ("*": any tag).
ASSET_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "*": ("background",),
}


class _Assets(HTMLParser):
    """(what, url) of every asset a page asks for: attribute URLs, url() in
    styles, and URLs written inside inline scripts and style sheets."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._inline: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ASSET_ATTRIBUTES.get(tag, ()) + ASSET_ATTRIBUTES["*"]:
            value = (attrs.get(name) or "").strip()
            urls = (
                [part.split()[0] for part in value.split(",") if part.strip()]
                if name == "srcset"
                else [value]
            )
            self.found.extend((f"<{tag} {name}>", url) for url in urls if url)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            self.found.append(
                ("<meta refresh>", (attrs.get("content") or "").partition("url=")[2].strip())
            )
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs.get("style") or ""):
            self.found.append((f"<{tag} style>", url))
        if tag in {"script", "style"} and not attrs.get("src"):
            self._inline = tag

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._inline = None

    def handle_endtag(self, tag):
        self._inline = None

    def handle_data(self, data):
        if self._inline:
            self.found.extend(
                (f"inline <{self._inline}>", url) for url in OUTSIDE_URL.findall(data)
            )


def _outside(url: str) -> bool:
    return bool(re.match(r"(?:https?:)?//", url, re.I)) and not any(
        host in url for host in NAMESPACE_HOSTS
    )


def test_built_pages_are_found():
    assert len(ALL_PAGES) >= len(PAGES), f"only {len(ALL_PAGES)} HTML pages in {HTML}"


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda page: page.relative_to(HTML).as_posix())
def test_page_names_no_cdn_and_loads_nothing_from_another_host(page):
    # Links to papers in the bibliography (<a href>) are fine: a reader follows
    # them. What the page itself would fetch (scripts, styles, icons, fonts,
    # images, frames) must come from the book, and no CDN may be named at all.
    html = page.read_text(encoding="utf-8", errors="replace")
    problems = [f"{what}: {url}" for what, url in _Assets(html).found if _outside(url)]
    problems += [
        f"names a CDN: ...{html[max(0, m.start() - 60) : m.end() + 40]!r}..."
        for m in CDN_HOSTS.finditer(html)
    ]
    assert not problems, (
        f"{page.relative_to(HTML)} asks another host for assets:\n  " + "\n  ".join(problems)
    )


# --- figures a reader can cite, tables a screen reader can name ------------------

CHAPTER_PAGES = [HTML / f"{entry}.html" for entry in toc_files()[1:] if "bibliography" not in entry]
FIGURE_NUMBER = re.compile(r"^Figure \d+\.\d+$")
IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp)\b", re.I)


class _Figures(HTMLParser):
    """The <img>s of a page's article, each with the caption number of its <figure>,
    and the page's <th> cells that hold no text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []
        self.empty_headers = 0
        self._figures: list[dict] = []  # open <figure>s, innermost last
        self._article = 0
        self._number: dict | None = None  # the figure whose caption number is being read
        self._th: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "article" or "bd-article" in classes:
            self._article += 1
        if tag == "figure":
            self._figures.append({"number": "", "images": []})
        elif tag == "img" and self._article:
            image = {"src": attrs.get("src", ""), "alt": attrs.get("alt"), "number": None}
            if self._figures:
                self._figures[-1]["images"].append(image)
            self.images.append(image)
        elif tag == "span" and "caption-number" in classes and self._figures:
            self._number = self._figures[-1]
        elif tag == "th":
            self._th = []

    def handle_endtag(self, tag):
        if tag == "article" and self._article:
            self._article -= 1
        elif tag == "figure" and self._figures:
            figure = self._figures.pop()
            for image in figure["images"]:
                image["number"] = figure["number"].strip()
        elif tag == "span":
            self._number = None
        elif tag == "th" and self._th is not None:
            if not "".join(self._th).strip():
                self.empty_headers += 1
            self._th = None

    def handle_data(self, data):
        if self._number is not None:
            self._number["number"] += data
        if self._th is not None:
            self._th.append(data)


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=lambda page: page.stem)
def test_chapter_images_are_numbered_figures_with_alt_text(page):
    # The cell's metadata.mystnb (chapters/figures.yml, written by
    # scripts/figure_metadata.py) makes each plot a figure, "Figure 7.3" with
    # its caption, and gives it alt text; without it MyST-NB writes a bare
    # image whose alt text is its file path.
    images = _Figures(page.read_text(encoding="utf-8")).images
    unnumbered = [
        f"{image['src']} ({image['number']!r})"
        for image in images
        if not FIGURE_NUMBER.match(image["number"] or "")
    ]
    assert not unnumbered, (
        f"{page.name}: images without a numbered caption ('Figure N.M'): {unnumbered}"
    )
    no_alt = [
        image["src"]
        for image in images
        if not (image["alt"] or "").strip()
        or IMAGE_FILE.search(image["alt"])
        or image["alt"].strip().rsplit("/", 1)[-1] == image["src"].rsplit("/", 1)[-1]
    ]
    assert not no_alt, (
        f"{page.name}: images without alt text, or with a file name for one: {no_alt}"
    )


def test_figures_are_numbered_per_chapter():
    # Figure 7.1, 7.2, ... on chapter 7's page: the chapter's number, then 1, 2, 3 in order
    checked = 0
    for page in CHAPTER_PAGES:
        numbers = [image["number"] for image in _Figures(page.read_text(encoding="utf-8")).images]
        if not numbers:
            continue
        chapter = int(page.stem.split("_", 1)[0])
        assert numbers == [f"Figure {chapter}.{k}" for k in range(1, len(numbers) + 1)], (
            f"{page.name}: {numbers}"
        )
        checked += len(numbers)
    assert checked, "no figure in any chapter"


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda page: page.relative_to(HTML).as_posix())
def test_page_has_no_empty_table_header(page):
    # an empty <th> is a header that names nothing (axe-core: empty-table-header);
    # pandas writes them in the corner of its tables (_ext/accessible_tables.py
    # makes them <td>), a markdown table when its first column has no heading
    empty = _Figures(page.read_text(encoding="utf-8")).empty_headers
    assert not empty, f"{page.relative_to(HTML)}: {empty} empty <th> cell(s)"
