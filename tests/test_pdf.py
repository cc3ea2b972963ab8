"""The PDF of the whole book (_build/pdf/dropout-course.pdf, `make pdf`).

Read back with pdftotext (poppler-utils), it must have the HTML book's
structure and nothing left unrendered:

* the intro as front matter, then the four parts of _toc.yml, then the thirteen
  chapters, numbered 1-13 as in the HTML book, each under its own title;
* equations numbered within their chapter as in the HTML book ((3.1), ...);
* the bibliography, with every work of references.bib;
* no "??" (an unresolved reference) and no raw `$` of unrendered math (a `$`
  that code or its output prints is fine);
* the HTML book links to it, and the PDF sits next to the HTML pages.

The PDF is built by scripts/build_pdf.py when it is missing (a minute or two)
and reused when it exists (`make pdf` rebuilds it). Without XeLaTeX or
pdftotext these tests are skipped, saying what to install; under CI=true they
fail instead.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _book_layout import ROOT, toc_entries

PDF = ROOT / "_build" / "pdf" / "dropout-course.pdf"
HTML = ROOT / "_build" / "html"
APT = (
    "sudo apt-get install --no-install-recommends texlive-xetex texlive-latex-extra texlive-latex-recommended "
    "texlive-fonts-recommended latexmk fonts-freefont-otf tex-gyre xindy poppler-utils"
)
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str):
    if _in_ci():
        pytest.fail(f"{reason}. CI=true, so this fails instead of skipping.", pytrace=False)
    pytest.skip(reason)


def _norm(text: str) -> str:
    """Letters and digits only, lower case: a title as the PDF and the source both spell it."""
    text = text.replace("\u2212", "-")
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _numbered_parts() -> list[tuple[str, list[str]]]:
    """(caption, [chapter file]) of each numbered part, in order."""
    parts: dict[str, list[str]] = {}
    for entry in toc_entries(ROOT):
        if entry.number is not None:
            parts.setdefault(entry.part, []).append(entry.file)
    return list(parts.items())


def _chapter_title(file: str) -> str:
    path = ROOT / f"{file}.ipynb"
    if path.is_file():
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                for line in "".join(cell["source"]).splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
    else:
        for line in (ROOT / f"{file}.md").read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    raise AssertionError(f"no title in {file}")


def _math_free(title: str) -> str:
    return re.sub(r"\$([^$]*)\$", r"\1", title)


def _code_text() -> str:
    """Every code cell and every text output of the chapters, whitespace removed:
    where a `$` in the PDF may legitimately come from."""
    chunks = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                chunks.append("".join(cell["source"]))
                for output in cell.get("outputs", []):
                    chunks.append("".join(output.get("text", "")))
                    for key in ("text/plain", "text/html", "text/latex"):
                        chunks.append("".join(output.get("data", {}).get(key, "")))
            else:  # inline code in the prose (`"$x$"` in a sentence about plot labels)
                chunks.extend(re.findall(r"`([^`]*\$[^`]*)`", "".join(cell["source"])))
    return re.sub(r"\s+", "", "\n".join(chunks))


@pytest.fixture(scope="module")
def pdf() -> Path:
    if not shutil.which("pdftotext"):
        _unavailable(f"pdftotext is not installed (poppler-utils): {APT}")
    if not PDF.is_file():
        if not shutil.which("xelatex") or not shutil.which("latexmk"):
            _unavailable(f"no {PDF.relative_to(ROOT)} and no XeLaTeX/latexmk to build it: {APT}")
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "build_pdf.py"), "--handout"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (
            f"scripts/build_pdf.py failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return PDF


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """The text of each page (pdftotext -layout; pages are split at form feeds)."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.fixture(scope="module")
def text(pages) -> str:
    return "\f".join(pages)


def _contents(pages: list[str]) -> str:
    """The table of contents: from "Contents" to the first page of the body."""
    start = next(i for i, page in enumerate(pages) if re.search(r"^\s*Contents\s*$", page, re.M))
    body = []
    for page in pages[start:]:
        if re.search(r"^\s*About this course\s*$", page, re.M) and "....." not in page:
            break
        body.append(page)
    return "\n".join(body)


def test_page_count(pages):
    info = (
        subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True).stdout
        if shutil.which("pdfinfo")
        else ""
    )
    declared = re.search(r"^Pages:\s+(\d+)", info, re.M)
    if declared:
        assert int(declared.group(1)) == len(pages)
    # thirteen chapters of about 10-30 pages each, front matter, bibliography
    assert 120 <= len(pages) <= 800, f"{len(pages)} pages"


def test_front_matter_then_four_parts_then_thirteen_chapters(pages):
    contents = _contents(pages)
    lines = [line.strip() for line in contents.splitlines() if line.strip()]
    flat = _norm(contents)
    # the intro is front matter: unnumbered, before Part I
    about = next((i for i, line in enumerate(lines) if line.startswith("About this course")), None)
    assert about is not None, "no front matter ('About this course') in the contents"
    number = 0
    position = about
    for p, (caption, chapters) in enumerate(_numbered_parts()):
        name = re.sub(r"^Part\s+[IVX]+\s*:\s*", "", caption)
        part_line = next(
            (
                i
                for i, line in enumerate(lines)
                if i > position and re.match(rf"^{ROMAN[p]}\s+{re.escape(name)}\b", line)
            ),
            None,
        )
        assert part_line is not None, (
            f"part {ROMAN[p]} ({name}) missing from the contents after line {position}"
        )
        position = part_line
        for chapter in chapters:
            number += 1
            title = _math_free(_chapter_title(chapter))
            found = next(
                (
                    i
                    for i, line in enumerate(lines)
                    if i > position
                    and re.match(rf"^{number}\s+\S", line)
                    and _norm(line[len(str(number)) :]).startswith(_norm(title)[:25])
                ),
                None,
            )
            assert found is not None, (
                f"chapter {number} ({title!r}) missing from the contents (after line {position})"
            )
            position = found
    assert number == 13
    assert "bibliography" in flat


def test_each_chapter_opens_with_its_number_and_title(pages):
    number = 0
    for _, chapters in _numbered_parts():
        for chapter in chapters:
            number += 1
            title = _norm(_math_free(_chapter_title(chapter)))
            openings = [
                page
                for page in pages
                if re.search(rf"^\s*Chapter {number}\s*$", page, re.M)
                and title in _norm(page.split(f"Chapter {number}", 1)[1][:400])
            ]
            assert openings, f"no page opens 'Chapter {number}' with the title of {chapter}"


def test_equations_are_numbered_as_in_the_html_book(text):
    # the HTML book's numbers when it is built, else at least one per chapter with math
    found = set(re.findall(r"\((\d+\.\d+)\)\s*$", text, re.M))
    assert any(n.startswith("5.") for n in found), (
        "chapter 5 (the theory) has no numbered equation in the PDF"
    )
    missing = {}
    number = 0
    for _, chapters in _numbered_parts():
        for chapter in chapters:
            number += 1
            page = HTML / f"{chapter}.html"
            if not page.is_file():
                continue
            html_numbers = set(
                re.findall(r'<span class="eqno">\((\d+\.\d+)\)', page.read_text(encoding="utf-8"))
            )
            if html_numbers - found:
                missing[chapter] = sorted(html_numbers - found)
    assert not missing, f"equation numbers of the HTML book not in the PDF: {missing}"


def test_bibliography_lists_every_work(pages):
    entries = re.findall(
        r"^@(?!comment|string|preamble)\w+\{", (ROOT / "references.bib").read_text(), re.M | re.I
    )
    start = max(i for i, page in enumerate(pages) if re.search(r"^\s*Bibliography\s*$", page, re.M))
    labels = re.findall(r"^\s*\[[^\]\s]+\]\s+\S", "\n".join(pages[start:]), re.M)
    assert len(labels) == len(entries), (
        f"{len(labels)} works in the PDF's bibliography, {len(entries)} in references.bib"
    )


def test_no_unresolved_reference(text):
    at = text.find("??")
    assert at < 0, (
        f"'??' (an unresolved reference) in the PDF: ...{text[max(0, at - 80) : at + 40]!r}..."
    )


def _as_code(line: str) -> str:
    """A line of the PDF as its code would read: no whitespace, and no marks of
    a long code line wrapped by Sphinx (a continuation starts with ",→"; a
    space at the break shows as "␣")."""
    return re.sub(
        r"\s+", "", line.replace(",\u2192", "").replace("\u2192", "").replace("\u2423", "")
    )


def test_no_raw_math(text):
    code = _code_text()
    raw = []
    for line in text.splitlines():
        for match in re.finditer(r"\$", line):
            # the characters around the `$`, within its line, as they would be in code or its output
            around, i = _as_code(line), len(_as_code(line[: match.start()]))
            window = around[max(0, i - 10) : i + 10]
            if window not in code and line.strip() not in raw:
                raw.append(line.strip())
    assert not raw, (
        "a `$` in the PDF that no code cell or output prints (unrendered math?):\n  "
        + "\n  ".join(raw[:10])
    )


def test_html_book_links_to_the_pdf(pdf):
    intro = HTML / "chapters" / "intro.html"
    if not intro.is_file():
        pytest.skip("the HTML book is not built (make book)")
    assert 'href="../dropout-course.pdf"' in intro.read_text(encoding="utf-8"), (
        "the intro page does not link to the PDF"
    )
    copy = HTML / pdf.name
    assert copy.is_file() and copy.read_bytes() == pdf.read_bytes(), (
        f"{copy.relative_to(ROOT)} is not the PDF just built: run `make pdf` after `make book`"
    )


def test_cheat_sheet_handout_is_one_page(pdf):
    handout = PDF.with_name("dropout-cheat-sheet.pdf")
    if not handout.is_file():
        pytest.skip("no handout: `make pdf` (scripts/build_pdf.py --handout) builds it")
    text = subprocess.run(
        ["pdftotext", "-layout", str(handout), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    assert len([page for page in pages if page.strip()]) == 1, (
        f"the cheat sheet handout has {len(pages)} pages"
    )
    assert "cheat sheet" in text.lower() and "Pitfalls" in text
    assert "??" not in text


def test_ci_installs_what_the_pdf_needs():
    """.ci/run installs the TeX packages this file's APT names (CI runs as root on a
    fresh Debian machine), and the build script and the README name the same ones."""
    packages = APT.split("--no-install-recommends", 1)[1].split()
    ci = re.search(r"^TEX_PACKAGES=\(([^)]*)\)", (ROOT / ".ci" / "run").read_text(), re.M)
    assert ci is not None and ci.group(1).split() == packages, (
        ".ci/run's TEX_PACKAGES differ from APT"
    )
    build = runpy.run_path(str(ROOT / "scripts" / "build_pdf.py"))["APT_HINT"]
    assert build == APT, "scripts/build_pdf.py's APT_HINT differs from APT"
    assert APT in (ROOT / "README.md").read_text(encoding="utf-8"), (
        "README.md's install line differs from APT"
    )
