"""The claims ledger (chapters/claims.md): every verdict has a glued figure behind it."""

import re
from pathlib import Path

import pytest

from dropout_course.glue import glued_values

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "chapters" / "claims.md"
VERDICTS = {"confirmed", "partly", "refuted", "not testable here"}
EVAL = re.compile(r"\{eval\}`(?:f\"\{)?([A-Za-z_]\w*)")
GLUED_VERDICT = re.compile(r"^\{eval\}`([A-Za-z_]\w*_verdict)`$")
LINK = re.compile(r"\]\((\d\d_[\w]+\.ipynb)(?:#([\w-]+))?\)")


def _rows():
    rows = []
    for number, line in enumerate(LEDGER.read_text(encoding="utf-8").splitlines(), 1):
        if (
            line.startswith("|")
            and not line.startswith("|---")
            and not line.startswith("| claim |")
        ):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            rows.append((number, cells))
    return rows


@pytest.fixture(scope="module")
def glued():
    names = {}
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        for name in glued_values(path):
            names[name] = path.name
    return names


def test_the_ledger_is_in_the_book():
    assert "chapters/claims" in (ROOT / "_toc.yml").read_text(encoding="utf-8")


def test_the_ledger_has_rows_from_the_sources_and_the_papers():
    rows = _rows()
    assert len(rows) >= 20
    text = LEDGER.read_text(encoding="utf-8")
    for key in (
        "dropouts_in_ann_notes",
        "meanxai_mxdl6_dropout",
        "dropout_slide_deck",
        "marimuthu2022dropout",
        "srivastava2014dropout",
    ):
        assert key in text, key


def test_every_verdict_has_a_glued_figure_from_the_chapter_it_links(glued):
    problems = []
    for number, cells in _rows():
        if len(cells) != 5:
            problems.append(f"line {number}: {len(cells)} columns, expected 5")
            continue
        claim, source, verdict, measured, where = cells
        glued_verdict = GLUED_VERDICT.match(verdict)
        if glued_verdict:  # decided by the chapter's code: check the word it glued
            name = glued_verdict.group(1)
            if name not in glued:
                problems.append(f"line {number}: verdict {name} is glued by no chapter")
            else:
                verdict = glued_values(ROOT / "chapters" / glued[name])[name]
        if verdict not in VERDICTS:
            problems.append(f"line {number}: verdict {verdict!r} is not one of {sorted(VERDICTS)}")
        names = EVAL.findall(measured)
        if not names:
            problems.append(
                f"line {number}: verdict {verdict!r} has no glued figure ({{eval}}) behind it"
            )
        links = LINK.findall(where)
        if not links or not (ROOT / "chapters" / links[0][0]).is_file():
            problems.append(f"line {number}: no link to a chapter notebook in {where!r}")
            continue
        for name in names:
            if name not in glued:
                problems.append(f"line {number}: {name} is glued by no chapter")
            elif glued[name] != links[0][0]:
                problems.append(
                    f"line {number}: {name} comes from {glued[name]}, the row links {links[0][0]}"
                )
        if not source.strip():
            problems.append(f"line {number}: no source")
    assert not problems, "\n".join(problems)
