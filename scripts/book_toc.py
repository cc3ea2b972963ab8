"""The one reader of the book's table of contents, ``_toc.yml``.

Shared by the scripts (``build_slides.py``, ``benchmark_chapters.py``) and the
tests (``tests/_book_layout.py``), so that all of them agree on which files
the book has, in which order, and how its chapters are numbered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class TocEntry:
    """One file of the book, as ``_toc.yml`` lists it."""

    file: str  # relative to the book's root, without suffix: "chapters/03_..."
    number: int | None  # the book's chapter number; None outside a numbered part
    part: str | None  # the caption of its part; None for the root page


def toc_entries(root: Path = ROOT) -> list[TocEntry]:
    """Every file ``_toc.yml`` names, in book order (root page, chapters, sections).

    Chapters are numbered continuously across the numbered parts, as the book
    numbers them; sections are not numbered here.
    """
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    entries = [TocEntry(toc["root"], None, None)]
    number = 0
    for part in toc.get("parts", []):
        caption = part.get("caption")
        for chapter in part.get("chapters", []):
            if part.get("numbered"):
                number += 1
            chapter_number = number if part.get("numbered") else None
            entries.append(TocEntry(chapter["file"], chapter_number, caption))
            entries.extend(
                TocEntry(section["file"], None, caption) for section in chapter.get("sections", [])
            )
    return entries


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks ``_toc.yml`` lists, in book order (Markdown pages left out)."""
    paths = (Path(root) / f"{entry.file}.ipynb" for entry in toc_entries(root))
    return [path for path in paths if path.is_file()]
