"""Execute chapter notebooks in place so their stored outputs are fresh.

Usage: python scripts/execute_notebooks.py chapters/01_*.ipynb [...]

Authors run this (``make execute``) after editing a chapter; ``make test``
then re-executes every chapter under strict nbval and compares the outputs
with the ones stored here. The kernel starts in ``chapters/`` like
JupyterLab's and nbval's. Each notebook's wall time and its slowest cells are
printed, so a slow chapter is noticed before a lecture.

A notebook is saved only if every cell ran without an error; otherwise every
failing cell is listed (the notebook runs to the end, so one run shows all of
them) and the stored notebook is left as it was.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def _seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except KeyError:
        return 0.0
    return (end - start).total_seconds()


def execute(path: Path, timeout: int = 600) -> tuple[float, list[tuple[float, int]], list[str]]:
    """Run ``path`` top to bottom in a fresh kernel; save it if nothing failed.

    Returns the wall time, ``(seconds, cell index)`` of the slowest cells and
    one line per failing cell.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        allow_errors=True,
        record_timing=True,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    slowest, errors = [], []
    for index, cell in enumerate(notebook.cells):
        slowest.append((_seconds(cell), index))
        # Timings differ on every run: they stay out of the stored notebook.
        cell.get("metadata", {}).pop("execution", None)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"  cell {index}: {output['ename']}: {output['evalue'][:500]}")
    if not errors:
        nbformat.write(notebook, path)
    return elapsed, sorted(slowest, reverse=True)[:5], errors


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    failed = 0
    for name in argv:
        path = Path(name)
        if not path.is_file():
            print(f"no such notebook: {path}", file=sys.stderr)
            return 2
        elapsed, slowest, errors = execute(path)
        cells = ", ".join(f"cell {index} {seconds:.1f} s" for seconds, index in slowest)
        verdict = f"NOT SAVED, {len(errors)} failing cell(s)" if errors else "saved"
        print(f"{path}: {elapsed:.1f} s, {verdict}; slowest: {cells}", flush=True)
        for line in errors:
            print(line, flush=True)
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
