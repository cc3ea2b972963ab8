"""Shared pytest set-up: the same quiet, deterministic TensorFlow as the chapters;
the lecture decks, built once a session (tests/test_slides.py, tests/test_slide_fit.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Read by TensorFlow's runtime at import, so set before any test imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")  # see dropout_course.notebook
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("MPLBACKEND", "Agg")


ROOT = Path(__file__).resolve().parents[1]

# The build scripts (book_toc, headless_chromium, ...) are imported by the tests
# that check what they build; put them on the path before any test module loads,
# so a test module works alone and in any collection order.
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(scope="session")
def slides_dir(tmp_path_factory) -> Path:
    """Every chapter's deck, its PDF and the index, as `make slides` writes them."""
    output = tmp_path_factory.mktemp("slides")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_slides.py"), "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        f"scripts/build_slides.py failed:\n{result.stdout}\n{result.stderr}"
    )
    return output


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """tests/test_slide_fit.py's measurements: slides, tallest slide, time."""
    lines = getattr(config, "course_slide_fit", None)
    if lines:
        terminalreporter.write_sep("=", "slide decks at 1280×720 in headless Chromium")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(items):
    """Every test of the built decks on one pytest-xdist worker (`make test` runs
    `--dist loadgroup`), so the decks and their PDFs are built once, not once a worker."""
    for item in items:
        if "slides_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("slides"))
