"""The archive a student runs the chapters from (scripts/build_bundle.py).

Built into a temporary folder, unzipped, its wheel installed with pip into a
folder of its own (no network, no dependencies), and then, with only that
folder on the path, the package loads the data from the bundle's layout and a
chapter's first cell runs, as in a kernel started in the bundle's chapters/.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from _book_layout import ROOT

BUILD = runpy.run_path(str(ROOT / "scripts" / "build_bundle.py"))
FIRST_CELL = runpy.run_path(str(ROOT / "scripts" / "set_first_cell.py"))
WHEEL = BUILD["wheel_name"]()
FOLDER = BUILD["FOLDER"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / BUILD["NAME"]
    assert BUILD["build_bundle"](out) == out
    return out


@pytest.fixture(scope="module")
def unzipped(bundle, tmp_path_factory):
    where = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(where)
    return where / FOLDER


def test_bundle_holds_the_chapters_data_wheel_and_instructions(bundle):
    with zipfile.ZipFile(bundle) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        read = archive.read
        chapters = BUILD["chapters"]()
        expected = {
            f"{FOLDER}/{name}"
            for name in ["README.txt", "requirements.txt", WHEEL, "LICENSE", "LICENSE-text"]
        }
        expected |= {f"{FOLDER}/chapters/{path.name}" for path in chapters}
        expected |= {
            f"{FOLDER}/data/{path.name}"
            for path in (ROOT / "data").iterdir()
            if path.is_file() and not path.name.startswith(".")
        }
        assert names == expected
        assert {f"{FOLDER}/data/README.md", f"{FOLDER}/data/mnist_5k.npz"} <= names
        assert len(chapters) >= 12
        for path in chapters:  # as stored, outputs and all
            assert read(f"{FOLDER}/chapters/{path.name}") == path.read_bytes()
        readme = read(f"{FOLDER}/README.txt").decode()
        assert f"pip install -r requirements.txt {WHEEL}" in readme
        assert "jupyter lab chapters/" in readme
        pins = dict(
            line.split("==")
            for line in read(f"{FOLDER}/requirements.txt").decode().splitlines()
            if line and not line.startswith("#")
        )
    constraints = (ROOT / "constraints.txt").read_text()
    for name in [
        "numpy",
        "tensorflow",
        "keras",
        "matplotlib",
        "scikit-learn",
        "pandas",
        "myst-nb",
        "jupyterlab",
    ]:
        assert re.search(rf"(?mi)^{re.escape(name)}=={re.escape(pins[name])}$", constraints), name
    # the first cell's message names this wheel and this archive
    assert FIRST_CELL["WHEEL"] == WHEEL and FIRST_CELL["BUNDLE"] == bundle.name


def test_bundle_is_the_same_bytes_when_built_again(bundle, tmp_path):
    again = BUILD["build_bundle"](tmp_path / "again.zip")
    assert again.read_bytes() == bundle.read_bytes()


def test_book_links_the_bundle_and_every_book_build_writes_it():
    intro = (ROOT / "chapters" / "intro.md").read_text(encoding="utf-8")
    assert f'href="../{BUILD["NAME"]}"' in intro
    assert f"pip install -r requirements.txt {WHEEL}" in intro and "jupyter lab chapters/" in intro
    assert BUILD["DEFAULT_OUT"] == ROOT / "_build" / "html" / BUILD["NAME"]
    makefile = (ROOT / "Makefile").read_text()
    # the HTML book is built by one macro, which each recipe that builds it uses
    assert makefile.count("jupyter-book build . --builder html") == 1
    assert re.search(r"(?m)^BOOK_BUILD = (.*\\\n)*.*jupyter-book build \. --builder html", makefile)
    builds = makefile.count("$(BOOK_BUILD)")
    assert builds and makefile.count("$(BIN)/python scripts/build_bundle.py") == builds


def test_the_installed_wheel_runs_a_chapter_from_the_bundle(unzipped, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(unzipped / WHEEL),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    chapter = unzipped / "chapters" / "05_dropout_as_regularization.ipynb"
    first = FIRST_CELL["guarded"](
        "".join(
            next(c for c in json.loads(chapter.read_text())["cells"] if c["cell_type"] == "code")[
                "source"
            ]
        )
    )
    code = "\n".join(
        [
            "import os, sys",
            # nothing but the installed wheel may provide the package (the venv's
            # editable install puts a clone's code/ on the path too)
            f"sys.path[:] = [p for p in sys.path if p == {str(target)!r}",
            "               or not os.path.isdir(os.path.join(p or '.', 'dropout_course'))]",
            first,
            "import dropout_course",
            "from dropout_course import data",
            "X, y = data.load_mnist_5k()",
            "print(dropout_course.__file__)",
            "print(data.DATA_DIR)",
            "print(X.shape, y.shape)",
            # the first cell glued the chapter's times: the run time from the wheel's
            # package data, the reading time from the notebook next to the kernel
            "from dropout_course.chapter_times import reading_minutes, run_seconds",
            "print(run_seconds(5), reading_minutes('05_dropout_as_regularization.ipynb'))",
        ]
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "DROPOUT_COURSE_DATA"}
    }
    env["PYTHONPATH"] = str(target)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=unzipped / "chapters",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    package, data_dir, shapes, times = result.stdout.strip().splitlines()[-4:]
    assert Path(package).resolve().is_relative_to(target.resolve())
    assert Path(data_dir).resolve() == (unzipped / "data").resolve()
    assert shapes == "(5000, 784) (5000,)"
    from dropout_course.chapter_times import reading_minutes, run_seconds

    assert times == f"{run_seconds(5)} {reading_minutes(chapter)}"
