"""Reading the course's notebook files, for the modules that quote them
(``glue`` reads another chapter's glued values, ``chapter_times`` a chapter's
words). Private: the public functions of those modules validate their
arguments and call these."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ._validation import PATH, check

#: Where chapters live when the kernel's working folder holds none.
CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
#: A chapter's file name, ``NN_*.ipynb``.
CHAPTER_NAME = re.compile(r"^\d\d_.+\.ipynb$")


def read_notebook(path) -> dict:
    """The notebook at ``path`` as a dict (its JSON); clear errors otherwise.

    Raises
    ------
    InvalidParameterError
        ``path`` is not a str or a Path.
    FileNotFoundError
        No such file.
    ValueError
        The file is not a Jupyter notebook.
    """
    path = Path(check(path, "path", PATH))
    if not path.is_file():
        raise FileNotFoundError(f"no notebook {path}")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notebook["cells"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a Jupyter notebook: {error}") from None
    return notebook


def default_chapters_folder() -> Path:
    """The working folder when it holds chapters (a kernel started by
    JupyterLab or nbval runs in the notebook's folder), else ``CHAPTERS``."""
    here = Path.cwd()
    return here if any(CHAPTER_NAME.match(p.name) for p in here.glob("*.ipynb")) else CHAPTERS
