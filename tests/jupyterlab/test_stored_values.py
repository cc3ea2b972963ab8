"""The numbers JupyterLab shows are the numbers the code computed.

Prose quotes a number as `{eval}`key`` or `{eval}`f"{key:.2f}"``. JupyterLab
(jupyterlab-myst) shows the value stored in the markdown cell's
`user_expressions` metadata; the book renders it from the glue record that a
code cell stored (and strict nbval compares with a fresh run); a kernel
evaluates the expression when the cell is run (dropout_course.glue binds the
names). nbval does not look at markdown metadata, so this test does: every
`{eval}` must have its stored value, equal to what the kernel returns for
it, and shown by JupyterLab as the very text the book shows.
`python scripts/glue_to_eval.py chapters/[0-9]*.ipynb` (after `make execute`)
refreshes them. No browser, no kernel: it reads the files.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHAPTERS = Path(os.environ.get("LAB_CHAPTERS", REPO / "chapters")).resolve()
NOTEBOOKS = sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))

_spec = importlib.util.spec_from_file_location("glue_to_eval", REPO / "scripts" / "glue_to_eval.py")
glue_to_eval = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(glue_to_eval)


@pytest.fixture(scope="module")
def records() -> dict[str, str]:
    import nbformat

    out: dict[str, str] = {}
    for path in NOTEBOOKS:
        out.update(glue_to_eval.glue_records(nbformat.read(path, as_version=4)))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_eval_values_match_glue(path, records):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        stored = {e["expression"]: e for e in cell["metadata"].get("user_expressions", [])}
        for expression in dict.fromkeys(glue_to_eval.EVAL.findall(source)):
            try:
                expected = glue_to_eval.kernel_text(expression, records)
                book = glue_to_eval.value(expression, records)
            except (KeyError, ValueError) as error:
                problems.append(f"cell {index}: {error}")
                continue
            entry = stored.get(expression)
            if entry is None:
                problems.append(
                    f"cell {index}: {{eval}}`{expression}` has no stored value "
                    "(run scripts/glue_to_eval.py)"
                )
                continue
            result = entry.get("result", {})
            shown = result.get("data", {}).get("text/plain")
            if result.get("status") != "ok" or shown != expected:
                problems.append(
                    f"cell {index}: {{eval}}`{expression}` is stored as {shown!r}, "
                    f"the glue record gives {expected!r} (run scripts/glue_to_eval.py)"
                )
            elif glue_to_eval.lab_shown(shown) != book:
                problems.append(
                    f"cell {index}: {{eval}}`{expression}` shows "
                    f"{glue_to_eval.lab_shown(shown)!r} in JupyterLab, {book!r} in the book"
                )
        extra = set(stored) - set(glue_to_eval.EVAL.findall(source))
        if extra:
            problems.append(
                f"cell {index}: stored values for expressions no longer in the text: {sorted(extra)}"
            )
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernel_evaluates_prose_to_the_stored_value(path, records):
    """What running a markdown cell shows: the expression evaluated on the glued values."""
    from IPython.core.formatters import format_display_data

    from dropout_course.glue import glued_values

    namespace: dict = {}
    for notebook in NOTEBOOKS:
        namespace.update(glued_values(notebook))
    notebook = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        for entry in (
            cell["metadata"].get("user_expressions", []) if cell["cell_type"] == "markdown" else []
        ):
            expression = entry["expression"]
            try:
                result = eval(expression, {}, dict(namespace))  # noqa: S307 - NAME or f"{NAME:SPEC}" only
            except Exception as error:  # noqa: BLE001 - reported below
                problems.append(
                    f"cell {index}: {{eval}}`{expression}` raises {error!r} in the kernel"
                )
                continue
            text = format_display_data(result)[0]["text/plain"]
            if text != entry["result"]["data"]["text/plain"]:
                problems.append(
                    f"cell {index}: {{eval}}`{expression}` gives {text!r} in the kernel, "
                    f"{entry['result']['data']['text/plain']!r} stored"
                )
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
