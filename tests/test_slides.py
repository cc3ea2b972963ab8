"""Checks of the lecture slides: every chapter's slide metadata and its built deck.

The decks are built once per session into a temporary folder by the same
command as `make slides` (scripts/build_slides.py; the `slides_dir` fixture of
tests/conftest.py, shared with tests/test_slide_fit.py), so these tests need no
earlier step and never read a stale _build/slides/. Chapters come from
_toc.yml; each check is parametrized by chapter, so a failure names it.
CONTRIBUTING.md, "Slides", is the convention checked here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from _book_layout import ROOT, toc_files

SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
SCRIPT = ROOT / "scripts" / "build_slides.py"
CHAPTERS = [ROOT / f"{name}.ipynb" for name in toc_files() if (ROOT / f"{name}.ipynb").is_file()]
NETWORK = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
# what a stored error (or stderr) output looks like in a deck
ERROR_MARKERS = (
    "output_error",
    "Traceback",
    '"ename"',
    'data-mime-type="application/vnd.jupyter.stderr"',
)


def _ids(path: Path) -> str:
    return path.stem


def _deck_name(path: Path) -> str:
    return f"{path.stem}.slides.html"


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pages(soup: BeautifulSoup) -> list:
    """The slides an audience sees: <section>s with no <section> inside."""
    return [section for section in soup.find_all("section") if section.find("section") is None]


def _network_references(soup: BeautifulSoup) -> list[str]:
    found = [tag["src"] for tag in soup.find_all("script", src=True) if NETWORK.match(tag["src"])]
    found += [tag["href"] for tag in soup.find_all("link", href=True) if NETWORK.match(tag["href"])]
    for style in soup.find_all("style"):
        found += re.findall(
            r"@import\s+(?:url\()?\s*['\"]?((?:https?:)?//[^'\")\s]+)", style.get_text()
        )
    for script in soup.find_all("script", src=False):
        found += re.findall(r"\bimport\b[^;]*?['\"]((?:https?:)?//[^'\"]+)['\"]", script.get_text())
    return found


# ----------------------------------------------------------- chapter metadata


def test_there_are_chapters_to_present():
    assert CHAPTERS, "_toc.yml lists no chapter notebook"


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids)
def test_every_cell_has_a_slide_type(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    bad = []
    for index, cell in enumerate(cells):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if kind not in SLIDE_TYPES:
            first_line = "".join(cell["source"]).strip().split("\n")[0][:50]
            bad.append(f"cell {index} ({cell['cell_type']}, {first_line!r}): slide_type={kind!r}")
    assert not bad, (
        f"{path.name}: every cell needs metadata.slideshow.slide_type, one of "
        f"{sorted(SLIDE_TYPES)} (CONTRIBUTING.md, 'Slides'):\n  " + "\n  ".join(bad)
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids)
def test_first_cell_is_a_slide(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    kind = cells[0].get("metadata", {}).get("slideshow", {}).get("slide_type") if cells else None
    assert kind == "slide", (
        f"{path.name}: the first cell (the title) must be a `slide`, not {kind!r}"
    )


CODE_LINES, CODE_COLUMNS = 15, 80  # the most code a slide shows (CONTRIBUTING.md, "Slides")


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids)
def test_code_shown_on_slides_is_short_and_narrow(path):
    """A long set-up or experiment cell is `skip` (or `hide-input`: its result shows)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    bad = []
    for index, cell in enumerate(cells):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
        tags = set(cell.get("metadata", {}).get("tags", []))
        if (
            cell["cell_type"] != "code"
            or kind in {"skip", "notes"}
            or tags & {"remove-cell", "hide-input", "remove-input"}
        ):
            continue
        lines = "".join(cell["source"]).split("\n")
        widest = max(len(line) for line in lines)
        if len(lines) > CODE_LINES or widest > CODE_COLUMNS:
            bad.append(f"cell {index} ({lines[0][:40]!r}): {len(lines)} lines, {widest} columns")
    assert not bad, (
        f"{path.name}: code cells on slides longer than {CODE_LINES} lines or wider than "
        f"{CODE_COLUMNS} columns; make them `skip`, or tag them `hide-input` to show only "
        "their result:\n  " + "\n  ".join(bad)
    )


# ---------------------------------------------------------------- built decks


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids)
def test_deck_has_a_title_slide_and_at_least_three_slides(slides_dir, path):
    deck = slides_dir / _deck_name(path)
    assert deck.is_file(), f"no deck {deck.name} for {path.name}"
    pages = _pages(_soup(deck))
    has_title = bool(pages) and pages[0].find("h1") is not None
    assert has_title, f"{deck.name}: the first slide has no title (# heading)"
    count = len(pages)
    assert count >= 3, (
        f"{deck.name}: {count} slide(s); mark the title and each ## section `slide` "
        "(CONTRIBUTING.md, 'Slides')"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids)
def test_deck_loads_nothing_from_the_network(slides_dir, path):
    deck = slides_dir / _deck_name(path)
    assert deck.is_file(), f"no deck {deck.name} for {path.name}"
    found = _network_references(_soup(deck))
    assert not found, f"{deck.name} loads from the network: {found}"


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids)
def test_deck_shows_no_error_output(slides_dir, path):
    deck = slides_dir / _deck_name(path)
    assert deck.is_file(), f"no deck {deck.name} for {path.name}"
    text = deck.read_text(encoding="utf-8")
    found = [marker for marker in ERROR_MARKERS if marker in text]
    assert not found, (
        f"{deck.name} shows an error or stderr output ({found}); fix the chapter and `make execute`"
    )


def test_offline_assets_and_index(slides_dir):
    for asset in (
        "reveal.js/dist/reveal.js",
        "reveal.js/dist/reveal.css",
        "reveal.js/dist/theme/white.css",
        "reveal.js/plugin/notes/notes.js",
        "reveal.js/LICENSE",
        "mathjax/tex-chtml.js",
    ):
        assert (slides_dir / asset).is_file(), f"{asset} is missing from the slides folder"
    index = _soup(slides_dir / "index.html")
    links = {link["href"]: link.get_text() for link in index.find_all("a", href=True)}
    for path in CHAPTERS:
        assert _deck_name(path) in links, f"index.html does not link {_deck_name(path)}"
        title = next(line for line in _first_markdown(path).splitlines() if line.startswith("# "))[
            2:
        ].strip()
        assert title in links[_deck_name(path)], (
            f"index.html links {path.stem} without its title {title!r}"
        )


def _first_markdown(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return next(("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"), "# ")


# ------------------------------------------- the convention, on a made-up book


def _cell(cell, slide_type, tags=()):
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _code(source, text=None, slide_type="-", tags=(), outputs=None):
    outputs = (
        outputs
        if outputs is not None
        else ([new_output("stream", name="stdout", text=text)] if text else [])
    )
    return _cell(new_code_cell(source, outputs=outputs, execution_count=1), slide_type, tags)


@pytest.fixture(scope="module")
def made_up_deck(tmp_path_factory) -> str:
    """Build a two-chapter book that uses every rule of the convention."""
    root = tmp_path_factory.mktemp("book")
    (root / "chapters").mkdir()
    (root / "_config.yml").write_text("title: Made-up course\n")
    (root / "references.bib").write_text(
        "@article{doe2020, author = {Doe, Jane and Roe, Rick and Poe, Paul}, title = {T}, year = {2020}}\n"
    )
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: chapters/intro\nparts:\n  - caption: P\n    numbered: true\n"
        "    chapters:\n      - file: chapters/01_one\n      - file: chapters/02_two\n"
    )
    (root / "chapters" / "intro.md").write_text("# Intro\n")
    glue = new_output(
        "display_data",
        data={"application/papermill.record/text/plain": "0.123456"},
        metadata={
            "scrapbook": {"name": "ch01_gap", "mime_prefix": "application/papermill.record/"}
        },
    )
    cells = [
        _cell(new_markdown_cell("# Chapter one\n\nIntro."), "slide"),
        _cell(
            new_markdown_cell(
                "```{admonition} In this chapter\n:class: tip objectives\n\n"
                "- OBJECTIVE_ONE with $x^2$\n- OBJECTIVE_TWO\n```"
            ),
            "slide",
        ),
        _code("setup_notebook(seed=0)", "SETUP_OUTPUT", "skip", ["hide-cell"]),
        _cell(
            new_markdown_cell("## Idea\n\n$$\ny = x\n$$ (ch01-eq-y)\n\nAs {cite:t}`doe2020` say."),
            "slide",
        ),
        _cell(new_markdown_cell("SPEAKER_NOTE_TEXT"), "notes", ["remove-cell"]),
        _cell(new_markdown_cell("BOOK_ONLY_TEXT"), "-", ["remove-cell"]),
        _code("HIDDEN_INPUT_SOURCE = 1", "SHOWN_OUTPUT_TEXT", "fragment", ["hide-input"]),
        _code("from myst_nb import glue", slide_type="-", outputs=[glue]),
        _cell(
            new_markdown_cell(
                "Gap {glue:text}`ch01_gap:.2f`; see {eq}`ch01-eq-y` and {doc}`02_two`."
            ),
            "-",
        ),
        _cell(
            new_markdown_cell("(ch01-labelled)="), "slide"
        ),  # shows nothing: its boundary moves on
        _cell(new_markdown_cell("## Labelled section"), "-"),
        _cell(
            new_markdown_cell(
                "## Exercises\n\n```{exercise}\n:label: ch01-ex\nEXERCISE_TEXT\n```\n"
                "```{solution} ch01-ex\n:class: dropdown\nSOLUTION_ONE\n```"
            ),
            "slide",
        ),
        _cell(new_markdown_cell("```{solution-start} ch01-ex\n:class: dropdown\n```"), "skip"),
        _code("print('SOLUTION_TWO')", "SOLUTION_TWO", "-"),
        _cell(new_markdown_cell("```{solution-end}\n```"), "skip"),
        _cell(new_markdown_cell("AFTER_SOLUTIONS"), "-"),
        _cell(
            new_markdown_cell(
                "````{admonition} Take-aways\n:class: takeaways\n\n1. TAKEAWAY_ONE\n\n"
                "   ```{note}\n   NESTED_NOTE\n   ```\n````"
            ),
            "slide",
        ),
    ]
    nbformat.write(new_notebook(cells=cells), root / "chapters" / "01_one.ipynb")
    nbformat.write(
        new_notebook(cells=[_cell(new_markdown_cell("# Chapter two"), "slide")]),
        root / "chapters" / "02_two.ipynb",
    )
    spec = importlib.util.spec_from_file_location("build_slides", SCRIPT)
    build_slides = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_slides", build_slides)  # dataclasses look the module up
    spec.loader.exec_module(build_slides)
    build_slides.build(root / "out", None, root)
    return (root / "out" / "01_one.slides.html").read_text(encoding="utf-8")


def test_notes_cells_become_speaker_notes_even_if_tagged_remove_cell(made_up_deck):
    notes = " ".join(
        aside.get_text()
        for aside in BeautifulSoup(made_up_deck, "html.parser").select("aside.notes")
    )
    assert "SPEAKER_NOTE_TEXT" in notes


def test_skip_and_remove_cell_cells_stay_off(made_up_deck):
    assert "SETUP_OUTPUT" not in made_up_deck
    assert "setup_notebook" not in made_up_deck
    assert "BOOK_ONLY_TEXT" not in made_up_deck


def test_hide_input_shows_only_the_output(made_up_deck):
    assert "SHOWN_OUTPUT_TEXT" in made_up_deck
    assert "HIDDEN_INPUT_SOURCE" not in made_up_deck


def test_a_slide_boundary_survives_its_cell_being_left_out(made_up_deck):
    pages = _pages(BeautifulSoup(made_up_deck, "html.parser"))
    firsts = [page.find(["h1", "h2"]) for page in pages]
    assert "Labelled section" in [heading.get_text().strip(" ¶") for heading in firsts if heading]


def test_solutions_stay_off_and_exercises_stay_on(made_up_deck):
    assert "EXERCISE_TEXT" in made_up_deck
    assert "SOLUTION_ONE" not in made_up_deck
    assert "SOLUTION_TWO" not in made_up_deck
    assert "AFTER_SOLUTIONS" in made_up_deck


def test_myst_markup_is_rendered(made_up_deck):
    text = BeautifulSoup(made_up_deck, "html.parser").get_text()
    assert "Gap 0.12;" in text  # glued number, formatted as in the book
    assert "\\tag{1.1}" in text and "see (1.1)" in text  # the book's equation number
    assert "Doe et al. (2020)" in text
    assert "Chapter two" in text
    assert "{glue" not in text and "{cite" not in text and "{eq}" not in text


def test_the_checks_see_errors_and_network_urls():
    """The deck checks above would catch what they look for."""
    from nbconvert.exporters import SlidesExporter

    error = new_output(
        "error", ename="ValueError", evalue="x", traceback=["Traceback (most recent call last)"]
    )
    body, _ = SlidesExporter().from_notebook_node(
        new_notebook(cells=[new_code_cell("1", outputs=[error])])
    )
    assert any(marker in body for marker in ERROR_MARKERS)
    assert _network_references(BeautifulSoup(body, "html.parser"))  # nbconvert's default: CDN


def test_objectives_and_take_aways_are_styled_boxes_on_their_own_slides(made_up_deck):
    """The chapters' `{admonition} In this chapter` (:class: tip objectives) opens
    a deck after its title; the `Take-aways` admonition (:class: takeaways) closes it."""
    pages = _pages(BeautifulSoup(made_up_deck, "html.parser"))
    objectives = pages[1].select_one("div.course-admonition.objectives")
    assert objectives is not None and "tip" in objectives["class"], (
        "no objectives box on the second slide"
    )
    assert objectives.find("p").get_text().strip() == "In this chapter"  # its title, bold
    assert [li.get_text().strip() for li in objectives.select("li")][
        1
    ] == "OBJECTIVE_TWO"  # Markdown inside
    assert "$x^2$" in objectives.get_text()  # left for MathJax
    takeaways = pages[-1].select_one("div.course-admonition.takeaways")
    assert takeaways is not None, "the last slide is not the take-aways box"
    assert "TAKEAWAY_ONE" in takeaways.select_one("ol li").get_text()
    assert takeaways.select_one("div.course-admonition.note") is not None  # nested directive
    assert "```" not in takeaways.get_text() and ":class:" not in takeaways.get_text()
