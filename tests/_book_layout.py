"""Where the book's files are, read from _toc.yml (shared by the book tests)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
HTML = ROOT / "_build" / "html"


def toc_files() -> list[str]:
    """Return every file named in _toc.yml (without suffix), in book order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(section["file"] for section in chapter.get("sections", []))
    return files


def chapter_notebooks() -> list[Path]:
    """Return the chapter notebooks on disk, sorted by name."""
    return sorted(CHAPTERS.glob("*.ipynb"))
