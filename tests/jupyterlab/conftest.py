"""Summary table of tests/jupyterlab/test_lab_rendering.py, printed after the results."""

from __future__ import annotations

import pytest

LAB_SUMMARY = pytest.StashKey[dict]()
COLUMNS = (
    "markdown",
    "rendered",
    "values",
    "raw",
    "names",
    "solutions",
    "open",
    "unfolded",
    "console",
    "seconds",
)


@pytest.fixture(scope="session")
def lab_summary(request) -> dict:
    """view (chapter or 'slides: chapter') -> counts, filled as each is opened."""
    return request.config.stash.setdefault(LAB_SUMMARY, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    rows = config.stash.get(LAB_SUMMARY, None)
    if not rows:
        return
    header = ["view", *COLUMNS]
    body = [
        [view, *(f"{row[c]:.1f}" if c == "seconds" else str(row[c]) for c in COLUMNS)]
        for view, row in rows.items()
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def fmt(line):
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths))
        )

    write = terminalreporter.write_line
    terminalreporter.write_sep(
        "=", f"JupyterLab (jupyterlab-myst) in headless Chromium: {len(rows)} views"
    )
    write(fmt(header))
    write("  ".join("-" * w for w in widths))
    for line in body:
        write(fmt(line))
    write(
        "markdown/rendered = markdown cells (slides: slides) / rendered by MyST; values = inline {eval} "
        "values shown; raw = raw MyST markup left in rendered text; names = chNN_ glue names shown "
        "instead of values; solutions/open = solution boxes / shown expanded; unfolded = cells inside a "
        "gated solution left visible; console = SEVERE browser console entries."
    )
