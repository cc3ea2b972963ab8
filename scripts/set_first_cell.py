"""Give every chapter's first code cell the guarded import of the course package.

A notebook downloaded from the book (its download button) runs outside the
repository, where `from dropout_course import setup_notebook` fails with a bare
`ModuleNotFoundError`. The guard turns that into a message naming the bundle
(linked on the intro page) and the one command that installs the package.

The script replaces the cell's line `from dropout_course import setup_notebook`
with GUARDED_IMPORT and keeps the rest of the cell (the chapter's own
`setup_notebook(...)` call and anything after it), its id and its metadata
(tags, slide type). A cell that already holds the guard is left as it
is, so a second run changes nothing.

Usage (from the repository root): python scripts/set_first_cell.py [--check]
--check changes nothing and exits 1 when a chapter would change.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# scripts/ on the path also when a test loads this file by its location
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_toc import toc_notebooks  # noqa: E402  (scripts/book_toc.py: the one _toc.yml reader)

ROOT = Path(__file__).resolve().parents[1]


def _version(root: Path = ROOT) -> str:
    """The package's version, from pyproject.toml (it names the wheel)."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'(?m)^version\s*=\s*"([^"]+)"', text).group(1)


#: The wheel in the bundle, as `python -m pip wheel` names it.
WHEEL = f"dropout_course-{_version()}-py3-none-any.whl"
#: The archive the intro page links to (scripts/build_bundle.py writes it).
BUNDLE = "dropout-course-notebooks.zip"

PLAIN_IMPORT = "from dropout_course import setup_notebook"
GUARDED_IMPORT = f'''try:
    {PLAIN_IMPORT}
except ModuleNotFoundError as error:
    if error.name != "dropout_course":
        raise
    raise ModuleNotFoundError(
        "This notebook needs the course's package, dropout_course. Download\\n"
        "{BUNDLE} from the course book's intro page, unzip it\\n"
        "and, in its folder, run\\n"
        "    pip install -r requirements.txt {WHEEL}\\n"
        "(or, in a clone of the course's repository: make setup)"
    ) from None'''


def guarded(source: str) -> str:
    """The first code cell's source with the import guarded (unchanged if it already is)."""
    if GUARDED_IMPORT in source:
        return source
    lines = source.split("\n")
    if PLAIN_IMPORT not in lines:
        raise ValueError(f"the first code cell has no line {PLAIN_IMPORT!r}:\n{source}")
    index = lines.index(PLAIN_IMPORT)
    after = lines[index + 1 :]
    if after and after[0].strip():
        after.insert(0, "")  # the guard ends a block: a blank line before what follows
    return "\n".join(lines[:index] + [GUARDED_IMPORT] + after)


def set_first_cell(path: Path, *, check: bool = False) -> bool:
    """Guard the first code cell of the notebook at path; True if it changed (or would)."""
    text = path.read_text(encoding="utf-8")
    notebook = json.loads(text)
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    source = "".join(cell["source"])
    new = guarded(source)
    if new == source:
        return False
    cell["source"] = new.splitlines(keepends=True)
    if not check:
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(notebook, stream, indent=1, ensure_ascii=False)
            stream.write("\n")
    return True


def main(argv: list[str]) -> int:
    check = "--check" in argv
    root = Path(next((a for a in argv if not a.startswith("--")), ROOT))
    changed = [path for path in toc_notebooks(root) if set_first_cell(path, check=check)]
    for path in changed:
        print(f"{path.relative_to(root)}: {'would change' if check else 'updated'}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
