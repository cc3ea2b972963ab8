"""How long a chapter takes to read and to run: the numbers its opening box quotes.

Every chapter opens with the box "In this chapter", whose last line reads
"**Time:** about 9 min to read, about 25 s to run ...". Neither number is
typed: the chapter's set-up cell calls :func:`glue_chapter_times`, which glues

* ``chNN_read_minutes``: the words of the chapter's markdown (its notebook
  file, read from the kernel's working folder) at :data:`WORDS_PER_MINUTE`,
  rounded to whole minutes (:func:`reading_minutes`);
* ``chNN_run_seconds``: the wall time of one top-to-bottom run in a fresh
  kernel, as ``make bench`` (``scripts/benchmark_chapters.py``) measured it and
  stored it, rounded to :data:`RUN_STEP_SECONDS`, in :data:`RUN_TIMES_FILE`
  (:func:`run_seconds`). The file is package data, so a notebook run from the
  course's archive, with the wheel installed, reads the same figure.

The box quotes them as ``{eval}`chNN_read_minutes``` and
``{eval}`chNN_run_seconds```. After ``make bench`` rewrites a figure, or after
the prose changed by enough words to change the minutes, the chapter's stored
outputs are stale: ``tests/test_chapter_times.py`` names the chapter to
re-execute.
"""

from __future__ import annotations

import json
import numbers
import re
import warnings
from pathlib import Path

from ._notebook_files import default_chapters_folder, read_notebook
from ._validation import PATH, Interval, check
from .glue import glue

__all__ = [
    "RUN_STEP_SECONDS",
    "RUN_TIMES_FILE",
    "WORDS_PER_MINUTE",
    "glue_chapter_times",
    "markdown_words",
    "reading_minutes",
    "round_run_seconds",
    "run_seconds",
]

#: Where ``make bench`` stores each chapter's run time (package data).
RUN_TIMES_FILE = Path(__file__).with_name("chapter_run_times.json")
#: Run times are stored and shown rounded to this many seconds, so that they are stable.
RUN_STEP_SECONDS = 5
#: Reading speed of technical prose, words per minute.
WORDS_PER_MINUTE = 200

_CHAPTER = Interval(numbers.Integral, 1, 99)
_SECONDS = Interval(numbers.Real, 0, None)

# Markup a reader does not read: HTML comments, `(label)=` targets, directive
# options (`:class: tip`), the directive or role name itself (`{admonition}`,
# `{cite:p}`), citation keys, link addresses, LaTeX command names (`\frac`).
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TARGET = re.compile(r"^\s*\([^)\s]+\)=\s*$", re.M)
_OPTION = re.compile(r"^\s*:[\w-]+:.*$", re.M)
_CITE = re.compile(r"\{cite(?::\w+)?\}`[^`]*`")
_ROLE_OR_DIRECTIVE = re.compile(r"\{[\w:-]+\}")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
#: A word: letters or digits, with inner apostrophes or hyphens ("don't", "t-based").
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def markdown_words(path) -> int:
    """The number of words a reader reads in a chapter's markdown.

    Every markdown cell counts except those tagged ``remove-cell`` (speaker
    notes, which the book does not show). Markup is not counted (labels,
    directive names and options, citation keys, link addresses, LaTeX command
    names); the symbols of a formula are (``$\\tfrac12 p(1-p)$`` is three
    words: 12, p, 1-p), since a formula takes reading time too.

    Parameters
    ----------
    path : str or Path
        The chapter's notebook.

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        The file is not a notebook.
    """
    words = 0
    for cell in read_notebook(path)["cells"]:
        if cell.get("cell_type") != "markdown":
            continue
        if "remove-cell" in cell.get("metadata", {}).get("tags", []):
            continue
        text = "".join(cell.get("source", ""))
        for pattern in (
            _COMMENT,
            _TARGET,
            _OPTION,
            _CITE,
            _ROLE_OR_DIRECTIVE,
            _LINK_TARGET,
            _LATEX_COMMAND,
        ):
            text = pattern.sub(" ", text)
        words += len(_WORD.findall(text))
    return words


def reading_minutes(path) -> int:
    """Minutes to read a chapter: :func:`markdown_words` / :data:`WORDS_PER_MINUTE`,
    rounded to whole minutes (at least 1).

    Parameters
    ----------
    path : str or Path
        The chapter's notebook.
    """
    return max(1, round(markdown_words(path) / WORDS_PER_MINUTE))


def round_run_seconds(seconds) -> int:
    """A measured run time as stored and shown: rounded to :data:`RUN_STEP_SECONDS`
    (at least one step).

    Parameters
    ----------
    seconds : real number
        Wall seconds, at least 0.
    """
    seconds = check(seconds, "seconds", _SECONDS)
    return max(RUN_STEP_SECONDS, RUN_STEP_SECONDS * round(seconds / RUN_STEP_SECONDS))


def run_seconds(chapter, path=None) -> int | None:
    """The stored run time of chapter ``chapter``, or None if ``make bench`` has not measured it.

    Parameters
    ----------
    chapter : int
        The chapter's number, 1 to 99.
    path : str or Path, optional
        The file of run times; default :data:`RUN_TIMES_FILE`.
    """
    chapter = check(chapter, "chapter", _CHAPTER)
    path = RUN_TIMES_FILE if path is None else Path(check(path, "path", PATH))
    stored = json.loads(path.read_text(encoding="utf-8"))["run_seconds"]
    return stored.get(f"{chapter:02d}")


def _find_notebook(number: str, folder: Path | None) -> Path | None:
    folder = default_chapters_folder() if folder is None else folder
    found = sorted(folder.glob(f"{number}_*.ipynb"), key=lambda p: (len(p.name), p.name))
    return found[0] if found else None


def glue_chapter_times(chapter, folder=None) -> None:
    """Glue ``chNN_read_minutes`` and ``chNN_run_seconds`` for the chapter's opening box.

    Parameters
    ----------
    chapter : int
        The chapter's number, 1 to 99 (``NN`` in its file name ``NN_*.ipynb``).
    folder : str or Path, optional
        Where the chapter's notebook is; default: the working folder when it
        holds chapters (a kernel runs in the notebook's folder), else the
        course's ``chapters/``.

    Returns
    -------
    None
        Nothing, so that the call can end a cell without an output. The two
        names are glued (and bound in the kernel, see
        :func:`dropout_course.glue.glue`); a figure that cannot be had (no
        notebook found, no stored run time) is glued as None.
    """
    chapter = check(chapter, "chapter", _CHAPTER)
    folder = None if folder is None else Path(check(folder, "folder", PATH))
    number = f"{chapter:02d}"
    notebook = _find_notebook(number, folder)
    if notebook is None:
        warnings.warn(
            f"no notebook {number}_*.ipynb in the working folder: its reading time is unknown",
            stacklevel=2,
        )
    glue(f"ch{number}_read_minutes", None if notebook is None else reading_minutes(notebook))
    glue(f"ch{number}_run_seconds", run_seconds(chapter))
