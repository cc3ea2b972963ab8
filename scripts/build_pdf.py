"""Build the PDF of the whole book: _build/pdf/dropout-course.pdf (`make pdf`).

Two steps, both offline:

1. Sphinx's LaTeX builder, through Jupyter Book (`jupyter-book build .
   --builder latex`), from the outputs stored in the notebooks, with the
   settings of _config.yml (latex: XeLaTeX, Sphinx's own LaTeX class) and
   _ext/latex_book.py (front matter, parts, chapters numbered as in the HTML
   book). Any Sphinx warning fails the build (-n -W), as for the HTML book.
2. latexmk with XeLaTeX in _build/latex (as many passes as the cross-references
   need), then the PDF is copied to _build/pdf/ and to _build/html/ (the intro
   page of the HTML book links to it there).

Needs TeX Live's XeLaTeX, latexmk, xindy and the FreeFont typefaces. On Debian:

    sudo apt-get install --no-install-recommends texlive-xetex texlive-latex-extra \\
        texlive-latex-recommended texlive-fonts-recommended latexmk \\
        fonts-freefont-otf tex-gyre xindy poppler-utils

Usage: python scripts/build_pdf.py [--skip-sphinx] [--allow-warnings] [--handout]
  --skip-sphinx     only re-run latexmk on an existing _build/latex
  --allow-warnings  a draft: Sphinx warnings do not stop the build
  --handout         also build the chapter-12 cheat sheet as a one-page PDF
                    (_build/pdf/dropout-cheat-sheet.pdf)
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LATEX = ROOT / "_build" / "latex"
PDF_DIR = ROOT / "_build" / "pdf"
HTML = ROOT / "_build" / "html"
NAME = "dropout-course"
PDF = PDF_DIR / f"{NAME}.pdf"
HANDOUT = PDF_DIR / "dropout-cheat-sheet.pdf"
TOOLS = ("xelatex", "latexmk", "xindy")
APT_HINT = (
    "sudo apt-get install --no-install-recommends texlive-xetex texlive-latex-extra "
    "texlive-latex-recommended texlive-fonts-recommended latexmk fonts-freefont-otf tex-gyre xindy poppler-utils"
)


def _bin(name: str) -> str:
    """A tool of the virtual environment this script runs in, else from PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def run(cmd: list[str], cwd: Path, log: Path | None = None) -> float:
    print("+", " ".join(cmd), flush=True)
    started = time.perf_counter()
    if log is None:
        result = subprocess.run(cmd, cwd=cwd)
    else:
        with log.open("w") as out:
            result = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        if log is not None:
            tail = log.read_text(errors="replace").splitlines()[-40:]
            print("\n".join(tail), file=sys.stderr)
            print(f"(full log: {log})", file=sys.stderr)
        raise SystemExit(f"build_pdf: `{' '.join(cmd)}` failed with exit code {result.returncode}")
    return seconds


def sphinx_latex(strict: bool = True) -> float:
    # Jupyter Book builds the LaTeX sources into _build/latex (not --builder
    # pdflatex, which would run `make` there with its own options).
    flags = ["-n", "-W", "--keep-going"] if strict else ["-n", "--keep-going"]
    return run([_bin("jupyter-book"), "build", str(ROOT), "--builder", "latex", *flags], ROOT)


def latexmk(tex: Path) -> float:
    # Sphinx's latexmkrc in _build/latex sets XeLaTeX and xindy; -interaction
    # and -halt-on-error make a LaTeX error stop the build instead of prompting.
    env_opts = ["-pdfxe", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error"]
    return run(["latexmk", *env_opts, tex.name], tex.parent, log=tex.with_suffix(".build.log"))


def check_log(tex: Path) -> list[str]:
    """Undefined references and citations LaTeX still reports after its last pass."""
    log = tex.with_suffix(".log").read_text(errors="replace")
    return sorted(set(re.findall(r"(?:Reference|Citation) `[^']+' on page \d+ undefined", log)))


def handout() -> float:
    """The chapter-12 cheat sheet, alone, on one page: its LaTeX is cut out of
    the book's .tex (the section titled "Cheat sheet") and set in a small
    landscape page around it."""
    from handout_pdf import build_handout  # scripts/handout_pdf.py

    return build_handout(LATEX / f"{NAME}.tex", HANDOUT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--skip-sphinx", action="store_true", help="only re-run latexmk on _build/latex"
    )
    parser.add_argument(
        "--allow-warnings",
        action="store_true",
        help="do not fail on Sphinx warnings (a draft while a chapter is being edited)",
    )
    parser.add_argument(
        "--handout", action="store_true", help="also build the chapter-12 cheat sheet handout"
    )
    args = parser.parse_args(argv)

    missing = missing_tools()
    if missing:
        print(
            f"build_pdf: {', '.join(missing)} not found. Install TeX Live, e.g. on Debian:\n  {APT_HINT}",
            file=sys.stderr,
        )
        return 2
    timings = {}
    if not args.skip_sphinx:
        timings["sphinx (LaTeX sources)"] = sphinx_latex(strict=not args.allow_warnings)
    tex = LATEX / f"{NAME}.tex"
    if not tex.is_file():
        raise SystemExit(f"build_pdf: {tex} was not written")
    timings["latexmk (XeLaTeX)"] = latexmk(tex)
    undefined = check_log(tex)
    if undefined:
        print(
            "build_pdf: LaTeX reports undefined references:\n  " + "\n  ".join(undefined),
            file=sys.stderr,
        )
        return 1
    # next to the HTML book, which links to it from the intro page
    # (chapters/intro.md): publishing _build/html publishes the PDF too. That
    # copy first, and whole (a rename): `make test` checks the built book's
    # links while this runs; they accept a missing PDF
    # (tests/built_book/_built_elsewhere.py), and tests/test_pdf.py checks the
    # copy once this has run.
    HTML.mkdir(parents=True, exist_ok=True)
    partial = HTML / f".{PDF.name}.part"
    shutil.copy2(tex.with_suffix(".pdf"), partial)
    partial.replace(HTML / PDF.name)
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy2(tex.with_suffix(".pdf"), PDF)
    if args.handout:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        timings["handout"] = handout()
    for step, seconds in timings.items():
        print(f"build_pdf: {step}: {seconds:.0f} s")
    print(f"build_pdf: the PDF is at {PDF}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
