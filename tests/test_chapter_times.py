"""Every chapter opens with its reading and run times, glued (issue 14).

The box "In this chapter" quotes `{eval}`chNN_read_minutes`` and
`{eval}`chNN_run_seconds``, which the set-up cell glues
(dropout_course.chapter_times.glue_chapter_times, put there by
scripts/add_run_times.py). The stored values must be the current ones: the
run time stored by `make bench` in code/dropout_course/chapter_run_times.json,
and the reading time of the chapter's markdown as it is now. When `make bench`
rewrites a run time, or the prose grows or shrinks by a minute's worth of
words, the chapter's stored outputs are stale and strict nbval would fail on
its set-up cell: this test says so first, naming the chapter to re-execute.
"""

from __future__ import annotations

import copy
import json
import re
import runpy

import nbformat
import pytest

from dropout_course import chapter_times
from dropout_course.chapter_times import (
    RUN_STEP_SECONDS,
    RUN_TIMES_FILE,
    markdown_words,
    reading_minutes,
    round_run_seconds,
    run_seconds,
)
from dropout_course.glue import glued_values

from _book_layout import ROOT

ADD = runpy.run_path(str(ROOT / "scripts" / "add_run_times.py"))
BENCH = runpy.run_path(str(ROOT / "scripts" / "benchmark_chapters.py"))
CHAPTERS = ADD["toc_notebooks"]()
EVAL = re.compile(r"\{eval\}`([A-Za-z_]\w*)`")


def _number(path) -> str:
    return path.name[:2]


def _execute_hint(path) -> str:
    return (
        f"re-execute it: python scripts/execute_notebooks.py chapters/{path.name}, then "
        "python scripts/glue_to_eval.py chapters/[0-9]*.ipynb"
    )


def test_the_run_times_file_covers_every_chapter():
    stored = json.loads(RUN_TIMES_FILE.read_text(encoding="utf-8"))["run_seconds"]
    missing = [path.name for path in CHAPTERS if _number(path) not in stored]
    assert not missing, f"no run time in {RUN_TIMES_FILE.name} for {missing}: run `make bench`"
    for number, seconds in stored.items():
        assert isinstance(seconds, int) and seconds > 0 and seconds % RUN_STEP_SECONDS == 0, (
            f"chapter {number}: {seconds!r} is not a whole number of {RUN_STEP_SECONDS} s steps"
        )
    # the bundle's wheel carries it: it is package data
    assert RUN_TIMES_FILE.name in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    bundle = runpy.run_path(str(ROOT / "scripts" / "build_bundle.py"))
    assert RUN_TIMES_FILE.suffix in bundle["_PACKAGE_FILES"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_chapter_opens_with_its_glued_times(path):
    number = _number(path)
    names = [f"ch{number}_read_minutes", f"ch{number}_run_seconds"]
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    box = next(
        (
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "markdown" and ADD["OBJECTIVES"].search("".join(c["source"]))
        ),
        None,
    )
    assert box is not None, f"{path.name}: no box 'In this chapter'"
    quoted = EVAL.findall("".join(cells[box]["source"]))
    assert all(name in quoted for name in names), (
        f"{path.name}: the box 'In this chapter' does not quote {names}: run "
        f"python scripts/add_run_times.py chapters/{path.name}, then re-execute the chapter"
    )
    # glued by a code cell BEFORE the box: JupyterLab's "Run All" evaluates the
    # box's {eval} in the kernel when it reaches it
    glued_before = {
        output.get("metadata", {}).get("scrapbook", {}).get("name")
        for cell in cells[:box]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
    }
    assert set(names) <= glued_before, (
        f"{path.name}: {sorted(set(names) - glued_before)} not glued by a code cell before the box "
        f"(python scripts/add_run_times.py chapters/{path.name}, then {_execute_hint(path)})"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_stored_times_are_the_current_ones(path):
    number = _number(path)
    stored = glued_values(path)
    problems = []
    expected = {
        f"ch{number}_run_seconds": (
            run_seconds(int(number)),
            f"{RUN_TIMES_FILE.name} has (make bench rewrote it?)",
        ),
        f"ch{number}_read_minutes": (reading_minutes(path), "its markdown now reads"),
    }
    for name, (value, where) in expected.items():
        if name not in stored:
            problems.append(
                f"{name} is not glued (python scripts/add_run_times.py chapters/{path.name})"
            )
        elif stored[name] != value:
            problems.append(f"{name} is {stored[name]!r} in the stored outputs, {where} {value!r}")
    assert not problems, f"{path.name}: " + "; ".join(problems) + f". {_execute_hint(path)}"


def _notebook(*cells):
    return json.loads(nbformat.writes(nbformat.v4.new_notebook(cells=list(cells))))


BOX = (
    "```{admonition} In this chapter\n:class: tip objectives\nYou will be able to:\n\n"
    "- do one thing;\n\n**Prerequisites:** none.\n```"
)


def test_markdown_words_counts_what_a_reader_reads(tmp_path):
    path = tmp_path / "07_x.ipynb"
    notes = nbformat.v4.new_markdown_cell("many words of speaker notes " * 10)
    notes.metadata["tags"] = ["remove-cell"]
    path.write_text(
        nbformat.writes(
            nbformat.v4.new_notebook(
                cells=[
                    nbformat.v4.new_markdown_cell(
                        "(ch07-x)=\n## Two words\n\nAs {cite:t}`srivastava2014dropout` say, see "
                        "[this](08_y.ipynb#ch08-z) and $\\tfrac12 p(1-p)$.\n"
                        "```{admonition} Note\n:class: tip\nIt's t-based.\n```"
                    ),
                    notes,
                    nbformat.v4.new_code_cell("print('code is not prose')"),
                ]
            )
        )
    )
    # Two, words, As, say, see, this, and, 12, p, 1-p, Note, It's, t-based
    assert markdown_words(path) == 13
    assert reading_minutes(path) == 1  # at least one minute


def test_run_seconds_are_rounded_to_a_stable_step():
    assert RUN_STEP_SECONDS == 5
    assert [round_run_seconds(s) for s in (0.4, 11, 23, 47.4, 48, 97)] == [5, 10, 25, 45, 50, 95]


def test_bench_rewrites_a_run_time_only_when_it_moved_beyond_the_noise(tmp_path):
    updated = BENCH["updated_run_times"]
    stored = {"01": 25, "02": 90}
    assert updated(stored, {"01": 29.9, "02": 98}) == stored  # within max(5 s, 10 %)
    assert updated(stored, {"01": 31, "02": 80}) == {"01": 30, "02": 80}
    assert updated(stored, {"03": 12}) == {**stored, "03": 10}  # a chapter measured first
    path = tmp_path / RUN_TIMES_FILE.name
    path.write_text(json.dumps({"about": "x", "run_seconds": stored}))
    assert BENCH["save_run_times"]({"01": 26}, path) == []
    assert BENCH["save_run_times"]({"01": 40}, path) == ["01"]
    assert json.loads(path.read_text())["run_seconds"] == {"01": 40, "02": 90}
    assert run_seconds(1, path) == 40 and run_seconds(3, path) is None


def test_add_run_times_moves_the_set_up_cell_before_the_box_and_is_idempotent():
    setup = (
        "try:\n    from dropout_course import setup_notebook\nexcept ModuleNotFoundError:\n"
        "    raise\n\nsetup_notebook(seed=0)"
    )
    before = _notebook(
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_markdown_cell(BOX),
        nbformat.v4.new_code_cell(setup),
        nbformat.v4.new_code_cell("import numpy as np"),
    )
    once = ADD["add_run_times"](copy.deepcopy(before), 7)
    kinds = ["".join(c["source"]).split("\n")[0] for c in once["cells"]]
    assert kinds == ["# Title", "try:", "```{admonition} In this chapter", "import numpy as np"]
    assert [c["id"] for c in once["cells"]] == [before["cells"][i]["id"] for i in (0, 2, 1, 3)]
    code = "".join(once["cells"][1]["source"])
    assert code.endswith(
        "    raise\n\nfrom dropout_course.chapter_times import glue_chapter_times\n\n"
        "setup_notebook(seed=0)\n\n# the reading and run times quoted in "
        '"In this chapter"\nglue_chapter_times(7)'
    )
    compile(code, "set-up cell", "exec")
    box = "".join(once["cells"][2]["source"])
    assert box.endswith("**Prerequisites:** none.\n\n" + ADD["TIME_LINE"].format(nn="07") + "\n```")
    assert ADD["add_run_times"](copy.deepcopy(once), 7) == once


def test_add_run_times_keeps_what_follows_the_set_up_call():
    source = (
        "from dropout_course.glue import bind_glued_values\n\nsetup_notebook(seed=0)\n\n"
        '# the other chapters\' numbers\nbind_glued_values(\n    "01_a.ipynb",\n)'
    )
    once = ADD["with_times_code"](source, 12)
    assert once.startswith(
        "from dropout_course.chapter_times import glue_chapter_times\n"
        "from dropout_course.glue import bind_glued_values\n\nsetup_notebook(seed=0)\n"
    )
    assert once.index("glue_chapter_times(12)") < once.index("bind_glued_values(\n")
    assert ADD["with_times_code"](once, 12) == once


def test_glue_chapter_times_reads_the_notebook_in_its_folder(tmp_path, monkeypatch):
    glued = {}
    monkeypatch.setattr(chapter_times, "glue", lambda name, value: glued.__setitem__(name, value))
    (tmp_path / "02_zero_out.ipynb").write_text(
        nbformat.writes(
            nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("word " * 500)])
        )
    )
    chapter_times.glue_chapter_times(2, folder=tmp_path)
    assert glued == {"ch02_read_minutes": 2, "ch02_run_seconds": run_seconds(2)}
    with pytest.warns(UserWarning, match="reading time is unknown"):
        chapter_times.glue_chapter_times(3, folder=tmp_path)
    assert glued["ch03_read_minutes"] is None
