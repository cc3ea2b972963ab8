"""Numbers in chapter prose for the book, JupyterLab and a live kernel (issue 17).

JupyterLab's MyST renderer (jupyterlab-myst) cannot paste MyST-NB glue
(`{glue:text}` shows the glue's NAME), but it shows an inline expression
`{eval}` from the value stored in the markdown cell's `user_expressions`
metadata, without a kernel and without trusting the notebook. The book
renders `{eval}` from the same stored glue record as `{glue:text}` did
(Sphinx extension _ext/myst_eval_from_glue.py), and a student who runs the
markdown cell gets the value from the kernel, where
`dropout_course.glue.glue` bound the name. So:

  {glue:text}`key`                  -> {eval}`key`
  {glue:text}`key:.2f`              -> {eval}`f"{key:.2f}"`
  {glue:text}`01_x.ipynb::key:s`    -> {eval}`key`   (glue names chNN_... are unique)

This script
* with --rewrite (once, by the chapters' author):
  - rewrites the roles as above;
  - imports `glue` from `dropout_course.glue` instead of `myst_nb` (same
    stored outputs; it also binds the name in the kernel);
  - in a chapter that quotes other chapters' numbers (the summary), adds to
    its existing set-up cell (the first code cell, `setup_notebook(...)`) a
    `bind_glued_values(...)` call that binds them from their stored notebooks:
    no cell is added and no output changes;
  - gives a glue name that is no identifier (`ch10_x_0.1`, from
    `glue(f"ch10_x_{rate}", ...)`) an identifier (`ch10_x_0_1`), in the stored
    output and in the code (`.replace(".", "_")`), so prose can evaluate it;
  - turns a `{ref}`/`{prf:ref}` to a label of ANOTHER page into a markdown link
    `[title](page.md#label)`: the book links it the same way
    (_ext/myst_eval_from_glue.py lets MyST resolve the label), and
    jupyterlab-myst, which sees one notebook only, shows a link to that file
    instead of logging "Cross reference target was not found";
* always: stores every `{eval}` value in its markdown cell's `user_expressions`
  (jupyterlab-myst's format) exactly as the kernel would return it: the glue
  record itself for `{eval}`key``, the repr of the formatted string for
  `{eval}`f"{key:spec}"``; JupyterLab shows it without surrounding quotes,
  which is the text the book shows. Run it after `make execute`;
* always: folds (jupyter.source_hidden / outputs_hidden) the cells between a
  `solution-start` and its `solution-end`, which JupyterLab would show open.

Usage: python scripts/glue_to_eval.py [--rewrite] [--check] chapters/[0-9]*.ipynb
--check changes nothing and exits 1 when a notebook would change.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from myst_nb.core.variables import format_plain_text

GLUE_TEXT = re.compile(r"\{glue:text\}`(?:[^`:]+\.ipynb::)?([\w.]+)(?::([^`:]*))?`")
EVAL = re.compile(r"\{eval\}`([^`]+)`")
FSTRING = re.compile(r'^f"\{(?P<key>[A-Za-z_]\w*):(?P<spec>[^{}"]*)\}"$')
NAME = re.compile(r"^(?P<key>[A-Za-z_]\w*)$")
SOLUTION_START = re.compile(r"^(```+|:::+)\{solution-start\}", re.M)
SOLUTION_END = re.compile(r"^(```+|:::+)\{solution-end\}", re.M)
RECORD = "application/papermill.record/text/plain"
MYST_NB_IMPORT = re.compile(r"^from myst_nb import glue$", re.M)
PACKAGE_IMPORT = "from dropout_course.glue import glue"
SETUP_CALL = re.compile(r"^setup_notebook\(.*\)$", re.M)
BIND_IMPORT = "from dropout_course.glue import bind_glued_values"
BIND_CALL = re.compile(r"\n*# the other chapters' numbers.*\nbind_glued_values\([^)]*\)\n?", re.S)
REF = re.compile(
    r"\{(?:ref|prf:ref)\}`(?:(?P<text>[^`<]*?)\s*<(?P<label1>[^`>]+)>|(?P<label2>[^`<>]+))`"
)
TARGET = re.compile(r"^\((?P<label>[^)\s]+)\)=\s*\n(?:#+\s+(?P<title>.+))?", re.M)
PRF = re.compile(r"^(?:```+|:::+)\{prf:(?P<kind>\w+)\}[^\n]*\n(?P<options>(?::[\w-]+:.*\n)*)", re.M)
DOTTED_FSTRING_NAME = re.compile(r'(\bglue\(\s*)(f"[^"\n]*\{[^"\n]*")(\s*,)')
#: what jupyterlab-myst shows for a text/plain result: one pair of quotes stripped
LAB_SHOWN = re.compile(r"^([\"'])(.*)\1$", re.S)


def glue_records(nb) -> dict[str, str]:
    """name -> stored text/plain of every glue() in the notebook's outputs."""
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and RECORD in output.get("data", {}):
                out[name] = output["data"][RECORD]
    return out


def parse(expression: str) -> tuple[str, str | None]:
    """`key` -> (key, None); `f"{key:spec}"` -> (key, spec); anything else is an error."""
    match = FSTRING.match(expression) or NAME.match(expression)
    if not match:
        raise ValueError(f'{{eval}}`{expression}` is neither NAME nor f"{{NAME:SPEC}}"')
    return match.group("key"), match.groupdict().get("spec")


def value(expression: str, records: dict[str, str]) -> str:
    """The text the book shows for `{eval}`expression`` (as MyST-NB's `{glue:text}`)."""
    key, spec = parse(expression)
    if key not in records:
        raise KeyError(
            f"{{eval}}`{expression}`: no stored glue record {key!r} (run `make execute`)"
        )
    return format_plain_text(records[key], spec or "")


def kernel_text(expression: str, records: dict[str, str]) -> str:
    """The text/plain an IPython kernel returns for the expression.

    `key` evaluates to the glued value, whose text/plain IS the glue record;
    an f-string evaluates to a str, shown as its repr.
    """
    key, spec = parse(expression)
    if spec is None:
        if key not in records:
            raise KeyError(
                f"{{eval}}`{expression}`: no stored glue record {key!r} (run `make execute`)"
            )
        return records[key]
    return repr(value(expression, records))


def lab_shown(text_plain: str) -> str:
    """What jupyterlab-myst shows for a text/plain inline result."""
    return LAB_SHOWN.sub(r"\2", text_plain)


def identifier(name: str) -> str:
    """A glue name prose can evaluate: `ch10_x_0.1` -> `ch10_x_0_1`."""
    return name.replace(".", "_")


def _as_eval(match: re.Match) -> str:
    key, spec = identifier(match.group(1)), match.group(2)
    if spec in (None, "", "s"):
        return f"{{eval}}`{key}`"
    return f'{{eval}}`f"{{{key}:{spec}}}"`'


def user_expressions(source: str, records: dict[str, str]) -> list[dict]:
    """jupyterlab-myst's metadata for the {eval} roles of one markdown cell."""
    return [
        {
            "expression": e,
            "result": {
                "status": "ok",
                "data": {"text/plain": kernel_text(e, records)},
                "metadata": {},
            },
        }
        for e in dict.fromkeys(EVAL.findall(source))
    ]


def fold_gated_solutions(nb) -> None:
    inside = False
    for cell in nb.cells:
        if cell.cell_type == "markdown" and SOLUTION_START.search(cell.source):
            inside = True
        elif cell.cell_type == "markdown" and SOLUTION_END.search(cell.source):
            inside = False
        elif inside:
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            if cell.cell_type == "code":
                cell.metadata["jupyter"]["outputs_hidden"] = True


def targets(sources: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    """label -> (page, text the book shows for a reference to it, or None).

    `(label)=` before a heading: the heading's title; the `:label:` of a
    numbered sphinx-proof directive in chapter NN: "Theorem NN.k" (numbered
    per kind and chapter, as the book numbers them).
    """
    out = {}
    for page, text in sources.items():
        for match in TARGET.finditer(text):
            out.setdefault(match["label"], (page, match["title"] and match["title"].strip()))
        counts: dict[str, int] = {}
        chapter = re.match(r"\d+", page)
        for match in PRF.finditer(text):
            kind, options = match["kind"], match["options"]
            numbered = kind != "proof" and ":nonumber:" not in options
            if numbered:
                counts[kind] = counts.get(kind, 0) + 1
            label = re.search(r"^:label:\s*(\S+)", options, re.M)
            if label:
                title = (
                    f"{kind.capitalize()} {int(chapter.group(0))}.{counts[kind]}"
                    if numbered and chapter
                    else None
                )
                out.setdefault(label.group(1), (page, title))
    return out


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def link_foreign_refs(source: str, page: str, labels: dict) -> str:
    """`{ref}` to a label on another page -> `[text](page#label)` (same link in the book)."""

    def replace(match: re.Match) -> str:
        label = match["label1"] or match["label2"]
        owner, title = labels.get(label, (page, None))
        text = match["text"] or title
        if owner == page or not text:
            return match.group(0)
        return f"[{text}]({owner}#{label})"

    return REF.sub(replace, source)


def rename_dotted_names(cell) -> None:
    """`glue(f"ch10_x_{rate}", ...)` stored `ch10_x_0.1`, which prose cannot evaluate:
    store it as `ch10_x_0_1` and make the code glue that name."""
    renamed = False
    for output in cell.get("outputs", []):
        scrapbook = output.get("metadata", {}).get("scrapbook", {})
        if "name" in scrapbook and not scrapbook["name"].isidentifier():
            scrapbook["name"] = identifier(scrapbook["name"])
            renamed = True
    if renamed and '.replace(".", "_")' not in cell.source:
        cell.source = DOTTED_FSTRING_NAME.sub(r'\1\2.replace(".", "_")\3', cell.source)


def bind_other_chapters(nb, notebooks: list[str]) -> bool:
    """Bind `notebooks`' glued values in the chapter's set-up cell; False if it has none.

    The set-up cell is the first code cell, the one that calls `setup_notebook(...)`.
    Its only outputs are glue records (the chapter's reading and run times,
    scripts/add_run_times.py), which binding names does not change."""
    for cell in nb.cells[
        : next((i + 1 for i, c in enumerate(nb.cells) if c.cell_type == "code"), 0)
    ]:
        if cell.cell_type == "code" and SETUP_CALL.search(cell.source):
            source = BIND_CALL.sub("\n", cell.source).rstrip("\n")
            if not notebooks:
                source = source.replace(BIND_IMPORT + "\n", "")
                cell.source = source
                return True
            if BIND_IMPORT not in source:
                source = re.sub(
                    r"^(from dropout_course import .*)$",
                    rf"\1\n{BIND_IMPORT}",
                    source,
                    count=1,
                    flags=re.M,
                )
                if BIND_IMPORT not in source:
                    # a guarded import (scripts/set_first_cell.py) stays first:
                    # the package's import goes after it, before the call
                    source = SETUP_CALL.sub(
                        lambda call: f"{BIND_IMPORT}\n\n{call.group(0)}", source, count=1
                    )
            names = "".join(f'\n    "{n}",' for n in notebooks)
            cell.source = (
                f"{source}\n\n# the other chapters' numbers quoted here (for running "
                f"a markdown cell)\nbind_glued_values({names}\n)"
            )
            return True
    return False


def main(argv: list[str]) -> int:
    rewrite, check = "--rewrite" in argv, "--check" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")]
    if not paths:
        print(__doc__)
        return 2
    # every chapter's glue records: the summary chapter quotes the others' numbers
    folder = paths[0].parent
    books = {p: nbformat.read(p, as_version=4) for p in sorted(folder.glob("[0-9]*.ipynb"))}
    records: dict[str, str] = {}
    owner: dict[str, Path] = {}
    for path, nb in books.items():
        for key, text in glue_records(nb).items():
            key = identifier(key) if rewrite else key
            records[key], owner[key] = text, path
    if rewrite:
        pages = {p.name: _markdown(nb) for p, nb in books.items()}
        pages.update({p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")})
        labels = targets(pages)
    changed, problems = [], []
    for path in paths:
        nb = books.get(path) or nbformat.read(path, as_version=4)
        before = nbformat.writes(nb)
        if rewrite:
            dotted = {key for key in glue_records(nb) if not key.isidentifier()}
            for key in sorted(dotted):
                if not identifier(key).isidentifier():
                    problems.append(
                        f"{path}: glue name {key!r} is not a Python identifier; rename it"
                    )
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.source = MYST_NB_IMPORT.sub(PACKAGE_IMPORT, cell.source)
                    if dotted:
                        rename_dotted_names(cell)
                elif cell.cell_type == "markdown":
                    cell.source = link_foreign_refs(
                        GLUE_TEXT.sub(_as_eval, cell.source), path.name, labels
                    )
        foreign = sorted(
            {
                owner[key].name
                for cell in nb.cells
                if cell.cell_type == "markdown"
                for key, _ in map(parse, EVAL.findall(cell.source))
                if key in owner and owner[key].name != path.name
            }
        )
        bound = any("bind_glued_values(" in c.source for c in nb.cells if c.cell_type == "code")
        if (foreign or bound) and not bind_other_chapters(nb, foreign) and foreign:
            problems.append(
                f"{path}: quotes {foreign} but has no set-up cell "
                "(a first code cell calling `setup_notebook(...)`) to bind them in"
            )
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            try:
                expressions = user_expressions(cell.source, records)
            except (KeyError, ValueError) as error:
                problems.append(f"{path}: {error}")
                continue
            if expressions:
                cell.metadata["user_expressions"] = expressions
            else:
                cell.metadata.pop("user_expressions", None)
        fold_gated_solutions(nb)
        if nbformat.writes(nb) != before:
            changed.append(path)
            if not check:
                nbformat.write(nb, path)
    for path in changed:
        print(f"{path}: {'would change' if check else 'updated'}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if (problems or (check and changed)) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
