"""Give the PDF the HTML book's structure (Sphinx LaTeX builder only).

Sphinx's LaTeX builder inlines every page into the root page (chapters/intro)
and takes that page's title as the document's title. Left alone, the intro's
five sections become chapters 1-5, the twelve chapters become 6-17, the four
parts of _toc.yml are lost, and the bibliography page becomes a chapter with
one sentence in it (the works themselves always go to the end, where Sphinx
gathers every citation). This extension rearranges the assembled document
before it is written:

* the intro is front matter: one unnumbered chapter, "About this course", whose
  sections are unnumbered sections (in the table of contents, without numbers);
* each captioned part of _toc.yml becomes a LaTeX \\part ("Part I: Mechanics"
  -> \\part{Mechanics}, which LaTeX prints as "Part I / Mechanics");
* the chapters keep their numbers, 1-12, continuous across the parts, as in
  the HTML book (use_multitoc_numbering); equations and figures are numbered
  within them (3.1, 3.2, ...), as in the HTML book;
* the page that holds the {bibliography} directive is not repeated as a
  chapter of its own: its labels go to the bibliography at the end, so a
  {doc} link to it still leads there.

HTML and every other builder are untouched.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

FRONT_MATTER_TITLE = "About this course"
PART_PREFIX = re.compile(r"^\s*Part\s+[IVXLC]+\s*[:.\u2013\u2014-]\s*", re.I)

PREAMBLE = r"""
% _ext/latex_book.py: the bibliography also carries the labels of the page
% that held the {bibliography} directive (that page is not printed by itself).
\makeatletter
\let\latexbook@thebibliography\sphinxthebibliography
\renewcommand{\sphinxthebibliography}[1]{%
  \latexbook@thebibliography{#1}%
  \ifdefined\latexbookBibliographyLabels\latexbookBibliographyLabels\fi}
\makeatother
% Sphinx names the table of contents after the first toctree's caption (here
% "Part I: Mechanics"); it lists the whole book.
\addto\captionsenglish{\renewcommand{\contentsname}{Contents}}
"""


def _raw(latex: str) -> nodes.raw:
    return nodes.raw("", latex + "\n", format="latex")


def _label(name: str) -> str:
    return r"\label{\detokenize{%s}}" % name


def _bibliography_docs(env) -> set[str]:
    try:
        domain = env.get_domain("cite")
    except Exception:  # noqa: BLE001 - sphinxcontrib-bibtex not loaded
        return set()
    return {key.docname for key in getattr(domain, "bibliographies", {})}


def _captions(env, root: str) -> list[str]:
    """Caption of each toctree of the root page, in order ('' if none)."""
    return [
        toctree.get("caption") or "" for toctree in env.get_doctree(root).findall(addnodes.toctree)
    ]


def restructure(app, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "latex" or docname != app.config.root_doc:
        return
    sections = [child for child in doctree.children if isinstance(child, nodes.section)]
    if len(sections) != 1:
        logger.warning(
            "[latex_book] the root page has %d top-level sections, expected 1: "
            "PDF structure left as Sphinx made it",
            len(sections),
            location=docname,
        )
        return
    intro = sections[0]
    wrappers = [
        child
        for child in intro.children
        if isinstance(child, nodes.compound) and "toctree-wrapper" in child["classes"]
    ]
    captions = _captions(app.env, docname)
    if len(captions) != len(wrappers):
        logger.warning(
            "[latex_book] %d toctrees but %d inlined toctree wrappers: PDF structure "
            "left as Sphinx made it",
            len(captions),
            len(wrappers),
            location=docname,
        )
        return
    bibliography_docs = _bibliography_docs(app.env)

    # The intro, without its toctrees, becomes an unnumbered chapter inside a
    # new top section, whose title LaTeX takes as the document title (skipped).
    for wrapper in wrappers:
        intro.remove(wrapper)
    position = doctree.index(intro)
    doctree.remove(intro)
    top = nodes.section("", ids=[], names=[])
    top += nodes.title("", intro[0].astext())
    intro[0].children = [nodes.Text(FRONT_MATTER_TITLE)]
    top += _raw(r"\edef\latexbookSecnumdepth{\arabic{secnumdepth}}\setcounter{secnumdepth}{-1}")
    top += intro
    top += _raw(r"\setcounter{secnumdepth}{\latexbookSecnumdepth}")

    bibliography_labels: list[str] = []
    for caption, wrapper in zip(captions, wrappers):
        chapters = []
        for child in list(wrapper.children):
            if isinstance(child, addnodes.start_of_file) and child["docname"] in bibliography_docs:
                bibliography_labels.append(_label(f"{child['docname']}::doc"))
                for section in child.findall(nodes.section):
                    bibliography_labels.extend(
                        _label(f"{child['docname']}:{id_}") for id_ in section["ids"]
                    )
                continue
            chapters.append(child)
        if not chapters:
            continue
        if caption:
            title = PART_PREFIX.sub("", caption).strip() or caption
            top += _raw(r"\part{%s}" % _escape(title))
        top.extend(chapters)
    if bibliography_labels:
        top += _raw(
            r"\def\latexbookBibliographyLabels{%s}" % "".join(dict.fromkeys(bibliography_labels))
        )

    doctree.insert(position, top)


def _escape(text: str) -> str:
    from sphinx.util.texescape import escape

    return escape(text)


def add_preamble(app, config) -> None:
    elements = dict(config.latex_elements or {})
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    config.latex_elements = elements


def setup(app):
    app.connect("config-inited", add_preamble)
    # after sphinx's own handlers (and sphinxcontrib-bibtex's post-transforms)
    app.connect("doctree-resolved", restructure, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
