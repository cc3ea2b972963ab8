"""Shared set-up of the built-book checks: the browser summary printed at the end.

test_browser.py records one row per page it opened in headless Chromium
(equations typeset, images, links checked, axe-core violations by impact);
pytest prints them as a table after the test results.
"""

from __future__ import annotations

import pytest

BROWSER_SUMMARY = pytest.StashKey[dict]()
IMPACTS = ("critical", "serious", "moderate", "minor")


@pytest.fixture(scope="session")
def browser_summary(request) -> dict:
    """page -> counts, filled by test_browser.py as it opens each page."""
    return request.config.stash.setdefault(BROWSER_SUMMARY, {})


def _table(rows: dict) -> list[str]:
    header = [
        "page",
        "math",
        "typeset",
        "images",
        "links",
        "anchors",
        "console",
        *(f"axe:{impact}" for impact in IMPACTS),
        "seconds",
    ]
    body = []
    for page, row in rows.items():
        body.append(
            [
                page,
                str(row["math_nodes"]),
                str(row["typeset"]),
                f"{row['images_loaded']}/{row['images']}",
                str(row["links"]),
                str(row["anchors"]),
                str(row["console_errors"]),
                *(str(row["axe"].get(impact, 0)) for impact in IMPACTS),
                f"{row['seconds']:.1f}",
            ]
        )
    totals = ["TOTAL"]
    for col in range(1, len(header)):
        if col == 3:
            loaded = sum(r["images_loaded"] for r in rows.values())
            total = sum(r["images"] for r in rows.values())
            totals.append(f"{loaded}/{total}")
        elif header[col] == "seconds":
            totals.append(f"{sum(r['seconds'] for r in rows.values()):.1f}")
        else:
            totals.append(str(sum(int(line[col]) for line in body)))
    widths = [max(len(line[col]) for line in [header, *body, totals]) for col in range(len(header))]

    def fmt(line):
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths))
        )

    rule = "  ".join("-" * w for w in widths)
    return [fmt(header), rule, *map(fmt, body), rule, fmt(totals)]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    rows = config.stash.get(BROWSER_SUMMARY, None)
    if not rows:
        return
    write = terminalreporter.write_line
    terminalreporter.write_sep("=", f"built book in headless Chromium: {len(rows)} pages")
    for line in _table(rows):
        write(line)
    write("math = math nodes Sphinx emitted; typeset = mjx-container elements after MathJax;")
    write("links = internal links checked (target exists, #anchor is an id there);")
    write("console = SEVERE browser console entries; axe = axe-core violations (rules) by impact;")
    write(
        "seconds = time to open and check the page (pages are opened by several browsers at once)."
    )
    rules: dict[tuple[str, str], list[str]] = {}
    for page, row in rows.items():
        for rule_id, impact in row["axe_rules"]:
            rules.setdefault((rule_id, impact), []).append(page)
    if rules:
        write("axe-core rules violated:")
        for (rule_id, impact), pages in sorted(
            rules.items(),
            key=lambda kv: (IMPACTS.index(kv[0][1]) if kv[0][1] in IMPACTS else 9, kv[0][0]),
        ):
            write(f"  {rule_id} ({impact}) on {len(pages)} page(s): {', '.join(pages)}")
    excluded: dict[str, list[str]] = {}
    for page, row in rows.items():
        for reason in row["console_excluded"]:
            excluded.setdefault(reason, []).append(page)
    if excluded:
        write("console entries set aside as known (see KNOWN_CONSOLE_ERRORS in test_browser.py):")
        for reason, pages in excluded.items():
            write(f"  {reason}: {len(pages)} page(s)")
    path_alts = [
        f"{page} ({row['alt_is_path']})" for page, row in rows.items() if row["alt_is_path"]
    ]
    if path_alts:
        write(
            "images whose alt text is only their file path (myst-nb's default for a plot; describe it "
            "in the cell's metadata, mystnb: {image: {alt: ...}}): " + ", ".join(path_alts)
        )


# --- the book served under a sub-path ------------------------------------------

# Where a static host or GitHub Pages publishes a project's book: not at the
# server root but under the repository's name (https://USER.github.io/REPO/).
SUB_PATH = "/course/"


def serve_under_sub_path(html_dir, sub_path: str = SUB_PATH):
    """Serve html_dir at http://127.0.0.1:PORT<sub_path> only; anything outside
    that prefix (/_static/..., /favicon.ico, /index.html) is a 404, as on a host
    where the server root belongs to someone else. Returns (base_url, stop)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

        def send_head(self):
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == sub_path.rstrip("/"):
                self.send_response(301)
                self.send_header("Location", sub_path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if not path.startswith(sub_path):
                self.send_error(404, f"outside {sub_path}")
                return None
            return super().send_head()

        def translate_path(self, path):
            return super().translate_path(
                "/" + path[len(sub_path) :] if path.startswith(sub_path) else path
            )

    handler = functools.partial(Handler, directory=str(html_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="built-book-sub-path", daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return f"http://127.0.0.1:{server.server_address[1]}{sub_path}", stop


@pytest.fixture(scope="session")
def sub_path_book_url():
    """The built book at http://127.0.0.1:PORT/course/ (nothing at the root)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from _book_layout import HTML

    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built book in {HTML}: run `make book` first", pytrace=False)
    url, stop = serve_under_sub_path(HTML)
    try:
        yield url
    finally:
        stop()
