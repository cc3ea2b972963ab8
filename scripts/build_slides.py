"""Build one reveal.js slide deck per chapter notebook, for a room with no network.

Usage: python scripts/build_slides.py [--output DIR] [--no-pdf] [NOTEBOOK ...]

Reads the chapters from ``_toc.yml`` (every ``.ipynb`` it lists, in book
order; or only the notebooks given) and writes ``DIR/<chapter>.slides.html``
(default ``_build/slides/``) with nbconvert's ``SlidesExporter`` (what
``jupyter nbconvert --to slides`` runs), from the outputs stored in the
notebooks, no execution, plus ``DIR/index.html`` linking them by title, and a PDF of each deck
(``DIR/<chapter>.slides.pdf``, reveal.js's print view printed by headless
Chromium, one page a slide; skipped with a warning without Chromium, or with
``--no-pdf``).

Offline: reveal.js is copied next to the decks from the ``sphinx-revealjs``
wheel (an unmodified reveal.js dist with its MIT licence) and MathJax from
``django-static-mathjax``, as the book does; the decks load no jQuery,
require.js or fonts from a CDN.

Which cells show (CONTRIBUTING.md, "Slides"): ``slideshow.slide_type`` of
each cell; ``skip`` cells and cells tagged ``remove-cell`` stay off, except
``notes`` cells, which become speaker notes even though they are tagged
``remove-cell`` (to keep them off the book page). Exercise solutions stay off
(``{solution}`` blocks and everything between ``{solution-start}`` and
``{solution-end}``). ``hide-input``/``remove-input`` cells show only their
outputs, ``remove-output`` cells only their input. MyST markup the book
renders is turned into plain Markdown: glued numbers are pasted from the
stored outputs, citations become author-year, labelled equations get the
book's numbers, directives become bold-titled blocks.
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import importlib.util
import mimetypes
import re
import shutil
import sys
import time
from ast import literal_eval
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

# scripts/ on the path also when a test loads this file by its location
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
import headless_chromium  # noqa: E402  (scripts/headless_chromium.py: the one browser set-up)
from book_toc import toc_entries  # noqa: E402  (scripts/book_toc.py: the one _toc.yml reader)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "_build" / "slides"

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
REVEAL_DIR = "reveal.js"  # relative to the decks
MATHJAX_DIR = "mathjax"  # relative to the decks

# Tags, as in the book (Jupyter Book's cell tags).
REMOVE_CELL_TAGS = {"remove-cell"}
REMOVE_INPUT_TAGS = {"hide-input", "remove-input"}
REMOVE_OUTPUT_TAGS = {"remove-output"}


# --------------------------------------------------------------------------- chapters


@dataclass
class Chapter:
    """A notebook listed in _toc.yml."""

    path: Path
    number: int | None  # the book's chapter number (None in an unnumbered part)
    title: str = ""
    notebook: nbformat.NotebookNode | None = None
    glue: dict[str, dict] = field(default_factory=dict)  # name -> mime bundle

    @property
    def deck_name(self) -> str:
        return f"{self.path.stem}.slides.html"

    @property
    def pdf_name(self) -> str:
        return f"{self.path.stem}.slides.pdf"


def toc_chapters(root: Path = ROOT) -> list[Chapter]:
    """The notebooks _toc.yml lists, in book order (Markdown pages have no deck)."""
    return [
        Chapter(root / f"{entry.file}.ipynb", entry.number)
        for entry in toc_entries(root)
        if (root / f"{entry.file}.ipynb").is_file()
    ]


def _markdown_title(text: str) -> str:
    match = re.search(r"^#\s+(.+?)\s*#*\s*$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else ""


def load_chapter(chapter: Chapter) -> Chapter:
    notebook = nbformat.read(chapter.path, as_version=4)
    chapter.notebook = notebook
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and not chapter.title:
            chapter.title = _markdown_title(cell.source)
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap and "name" in scrap:
                prefix = scrap.get("mime_prefix", "")
                chapter.glue[scrap["name"]] = {
                    mime[len(prefix) :]: data
                    for mime, data in output.get("data", {}).items()
                    if mime.startswith(prefix)
                }
    chapter.title = chapter.title or chapter.path.stem
    return chapter


# --------------------------------------------------------------- MyST -> Markdown


def _format_plain_text(text: str, spec: str) -> str:
    """As myst-nb's {glue:text}: literal-eval the text/plain, then format it."""
    try:
        value = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if not spec:
        return str(value)
    kind = spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, spec)


def _data_uri(mime: str, data: str | bytes) -> str:
    if isinstance(data, bytes):
        data = base64.b64encode(data).decode()
    elif mime == "image/svg+xml":
        data = base64.b64encode(data.encode()).decode()
    return f"data:{mime};base64,{''.join(data.split())}"


ADMONITIONS = {
    "admonition",
    "attention",
    "caution",
    "danger",
    "error",
    "hint",
    "important",
    "note",
    "seealso",
    "tip",
    "warning",
    "epigraph",
    "pull-quote",
}
DROPPED_DIRECTIVES = {"bibliography", "toctree", "tableofcontents", "solution", "margin"}
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}`(?P<text>[^`]*)`")
LABELLED_MATH = re.compile(
    r"\$\$(?P<body>(?:(?!\$\$).)+?)\$\$[ \t]*\((?P<label>[^()\s]+)\)", re.DOTALL
)
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
SENTINEL = re.compile(r"\x00(?P<kind>\w+):(?P<key>[^\x00]*)\x00")


class MystConverter:
    """Turns the MyST the book uses into Markdown nbconvert renders.

    Cross-references are resolved after every chapter has been converted
    (labels can point forwards and into other chapters): ``convert`` leaves
    sentinels that ``resolve`` replaces.
    """

    def __init__(self, chapters: list[Chapter], bibliography: Path | None):
        self.chapters = {chapter.path.stem: chapter for chapter in chapters}
        self.titles: dict[str, str] = {}  # doc stem -> title
        self.labels: dict[str, str] = {}  # label -> text for {ref}/{numref}/{prf:ref}
        self.equations: dict[str, str] = {}  # label -> "3.1"
        self.citations = self._read_bibliography(bibliography)
        self.chapter: Chapter | None = None
        self.equation_count = 0
        self.dropping = False  # inside {solution-start} ... {solution-end}
        self.missing: list[str] = []  # what could not be resolved, for warnings
        self.missing_by_chapter: dict[str, list[str]] = {}

    @staticmethod
    def _read_bibliography(path: Path | None) -> dict[str, tuple[str, str]]:
        """key -> (authors as cited, year), or {} without pybtex or the file."""
        if path is None or not path.is_file():
            return {}
        try:
            from pybtex.database import parse_file
        except ImportError:
            return {}

        def clean(text: str) -> str:
            return re.sub(r"[{}\\]", "", text)

        entries = {}
        for key, entry in parse_file(str(path)).entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            last = [clean(" ".join(person.prelast_names + person.last_names)) for person in people]
            if len(last) >= 3:
                authors = f"{last[0]} et al."
            else:
                # no author (lecture notes, slides): the title, as the book's citation shows it
                authors = " and ".join(last) or clean(entry.fields.get("title", key))
            entries[key] = (authors, clean(entry.fields.get("year", "n.d.")))
        return entries

    # -- per chapter

    def start_chapter(self, chapter: Chapter) -> None:
        self.chapter = chapter
        self.missing = self.missing_by_chapter.setdefault(chapter.path.stem, [])
        self.equation_count = 0
        self.dropping = False

    def _equation_tag(self, label: str) -> str:
        self.equation_count += 1
        number = self.chapter.number if self.chapter else None
        tag = f"{number}.{self.equation_count}" if number else str(self.equation_count)
        self.equations[label] = tag
        return tag

    # -- inline markup

    def _cite(self, kind: str, keys: str) -> str:
        found = [self.citations.get(key.strip(), (key.strip(), "")) for key in keys.split(",")]
        if kind in {"t", "ts"}:
            return "; ".join(f"{who} ({year})" if year else who for who, year in found)
        if kind == "year":
            return "; ".join(year for _, year in found)
        if kind == "author":
            return "; ".join(who for who, _ in found)
        return "(" + "; ".join(f"{who}, {year}" if year else who for who, year in found) + ")"

    def _glue(self, key: str) -> dict:
        if "::" in key:
            document, name = key.split("::", 1)
            chapter = self.chapters.get(Path(document).stem)
        else:
            chapter, name = self.chapter, key
        bundle = (chapter.glue if chapter else {}).get(name, {})
        if not bundle:
            self.missing.append(f"no stored glue output {key!r} (run `make execute`)")
        return bundle

    def _glue_inline(self, name: str, text: str) -> str:
        if name == "glue:text":
            document, separator, rest = text.rpartition("::")
            key, _, spec = rest.partition(":")  # `name` or `name:.2f`
            bundle = self._glue(document + separator + key)
            if "text/plain" not in bundle:
                return f"`{text}`"
            try:
                return _format_plain_text(bundle["text/plain"], spec)
            except (TypeError, ValueError):
                return bundle["text/plain"]
        bundle = self._glue(text)
        if name == "glue:md" and "text/markdown" in bundle:
            return bundle["text/markdown"]
        if name == "glue:math" and "text/latex" in bundle:
            return bundle["text/latex"]
        for mime in ("image/png", "image/jpeg", "image/svg+xml"):
            if mime in bundle:
                return f"![{text}]({_data_uri(mime, bundle[mime])})"
        if "text/plain" in bundle:
            return _format_plain_text(bundle["text/plain"], "")
        return f"`{text}`"

    def _role(self, match: re.Match) -> str:
        name, text = match["name"], match["text"]
        if (
            name == "eval"
        ):  # {eval}`key` / {eval}`f"{key:.2f}"`: the glue record, as the book shows it
            parsed = re.fullmatch(r'f"\{(\w+):([^{}"]*)\}"|(\w+)', text)
            if parsed:
                key, spec = (parsed[1], parsed[2]) if parsed[1] else (parsed[3], "")
                owner = next(
                    (stem for stem, chapter in self.chapters.items() if key in chapter.glue), None
                )
                reference = f"{owner}.ipynb::{key}" if owner else key
                return self._glue_inline("glue:text", f"{reference}:{spec}" if spec else reference)
            self.missing.append(f'{{eval}}`{text}` is neither NAME nor f"{{NAME:SPEC}}"')
            return f"`{text}`"
        if name in {
            "glue",
            "glue:",
            "glue:any",
            "glue:text",
            "glue:md",
            "glue:math",
            "glue:figure",
        }:
            return self._glue_inline(name if name != "glue:" else "glue", text)
        if name == "math":
            return f"${text}$"
        if name == "eq":
            return f"(\x00eq:{text}\x00)"
        if name.startswith("cite"):
            return self._cite(name.partition(":")[2], text)
        explicit = re.fullmatch(r"(?P<title>.+?)\s*<(?P<target>[^<>]+)>", text, flags=re.DOTALL)
        if explicit:
            return explicit["title"]
        if name == "doc":
            return f"\x00doc:{text}\x00"
        if name in {"ref", "numref", "prf:ref", "prf:ref_"}:
            return f"\x00ref:{text}\x00"
        return text  # {term}, {abbr}, {sub}, {download}, ...: the text itself

    def _inline(self, text: str) -> str:
        text = LABELLED_MATH.sub(
            lambda match: (
                f"$${match['body'].rstrip()} \\tag{{{self._equation_tag(match['label'])}}}$$"
            ),
            text,
        )
        return ROLE.sub(self._role, text)

    # -- blocks

    def convert(self, source: str) -> str:
        """Convert one markdown cell; '' when nothing of it shows on a slide."""
        return "\n".join(self._block(source.split("\n"))).strip("\n")

    def _block(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        paragraph: list[str] = []
        heading_label: str | None = None

        def flush() -> None:
            if paragraph:
                out.extend(self._inline("\n".join(paragraph)).split("\n"))
                paragraph.clear()

        index = 0
        while index < len(lines):
            line = lines[index]
            fence = FENCE.match(line)
            if fence:
                close = self._closing(lines, index, fence)
                body = lines[index + 1 : close]
                index = close + 1
                directive = re.fullmatch(
                    r"\s*\{(?P<name>[^}]+)\}\s*(?P<argument>.*)", fence["info"]
                )
                if directive is None:  # plain code block: verbatim (unless dropping)
                    if not self.dropping:
                        flush()
                        out.extend([line, *body] + ([lines[close]] if close < len(lines) else []))
                    continue
                flush()
                heading_label = None
                out.extend(
                    self._directive(directive["name"].strip(), directive["argument"].strip(), body)
                )
                continue
            index += 1
            if self.dropping:
                continue
            target = TARGET.match(line)
            if target:
                flush()
                heading_label = target["label"]
                continue
            if re.match(r"^%", line):  # MyST comment
                continue
            if line.strip():  # a `(label)=` names the heading right after it
                heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
                if heading and heading_label:
                    self.labels[heading_label] = heading.group(1)
                heading_label = None
            paragraph.append(line)
        flush()
        return out

    @staticmethod
    def _closing(lines: list[str], start: int, fence: re.Match) -> int:
        char, length = fence["fence"][0], len(fence["fence"])
        closing = re.compile(rf"^ {{0,3}}{re.escape(char)}{{{length},}}\s*$")
        for index in range(start + 1, len(lines)):
            if closing.match(lines[index]):
                return index
        return len(lines)

    @staticmethod
    def _options(body: list[str]) -> tuple[dict[str, str], list[str]]:
        options: dict[str, str] = {}
        if body and body[0].strip() == "---":
            end = next((i for i in range(1, len(body)) if body[i].strip() == "---"), None)
            if end is not None:
                loaded = yaml.safe_load("\n".join(body[1:end])) or {}
                return {str(k): str(v) for k, v in loaded.items()}, body[end + 1 :]
        index = 0
        while index < len(body):
            option = re.match(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$", body[index])
            if not option:
                break
            options[option["key"]] = option["value"]
            index += 1
        return options, body[index:]

    def _directive(self, name: str, argument: str, body: list[str]) -> list[str]:
        if name == "solution-start":
            self.dropping = True
            return []
        if name == "solution-end":
            self.dropping = False
            return []
        if self.dropping or name in DROPPED_DIRECTIVES:
            return []
        options, body = self._options(body)
        label = options.get("label") or options.get("name")
        kind = name.split(":")[-1]

        if name in {"math", "glue:math"}:
            latex = "\n".join(body).strip()
            if name == "glue:math":
                latex = self._glue(argument).get("text/latex", argument).strip().strip("$")
            tag = f" \\tag{{{self._equation_tag(label)}}}" if label else ""
            return ["$$", latex + tag, "$$", ""]
        if name in {"code", "code-block", "sourcecode", "code-cell"}:
            return [f"```{argument}", *body, "```", ""]
        if name in {"image", "figure", "glue:figure", "glue"}:
            if name.startswith("glue"):
                picture = self._glue_inline("glue", argument)
            else:
                picture = self._image(argument, options.get("alt", ""))
            caption = self._block(body)
            return [picture, "", *caption, ""]
        if name == "raw":
            return [*body, ""] if argument == "html" else []

        title = argument
        if name.startswith("prf:") or name == "exercise":
            heading = kind.replace("-", " ").capitalize()
            title = f"{heading} ({argument})" if argument else heading
            if label:
                self.labels[label] = title
            title += "."
        elif name in ADMONITIONS and name != "admonition":
            title = name.replace("-", " ").capitalize() + (f": {argument}" if argument else "")
        inner = self._block(body)
        if kind == "proof":
            return [
                "*Proof.* " + (inner[0] if inner else ""),
                *inner[1:],
                "",
                "$\\blacksquare$",
                "",
            ]
        lead = [f"**{title}**", ""] if title else []
        if name in ADMONITIONS and name not in {"epigraph", "pull-quote"}:
            # a box the deck's CSS styles by the directive's :class: (e.g. `tip
            # objectives`, `takeaways`); Markdown inside: blank lines around it
            classes = " ".join(["course-admonition", name, *options.get("class", "").split()])
            return [f'<div class="{html.escape(classes)}">', "", *lead, *inner, "", "</div>", ""]
        if name in ADMONITIONS or name.startswith("prf:") or name == "exercise":
            return [("> " + line).rstrip() for line in [*lead, *inner]] + [""]
        return [*lead, *inner, ""]

    def _image(self, target: str, alt: str) -> str:
        path = (self.chapter.path.parent / target) if self.chapter else Path(target)
        if path.is_file():
            mime = mimetypes.guess_type(path.name)[0] or "image/png"
            return f"![{alt}]({_data_uri(mime, path.read_bytes())})"
        return f"![{alt}]({target})" if re.match(r"^(https?:)?//", target) is None else f"*{alt}*"

    # -- after all chapters

    def resolve(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            kind, key = match["kind"], match["key"]
            if kind == "eq":
                return self.equations.get(key, key)
            if kind == "doc":
                stem = Path(key).stem
                return self.titles.get(stem, stem)
            return self.labels.get(key, key)

        return SENTINEL.sub(replace, text)


# ------------------------------------------------------------------- notebooks


def slide_type(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def prepare(chapter: Chapter, converter: MystConverter, course_title: str) -> nbformat.NotebookNode:
    """The chapter's notebook as the slides show it (a copy; the file is untouched)."""
    notebook = copy.deepcopy(chapter.notebook)
    converter.start_chapter(chapter)
    cells = []
    pending = None  # the slide boundary of a cell left out, for the next cell shown

    def leave_out(cell) -> None:
        nonlocal pending
        kind = slide_type(cell)
        if kind == "slide" or (kind == "subslide" and pending != "slide"):
            pending = kind

    for cell in notebook.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":  # first: it may open or close a gated solution
            cell.source = converter.convert(cell.source)
        if slide_type(cell) == "notes" and REMOVE_CELL_TAGS & tags:
            # notes cells are tagged remove-cell for the book only: keep them here
            cell.metadata.tags = [tag for tag in cell.metadata.tags if tag not in REMOVE_CELL_TAGS]
        elif REMOVE_CELL_TAGS & tags:
            leave_out(cell)  # (TagRemovePreprocessor would too, losing its boundary)
            continue
        if cell.cell_type == "markdown":
            if not cell.source.strip():
                leave_out(cell)  # only a solution, a label or a comment
                continue
        elif converter.dropping:
            leave_out(cell)  # a code cell of a gated solution
            continue
        if cell.cell_type == "code":
            # glue(..., display=False) outputs: the book does not show them either
            cell.outputs = [
                output
                for output in cell.outputs
                if not output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix")
            ]
        if pending and slide_type(cell) in {"-", "fragment"}:
            cell.metadata.setdefault("slideshow", {})["slide_type"] = pending
        if slide_type(cell) not in {"skip", "notes"}:
            pending = None
        cells.append(cell)
    first = next((c for c in cells if slide_type(c) not in {"skip", "notes"}), None)
    if (
        first is not None
        and first.cell_type == "markdown"
        and first.source.lstrip().startswith("# ")
    ):
        number = f"Chapter {chapter.number} · " if chapter.number else ""
        first.source += (
            f'\n\n<p class="course-deck-subtitle">{html.escape(number + course_title)}</p>'
        )
    notebook.cells = cells
    return notebook


# --------------------------------------------------------------------- exporter

TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{#- The reveal template, served from the decks' own folder: no CDN. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {
    inlineMath: [['$', '$'], ['\\(', '\\)']],
    displayMath: [['$$', '$$'], ['\\[', '\\]']],
    processEscapes: true,
    processEnvironments: true
  },
  options: { ignoreHtmlClass: 'tex2jax_ignore', processHtmlClass: 'tex2jax_process' }
};
</script>
<script src="{{ resources.mathjax_url }}"></script>
<style type="text/css">
/* after the theme's rules: .reveal .slides beats the theme's .reveal */
/* Slides are 1280x720 and never scroll (tests/test_slide_fit.py measures them):
   text, code and tables a size that fits a screen, a figure scaled to the frame. */
:root { --jp-content-font-size1: 22px; --jp-code-font-size: 17px; --jp-ui-font-size1: 20px; }
.reveal { font-size: 30px; }
.reveal .slides h1, .reveal .slides h2, .reveal .slides h3, .reveal .slides h4 { text-transform: none; }
.reveal .slides h1 { font-size: 1.9em; }
.reveal .slides h2 { font-size: 1.45em; margin-bottom: 0.4em; }
.reveal .slides h3 { font-size: 1.15em; }
.reveal .slides p, .reveal .slides ul, .reveal .slides ol { margin-top: 0.3em; margin-bottom: 0.3em; }
.reveal .slides .course-deck-subtitle { color: #555; font-size: 0.8em; }
.reveal .slides .jp-RenderedImage img, .reveal .slides .jp-RenderedMarkdown img {
  max-width: 100%; max-height: 520px; width: auto; height: auto; object-fit: contain; }
/* under code shown on the slide, a figure leaves the code room */
.reveal .slides .jp-CodeCell:has(.jp-Cell-inputWrapper) .jp-RenderedImage img { max-height: 400px; }
.reveal .slides table { font-size: 0.75em; margin: 0.3em 0; }
.reveal .slides table th, .reveal .slides table td { padding: 0.15em 0.45em; }
.reveal .slides .jp-OutputArea-output pre, .reveal .slides .jp-RenderedText pre { font-size: 16px; line-height: 1.25; }
.reveal .slides .jp-Cell { margin: 0.25em 0; }
.reveal .slides blockquote, .reveal .slides .course-admonition { display: block; width: auto; margin: 0.5em 0;
  padding: 0.3em 0.8em; text-align: left; font-style: normal; box-shadow: none;
  border-left: 4px solid #9bb; background: #f6f9f9; }
.reveal .slides blockquote p:first-child, .reveal .slides blockquote p:last-child { display: block; }
.reveal .slides .course-admonition > p:first-child { margin-top: 0.2em; }
.reveal .slides .course-admonition.objectives { border-left-color: #2a7; background: #f1faf4; }
.reveal .slides .course-admonition.takeaways { border-left-color: #37b; background: #f1f5fc; }
.reveal .slides .course-admonition.warning, .reveal .slides .course-admonition.caution { border-left-color: #d90; background: #fdf8ee; }
</style>
{%- endblock html_head_js_mathjax -%}
{#- The course's own code: highlight it without bleach's (slow) sanitising pass. -#}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
     <div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
     </div>
</div>
{%- endblock input %}
{%- block footer_js -%}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
function startDeck() {
  Reveal.initialize({
    controls: true,
    progress: true,
    hash: true,
    center: false,
    transition: "{{ resources.reveal.transition }}",
    slideNumber: "{{ resources.reveal.number }}",
    width: {{ resources.reveal.width }},
    height: {{ resources.reveal.height }},
    plugins: [RevealNotes],
    // ?print-pdf: one PDF page a slide, its fragments shown, never split
    pdfSeparateFragments: false,
    pdfMaxPagesPerSlide: 1
  });
}
// typeset first, then lay the slides out
if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
  MathJax.startup.promise.then(startDeck, startDeck);
} else {
  startDeck();
}
</script>
{%- endblock footer_js -%}
"""


def make_exporter():
    from jinja2 import DictLoader
    from nbconvert.exporters import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = REMOVE_CELL_TAGS
    config.TagRemovePreprocessor.remove_input_tags = REMOVE_INPUT_TAGS
    config.TagRemovePreprocessor.remove_all_outputs_tags = REMOVE_OUTPUT_TAGS
    config.SlidesExporter.reveal_url_prefix = REVEAL_DIR
    config.SlidesExporter.reveal_theme = (
        "white"  # fonts ship with reveal.js; "simple" fetches Google Fonts
    )
    config.SlidesExporter.reveal_transition = "fade"
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.reveal_width = "1280"
    config.SlidesExporter.reveal_height = "720"
    config.SlidesExporter.mathjax_url = f"{MATHJAX_DIR}/tex-chtml.js"
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    config.SlidesExporter.template_file = "course_slides.html.j2"
    return SlidesExporter(
        config=config, extra_loaders=[DictLoader({"course_slides.html.j2": TEMPLATE})]
    )


# ------------------------------------------------------------------ static files


def reveal_dist_dir() -> Path:
    """reveal.js as shipped in the sphinx-revealjs wheel (found without importing Sphinx)."""
    spec = importlib.util.find_spec("sphinx_revealjs")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "reveal.js for offline slides is missing: install sphinx-revealjs "
            "(it is in requirements.txt; `make slides` installs it)"
        )
    source = Path(spec.origin).parent / "_static" / "revealjs"
    if not (source / "dist" / "reveal.js").is_file():
        raise RuntimeError(f"reveal.js not found or incomplete at {source}")
    return source


def copy_reveal(target: Path) -> None:
    """Copy reveal.js's dist, its notes plugin and licence (no sources, no maps)."""
    source = reveal_dist_dir()
    stamp = target / "dist" / "reveal.js"
    if stamp.is_file() and stamp.read_bytes() == (source / "dist" / "reveal.js").read_bytes():
        return
    ignore = shutil.ignore_patterns("*.map", "*.esm.js")
    shutil.copytree(source / "dist", target / "dist", ignore=ignore, dirs_exist_ok=True)
    shutil.copytree(
        source / "plugin" / "notes", target / "plugin" / "notes", ignore=ignore, dirs_exist_ok=True
    )
    shutil.copy2(source / "LICENSE", target / "LICENSE")


def copy_mathjax(target: Path) -> None:
    # the book's Sphinx extension _ext/offline_mathjax.py holds the copy
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        from offline_mathjax import copy_mathjax as copy_bundle
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    copy_bundle(target)


INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: slides</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46em; margin: 3em auto; padding: 0 1em; line-height: 1.5; color: #222; }}
ul.decks {{ list-style: none; padding-left: 0; }}
li {{ margin: 0.4em 0; }}
kbd {{ border: 1px solid #bbb; border-radius: 3px; padding: 0 0.3em; font-size: 0.9em; }}
.missing {{ color: #999; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Slides of each chapter, one deck per chapter. They work offline: open a deck and
use <kbd>&rarr;</kbd>/<kbd>Space</kbd> to advance, <kbd>Esc</kbd> for an overview,
<kbd>F</kbd> for full screen, <kbd>S</kbd> for the speaker notes (allow the pop-up).
The PDF of a deck has one page a slide, to present from or hand out.</p>
<ul class="decks">
{items}
</ul>
</body>
</html>
"""


def write_index(output: Path, chapters: list[Chapter], course_title: str) -> Path:
    items = []
    for chapter in chapters:
        label = html.escape(
            f"{chapter.number}. {chapter.title}" if chapter.number else chapter.title
        )
        if (output / chapter.deck_name).is_file():
            pdf = output / chapter.pdf_name
            also = f' (<a href="{chapter.pdf_name}">PDF</a>)' if pdf.is_file() else ""
            items.append(f'<li><a href="{chapter.deck_name}">{label}</a>{also}</li>')
        else:
            items.append(f'<li class="missing">{label} (no deck)</li>')
    index = output / "index.html"
    index.write_text(
        INDEX.format(title=html.escape(course_title), items="\n".join(items)), encoding="utf-8"
    )
    return index


# ------------------------------------------------------------------ PDF, browser

# The browser (flags, offline but for loopback) is scripts/headless_chromium.py's,
# shared with the browser tests.


class serve_folder:
    """Serve a folder on 127.0.0.1 (reveal.js and MathJax load their parts by URL)."""

    def __init__(self, folder: Path):
        import functools
        import http.server
        import threading

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


# Resolves once the deck is laid out: images decoded, MathJax typeset,
# Reveal ready (in the print view: its pages made).
WAIT_FOR_DECK = """
const done = arguments[arguments.length - 1];
const images = Array.from(document.images).map(image => image.decode().catch(() => null));
const typeset = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
Promise.all([...images, typeset.catch(() => null)]).then(() => {
  const ready = () => {
    if (!document.documentElement.classList.contains('print-pdf')) { done(true); return; }
    const wait = () => document.querySelector('.reveal .pdf-page') ? setTimeout(() => done(true), 200) : setTimeout(wait, 50);
    wait();
  };
  if (window.Reveal && Reveal.isReady()) ready(); else if (window.Reveal) Reveal.on('ready', ready); else done(false);
});
"""


def write_pdfs(output: Path, decks: list[Path]) -> list[Path]:
    """Print each deck's reveal.js print view (?print-pdf) with headless Chromium."""
    import tempfile

    reason = headless_chromium.missing()
    if reason:
        print(f"warning: no PDF of the decks: {reason}")
        return []
    written = []
    with (
        tempfile.TemporaryDirectory(
            prefix="slides-chromium-", ignore_cleanup_errors=True
        ) as profile,
        serve_folder(output) as url,
    ):
        # a busy machine: a long deck takes a while to load and to print
        driver = headless_chromium.start(
            window=(1280, 720), profile=Path(profile), page_load_timeout=300, command_timeout=600
        )
        try:
            for deck in decks:
                try:
                    driver.get(f"{url}{deck.name}?print-pdf")
                    if not driver.execute_async_script(WAIT_FOR_DECK):
                        print(f"warning: {deck.name}: reveal.js did not start; no PDF")
                        continue
                    pdf = driver.execute_cdp_cmd(
                        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
                    )
                except Exception as error:  # noqa: BLE001 - the deck stands without its PDF
                    print(
                        f"warning: {deck.name}: no PDF ({type(error).__name__}: {str(error).splitlines()[0]})"
                    )
                    continue
                target = deck.with_suffix(".pdf")
                target.write_bytes(base64.b64decode(pdf["data"]))
                written.append(target)
        finally:
            driver.quit()
    return written


# ------------------------------------------------------------------------- main


def metadata_problems(notebook) -> list[str]:
    """What a chapter author must fix for the slides (also checked by tests/test_slides.py)."""
    problems = []
    missing = [
        i
        for i, cell in enumerate(notebook.cells)
        if "slide_type" not in cell.metadata.get("slideshow", {})
    ]
    if missing:
        problems.append(
            f"{len(missing)} of {len(notebook.cells)} cells have no slideshow.slide_type"
        )
    unknown = sorted({slide_type(cell) for cell in notebook.cells} - set(SLIDE_TYPES))
    if unknown:
        problems.append(f"unknown slide types {unknown}")
    if notebook.cells and slide_type(notebook.cells[0]) != "slide":
        problems.append("the first cell is not a `slide`")
    return problems


def build(
    output: Path = DEFAULT_OUTPUT,
    only: list[Path] | None = None,
    root: Path = ROOT,
    pdf: bool = False,
) -> list[Path]:
    """Write the decks of the chapters (all in _toc.yml, or `only`), their PDFs and the index."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    course_title = config.get("title", "Slides")
    chapters = [load_chapter(chapter) for chapter in toc_chapters(root)]
    if only:
        wanted = {path.resolve() for path in only}
        unknown = wanted - {chapter.path.resolve() for chapter in chapters}
        if unknown:
            raise SystemExit(
                f"not chapters listed in _toc.yml: {', '.join(map(str, sorted(unknown)))}"
            )
    converter = MystConverter(chapters, root / "references.bib")
    converter.titles = {Path(entry.file).stem: "" for entry in toc_entries(root)}
    for entry in toc_entries(root):
        for suffix in (".md", ".ipynb"):
            path = root / f"{entry.file}{suffix}"
            if suffix == ".md" and path.is_file():
                converter.titles[path.stem] = (
                    _markdown_title(path.read_text(encoding="utf-8")) or path.stem
                )
    converter.titles.update({chapter.path.stem: chapter.title for chapter in chapters})

    # Convert every chapter (cross-references may point anywhere), then export.
    prepared = [(chapter, prepare(chapter, converter, course_title)) for chapter in chapters]
    output.mkdir(parents=True, exist_ok=True)
    copy_reveal(output / REVEAL_DIR)
    copy_mathjax(output / MATHJAX_DIR)
    if not only:  # decks of chapters no longer in _toc.yml
        current = {chapter.deck_name for chapter in chapters}
        current |= {chapter.pdf_name for chapter in chapters}
        for stale in [*output.glob("*.slides.html"), *output.glob("*.slides.pdf")]:
            if stale.name not in current:
                stale.unlink()
    exporter = make_exporter()
    written = []
    for chapter, notebook in prepared:
        if only and chapter.path.resolve() not in wanted:
            continue
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = converter.resolve(cell.source)
        for problem in metadata_problems(chapter.notebook):
            print(
                f"warning: {chapter.path.relative_to(root)}: {problem} (CONTRIBUTING.md, 'Slides')"
            )
        for problem in dict.fromkeys(converter.missing_by_chapter.get(chapter.path.stem, [])):
            print(f"warning: {chapter.path.relative_to(root)}: {problem}")
        body, _ = exporter.from_notebook_node(
            notebook,
            resources={"metadata": {"name": chapter.title, "path": str(chapter.path.parent)}},
        )
        deck = output / chapter.deck_name
        deck.write_text(body, encoding="utf-8")
        written.append(deck)
        deck.with_suffix(".pdf").unlink(missing_ok=True)  # an old PDF of another deck
    if pdf:
        write_pdfs(output, written)
    write_index(output, chapters, course_title)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="folder of the decks")
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="only these chapters (default: all)"
    )
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the book (with _toc.yml); default: this one"
    )
    parser.add_argument(
        "--no-pdf", action="store_true", help="no PDF of the decks (no browser needed)"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    decks = build(
        args.output.resolve(), args.notebooks or None, args.root.resolve(), pdf=not args.no_pdf
    )
    print(
        f"{len(decks)} slide deck{'' if len(decks) == 1 else 's'} in {time.perf_counter() - start:.1f} s: "
        f"file://{(args.output.resolve() / 'index.html').as_posix()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
