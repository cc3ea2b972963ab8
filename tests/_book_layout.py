"""Where the book's files are, read from _toc.yml (shared by the book tests).

_toc.yml is read by scripts/book_toc.py, the reader the scripts use too.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
HTML = ROOT / "_build" / "html"

if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))
from book_toc import TocEntry, toc_entries  # noqa: E402

__all__ = ["ROOT", "CHAPTERS", "HTML", "TocEntry", "toc_entries", "toc_files", "chapter_notebooks"]


def toc_files() -> list[str]:
    """Return every file named in _toc.yml (without suffix), in book order."""
    return [entry.file for entry in toc_entries(ROOT)]


def chapter_notebooks() -> list[Path]:
    """Return the chapter notebooks on disk, sorted by name."""
    return sorted(CHAPTERS.glob("*.ipynb"))
