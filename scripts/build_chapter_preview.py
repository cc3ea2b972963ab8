"""Build a preview book of some chapters only, with the book's strict settings.

Usage: python scripts/build_chapter_preview.py chapters/05_*.ipynb [...]

For authors working on a chapter before it is listed in _toc.yml (or while
other chapters are unfinished): writes a table of contents with the intro,
the given chapters and the bibliography, builds it with ``-n -W
--keep-going`` into ``_build/preview/<first chapter>/`` and exits non-zero
on any warning. A reference to a chapter left out of the preview warns too.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    chapters = [Path(name).resolve() for name in argv]
    for chapter in chapters:
        if not chapter.is_file():
            print(f"no such chapter: {chapter}", file=sys.stderr)
            return 2
    entries = "\n".join(
        f"      - file: {chapter.relative_to(ROOT).with_suffix('').as_posix()}"
        for chapter in chapters
    )
    toc = (
        "format: jb-book\nroot: chapters/intro\nparts:\n"
        f"  - caption: Preview\n    numbered: true\n    chapters:\n{entries}\n"
        "  - caption: References\n    chapters:\n      - file: chapters/bibliography\n"
    )
    output = ROOT / "_build" / "preview" / chapters[0].stem
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        handle.write(toc)
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(ROOT),
        "--toc",
        handle.name,
        "--path-output",
        str(output),
        "--builder",
        "html",
        "-n",
        "-W",
        "--keep-going",
    ]
    result = subprocess.run(command, cwd=ROOT)
    Path(handle.name).unlink()
    print(f"preview: {output / '_build' / 'html' / 'index.html'}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
