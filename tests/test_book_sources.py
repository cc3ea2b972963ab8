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


# --- figures: numbered captions and alt text (scripts/figure_metadata.py) -------


def _figure_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "figure_metadata", ROOT / "scripts" / "figure_metadata.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_figure_has_a_caption_a_label_and_alt_text(capsys):
    # every figure cell of every chapter carries the caption, label and alt
    # text of chapters/figures.yml in its metadata.mystnb, and figures.yml
    # names no cell that is gone
    status = _figure_script().main(["--check"])
    assert status == 0, (
        "figures without caption or alt text, or notebooks out of step with "
        "chapters/figures.yml:\n" + capsys.readouterr().err
    )


def _png_cell(cell_id, images=1, **metadata):
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    return {
        "cell_type": "code",
        "execution_count": 1,
        "id": cell_id,
        "metadata": metadata,
        "source": ["plot()"],
        "outputs": [
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"image/png": png, "text/plain": ["<Figure>"]},
            }
            for _ in range(images)
        ],
    }


def _notebook(*cells):
    return {
        "cells": list(cells),
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture
def figure_sandbox(tmp_path, monkeypatch):
    """The script, pointed at a chapters/ folder of its own in tmp_path."""
    script = _figure_script()
    monkeypatch.setattr(script, "CHAPTERS", tmp_path)
    monkeypatch.setattr(script, "DATA", tmp_path / "figures.yml")
    return script, tmp_path


ENTRY = (
    '  "0a1b2c3d":\n    name: ch99-fig-test\n    caption: A test figure.\n'
    "    alt: A line rising from left to right.\n"
)


def test_figure_check_fails_on_a_new_figure_without_caption_or_alt(figure_sandbox, capsys):
    script, chapters = figure_sandbox
    path = chapters / "99_test.ipynb"
    path.write_text(script.dump(_notebook(_png_cell("0a1b2c3d", slideshow={"slide_type": "-"}))))
    (chapters / "figures.yml").write_text("{}\n")
    assert script.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "0a1b2c3d" in err and "without caption" in err and "not in figures.yml" in err

    # written from figures.yml, the figure passes; writing again changes nothing
    (chapters / "figures.yml").write_text("99_test:\n" + ENTRY)
    assert script.main([]) == 0
    written = path.read_text()
    cell = json.loads(written)["cells"][0]
    assert cell["metadata"] == {
        "slideshow": {"slide_type": "-"},  # other metadata kept
        "mystnb": {
            "figure": {"caption": "A test figure.", "name": "ch99-fig-test"},
            "image": {"alt": "A line rising from left to right."},
        },
    }
    assert script.main([]) == 0 and path.read_text() == written
    assert script.main(["--check"]) == 0

    # another branch changes the slide type: re-running keeps it (keyed by cell id, not position)
    notebook = json.loads(written)
    notebook["cells"][0]["metadata"]["slideshow"]["slide_type"] = "subslide"
    notebook["cells"].insert(
        0, {"cell_type": "markdown", "id": "feedbeef", "metadata": {}, "source": ["# New"]}
    )
    path.write_text(script.dump(notebook))
    assert script.main(["--check"]) == 0 and script.main([]) == 0
    assert (
        json.loads(path.read_text())["cells"][1]["metadata"]["slideshow"]["slide_type"]
        == "subslide"
    )

    # a caption edited in figures.yml only: --check says the notebook is out of step
    (chapters / "figures.yml").write_text(
        "99_test:\n" + ENTRY.replace("A test figure.", "Another caption.")
    )
    assert script.main(["--check"]) == 1
    assert "out of step" in capsys.readouterr().err


def test_figure_check_refuses_two_figures_in_one_cell_and_a_path_as_alt(figure_sandbox, capsys):
    script, chapters = figure_sandbox
    (chapters / "99_test.ipynb").write_text(script.dump(_notebook(_png_cell("0a1b2c3d", images=2))))
    (chapters / "figures.yml").write_text(
        "99_test:\n"
        + ENTRY.replace("A line rising from left to right.", "../_build/jupyter_execute/ab12.png")
    )
    assert script.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "2 figures in one cell" in err and "looks like a file path" in err


def test_figure_check_wants_caption_name_and_alt_on_a_glued_figure(figure_sandbox, capsys):
    script, chapters = figure_sandbox
    markdown = {
        "cell_type": "markdown",
        "id": "cafe0001",
        "metadata": {},
        "source": ["```{glue:figure} ch99_plot\n", ":name: ch99-fig-glued\n", "```\n"],
    }
    (chapters / "99_test.ipynb").write_text(script.dump(_notebook(markdown)))
    (chapters / "figures.yml").write_text("{}\n")
    assert script.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "no :alt:" in err and "no caption" in err and "no :name:" not in err
