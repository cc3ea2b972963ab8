"""Files the HTML book links to that another command builds (shared by the link checks)."""

from __future__ import annotations

from pathlib import Path

# --- files the HTML book links to that another command builds ------------------

# The intro page links to the PDF of the book, which `make pdf`
# (scripts/build_pdf.py) builds into _build/pdf/ and copies next to the HTML
# book. A build of the HTML alone has no PDF to link to, and under `make test`
# the PDF is built while the built book's links are checked (the two jobs run
# side by side). So the link checks let that one target be missing from
# _build/html; whether it is there once the PDF is built, and is that PDF, is
# checked after the build by tests/test_pdf.py (test_html_book_links_to_the_pdf).
_HTML = Path(__file__).resolve().parents[2] / "_build" / "html"
BUILT_ELSEWHERE = {"dropout-course.pdf": "tests/test_pdf.py::test_html_book_links_to_the_pdf"}


def built_elsewhere_and_absent(rel: str) -> bool:
    """True if rel (a path relative to _build/html) is a file another command
    builds, and its own test checks, and it is not there (yet)."""
    name = rel.lstrip("/")
    return name in BUILT_ELSEWHERE and not (_HTML / name).is_file()
