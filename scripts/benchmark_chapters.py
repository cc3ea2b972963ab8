"""Time every chapter as a lecturer would run it: a fresh kernel, top to bottom.

Usage: python scripts/benchmark_chapters.py [--no-save] [chapters/NN_*.ipynb ...]

Executes each notebook (default: every chapter listed in _toc.yml) in a new
kernel without saving it, and prints the wall time and the kernel's CPU time
per chapter, marking each chapter over the budget of ``BUDGET_SECONDS`` (a
lecturer runs chapters live). CPU time is the figure to trust on a shared
machine: wall time grows with whatever else runs. Nothing is asserted: a slow
chapter is a finding to act on, not a flaky test.

It also stores the wall times, rounded to 5 s, in
code/dropout_course/chapter_run_times.json, where each chapter's opening box
reads its run time (dropout_course.chapter_times; --no-save: print only). A
stored figure is kept while the new measurement stays within
``max(5 s, 10 %)`` of it, so that the noise of a re-run rewrites nothing. A
figure that changes makes that chapter's stored outputs stale: the script
names the chapters to re-execute (tests/test_chapter_times.py fails until
they are). Measure on a quiet machine: the figure is what a student waits.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from dropout_course.chapter_times import RUN_STEP_SECONDS, RUN_TIMES_FILE, round_run_seconds

from book_toc import toc_notebooks  # scripts/book_toc.py

ROOT = Path(__file__).resolve().parents[1]
#: The run times this repository's chapters read (whichever copy of the package is imported).
RUN_TIMES = ROOT / "code" / "dropout_course" / RUN_TIMES_FILE.name

#: Wall seconds a chapter may take on the 2-core machine the course is built on.
BUDGET_SECONDS = 40

_CPU_PROBE = (
    "import resource as _r; _u = _r.getrusage(_r.RUSAGE_SELF); print(_u.ru_utime + _u.ru_stime)"
)


def time_notebook(path: Path) -> tuple[float, float]:
    """Return (wall seconds, kernel CPU seconds) for one top-to-bottom run."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(_CPU_PROBE))
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    wall = time.perf_counter() - start
    cpu = float(notebook.cells[-1].outputs[0]["text"])
    return wall, cpu


def updated_run_times(stored: dict[str, int], measured: dict[str, float]) -> dict[str, int]:
    """The stored run times with the new measurements: a chapter's figure is replaced
    (rounded to RUN_STEP_SECONDS) only when the measurement is more than
    max(RUN_STEP_SECONDS, 10 %) away from it, or when it has none."""
    new = dict(stored)
    for chapter, wall in measured.items():
        old = stored.get(chapter)
        if old is None or abs(wall - old) > max(RUN_STEP_SECONDS, 0.1 * old):
            new[chapter] = round_run_seconds(wall)
    return new


def save_run_times(measured: dict[str, float], path: Path = RUN_TIMES) -> list[str]:
    """Store the measured wall times (chapter number "NN" -> seconds) in path;
    return the chapters whose stored figure changed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    old = data["run_seconds"]
    data["run_seconds"] = updated_run_times(old, measured)
    changed = sorted(k for k, v in data["run_seconds"].items() if old.get(k) != v)
    if changed:
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    save = "--no-save" not in argv
    paths = [Path(name) for name in argv if not name.startswith("--")] or toc_notebooks()
    measured = {}
    print(f"{'chapter':55s} {'wall s':>7s} {'CPU s':>7s}")
    total_wall = total_cpu = 0.0
    over = []
    for path in paths:
        wall, cpu = time_notebook(path)
        if path.name[:2].isdigit():
            measured[path.name[:2]] = wall
        total_wall += wall
        total_cpu += cpu
        mark = f"  OVER {BUDGET_SECONDS} s" if wall > BUDGET_SECONDS else ""
        over += [path.stem] if mark else []
        print(f"{path.stem:55s} {wall:7.1f} {cpu:7.1f}{mark}", flush=True)
    print(f"{'total':55s} {total_wall:7.1f} {total_cpu:7.1f}")
    print(
        f"{len(over)} chapter(s) over {BUDGET_SECONDS} s" + (f": {', '.join(over)}" if over else "")
    )
    if save:
        changed = save_run_times(measured)
        where = RUN_TIMES.relative_to(ROOT)
        if changed:
            print(
                f"{where}: new run time for chapter(s) {', '.join(changed)}; re-execute them "
                f"(make execute NB=chapters/NN_*.ipynb) so that their opening box shows it"
            )
        else:
            print(
                f"{where}: every stored run time still holds "
                f"(within max({RUN_STEP_SECONDS} s, 10 %))"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
