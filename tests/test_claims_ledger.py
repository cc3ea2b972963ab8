"""The claims ledger (chapters/claims.md): every verdict is the chapter's own.

Each row's verdict is `{eval}` of a name `chNN_<what>_verdict` that the chapter
the row links glues from its measurements (one of VERDICTS), and its
"measured here" cell pastes at least one figure glued by that chapter.
"""

import re
from pathlib import Path

import pytest

from dropout_course.glue import glued_values

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "chapters" / "claims.md"
VERDICTS = {"confirmed", "partly", "refuted", "not testable here"}
EVAL = re.compile(r"\{eval\}`(?:f\"\{)?([A-Za-z_]\w*)")
#: a verdict cell: exactly one {eval} of a glued name ending in _verdict, nothing else
VERDICT_CELL = re.compile(r"^\{eval\}`([A-Za-z_]\w*_verdict)`$")
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


def _row(number: int, claim: str) -> str:
    """How a failure names the row: its line in claims.md and its claim."""
    return f"line {number} ({claim[:60]!r})"


@pytest.fixture(scope="module")
def glued_by():
    """Glue name -> (the chapter notebook that glues it, the value it stored)."""
    names = {}
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        for name, value in glued_values(path).items():
            names[name] = (path.name, value)
    return names


@pytest.fixture(scope="module")
def glued(glued_by):
    return {name: chapter for name, (chapter, _) in glued_by.items()}


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


#: Chapters whose rows still carry a typed verdict word (one of VERDICTS) while
#: the glued verdicts are rolled out chapter by chapter. A chapter leaves this
#: set when its rows are glued (the test fails if a listed chapter has no typed
#: row left); no chapter may join it.
TYPED_VERDICTS_PENDING: set[str] = set()


def test_every_verdict_is_glued_by_the_chapter_it_links(glued_by):
    """The verdict word is decided by the chapter's code, not typed into the table."""
    problems = []
    still_typed = set()
    for number, cells in _rows():
        if len(cells) != 5:
            continue  # reported by the test above
        claim, _, verdict, _, where = cells
        row = _row(number, claim)
        match = VERDICT_CELL.match(verdict)
        chapter_linked = LINK.findall(where)[0][0][:2] if LINK.findall(where) else None
        if match is None and chapter_linked in TYPED_VERDICTS_PENDING and verdict in VERDICTS:
            still_typed.add(chapter_linked)
            continue
        if match is None:
            problems.append(
                f"{row}: the verdict {verdict!r} is not exactly one {{eval}}`chNN_<what>_verdict` "
                "(glue the word in the chapter that measured it, from its measurements)"
            )
            continue
        name = match.group(1)
        links = LINK.findall(where)
        if name not in glued_by:
            problems.append(
                f"{row}: {name} is glued by no chapter (re-execute the chapter that should)"
            )
            continue
        chapter, value = glued_by[name]
        if value not in VERDICTS:
            problems.append(
                f"{row}: {name} = {value!r} (in {chapter}) is not one of {sorted(VERDICTS)}"
            )
        if links and chapter != links[0][0]:
            problems.append(f"{row}: {name} is glued by {chapter}, the row links {links[0][0]}")
    for chapter in sorted(TYPED_VERDICTS_PENDING - still_typed):
        problems.append(
            f"chapter {chapter} has no typed verdict left: remove it from TYPED_VERDICTS_PENDING"
        )
    assert not problems, "\n".join(problems)
