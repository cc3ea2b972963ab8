"""Numbers in prose that work in the book, in JupyterLab and in a live kernel.

Chapters quote a computed number in markdown as an inline expression,
``{eval}`ch05_gap``` or ``{eval}`f"{ch05_gap:.2f}"```. Three readers show it:

* the book (Jupyter Book, no execution) pastes the glue record the code cell
  stored (``_ext/myst_eval_from_glue.py``);
* JupyterLab (jupyterlab-myst) shows the value stored in the markdown cell's
  ``user_expressions`` metadata (``scripts/glue_to_eval.py`` writes it);
* a student who runs the markdown cell (Shift+Enter) makes JupyterLab evaluate
  the expression in the kernel: the name must then exist there.

:func:`glue` does what :func:`myst_nb.glue` does (the same stored output, byte
for byte; tests/test_glue.py compares the two) and also binds the name in the
kernel's namespace, so the third case shows the number too. It writes that
output itself, in five lines, rather than call :func:`myst_nb.glue`: importing
``myst_nb``'s glue module imports ``nbformat`` and ``jsonschema``, which cost
a chapter about 2.5 s before its first number. :func:`bind_glued_values` binds the names another
chapter glued, read from that chapter's stored notebook (the summary chapter
quotes the others' numbers).
"""

from __future__ import annotations

import ast
import keyword
import numbers
from pathlib import Path
from typing import Any

from ._notebook_files import CHAPTER_NAME, default_chapters_folder, read_notebook
from ._validation import PATH, InstanceOf, Interval, check, check_bool, fail

__all__ = ["glue", "glue_number", "bind_glued_values", "glued_values"]

#: Prefix of the MIME types under which myst_nb.glue(..., display=False) stores a value.
GLUE_PREFIX = "application/papermill.record/"
#: MIME type under which myst_nb.glue(..., display=False) stores the plain text.
RECORD = GLUE_PREFIX + "text/plain"


def _user_namespace() -> dict | None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every kernel
        return None
    shell = get_ipython()
    return None if shell is None else shell.user_ns


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` for the prose, as :func:`myst_nb.glue`, and bind ``name`` to it.

    Parameters
    ----------
    name : str
        The glue name, a Python identifier (prose writes ``{eval}`name```);
        by convention ``chNN_...`` with the chapter's number.
    value : object
        The value to show. Glue a number or a ready-formatted string.
    display : bool, default False
        Also show ``value`` in the cell's output (as :func:`myst_nb.glue`).
        Chapters glue with ``display=False``.

    Raises
    ------
    InvalidParameterError
        ``name`` is not a Python identifier (or is a keyword), or ``display``
        is not a bool; a ``ValueError`` and a ``TypeError``.

    Notes
    -----
    The cell's output is exactly what ``myst_nb.glue(name, value, display)``
    stores (the book and nbval read it). In an IPython kernel ``name`` is then
    also a variable of the notebook, so running a markdown cell that quotes
    it shows the value; outside IPython nothing is bound.

    Examples
    --------
    >>> glue("ch05_gap", 0.1234)          # doctest: +SKIP
    >>> ch05_gap                          # doctest: +SKIP
    0.1234
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        fail(
            "name",
            name,
            "a str that is a Python identifier: prose evaluates it as "
            "{eval}`NAME`, so use letters, digits and underscores, e.g. 'ch05_gap'",
        )
    display = check_bool(display, "display")
    _store(name, value, display)
    namespace = _user_namespace()
    if namespace is not None:
        namespace[name] = value


def _store(name: str, value: Any, display: bool) -> None:
    # myst_nb.glue's output (myst_nb/ext/glue/__init__.py): the value's display
    # data, under GLUE_PREFIX unless shown, with the name in its metadata
    from IPython.core.formatters import format_display_data
    from IPython.display import display as show

    mimebundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=prefix)
    show({prefix + key: data for key, data in mimebundle.items()}, raw=True, metadata=metadata)


_FINITE = Interval(numbers.Real)
_DIGITS = Interval(numbers.Integral, 0, 15)


def glue_number(name: str, value: Any, digits: int = 4) -> float:
    """Glue ``value`` rounded to ``digits`` decimals, as a plain Python float.

    A numpy scalar's stored text is ``np.float64(0.1234)`` under numpy 2, which
    the prose cannot show; a float rounded to the digits the claim needs is
    also the same on every machine. Returns the rounded value.

    Parameters
    ----------
    name : str
        The glue name (see :func:`glue`).
    value : real number
        A finite number.
    digits : int, default 4
        Decimals kept, 0 to 15.
    """
    value = check(value, "value", _FINITE)
    digits = check(digits, "digits", _DIGITS)
    rounded = round(value, digits)
    glue(name, rounded, display=False)
    return rounded


def _resolve(notebook: str | Path, folder: Path) -> Path:
    path = Path(check(notebook, "notebooks", PATH))
    if not path.is_absolute():
        path = folder / path
    if path.suffix != ".ipynb":
        fail("notebooks", notebook, "notebook file names ending in .ipynb")
    if not path.is_file():
        raise FileNotFoundError(f"no notebook {path} (looked in {folder})")
    return path


def glued_values(path: str | Path) -> dict[str, Any]:
    """The values a stored notebook glued, read from its outputs.

    Parameters
    ----------
    path : str or Path
        A notebook whose code cells called ``glue(..., display=False)`` and
        whose outputs are stored.

    Returns
    -------
    dict
        Glue name -> value. A record that is a Python literal (the plain text
        of a str, int, float, ...) is returned as that value, so that in the
        kernel it shows exactly as the book shows it; any other record as its
        plain text.

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        The file is not a notebook.
    """
    values: dict[str, Any] = {}
    for cell in read_notebook(path)["cells"]:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get(RECORD)
            if name is None or text is None:
                continue
            text = "".join(text) if isinstance(text, list) else text
            try:
                values[name] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                values[name] = text
    return values


def bind_glued_values(
    *notebooks: str | Path, folder: str | Path | None = None, namespace: dict | None = None
) -> None:
    """Bind in the kernel the values other chapters glued, from their stored notebooks.

    Parameters
    ----------
    *notebooks : str or Path
        Notebooks to read, e.g. ``"04_the_ensemble_view.ipynb"``, relative to
        ``folder``. None given: every chapter ``NN_*.ipynb`` in ``folder``.
    folder : str or Path, optional
        Where the notebooks are. Default: the working folder when it holds
        chapters (a kernel started by JupyterLab or nbval runs in the
        notebook's folder), else the course's ``chapters/``.
    namespace : dict, optional
        Where to bind. Default: the IPython user namespace; outside IPython
        nothing is bound and the values are only returned.

    Returns
    -------
    None
        Nothing, so that the call can end a cell without an output; the
        values bound are :func:`glued_values` of each notebook.

    Raises
    ------
    FileNotFoundError
        A named notebook does not exist, or ``folder`` is not a folder.
    InvalidParameterError
        A name is not a notebook (.ipynb), or an argument has the wrong type.
    ValueError
        Two notebooks glued the same name with different values.

    Examples
    --------
    >>> bind_glued_values("04_the_ensemble_view.ipynb")   # doctest: +SKIP
    >>> ch04_n_subnetworks                                # doctest: +SKIP
    """
    folder = default_chapters_folder() if folder is None else Path(check(folder, "folder", PATH))
    namespace = check(namespace, "namespace", None, InstanceOf(dict, "a dict"))
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}")
    if notebooks:
        paths = [_resolve(n, folder) for n in notebooks]
    else:
        paths = sorted(p for p in folder.glob("*.ipynb") if CHAPTER_NAME.match(p.name))
    values: dict[str, Any] = {}
    owner: dict[str, Path] = {}
    for path in paths:
        for name, value in glued_values(path).items():
            if name in values and values[name] != value:
                raise ValueError(
                    f"glue name {name!r} has different values in {owner[name].name} and {path.name}"
                )
            values[name], owner[name] = value, path
    target = _user_namespace() if namespace is None else namespace
    if target is not None:
        target.update(values)
