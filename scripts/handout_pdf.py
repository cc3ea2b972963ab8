"""The chapter-13 cheat sheet as a one-page PDF handout.

Called by `scripts/build_pdf.py --handout` once the book's LaTeX is written
(_build/latex/dropout-course.tex): the sections of chapter 13 that come before
its first code cell (the cheat sheet proper: the mechanics, the conventions,
the recipe, the pitfalls) are cut out of the book's .tex and set on one A4 page
with the book's own preamble, at the largest type size that fits one page.
Links to other chapters keep their text (there is no other chapter to go to).
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

CHAPTER = r"\chapter{Summary and cheat sheet}"
SIZES = [r"\small", r"\footnotesize", r"\scriptsize", r"\tiny"]
TITLE = "Dropout: a cheat sheet"
CREDIT = (
    r"From chapter 13 of \emph{Dropout regularization: an open course}, by the dropout course authors. "
    r"Text: CC BY 4.0; code: MIT."
)


def cheat_sheet_body(tex: str) -> str:
    start = tex.find(CHAPTER)
    if start < 0:
        raise SystemExit(f"handout: {CHAPTER} not found in the book's LaTeX")
    end = min(
        (
            i
            for i in (
                tex.find(marker, start + len(CHAPTER))
                for marker in (
                    r"\chapter{",
                    r"\part{",
                    r"\def\latexbookBibliographyLabels",
                    r"\begin{sphinxthebibliography}",
                    r"\renewcommand{\indexname}",
                    r"\end{document}",
                )
            )
            if i > 0
        ),
        default=len(tex),
    )
    chapter = tex[start:end]
    sections = [m.start() for m in re.finditer(r"^\\section\{", chapter, re.M)] + [len(chapter)]
    kept = []
    for a, b in zip(sections, sections[1:]):
        section = chapter[a:b]
        if r"\begin{sphinxuseclass}{cell}" in section:
            break  # the first section with code: the end of the cheat sheet proper
        kept.append(section)
    if not kept:
        raise SystemExit("handout: no section before the first code cell in chapter 13")
    body = "".join(kept)
    body = re.sub(r"^\\section\{", r"\\subsection*{", body, flags=re.M)
    body = re.sub(r"\\label\{\\detokenize\{[^}]*\}\}", "", body)
    # a link to another chapter: its text only
    body = re.sub(r"\\hyperref\[\\detokenize\{[^}]*\}\]", "", body)
    return body


def document(preamble: str, body: str, size: str) -> str:
    return (
        preamble
        + "\n\\geometry{a4paper,margin=11mm,includefoot=false,includehead=false}\n"
        + "\\setcounter{secnumdepth}{-1}\n\\begin{document}\n\\pagestyle{empty}\\thispagestyle{empty}\n"
        + f"{size}\n"
        + f"\\noindent{{\\Large\\bfseries {TITLE}}}\\hfill{{\\footnotesize {CREDIT}}}\\par\\medskip\n"
        + body
        + "\n\\end{document}\n"
    )


def build_handout(book_tex: Path, out: Path) -> float:
    started = time.perf_counter()
    tex = book_tex.read_text(encoding="utf-8")
    preamble = tex[: tex.index(r"\begin{document}")]
    body = cheat_sheet_body(tex)
    name = out.stem
    work = book_tex.parent
    for size in SIZES:
        source = work / f"{name}.tex"
        source.write_text(document(preamble, body, size), encoding="utf-8")
        result = subprocess.run(
            ["latexmk", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error", source.name],
            cwd=work,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SystemExit(f"handout: LaTeX failed on {source}:\n{result.stdout[-2000:]}")
        log = (work / f"{name}.log").read_text(errors="replace")
        pages = int(re.search(r"Output written on .*?\((\d+) pages?", log, re.S).group(1))
        if pages == 1:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes((work / f"{name}.pdf").read_bytes())
            print(f"handout: {out} (one page, type size {size})")
            return time.perf_counter() - started
    raise SystemExit(f"handout: the cheat sheet does not fit one page even at {SIZES[-1]}")
