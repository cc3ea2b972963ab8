"""The chapters as students and lecturers see them: JupyterLab with jupyterlab-myst.

Starts the venv's JupyterLab on a free loopback port with a random token
(`--ServerApp.root_dir` = the chapters folder, no browser, no news, no update
check, read-only extension manager, autosave off, every cell rendered:
`windowingMode` "none"), loads it ONCE in a headless Chromium (Debian's,
driven by Selenium) and opens every chapter in turn in that page, without a
kernel (nothing is executed; as choosing "No Kernel"). For each chapter it
waits until every markdown cell is rendered by MyST, reads the rendered text
of all of them in one go, closes the chapter, and fails, naming chapter and
text, when the rendered markdown shows

* a raw MyST role or directive (`{cite...}`, `{glue...}`, `{ref}`, `{doc}`,
  `{eval}`, a ```` ``` ```` or `:::` fence, any `{name}` left as text);
* a glue name (`chNN_...`) where its value belongs;
* a solution shown expanded, or a cell between `solution-start` and
  `solution-end` left unfolded;
* a SEVERE browser console entry.

Then it presents one chapter live (jupyterlab-myst-revealjs, opened from the
open notebook, as a lecturer does) and checks the slides the same way; it
checks that the browser asked no host but 127.0.0.1 (every request is read
from Chrome's performance log; the browser is also kept offline), and that
`jupyter labextension list` marks no extension incompatible.

Speed: JupyterLab renders a markdown cell that is out of view when the
layout changes (a reader scrolling); in a headless browser nothing moves and
a long chapter took ~90 s, rendered a few cells per 10-s poll of the server.
While waiting, the test dispatches a window `resize` every 100 ms, and the
same chapter renders in a few seconds. One page load for all chapters (not one
per chapter) and no kernels save the rest.

Set LAB_CHAPTERS to check another copy of the chapters, LAB_SLIDES_CHAPTER to
present another chapter. Without Chromium and its driver, or without
jupyterlab-myst, the tests skip saying how to install them; with CI=true they
fail instead. A table of counts per chapter is printed at the end
(tests/jupyterlab/conftest.py).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import headless_chromium  # noqa: E402  (scripts/headless_chromium.py: the one browser set-up)

REPO = Path(__file__).resolve().parents[2]
CHAPTERS = Path(os.environ.get("LAB_CHAPTERS", REPO / "chapters")).resolve()
SLIDES_CHAPTER = os.environ.get("LAB_SLIDES_CHAPTER", "13_summary_and_cheat_sheet.ipynb")
NOTEBOOKS = sorted(p.name for p in CHAPTERS.glob("[0-9][0-9]_*.ipynb"))

#: JupyterLab user settings for the run (a temporary JUPYTERLAB_SETTINGS_DIR).
LAB_SETTINGS = {
    # render every cell, not only those scrolled into view
    # ("contentVisibility" and "defer" were measured: 2-4x slower here)
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # no news feed, no update check (both would go to the internet)
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # opening a chapter must never rewrite it
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}
RENDER_TIMEOUT = 120  # seconds for one chapter's markdown (or one slideshow) to render
VALUES_TIMEOUT = 5  # seconds more for the stored {eval} values to replace the expressions
POLL_MS = int(os.environ.get("LAB_POLL_MS", 50))  # how often the page checks the render
NUDGE_MS = int(os.environ.get("LAB_NUDGE_MS", 100))  # how often it dispatches a resize

# Raw MyST left in rendered text: a role or directive name in braces (math is
# removed before matching), a code fence or a colon fence.
RAW_MYST = re.compile(r"\{[A-Za-z][\w:.+-]*\}(?=`|\s|$)|```|^\s*:::", re.M)
GLUE_NAME = re.compile(r"\bch\d\d_[A-Za-z0-9_]+")
EVAL_ROLE = re.compile(r"\{eval\}`[^`]+`")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _skip_or_fail(reason: str):
    if _in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# JS run in the page. `window.jupyterapp` is exposed by --LabApp.expose_app_in_browser.
_JS_COMMON = r"""
const GLUE_NAME = /\bch\d\d_[A-Za-z0-9_]+/;
const POLL_MS = %(poll)d, NUDGE_MS = %(nudge)d;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
function stripped(node) {
  const k = node.cloneNode(true);
  k.querySelectorAll('.katex, .katex-display, mjx-container, .MathJax, math').forEach(e => e.replaceWith(' '));
  return k.textContent;
}
function solutions(root) {
  const out = [];
  root.querySelectorAll('.myst-exercise').forEach(box => {
    const title = (box.querySelector('.myst-exercise-title') || {}).textContent || '';
    if (!/^\s*(Start of )?Solution/.test(title)) return;
    const open = box.tagName === 'DETAILS' ? box.open : true;
    out.push({title: title.trim().slice(0, 80), open});
  });
  return out;
}
// Wait until ready() gives a list of rendered MyST nodes (or null), then until no
// glue name is left in them (stored {eval} values are set right after the render).
async function settle(ready, timeoutMs, valuesMs) {
  const t0 = performance.now();
  let renderedAt = null, nodes = null, lastNudge = 0;
  while (performance.now() - t0 < timeoutMs) {
    nodes = ready();
    if (nodes) {
      renderedAt = renderedAt || performance.now();
      if (!nodes.some(n => GLUE_NAME.test(stripped(n))) || performance.now() - renderedAt > valuesMs) break;
    }
    // JupyterLab renders cells out of view on a layout change; headless, nothing moves
    if (performance.now() - lastNudge >= NUDGE_MS) { window.dispatchEvent(new Event('resize')); lastNudge = performance.now(); }
    await sleep(POLL_MS);
  }
  return {rendered: !!nodes, seconds: (performance.now() - t0) / 1000};
}
"""

_JS_OPEN_CHAPTER = (
    _JS_COMMON % {"poll": POLL_MS, "nudge": NUDGE_MS}
    + r"""
const [path, timeoutMs, valuesMs, keepOpen] = arguments;
const done = arguments[arguments.length - 1];
(async () => {
  const app = window.jupyterapp;
  // no kernel: nothing is executed (as choosing "No Kernel")
  const factory = app.docRegistry.getWidgetFactory('Notebook');
  Object.defineProperty(factory, 'preferKernel', {value: false, configurable: true});
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  const nb = panel.content;
  const markdown = () => nb.widgets.filter(c => c.model.type === 'markdown');
  const {rendered, seconds} = await settle(() => {
    const md = markdown();
    if (nb.widgets.length !== nb.model.cells.length || !md.length) return null;
    const nodes = md.map(c => c.node.querySelector('.myst'));
    return nodes.every(n => n) ? nodes : null;
  }, timeoutMs, valuesMs);
  const texts = [], sols = [], unfolded = [];
  let inside = false;
  nb.widgets.forEach((c, i) => {
    const src = c.model.sharedModel.getSource();
    if (c.model.type === 'markdown') {
      const m = c.node.querySelector('.myst');
      if (m) { texts.push({cell: i, text: stripped(m)}); sols.push(...solutions(m)); }
      if (/^(```+|:::+)\{solution-start\}/m.test(src)) { inside = true; return; }
      if (/^(```+|:::+)\{solution-end\}/m.test(src)) { inside = false; return; }
    }
    if (inside) {
      const open = !c.inputHidden || (c.model.type === 'code' && !c.outputHidden);
      if (open) unfolded.push({cell: i, type: c.model.type, source: src.slice(0, 60)});
    }
  });
  const state = {markdown: markdown().length, rendered: texts.length, texts, solutions: sols, unfolded,
                 renderSeconds: seconds, complete: rendered,
                 kernel: !!(panel.sessionContext.session && panel.sessionContext.session.kernel)};
  if (!keepOpen) panel.dispose();
  return state;
})().then(done, e => done({error: String(e && e.stack || e)}));
"""
)

_JS_OPEN_SLIDES = (
    _JS_COMMON % {"poll": POLL_MS, "nudge": NUDGE_MS}
    + r"""
const [path, timeoutMs, valuesMs] = arguments;
const done = arguments[arguments.length - 1];
(async () => {
  const app = window.jupyterapp;
  await app.commands.execute('slideshow:open', {path});
  const reveal = () => document.querySelector('.reveal .slides');
  const {rendered, seconds} = await settle(() => {
    const r = reveal();
    if (!r || !r.querySelector(':scope > section')) return null;
    const nodes = Array.from(r.querySelectorAll('.myst'));
    return nodes.length ? nodes : null;
  }, timeoutMs, valuesMs);
  const r = reveal();
  const texts = r ? Array.from(r.querySelectorAll('.myst')).map((m, i) => ({cell: i, text: stripped(m)})) : [];
  return {slides: r ? r.querySelectorAll(':scope > section').length : 0, rendered: texts.length, texts,
          solutions: r ? solutions(r) : [], unfolded: [], renderSeconds: seconds, complete: rendered};
})().then(done, e => done({error: String(e && e.stack || e)}));
"""
)


class Lab:
    """A JupyterLab server on loopback and one headless Chromium page showing it."""

    def __init__(self, root: Path):
        self.tmp = Path(tempfile.mkdtemp(prefix="lab-test-"))
        self.outside: list[str] = []  # URLs the browser asked of another host than loopback
        settings = self.tmp / "settings"
        for plugin, values in LAB_SETTINGS.items():
            package, _, name = plugin.rpartition("/")
            (settings / package).mkdir(parents=True, exist_ok=True)
            (settings / package / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
        env = dict(
            os.environ,
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"),
            JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
            JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
        )
        self.port, self.token = _free_port(), secrets.token_hex(16)
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={root}",
            # what `make lab` passes: no news feed, no update check, no extension search
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.log = open(self.tmp / "lab.log", "w")
        self.server = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.driver = None
        try:
            self._wait_for_server()
            # browser: console entries; performance: every network request (CDP Network events)
            self.driver = headless_chromium.start(
                window=(1400, 1000),
                logs=("browser", "performance"),
                script_timeout=RENDER_TIMEOUT + VALUES_TIMEOUT + 60,
            )
            self.driver.get(f"{self.base}/lab?token={self.token}&reset")
            self._until(
                lambda: self.driver.execute_script(
                    "return !!(window.jupyterapp && window.jupyterapp.commands.hasCommand('slideshow:open'))"
                ),
                120,
                "JupyterLab did not start (or jupyterlab-myst-revealjs is not loaded)",
            )
            self.driver.execute_async_script(
                "window.jupyterapp.started.then(() => window.jupyterapp.restored).then(arguments[0])"
            )
            self.console()  # start-up messages belong to no chapter
        except BaseException:
            self.close()
            raise

    def _wait_for_server(self):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited: {(self.tmp / 'lab.log').read_text()[-2000:]}"
                )
            try:
                with opener.open(f"{self.base}/api/status?token={self.token}", timeout=5):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        raise RuntimeError("JupyterLab did not answer within 90 s")

    def _until(self, predicate, timeout: float, message: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(message)

    def console(self) -> list[str]:
        """SEVERE entries since the last call, and jupyterlab-myst-revealjs' build failures."""
        self._record_requests()
        return [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] == "SEVERE" or "SlideBuilder: build failed" in entry["message"]
        ]

    def _record_requests(self):
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                url = message["params"]["request"]["url"]
            elif message["method"] == "Network.webSocketCreated":
                url = message["params"]["url"]
            else:
                continue
            parts = urlsplit(url)
            if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOOPBACK:
                self.outside.append(url)

    def open_notebook(self, name: str, keep_open: bool = False) -> dict:
        state = self.driver.execute_async_script(
            _JS_OPEN_CHAPTER, name, RENDER_TIMEOUT * 1000, VALUES_TIMEOUT * 1000, keep_open
        )
        assert "error" not in state, f"{name}: {state['error']}"
        assert state["complete"], (
            f"{name}: {state['rendered']} of {state['markdown']} markdown cells "
            f"rendered by MyST within {RENDER_TIMEOUT} s"
        )
        assert not state["kernel"], f"{name}: a kernel was started"
        return state

    def open_slides(self, name: str) -> dict:
        state = self.driver.execute_async_script(
            _JS_OPEN_SLIDES, name, RENDER_TIMEOUT * 1000, VALUES_TIMEOUT * 1000
        )
        assert "error" not in state, f"{name}: {state['error']}"
        assert state["complete"], f"{name}: no slides rendered by MyST within {RENDER_TIMEOUT} s"
        return state

    def sessions(self) -> list:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.base}/api/sessions?token={self.token}", timeout=10) as response:
            return json.load(response)

    def close(self):
        try:
            if self.driver is not None:
                self.driver.quit()
        finally:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
            self.log.close()
            shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def lab():
    reason = headless_chromium.missing()
    if reason:
        _skip_or_fail(reason)
    missing = [
        m
        for m in ("selenium", "jupyterlab", "jupyterlab_myst", "jupyterlab_myst_revealjs")
        if find_spec(m) is None
    ]
    if missing:
        _skip_or_fail(
            f"{', '.join(missing)} not installed: "
            "`.venv/bin/pip install -r requirements.txt -c constraints.txt`"
        )
    if not NOTEBOOKS:
        pytest.fail(f"no chapter notebooks in {CHAPTERS}")
    server = Lab(CHAPTERS)
    try:
        yield server
    finally:
        server.close()


def _problems(
    view: str, state: dict, console: list[str], expected_values: int, seconds: float, summary: dict
) -> list[str]:
    problems = []
    raw = names = 0
    for item in state["texts"]:
        for hit in RAW_MYST.finditer(item["text"]):
            raw += 1
            start = max(0, hit.start() - 40)
            problems.append(
                f"{view}: raw MyST in cell {item['cell']}: "
                f"...{item['text'][start : hit.end() + 40]!r}"
            )
        for hit in GLUE_NAME.finditer(item["text"]):
            names += 1
            problems.append(
                f"{view}: glue name {hit.group(0)!r} shown instead of its value "
                f"(cell {item['cell']})"
            )
    opened = [s for s in state["solutions"] if s["open"]]
    problems += [f"{view}: solution shown expanded: {s['title']!r}" for s in opened]
    problems += [
        f"{view}: cell {u['cell']} ({u['type']}) inside a gated solution is not folded "
        f"(metadata jupyter.source_hidden/outputs_hidden): {u['source']!r}"
        for u in state["unfolded"]
    ]
    problems += [
        f"{view}: browser console ({count}x): {message[:300]}"
        for message, count in Counter(console).items()
    ]
    summary[view] = {
        "markdown": state.get("markdown", state.get("slides")),
        "rendered": state["rendered"],
        "values": expected_values,
        "raw": raw,
        "names": names,
        "solutions": len(state["solutions"]),
        "open": len(opened),
        "unfolded": len(state["unfolded"]),
        "console": len(console),
        "seconds": seconds,
    }
    return problems


def _eval_count(name: str) -> int:
    notebook = json.loads((CHAPTERS / name).read_text(encoding="utf-8"))
    return sum(
        len(EVAL_ROLE.findall("".join(c["source"])))
        for c in notebook["cells"]
        if c["cell_type"] == "markdown"
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_renders_in_jupyterlab(lab, lab_summary, name):
    start = time.monotonic()
    state = lab.open_notebook(name)
    console = lab.console()
    problems = _problems(
        name, state, console, _eval_count(name), time.monotonic() - start, lab_summary
    )
    assert not problems, "\n".join(problems)


def test_chapter_presented_live(lab, lab_summary):
    name = SLIDES_CHAPTER
    assert (CHAPTERS / name).is_file(), f"LAB_SLIDES_CHAPTER={name} is not in {CHAPTERS}"
    start = time.monotonic()
    # as a lecturer does: the notebook is open, the slideshow shows its rendered cells
    lab.open_notebook(name, keep_open=True)
    lab.console()  # the notebook's own messages were checked above
    state = lab.open_slides(name)
    console = lab.console()
    problems = _problems(
        f"slides: {name}", state, console, _eval_count(name), time.monotonic() - start, lab_summary
    )
    assert not problems, "\n".join(problems)


def test_no_kernel_started_and_no_outside_request(lab):
    """Runs after the views above: the browser asked nothing of any host but 127.0.0.1."""
    lab.console()
    assert not lab.sessions(), "opening the chapters started kernels"
    outside = sorted(set(lab.outside))
    assert not outside, (
        "JupyterLab asked hosts other than 127.0.0.1 (news, update check, "
        "extension manager, fonts?):\n" + "\n".join(outside[:20])
    )


def test_no_extension_marked_incompatible():
    if find_spec("jupyterlab") is None:
        _skip_or_fail("jupyterlab not installed")
    result = subprocess.run(
        [sys.executable, "-m", "jupyterlab.labextensions", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    listing = result.stdout + result.stderr
    flagged = [
        line.strip()
        for line in listing.splitlines()
        if re.search(r"\bX\b", line) or "not compatible" in line or "may be outdated" in line
    ]
    assert result.returncode == 0, listing
    assert not flagged, "extensions marked incompatible:\n" + listing
