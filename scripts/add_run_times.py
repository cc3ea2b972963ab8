"""Give every chapter's opening box its reading and run times, glued (issue 14).

For each chapter notebook named (default: every chapter in _toc.yml) this

1. moves the set-up cell (the first code cell, `setup_notebook(...)`) to just
   before the box "In this chapter", if it comes after it: the box quotes
   names that the set-up cell glues, and JupyterLab's "Run All" evaluates a
   markdown cell's `{eval}` in the kernel when it reaches it, so the names
   must be bound before (otherwise the box shows a NameError);
2. adds to the set-up cell the import, among its `from dropout_course...`
   imports before the call (sorted, so the cell stays lint-clean),

       from dropout_course.chapter_times import glue_chapter_times

   and, right after its `setup_notebook(...)` line,

       # the reading and run times quoted in "In this chapter"
       glue_chapter_times(NN)

   which glues `chNN_read_minutes` and `chNN_run_seconds`
   (dropout_course.chapter_times);
3. writes, as the last line of the box, TIME_LINE with the chapter's number.

A second run changes nothing; cell ids, tags and slide types are kept. Then
re-execute the chapter and refresh the stored values:

    python scripts/execute_notebooks.py chapters/NN_*.ipynb
    python scripts/glue_to_eval.py chapters/[0-9]*.ipynb

Usage (from the repository root):
    python scripts/add_run_times.py [--check] [chapters/NN_*.ipynb ...]
--check changes nothing and exits 1 when a chapter would change.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from book_toc import toc_notebooks  # scripts/book_toc.py

OBJECTIVES = re.compile(r"^(```+|:::+)\{admonition\} In this chapter\s*$", re.M)
SETUP_LINE = re.compile(r"^setup_notebook\(.*$", re.M)
#: what this script adds to the set-up cell: an import among the cell's imports
#: (before `setup_notebook(...)`, so the cell stays lint-clean) and a call after it
TIMES_IMPORT = "from dropout_course.chapter_times import glue_chapter_times"
TIMES_CALL = '# the reading and run times quoted in "In this chapter"\nglue_chapter_times({number})'
#: an earlier version's block (import, call and comment after the set-up call), removed
OLD_TIMES_BLOCK = re.compile(
    r"\n*(?:# the reading and run times[^\n]*\n)?"
    r"from dropout_course\.chapter_times import glue_chapter_times\n"
    r"glue_chapter_times\(\d+\)\n?"
)
TIMES_CALL_LINES = re.compile(
    r"\n*(?:# the reading and run times[^\n]*\n)?glue_chapter_times\(\d+\)\n?"
)
#: the box's last line; `{{eval}}` is MyST's inline expression, filled from the glue
TIME_LINE = (
    "**Time:** about {{eval}}`ch{nn}_read_minutes` min to read, "
    "about {{eval}}`ch{nn}_run_seconds` s to run (2-core CPU)."
)
TIME_PREFIX = "**Time:**"


def chapter_number(path: Path) -> int:
    match = re.match(r"(\d\d)_", path.name)
    if not match:
        raise ValueError(f"{path.name}: not a chapter (NN_*.ipynb)")
    return int(match.group(1))


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _set_source(cell: dict, text: str) -> None:
    cell["source"] = text.splitlines(keepends=True)


def with_times_code(source: str, number: int) -> str:
    """The set-up cell's source with TIMES_IMPORT among its top-level imports
    and TIMES_CALL right after `setup_notebook(...)`."""
    source = OLD_TIMES_BLOCK.sub("\n", source)
    source = TIMES_CALL_LINES.sub("\n", source)
    lines = [line for line in source.rstrip("\n").split("\n") if line != TIMES_IMPORT]
    source = "\n".join(lines)
    match = SETUP_LINE.search(source)
    if match is None:
        raise ValueError("the set-up cell has no line `setup_notebook(...)`")
    before, after = source[: match.start()].rstrip("\n"), source[match.end() :].lstrip("\n")
    setup_call = match.group(0)
    # the top-level `from dropout_course...` imports just before the call, kept sorted
    head = before.split("\n")
    block_end = len(head)
    block_start = block_end
    while block_start > 0 and head[block_start - 1].startswith("from dropout_course"):
        block_start -= 1
    if block_start < block_end:
        imports = sorted(head[block_start:block_end] + [TIMES_IMPORT])
        before = "\n".join(head[:block_start] + imports)
    else:
        before = f"{before}\n\n{TIMES_IMPORT}" if before else TIMES_IMPORT
    call = TIMES_CALL.format(number=number)
    return f"{before}\n\n{setup_call}\n\n{call}" + (f"\n\n{after}" if after else "")


def with_time_line(source: str, number: int) -> str:
    """The box's source with TIME_LINE as its last line (replacing an older one)."""
    fence = OBJECTIVES.search(source)
    if fence is None:
        raise ValueError("no ```{admonition} In this chapter")
    line = TIME_LINE.format(nn=f"{number:02d}")
    lines = source.split("\n")
    lines = [text for text in lines if not text.startswith(TIME_PREFIX)]
    start = source[: fence.start()].count("\n")
    closing = next(
        (i for i in range(start + 1, len(lines)) if lines[i].strip() == fence.group(1)), None
    )
    if closing is None:
        raise ValueError("the box 'In this chapter' is not closed")
    body = lines[start + 1 : closing]
    while body and not body[-1].strip():
        body.pop()
    return "\n".join(lines[: start + 1] + body + ["", line] + lines[closing:])


def add_run_times(notebook: dict, number: int) -> dict:
    """Apply the three steps to a notebook (as json.load reads it), in place; return it."""
    cells = notebook["cells"]
    box = next(
        (
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "markdown" and OBJECTIVES.search(_source(c))
        ),
        None,
    )
    if box is None:
        raise ValueError("no markdown cell with ```{admonition} In this chapter")
    setup = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), None)
    if setup is None or not SETUP_LINE.search(_source(cells[setup])):
        raise ValueError("the first code cell does not call setup_notebook(...)")
    if setup > box:
        cells.insert(box, cells.pop(setup))
        setup, box = box, box + 1
    _set_source(cells[setup], with_times_code(_source(cells[setup]), number))
    _set_source(cells[box], with_time_line(_source(cells[box]), number))
    return notebook


def update(path: Path, *, check: bool = False) -> bool:
    """Apply the steps to the chapter at path; True if it changed (or would)."""
    text = path.read_text(encoding="utf-8")
    notebook = add_run_times(json.loads(text), chapter_number(path))
    new = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    if new == text:
        return False
    if not check:
        path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or toc_notebooks()
    changed = [path for path in paths if update(path, check=check)]
    for path in changed:
        print(f"{path}: {'would change' if check else 'updated'}")
    if changed and not check:
        print(
            "Now re-execute them (scripts/execute_notebooks.py), then run scripts/glue_to_eval.py."
        )
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
