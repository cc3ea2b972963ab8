"""Execute chapter notebooks in place so their stored outputs are fresh.

Usage: python scripts/execute_notebooks.py chapters/01_*.ipynb [...]

Authors run this (``make execute``) after editing a chapter; ``make test``
then re-executes every chapter under strict nbval and compares the outputs
with the ones stored here. The kernel starts in ``chapters/`` like
JupyterLab's and nbval's, and each notebook's wall time is printed so a slow
chapter is noticed before a lecture.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 600) -> float:
    """Run ``path`` top to bottom in a fresh kernel, save it, return seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(notebook, path)
    return elapsed


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        path = Path(name)
        if not path.is_file():
            print(f"no such notebook: {path}", file=sys.stderr)
            return 2
        print(f"{path}: {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
