"""Checks of the book's sources that need no build and no kernel."""

from __future__ import annotations

import json
import runpy

import pytest

from _book_layout import CHAPTERS, ROOT, chapter_notebooks, toc_files

NOTEBOOKS = chapter_notebooks()


def _code_cells(path):
    notebook = json.loads(path.read_text())
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_every_toc_entry_exists():
    for entry in toc_files():
        candidates = [ROOT / f"{entry}{suffix}" for suffix in (".md", ".ipynb")]
        assert any(path.is_file() for path in candidates), (
            f"_toc.yml names {entry}, which does not exist"
        )


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(toc_files())
    for path in NOTEBOOKS:
        assert f"chapters/{path.stem}" in listed, f"{path.name} is not in _toc.yml"


def test_there_is_at_least_one_chapter():
    assert NOTEBOOKS, f"no notebooks in {CHAPTERS}"


def _set_first_cell():
    return runpy.run_path(str(ROOT / "scripts" / "set_first_cell.py"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_chapter_starts_with_the_bootstrap(path):
    first = "".join(_code_cells(path)[0]["source"])
    assert "setup_notebook(" in first, (
        f"{path.name}: the first code cell must call setup_notebook()"
    )
    # downloaded alone, the chapter says how to install the package (CONTRIBUTING.md)
    assert first.startswith(_set_first_cell()["GUARDED_IMPORT"]), (
        f"{path.name}: the first code cell must begin with the guarded import of "
        "dropout_course; run `python scripts/set_first_cell.py`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_chapter_has_all_outputs_stored_and_no_errors(path):
    cells = _code_cells(path)
    for index, cell in enumerate(cells):
        assert cell.get("execution_count") is not None, (
            f"{path.name}: code cell {index} was never executed; run `make execute`"
        )
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", (
                f"{path.name}: code cell {index} stores an error"
            )
            if output["output_type"] == "stream":
                assert output["name"] == "stdout", (
                    f"{path.name}: code cell {index} stores stderr output (log noise?): "
                    f"{''.join(output['text'])[:200]!r}"
                )
    counts = [cell["execution_count"] for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: cells were not executed top to bottom in one kernel; run `make execute`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_chapter_uses_the_python3_kernel(path):
    notebook = json.loads(path.read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_contributing_quotes_the_first_cell_the_script_writes():
    import textwrap

    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert textwrap.indent(_set_first_cell()["GUARDED_IMPORT"], "  ") in text, (
        "CONTRIBUTING.md's first code cell differs from scripts/set_first_cell.py's GUARDED_IMPORT"
    )
