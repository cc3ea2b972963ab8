"""The one headless Chromium of the project: slide PDFs and every browser test.

``scripts/build_slides.py`` prints the decks with it; ``tests/test_slide_fit.py``,
``tests/built_book/test_browser.py`` and ``tests/jupyterlab/`` drive it. They
share Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs both
in CI) and these flags, so a change of browser or of the network rule is made
once.

The browser reaches nothing but loopback: every request goes to a dead proxy
(port 9 on 127.0.0.1, where nothing listens) unless it is for 127.0.0.1, and
no host name resolves. A page that needed a CDN shows it as a failed request.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = (
    "install Debian's headless browser and its driver: "
    "`sudo apt-get install --no-install-recommends chromium chromium-driver` "
    "(.ci/run does this itself when run as root)"
)

FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-breakpad",
    "--disable-crash-reporter",
    # a page in a background tab still renders (several pages open at once)
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>;127.0.0.1",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


def missing() -> str | None:
    """Why headless Chromium cannot run here (with the install command), or None."""
    absent = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if absent:
        return f"headless Chromium is not installed ({', '.join(absent)} missing): {INSTALL_HINT}"
    if importlib.util.find_spec("selenium") is None:
        return "Selenium is not installed (it is in requirements.txt: run `make setup`)"
    return None


def start(
    *,
    window: tuple[int, int],
    profile: Path | None = None,
    logs: tuple[str, ...] = (),
    page_load_timeout: float = 60,
    script_timeout: float = 100,
    command_timeout: float | None = None,
):
    """A headless Chromium driven by Selenium.

    Parameters
    ----------
    window : (width, height)
        The window size in CSS pixels (1280x720 is a slide).
    profile : Path, optional
        A fresh user-data folder, so browsers started at once share nothing.
    logs : tuple of str
        Chrome log types to record (``"browser"``: the console;
        ``"performance"``: every network request).
    page_load_timeout, script_timeout : float
        Seconds; keep the script timeout under Selenium's own 120 s per command
        unless ``command_timeout`` raises that.
    command_timeout : float, optional
        Seconds Selenium waits for one command (printing a long deck on a busy
        machine can outlast its default of 120 s).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    if profile is not None:
        options.add_argument(f"--user-data-dir={profile}")
    if logs:
        options.set_capability("goog:loggingPrefs", {log: "ALL" for log in logs})
    # The driver's path is given, so Selenium Manager never runs; were it to,
    # offline mode keeps it from downloading a browser or a driver.
    os.environ.setdefault("SE_OFFLINE", "true")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(page_load_timeout)
    driver.set_script_timeout(script_timeout)
    if command_timeout is not None:
        try:
            executor = driver.command_executor
            executor.client_config.timeout = command_timeout
            executor._conn = executor._get_connection_manager()
        except AttributeError:  # another Selenium: keep its timeout
            pass
    return driver
