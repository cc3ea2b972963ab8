"""dropout_course.glue: glue() stores what myst_nb.glue stores and binds the name;
bind_glued_values() binds what another chapter's stored notebook glued."""

from __future__ import annotations

import json

import myst_nb
import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from dropout_course.glue import bind_glued_values, glue, glued_values


@pytest.fixture
def shell():
    """An IPython shell (what a kernel runs), removed afterwards."""
    instance = InteractiveShell.instance()
    try:
        yield instance
    finally:
        InteractiveShell.clear_instance()


def _outputs(function, *args, **kwargs):
    with capture_output() as captured:
        function(*args, **kwargs)
    return [(o.data, o.metadata) for o in captured.outputs]


@pytest.mark.parametrize("value", [0.1234, 7, "1,234", "−0.5 to +0.3", ["a", 1]])
@pytest.mark.parametrize("display", [False, True])
def test_glue_stores_exactly_what_myst_nb_stores(shell, value, display):
    assert _outputs(glue, "ch99_value", value, display=display) == _outputs(
        myst_nb.glue, "ch99_value", value, display=display
    )


def test_glue_binds_the_name_in_the_kernel(shell):
    with capture_output():
        glue("ch99_gap", 0.1234)
    assert shell.user_ns["ch99_gap"] == 0.1234
    # what running a markdown cell with {eval} asks the kernel
    result = shell.user_expressions({"a": "ch99_gap", "b": 'f"{ch99_gap:.2f}"'})
    assert result["a"]["data"]["text/plain"] == "0.1234"
    assert result["b"]["data"]["text/plain"] == "'0.12'"


def test_glue_outside_ipython_binds_nothing(monkeypatch):
    monkeypatch.setattr("dropout_course.glue._user_namespace", lambda: None)
    with capture_output():
        glue("ch99_alone", 1)


def _stored_notebook(path, **values):
    """A notebook whose stored outputs are what glue() produced for `values`."""
    InteractiveShell.instance()  # glue() stores its output through the running shell
    try:
        outputs = []
        for name, value in values.items():
            with capture_output() as captured:
                glue(name, value)
            outputs += [
                nbformat.v4.new_output("display_data", data=o.data, metadata=o.metadata)
                for o in captured.outputs
            ]
    finally:
        InteractiveShell.clear_instance()
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A chapter"),
            nbformat.v4.new_code_cell("glue(...)", outputs=outputs),
        ]
    )
    nbformat.write(notebook, path)
    return path


def test_glued_values_reads_the_stored_values(tmp_path):
    path = _stored_notebook(tmp_path / "04_x.ipynb", ch04_n=12, ch04_rate=0.25, ch04_text="1,024")
    assert glued_values(path) == {"ch04_n": 12, "ch04_rate": 0.25, "ch04_text": "1,024"}


def test_bind_glued_values_binds_named_chapters(tmp_path, shell):
    _stored_notebook(tmp_path / "04_x.ipynb", ch04_n=12, ch04_text="1,024")
    _stored_notebook(tmp_path / "05_y.ipynb", ch05_gap=0.5)
    assert bind_glued_values("04_x.ipynb", folder=tmp_path) is None
    assert shell.user_ns["ch04_n"] == 12 and shell.user_ns["ch04_text"] == "1,024"
    assert "ch05_gap" not in shell.user_ns
    # the kernel shows them as the book does (the glue record)
    result = shell.user_expressions({"n": "ch04_n", "t": "ch04_text"})
    assert result["n"]["data"]["text/plain"] == "12"
    assert result["t"]["data"]["text/plain"] == "'1,024'"


def test_bind_glued_values_binds_every_chapter_by_default(tmp_path, monkeypatch):
    _stored_notebook(tmp_path / "04_x.ipynb", ch04_n=12)
    _stored_notebook(tmp_path / "05_y.ipynb", ch05_gap=0.5)
    _stored_notebook(tmp_path / "scratch.ipynb", other=1)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    bind_glued_values(namespace=namespace)
    assert namespace == {"ch04_n": 12, "ch05_gap": 0.5}


def test_bind_glued_values_names_a_missing_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebook .*04_missing.ipynb"):
        bind_glued_values("04_missing.ipynb", folder=tmp_path, namespace={})
    with pytest.raises(FileNotFoundError, match="no folder"):
        bind_glued_values(folder=tmp_path / "nowhere", namespace={})


def test_bind_glued_values_refuses_a_name_glued_twice_differently(tmp_path):
    _stored_notebook(tmp_path / "04_x.ipynb", ch04_n=12)
    _stored_notebook(tmp_path / "05_y.ipynb", ch04_n=13)
    message = "'ch04_n' has different values in 04_x.ipynb and 05_y.ipynb"
    with pytest.raises(ValueError, match=message):
        bind_glued_values(folder=tmp_path, namespace={})


def test_glued_values_rejects_a_file_that_is_not_a_notebook(tmp_path):
    path = tmp_path / "04_x.ipynb"
    path.write_text(json.dumps({"no": "cells"}))
    with pytest.raises(ValueError, match="not a Jupyter notebook"):
        glued_values(path)
    with pytest.raises(FileNotFoundError):
        glued_values(tmp_path / "05_none.ipynb")


def test_glue_number_stores_a_rounded_python_float():
    import numpy as np

    from dropout_course.glue import glue_number

    assert glue_number("ch99_value", np.float64(0.123456)) == 0.1235
    assert type(glue_number("ch99_value", np.float32(2.5), digits=0)) is float


def test_glue_number_refuses_what_it_cannot_show():
    import pytest

    from dropout_course.glue import glue_number

    for value in (float("nan"), "0.1", True):
        with pytest.raises(ValueError, match="value="):
            glue_number("ch99_value", value)
    with pytest.raises(ValueError, match="digits=16"):
        glue_number("ch99_value", 0.1, digits=16)
