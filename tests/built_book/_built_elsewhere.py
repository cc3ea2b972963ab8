"""Files the HTML book links to that another command builds (shared by the link checks)."""

from __future__ import annotations

from pathlib import Path

# --- files the HTML book links to that another command builds ------------------

# The intro page links to the PDF of the book, which `make pdf`
# (scripts/build_pdf.py) builds into _build/pdf/ and copies next to the HTML
# book. A build of the HTML alone has no PDF to link to: the link checks let
# that one target be missing, but only while no PDF has been built at all.
_BUILD = Path(__file__).resolve().parents[2] / "_build"
BUILT_ELSEWHERE = {"dropout-course.pdf": _BUILD / "pdf" / "dropout-course.pdf"}


def built_elsewhere_and_absent(rel: str) -> bool:
    """True if rel (a path relative to _build/html) is a file another command
    builds and that command has not run."""
    source = BUILT_ELSEWHERE.get(rel.lstrip("/"))
    return source is not None and not source.is_file()
