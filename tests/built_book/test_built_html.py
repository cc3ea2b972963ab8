"""Checks of the built HTML book (run by `make test` after the build)."""

from __future__ import annotations

import re
import sys
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
    fonts = list((HTML / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) > 10, "MathJax's CHTML fonts are missing from _static/"
