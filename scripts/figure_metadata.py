"""Write each figure's caption, label and alt text into the chapter notebooks.

The figures of the book are the PNG outputs of code cells. MyST-NB renders
such an output as a numbered figure ("Figure 7.3") when the cell's metadata
says so, and gives the image the alt text the metadata holds (without it, the
alt text is the image's file path):

    "metadata": {"mystnb": {"figure": {"caption": "...", "name": "ch07-fig-boundaries"},
                            "image": {"alt": "..."}}}

The words live in one data file, chapters/figures.yml: per chapter (the
notebook's file name without .ipynb), per figure cell (its nbformat cell
`id`, which survives edits, re-execution and reordering), the `name` (the
label a {numref} can point at), the `caption` (MyST, shown under the figure)
and the `alt` text (plain text: what is plotted and what it shows).

    python scripts/figure_metadata.py            # write figures.yml into the notebooks
    python scripts/figure_metadata.py --check    # change nothing; fail on a figure
                                                 # without caption, name or alt text,
                                                 # or on notebooks out of step with figures.yml

Writing is idempotent and touches nothing but metadata.mystnb.figure and
metadata.mystnb.image of the figure cells: the other metadata (slide types,
tags), the sources and the stored outputs stay as they are, and a notebook
already up to date is not rewritten. After merging a branch that changed the
notebooks, run it again (then --check). Notebooks are written as nbformat
writes them (indent 1, sorted keys, UTF-8, a final newline).

A cell may show only one figure: MyST-NB applies a cell's figure metadata to
each of its outputs, so two figures in one cell would share one caption and
one label. Split the cell, or draw the panels in one matplotlib figure. A
figure pasted with glue is captioned where it is pasted, in the markdown:
the {glue:figure} directive needs a :name:, an :alt: and a caption (its
content); --check checks those too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
DATA = CHAPTERS / "figures.yml"

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
FIELDS = ("name", "caption", "alt")
NAME = re.compile(r"^ch\d\d-fig-[a-z0-9]+(?:-[a-z0-9]+)*$")
# a {glue:figure} directive in a markdown cell, backtick or colon fence
GLUE_FIGURE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{glue:figure\}[ \t]*(?P<key>\S*)[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


def notebooks() -> list[Path]:
    return sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def dump(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def shown_images(cell: dict) -> int:
    """How many images the cell shows in the book. A glued output stored with
    display=False (metadata.scrapbook.mime_prefix set) is not shown in its cell."""
    count = 0
    for output in cell.get("outputs", []):
        if output.get("output_type") not in {"display_data", "execute_result"}:
            continue
        if output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix"):
            continue
        if any(mime in output.get("data", {}) for mime in IMAGE_TYPES):
            count += 1
    return count


def figure_cells(notebook: dict) -> list[tuple[int, dict]]:
    return [
        (index, cell)
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and shown_images(cell)
    ]


def read_data(path: Path | None = None) -> dict[str, dict[str, dict[str, str]]]:
    path = path or DATA
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a mapping chapter -> cell id -> {{name, caption, alt}}")
    for chapter, entries in data.items():
        # YAML reads an unquoted id of digits only as a number (an octal one if it starts with 0)
        unquoted = [key for key in (entries or {}) if not isinstance(key, str)]
        if unquoted:
            raise SystemExit(
                f'{path}: {chapter}: quote the cell ids {unquoted} ("0123abcd":), '
                "or YAML reads them as numbers"
            )
    return data


def wanted_metadata(entry: dict) -> dict:
    return {
        "figure": {"caption": entry["caption"].strip(), "name": entry["name"]},
        "image": {"alt": " ".join(entry["alt"].split())},
    }


def entry_problems(where: str, entry) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{where}: expected a mapping with {', '.join(FIELDS)}"]
    problems = [
        f"{where}: no {field}" for field in FIELDS if not str(entry.get(field) or "").strip()
    ]
    problems += [f"{where}: unknown key {key!r}" for key in entry if key not in FIELDS]
    if entry.get("name") and not NAME.match(str(entry["name"])):
        problems.append(f"{where}: name {entry['name']!r} is not of the form chNN-fig-words")
    alt = str(entry.get("alt") or "").strip()
    if alt and (re.search(r"\.(png|jpe?g|svg|gif)\b", alt) or "/" in alt.split()[0]):
        problems.append(f"{where}: alt text looks like a file path: {alt!r}")
    return problems


def glue_figure_problems(path: Path, notebook: dict) -> list[str]:
    problems = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for match in GLUE_FIGURE.finditer(source(cell)):
            options = dict(re.findall(r"^:(\w+):[ \t]*(.*)$", match["body"], re.MULTILINE))
            caption = "\n".join(
                line for line in match["body"].splitlines() if not re.match(r"^:\w+:", line)
            ).strip()
            where = f"{path.name}, cell {cell.get('id')}: {{glue:figure}} {match['key']}"
            problems += [
                f"{where}: no :{option}:"
                for option in ("name", "alt")
                if not options.get(option, "").strip()
            ]
            if not caption:
                problems.append(f"{where}: no caption (the directive's content)")
    return problems


def apply(data: dict, write: bool) -> tuple[list[str], list[str]]:
    """(problems, notebooks changed or out of date)."""
    problems: list[str] = []
    changed: list[str] = []
    names: dict[str, str] = {}
    known = {path.stem for path in notebooks()}
    problems += [
        f"{DATA.name}: no chapter notebook {stem}.ipynb" for stem in data if stem not in known
    ]
    for path in notebooks():
        notebook = load(path)
        entries = data.get(path.stem) or {}
        cells = figure_cells(notebook)
        ids = {cell.get("id") for _, cell in cells}
        problems += [
            f"{DATA.name}: {path.stem}: no figure cell with id {cell_id!r} (removed, or its figure moved?)"
            for cell_id in entries
            if cell_id not in ids
        ]
        for index, cell in cells:
            cell_id = cell.get("id")
            where = f"{path.name}, cell {index} (id {cell_id})"
            if not cell_id:
                problems.append(f"{where}: no cell id (nbformat >= 4.5 gives every cell one)")
                continue
            stored = cell.get("metadata", {}).get("mystnb", {})
            lacking = [
                what
                for what, value in (
                    ("caption", stored.get("figure", {}).get("caption")),
                    ("label (name)", stored.get("figure", {}).get("name")),
                    ("alt text", stored.get("image", {}).get("alt")),
                )
                if not str(value or "").strip()
            ]
            if lacking and not write:
                problems.append(
                    f"{where}: a figure without {' or '.join(lacking)} in its metadata.mystnb"
                )
            if shown_images(cell) > 1:
                problems.append(
                    f"{where}: {shown_images(cell)} figures in one cell; MyST-NB would give them one "
                    "caption and one label: split the cell or draw one figure"
                )
            entry = entries.get(cell_id)
            if entry is None:
                mystnb = cell.get("metadata", {}).get("mystnb", {})
                has = mystnb.get("figure", {}).get("caption") and mystnb.get("image", {}).get("alt")
                problems.append(
                    f"{where}: a figure {'with its caption and alt text only in the notebook, ' if has else ''}"
                    f"not in {DATA.name}: add {path.stem}: {cell_id}: {{name, caption, alt}}"
                )
                continue
            entry_issues = entry_problems(f"{DATA.name}: {path.stem}: {cell_id}", entry)
            problems += entry_issues
            if entry_issues:
                continue
            if entry["name"] in names:
                problems.append(
                    f"{where}: label {entry['name']!r} already used by {names[entry['name']]}"
                )
            names[entry["name"]] = where
            metadata = cell.setdefault("metadata", {})
            mystnb = metadata.setdefault("mystnb", {})
            mystnb.update(wanted_metadata(entry))
        problems += glue_figure_problems(path, notebook)
        text = dump(notebook)
        if text != path.read_text(encoding="utf-8"):
            changed.append(path.name)
            if write:
                path.write_text(text, encoding="utf-8")
    return problems, changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if a figure lacks caption, name or alt text, "
        "or a notebook is out of step with figures.yml",
    )
    args = parser.parse_args(argv)
    problems, changed = apply(read_data(), write=not args.check)
    if args.check and changed:
        problems += [
            f"{name}: figure metadata out of step with {DATA.name}: run scripts/figure_metadata.py"
            for name in changed
        ]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not args.check:
        print(
            f"{len(changed)} notebook(s) updated" + (f": {', '.join(changed)}" if changed else "")
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
