"""Every slide of every deck fits the frame a lecturer projects: 1280×720.

One headless Chromium opens each deck `make slides` builds (the `slides_dir`
fixture of tests/conftest.py), walks every slide and every fragment state
through reveal.js's API (``Reveal.slide(h, v, f)``) and measures the current
slide's ``scrollHeight``/``scrollWidth`` against the configured slide size; a
code listing, table or output that scrolls sideways inside the slide counts as
too wide. A failure names the deck, the slide (h.v, as in the deck's URL
``#/h/v``) and its size. The PDF of each deck (reveal.js's print view) must
have one page a slide.

Without /usr/bin/chromium and /usr/bin/chromedriver these tests skip (with
CI=true they fail). A summary (slides, tallest slide, seconds) is printed at
the end.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import headless_chromium  # scripts/, on the path through tests/conftest.py
from _book_layout import ROOT, toc_files

SCRIPT = ROOT / "scripts" / "build_slides.py"
CHAPTERS = [ROOT / f"{name}.ipynb" for name in toc_files() if (ROOT / f"{name}.ipynb").is_file()]

# Every slide, every fragment state: [h, v, f, scrollHeight, scrollWidth, widest inner scroller].
WALK = """
const done = arguments[arguments.length - 1];
const config = Reveal.getConfig();
const rows = [];
Reveal.getHorizontalSlides().forEach((stack, h) => {
  const nested = stack.querySelectorAll(':scope > section');
  (nested.length ? Array.from(nested) : [stack]).forEach((slide, v) => {
    const fragments = slide.querySelectorAll('.fragment').length;
    for (let f = -1; f < fragments; f++) {
      Reveal.slide(h, v, f);
      const current = Reveal.getCurrentSlide();
      let inner = 0;  // code, tables, outputs and equations that scroll (or clip) sideways
      current.querySelectorAll('pre, table, .jp-OutputArea-output, mjx-container').forEach(e => {
        if (e.scrollWidth > e.clientWidth + 1) inner = Math.max(inner, e.scrollWidth);
      });
      rows.push([h, v, f, current.scrollHeight, current.scrollWidth, inner]);
    }
  });
});
Reveal.slide(0, 0, -1);
done({width: config.width, height: config.height, total: Reveal.getTotalSlides(), rows: rows});
"""


def _build_slides():
    spec = importlib.util.spec_from_file_location("build_slides", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_slides", module)
    spec.loader.exec_module(module)
    return sys.modules["build_slides"]


@pytest.fixture(scope="session")
def deck_sizes(slides_dir, request) -> dict[str, dict]:
    """deck name -> {width, height, total, rows, seconds}, measured by one browser."""
    build_slides = _build_slides()
    reason = headless_chromium.missing()
    if reason:
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}. CI=true, so this fails instead of skipping.", pytrace=False)
        pytest.skip(reason)
    sizes: dict[str, dict] = {}
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="slide-fit-", ignore_cleanup_errors=True) as profile,
        build_slides.serve_folder(slides_dir) as url,
    ):
        # the machine may be busy
        driver = headless_chromium.start(
            window=(1280, 720), profile=Path(profile), page_load_timeout=300
        )
        try:
            for path in CHAPTERS:
                name = f"{path.stem}.slides.html"
                opened = time.perf_counter()
                driver.get(url + name)
                assert driver.execute_async_script(build_slides.WAIT_FOR_DECK), (
                    f"{name}: reveal.js did not start"
                )
                sizes[name] = driver.execute_async_script(WALK)
                sizes[name]["seconds"] = time.perf_counter() - opened
        finally:
            driver.quit()
    seconds = time.perf_counter() - start
    summary = []  # printed by tests/conftest.py after the results
    for name, measured in sizes.items():
        tallest = max(row[3] for row in measured["rows"])
        summary.append(
            f"{name:<56} {measured['total']:>3} slides  tallest {tallest:>5} px  "
            f"too big {len(_too_big(measured)):>2}  {measured['seconds']:>5.1f} s"
        )
    summary.append(f"{len(sizes)} decks measured in {seconds:.1f} s by one browser")
    request.config.course_slide_fit = summary
    return sizes


def _ids(path: Path) -> str:
    return path.stem


def _too_big(measured: dict) -> dict[str, tuple[int, int, int]]:
    """slide "h.v" -> (height, width, inner width) of its largest state, for slides that do not fit."""
    found: dict[str, tuple[int, int, int]] = {}
    for h, v, _, height, width, inner in measured["rows"]:
        if height > measured["height"] or width > measured["width"] or inner:
            key = f"{h}.{v}"
            old = found.get(key, (0, 0, 0))
            found[key] = (max(old[0], height), max(old[1], width), max(old[2], inner))
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids)
def test_every_slide_fits_the_frame(deck_sizes, path):
    name = f"{path.stem}.slides.html"
    measured = deck_sizes[name]
    frame = f"{measured['width']}×{measured['height']}"
    problems = [
        f"slide {key} (#/{key.replace('.', '/')}): {height} px tall, {width} px wide"
        + (f", a code/table/output {inner} px wide scrolls sideways" if inner else "")
        for key, (height, width, inner) in _too_big(measured).items()
    ]
    assert not problems, (
        f"{name}: {len(problems)} of {measured['total']} slides do not fit {frame} "
        "(cut the chapter's slides: `skip`/`hide-input` long cells, a `subslide` "
        "for the next idea; CONTRIBUTING.md, 'Slides'):\n  " + "\n  ".join(problems)
    )


def _pdf_pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        return int(
            next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        )
    pypdf = pytest.importorskip(
        "pypdf", reason="neither pdfinfo (poppler-utils) nor pypdf to count pages"
    )
    return len(pypdf.PdfReader(str(pdf)).pages)


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids)
def test_pdf_has_one_page_a_slide(slides_dir, deck_sizes, path):
    pdf = slides_dir / f"{path.stem}.slides.pdf"
    assert pdf.is_file(), (
        f"no {pdf.name}: `make slides` prints each deck to PDF with headless Chromium"
    )
    slides = deck_sizes[f"{path.stem}.slides.html"]["total"]
    pages = _pdf_pages(pdf)
    assert pages == slides, f"{pdf.name}: {pages} pages for {slides} slides"


def test_index_links_each_pdf(slides_dir, deck_sizes):
    index = (slides_dir / "index.html").read_text(encoding="utf-8")
    missing = [path.stem for path in CHAPTERS if f'href="{path.stem}.slides.pdf"' not in index]
    assert not missing, f"index.html links no PDF of {missing}"
