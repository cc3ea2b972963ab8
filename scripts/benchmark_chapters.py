"""Time every chapter as a lecturer would run it: a fresh kernel, top to bottom.

Usage: python scripts/benchmark_chapters.py [chapters/NN_*.ipynb ...]

Executes each notebook (default: every chapter listed in _toc.yml) in a new
kernel without saving it, and prints the wall time and the kernel's CPU time
per chapter, marking each chapter over the budget of ``BUDGET_SECONDS`` (a
lecturer runs chapters live). CPU time is the figure to trust on a shared
machine: wall time grows with whatever else runs. Nothing is asserted: a slow
chapter is a finding to act on, not a flaky test.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from book_toc import toc_notebooks  # scripts/book_toc.py

ROOT = Path(__file__).resolve().parents[1]

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


def main(argv: list[str]) -> int:
    paths = [Path(name) for name in argv] or toc_notebooks()
    print(f"{'chapter':55s} {'wall s':>7s} {'CPU s':>7s}")
    total_wall = total_cpu = 0.0
    over = []
    for path in paths:
        wall, cpu = time_notebook(path)
        total_wall += wall
        total_cpu += cpu
        mark = f"  OVER {BUDGET_SECONDS} s" if wall > BUDGET_SECONDS else ""
        over += [path.stem] if mark else []
        print(f"{path.stem:55s} {wall:7.1f} {cpu:7.1f}{mark}", flush=True)
    print(f"{'total':55s} {total_wall:7.1f} {total_cpu:7.1f}")
    print(
        f"{len(over)} chapter(s) over {BUDGET_SECONDS} s" + (f": {', '.join(over)}" if over else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
